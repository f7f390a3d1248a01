"""Rule changes made in the Wagtail admin go into the hash-chained audit log.

``AuditedAdminForm`` is the base form of any admin-edited model whose rows are rules a
certificate depends on (certification levels, exam standards): saving it appends
``<model>.created`` or ``<model>.changed`` with who, every changed field as old → new, and the
reason the editor gave (required when an existing row changes). To audit another model, give
its viewset's edit handler ``base_form_class=AuditedAdminForm`` (or a subclass) and a
``reason_panel()`` (a ``FieldPanel("change_reason")``).
"""

import datetime
import decimal

from django import forms
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel

REASON = "change_reason"
# The audit action's first part, by model ("level.changed"); other models use their own name.
ACTION_PREFIXES = {
    "certificationlevel": "level",
    "examstandard": "exam_standard",
    "level": "course_level",  # cms.taxonomy.Level: the level courses and exams are of
}


def _plain(value):
    """A JSON-able form of a field's value, stable across saves."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, bytes | memoryview):
        return None
    try:
        return sorted(_plain(item) for item in value)
    except TypeError:
        return str(value)


def field_changes(old, new) -> dict:
    """``{field: {"from": old, "to": new}}`` for the concrete fields that differ."""
    changes = {}
    for field in new._meta.concrete_fields:
        if field.primary_key:
            continue
        before = _plain(field.value_from_object(old)) if old is not None else None
        after = _plain(field.value_from_object(new))
        if before != after:
            changes[field.name] = {"from": before, "to": after}
    return changes


class AuditedAdminForm(WagtailAdminModelForm):
    """Saves, and chains an audit entry in the same transaction (see the module's notes)."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit log with who made the change and what changed."),
    )

    def _edited_fields(self) -> list[str]:
        return [name for name in self.changed_data if name != REASON]

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get(REASON) or "").strip()
        if self.instance.pk and self._edited_fields() and not reason:
            self.add_error(REASON, _("Say why the rules change; the reason is kept in the log."))
        return cleaned

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        model = type(self.instance)
        creating = self.instance.pk is None
        old = None if creating else model.objects.filter(pk=self.instance.pk).first()
        with transaction.atomic():
            instance = super().save(commit=True)
            changes = field_changes(old, instance)
            for name, field in self.fields.items():  # many-to-many fields, from the form
                if isinstance(field, forms.ModelMultipleChoiceField) and name in self.changed_data:
                    changes[name] = {
                        "from": _plain(self.initial.get(name) or []),
                        "to": _plain(self.cleaned_data.get(name) or []),
                    }
            if creating or changes:
                self._audit(instance, creating=creating, changes=changes)
        return instance

    def _audit(self, instance, *, creating: bool, changes: dict) -> None:
        from certification.audit.chain import audit_append

        data = {"changes": changes}
        reason = (self.cleaned_data.get(REASON) or "").strip()
        if reason:
            data["reason"] = reason
        model_name = instance._meta.model_name
        label = ACTION_PREFIXES.get(model_name, model_name)
        audit_append(
            actor=self.for_user,
            action=f"{label}.{'created' if creating else 'changed'}",
            obj=instance,
            data=data,
        )


def reason_panel() -> FieldPanel:
    """The panel asking why; put it last in the audited model's edit handler."""
    return FieldPanel(REASON)
