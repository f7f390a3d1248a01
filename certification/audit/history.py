"""What the certifier's screens show of a record's audit history."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.applications.models import Application
from certification.audit.models import AuditEntry

AUDIT_ACTIONS = {
    "application.created": gettext_lazy("Application started"),
    "application.submitted": gettext_lazy("Submitted"),
    "application.withdrawn": gettext_lazy("Withdrawn by the applicant"),
    "application.review_started": gettext_lazy("Review started"),
    "application.returned": gettext_lazy("Returned for changes"),
    "application.rejected": gettext_lazy("Rejected"),
    "application.first_approved": gettext_lazy("First approval (a second is needed)"),
    "application.approved": gettext_lazy("Approved"),
    "certificate.issued": gettext_lazy("Certificate issued"),
    "certificate.revoked": gettext_lazy("Revoked"),
    "certificate.filed": gettext_lazy("Filed"),
    "certificate.superseded": gettext_lazy("Superseded"),
    "certificate.expired": gettext_lazy("Expired"),
    "certificate.corrected": gettext_lazy("Corrected: a new version issued"),
    "application.entered_for_class": gettext_lazy("Entered by the certifier for a class run"),
}


AUDIT_DATA = {
    "reason": gettext_lazy("Reason"),
    "certificate": gettext_lazy("Certificate"),
    "number": gettext_lazy("Certificate number"),
    "reference": gettext_lazy("Filing reference"),
    "by": gettext_lazy("Superseded by"),
    "from": gettext_lazy("Previous status"),
    "first_approval": gettext_lazy("First approval by"),
    "new_number": gettext_lazy("New version"),
    "name_from": gettext_lazy("Printed name before"),
    "name_to": gettext_lazy("Printed name after"),
    "photo": gettext_lazy("Photo"),
    "version": gettext_lazy("Version"),
    "course": gettext_lazy("Class"),
}


def history(object_type: str, object_id) -> list[dict]:
    entries = AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
    rows = []
    for entry in entries.select_related("actor").order_by("pk"):
        if entry.actor is not None:
            who = entry.actor.real_name or entry.actor.email
        else:
            who = _("System") if entry.actor_label in ("", "system") else entry.actor_label
        details = [
            (AUDIT_DATA.get(key, key), audit_value(key, value))
            for key, value in (entry.data or {}).items()
            if key != "pdf_sha256"
        ]
        rows.append(
            {
                "at": entry.at,
                "who": who,
                "action": AUDIT_ACTIONS.get(entry.action, entry.action),
                "code": entry.action,
                "details": details,
            }
        )
    return rows


def audit_value(key: str, value):
    if key == "from" and value in Application.Status.values:
        return Application.Status(value).label
    return value
