"""Uploaded files of the oversight work (sample materials, self-assessment evidence): checked
by the certification app's one evidence check, kept in private storage, served by permission."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import certification.api

ACCEPT = "image/jpeg,image/png,image/webp,.pdf"
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by ``files_check`` before anything is kept."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("JPEG, PNG or WebP pictures, or PDF documents; at most 5 MB each."),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [single(item, initial) for item in items]


def files_check(uploads, *, already: int = 0, limit: int) -> list[tuple[object, str]]:
    """(upload, content type) for each file; a ValidationError naming the first bad file, or
    too many files, before anything is stored."""
    if already + len(uploads) > limit:
        raise ValidationError(
            _("At most %(limit)d files may be attached; remove some first.") % {"limit": limit}
        )
    checked = []
    for upload in uploads:
        try:
            content_type = certification.api.evidence_file_check(upload)
        except ValidationError as refused:
            raise ValidationError(
                _("“%(name)s”: %(reason)s")
                % {"name": str(upload.name)[:80], "reason": " ".join(refused.messages)}
            ) from refused
        checked.append((upload, content_type))
    return checked


def files_store(model, checked, **owner) -> list:
    """Keep each checked upload as a ``model`` row belonging to ``owner``."""
    rows = []
    for upload, content_type in checked:
        row = model(
            original_name=str(upload.name)[:200] or "file",
            content_type=content_type,
            size=upload.size,
            **owner,
        )
        row.file.save(f"file.{EXTENSIONS.get(content_type, 'bin')}", upload, save=False)
        row.save()
        rows.append(row)
    return rows


def file_response(row):
    return certification.api.evidence_file_response(
        row.file, filename=row.original_name, content_type=row.content_type
    )
