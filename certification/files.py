"""Checks on files people upload as evidence: real pictures and real PDFs, of modest size."""

from django.conf import settings
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from certification.errors import CertificationError
from portal.accounts.images import ImageNotCleaned, image_cleaned
from portal.accounts.validators import PictureRefused, picture_read

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}


def evidence_check(upload) -> str:
    """Return the file's content type if it is an acceptable picture or PDF, else refuse it.

    The type comes from the file's bytes, never from its name or the browser's claim. A
    picture is re-encoded in place, upright and without its EXIF (a phone's GPS position),
    before anyone stores it.
    """
    limit = settings.PORTAL_EVIDENCE_MAX_BYTES
    if not upload or not upload.size:
        raise CertificationError(_("The file is empty."))
    if upload.size > limit:
        raise CertificationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return _pdf_check(upload)
    content_type = _image_check(upload)
    _image_clean(upload)
    return content_type


def _pdf_check(upload) -> str:
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read()
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise CertificationError(_("The PDF is damaged or incomplete. Upload it again."))
    return "application/pdf"


def _image_check(upload) -> str:
    try:
        kind = picture_read(upload)
    except PictureRefused as refused:
        if refused.reason == "too_many_pixels" and refused.width:
            raise CertificationError(
                _("The picture has too many pixels (%(w)d×%(h)d).")
                % {"w": refused.width, "h": refused.height}
            ) from refused
        kind = None
    if kind not in IMAGE_TYPES:
        raise CertificationError(_("Upload a JPEG, PNG or WebP picture, or a PDF document."))
    return IMAGE_TYPES[kind]


def _image_clean(upload) -> None:
    """Replace an accepted picture's bytes with the cleaned ones (same format)."""
    try:
        data, _kind = image_cleaned(upload.read())
    except ImageNotCleaned as error:
        raise CertificationError(
            _("Upload a JPEG, PNG or WebP picture, or a PDF document.")
        ) from error
    finally:
        upload.seek(0)
    # Written into the upload's own file (in memory or a temporary file), so whatever stores
    # the upload next stores the cleaned picture.
    upload.file.seek(0)
    upload.file.truncate()
    upload.file.write(data)
    if hasattr(upload.file, "flush"):
        upload.file.flush()
    upload.file.seek(0)
    upload.size = len(data)


def stored_name(content_type: str) -> str:
    """The name a checked file is saved under: its extension follows the detected type, never
    the name it came with (which may be long enough to defeat the storage, or say ``.html``).
    The name it came with is kept separately for downloads."""
    return f"evidence.{EXTENSIONS.get(content_type, 'bin')}"


def private_file(field, *, filename: str, content_type: str | None = None):
    """A file from private storage, sent so a browser never runs it as a page."""
    response = FileResponse(
        field.open("rb"),
        as_attachment=content_type in (None, "application/pdf"),
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response
