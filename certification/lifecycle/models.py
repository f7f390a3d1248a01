"""Continuing-education records that a renewal rests on."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.applications.models import evidence_upload_to
from certification.levels.models import CertifyingBody
from portal.accounts.storage import private_storage


class ContinuingEducation(models.Model):
    """An activity outside the portal that a holder reports for renewal; a certifier decides."""

    # No certificate this portal renews is older: an activity before it could never count.
    EARLIEST_COMPLETION = datetime.date(2000, 1, 1)

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="continuing_education"
    )
    body = models.ForeignKey(
        CertifyingBody, on_delete=models.PROTECT, related_name="continuing_education"
    )
    title = models.CharField(_("activity"), max_length=200)
    provider = models.CharField(_("organised by"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(200)],
    )
    evidence = models.FileField(
        _("evidence"), upload_to=evidence_upload_to, storage=private_storage, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_continuing_education",
    )
    review_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("continuing-education activity")
        verbose_name_plural = _("continuing-education activities")

    def __str__(self):
        return self.title

    @classmethod
    def completion_date_problem(cls, value: datetime.date) -> str:
        """Why an activity cannot have been completed on ``value`` ("" if it can): only a day
        from ``EARLIEST_COMPLETION`` up to today could count towards a renewal."""
        if value > timezone.localdate():
            return str(_("The completion date cannot be in the future."))
        if value < cls.EARLIEST_COMPLETION:
            return str(
                _(
                    "The completion date cannot be before %(date)s: an earlier activity cannot "
                    "count towards a renewal."
                )
                % {"date": cls.EARLIEST_COMPLETION.isoformat()}
            )
        return ""
