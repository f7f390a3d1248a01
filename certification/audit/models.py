"""The append-only audit log: every entry carries the hash of the one before it.

Changing or deleting an old entry breaks the chain at that entry, which
``manage.py audit_verify`` reports.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "application.created": _("application started"),
    "application.submitted": _("application submitted"),
    "application.withdrawn": _("application withdrawn"),
    "application.review_started": _("review started"),
    "application.returned": _("returned for changes"),
    "application.rejected": _("rejected"),
    "application.first_approved": _("first approval; a second certifier must confirm"),
    "application.approved": _("approved; number allocated"),
    "certificate.issued": _("certificate issued"),
    "certificate.revoked": _("certificate revoked"),
    "certificate.expired": _("certificate expired"),
    "certificate.superseded": _("certificate superseded by a renewal"),
    "certificate.filed": _("filed with the national body"),
    "certificate.imported": _("imported from earlier records"),
    "certificate.claimed": _("claimed by the holder's account"),
    "import.done": _("earlier certificates imported"),
    "claim.requested": _("claim of an imported certificate requested"),
    "claim.refused": _("claim of an imported certificate refused"),
    "bulk_issue.started": _("bulk issue started"),
    "continuing_education.reported": _("continuing education reported"),
    "continuing_education.approved": _("continuing education approved"),
    "continuing_education.rejected": _("continuing education rejected"),
    "registry.joined": _("joined the public registry"),
    "registry.left": _("left the public registry"),
    "registry.filing_shown": _("chose to show filing and grade in the registry"),
    "registry.filing_hidden": _("chose to hide filing and grade from the registry"),
    "practice.recorded": _("practice project recorded"),
    "practice.link_sent": _("confirmation link sent to the contact"),
    "practice.confirmed": _("practice project confirmed"),
    "practice.disputed": _("practice project disputed by the contact"),
    "practice.rejected": _("practice project rejected"),
    "practice.deleted": _("practice project removed"),
    "filing.submitted": _("talent filing submitted"),
    "filing.review_started": _("talent filing taken for review"),
    "filing.filed": _("talent filed with the national body"),
    "filing.returned": _("talent filing returned with comments"),
    "filing.evaluated": _("yearly talent evaluation"),
    "level.created": _("level created"),
    "level.changed": _("level rules changed"),
    "exam_standard.created": _("exam standard created"),
    "exam_standard.changed": _("exam standard changed"),
    "application.entered_for_class": _("entered for certification with the class"),
    "application.identity_checked": _("identity checked"),
    "certificate.corrected": _("certificate re-issued with a correction"),
    "certificate.reissued": _("certificate re-issued from an imported record"),
    "certificate.wallet_issued": _("credential put into the holder's wallet"),
    "attendance.checked_in": _("checked in to a session"),
    "attendance.marked": _("attendance marked"),
    "attendance.corrected": _("attendance corrected"),
    "hours.credited": _("training hours credited"),
    "hours.withdrawn": _("training hours withdrawn"),
    "grade.given": _("written answer graded"),
    "grade.changed": _("grade changed"),
    "course.feedback_given": _("course feedback given"),
    "base_application.submitted": _("base application submitted"),
    "base_application.commented": _("base application commented on"),
    "base_application.resubmitted": _("base application resubmitted"),
    "base_application.approved": _("base application approved"),
    "base_application.returned": _("base application returned for changes"),
    "base_application.rejected": _("base application rejected"),
    "self_assessment.submitted": _("base self-assessment submitted"),
    "evaluation.saved": _("base evaluation saved"),
    "faculty_link.requested": _("faculty page linked to an account: proposed"),
    "faculty_link.accepted": _("faculty page link accepted"),
    "faculty_link.declined": _("faculty page link declined"),
    "faculty_link.ended": _("faculty page link ended"),
    "faculty_link.certificates_shown": _("faculty member shows their certificates"),
    "faculty_link.certificates_hidden": _("faculty member hides their certificates"),
    "teaching_invitation.sent": _("invitation to teach sent"),
    "teaching_invitation.accepted": _("invitation to teach accepted"),
    "teaching_invitation.declined": _("invitation to teach declined"),
    "teaching_invitation.withdrawn": _("invitation to teach withdrawn"),
    "registrar.in_post": _("registrar in post"),
    "registrar.left": _("registrar left the post"),
    "registrar.checked": _("registrar follow-up check recorded"),
    "recognition.round_opened": _("selection round opened"),
    "recognition.criteria_set": _("selection criteria set"),
    "recognition.reviewer_assigned": _("reviewer added to the panel"),
    "recognition.reviewer_removed": _("reviewer taken off the panel"),
    "recognition.nominated": _("nominated"),
    "recognition.practice_set": _("nomination's practice records chosen"),
    "recognition.conflict_declared": _("reviewer declared a conflict"),
    "recognition.scored": _("nomination scored"),
    "recognition.announced": _("proposed list announced"),
    "recognition.objection_lodged": _("objection lodged"),
    "recognition.objection_answered": _("objection answered"),
    "recognition.award_withdrawn": _("proposed award withdrawn"),
    "recognition.published": _("final list published"),
    "recognition.awarded": _("award issued"),
    "recognition.award_revoked": _("award revoked"),
}


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are never deleted.")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and this entry's content, in a canonical form."""
        content = {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": str(self.object_id),
            "data": self.data,
            "previous": self.previous_hash,
        }
        encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


class AuditHead(models.Model):
    """One row holding the newest hash; locking it orders concurrent appends."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return self.last_hash


class AuditCheckpoint(models.Model):
    """The chain's head at one moment, signed with the platform's key and published.

    ``sequence`` is the head entry's position in the chain (1 = the first entry), so a chain
    that ends before it has lost entries; ``hash`` is that entry's hash, so an entry changed
    and every later hash recomputed no longer reaches it. ``document`` is the signed JSON
    served at /audit/checkpoints/<sequence>.json, kept as signed."""

    sequence = models.PositiveBigIntegerField(unique=True)
    entry_id = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    document = models.JSONField(default=dict)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self):
        return f"checkpoint {self.sequence} {self.hash[:12]}"
