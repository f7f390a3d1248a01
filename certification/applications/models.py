"""Applications and the evidence attached to them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.levels.models import CertificationLevel, CertifyingBody
from portal.accounts.storage import private_storage


class Application(models.Model):
    """draft → submitted → under review → approved | returned | rejected; approved → issued.

    A level approved by two people passes through "awaiting a second approval" (``confirm``)
    between the first certifier's approval and a different certifier's confirmation.
    Nobody decides on their own application.
    A returned application goes back to its applicant for changes and can be submitted again.
    A renewal is an application that names the certificate it renews.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("application status", "draft")
        SUBMITTED = "submitted", pgettext_lazy("application status", "submitted")
        UNDER_REVIEW = "review", pgettext_lazy("application status", "under review")
        # Levels approved by two people: the first has approved, a second must confirm.
        AWAITING_CONFIRMATION = (
            "confirm",
            pgettext_lazy("application status", "awaiting a second approval"),
        )
        RETURNED = "returned", pgettext_lazy("application status", "returned for changes")
        REJECTED = "rejected", pgettext_lazy("application status", "rejected")
        APPROVED = "approved", pgettext_lazy("application status", "approved")
        ISSUED = "issued", pgettext_lazy("application status", "issued")
        WITHDRAWN = "withdrawn", pgettext_lazy("application status", "withdrawn")

    OPEN = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.AWAITING_CONFIRMATION,
        Status.RETURNED,
        Status.APPROVED,
    )
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    AWAITING_DECISION = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.AWAITING_CONFIRMATION)
    # What a class's bulk run issues: approves those awaiting a decision, completes the approved.
    BULK_ISSUABLE = (*AWAITING_DECISION, Status.APPROVED)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    level = models.ForeignKey(
        CertificationLevel, on_delete=models.PROTECT, related_name="applications"
    )
    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="applications")
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certification_applications",
        help_text=_("The class the applicant trained in, so a whole class can be issued at once."),
    )
    renews = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal_applications",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    printed_name = models.CharField(_("name to print"), max_length=60)
    experience_years = models.DecimalField(
        _("years of relevant work experience"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    experience_note = models.TextField(_("work experience"), blank=True)
    checklist = models.JSONField(_("checklist at submission"), default=dict, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_applications",
    )
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first approval by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="first_approved_applications",
    )
    first_approved_at = models.DateTimeField(_("first approval at"), null=True, blank=True)
    # Who compared the identity document with the name and the photo, and when (the approval
    # that did it; a confirming certifier who checks again replaces it, the audit log keeps both).
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identity checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_checked_applications",
    )
    identity_checked_at = models.DateTimeField(_("identity checked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "level"],
                condition=Q(
                    status__in=["draft", "submitted", "review", "confirm", "returned", "approved"]
                ),
                name="one_open_application_per_level",
            )
        ]
        indexes = [
            models.Index(fields=["body", "status"]),
            models.Index(fields=["course", "status"]),
        ]

    def __str__(self):
        return f"{self.printed_name} · {self.level}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def can_withdraw(self) -> bool:
        return self.status in (*self.EDITABLE, *self.AWAITING_DECISION)


def evidence_upload_to(instance, filename):
    """A random name keeping a short, plain extension (``.bin`` for anything else, such as a
    120-letter one the storage could not fit into the field)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not (suffix.isascii() and suffix.isalnum() and len(suffix) <= 8):
        suffix = "bin"
    return f"certification/evidence/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """A file an applicant uploads in support: a certificate photo, a diploma, proof of work.

    Kept outside the public media URL space: it is served only through a view that checks who
    is asking (see ``views.evidence_download``).
    """

    class Kind(models.TextChoices):
        CERTIFICATE_PHOTO = "photo", _("certificate photo")
        DIPLOMA = "diploma", _("diploma")
        WORK_PROOF = "work", _("proof of work")
        OTHER = "other", _("other")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name
