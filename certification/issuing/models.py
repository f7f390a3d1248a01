"""Certificates, their number sequences, and bulk issue runs."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.applications.models import Application
from certification.credentials.models import StatusList
from certification.levels.models import CertificationLevel, CertifyingBody
from portal.accounts.storage import private_storage


class NumberSequence(models.Model):
    """The last number handed out per numbering body, level and year.

    Its row is locked by the issuing transaction, so numbers are gap-free: a transaction that
    fails gives its number back by rolling back.
    """

    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(CertificationLevel, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "level", "year"], name="one_sequence")
        ]

    def __str__(self):
        return f"{self.body_id}/{self.level_id}/{self.year}: {self.last}"


class Certificate(models.Model):
    """An awarded level, frozen at issue: what it says never changes after the PDF is made.

    ``pending`` holds a number and a snapshot while the PDF and signed credential are made;
    only then does it become ``valid``. Revocation, expiry and supersession change the status
    and never delete anything.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("certificate status", "being issued")
        VALID = "valid", pgettext_lazy("certificate status", "valid")
        EXPIRED = "expired", pgettext_lazy("certificate status", "expired")
        REVOKED = "revoked", pgettext_lazy("certificate status", "revoked")
        SUPERSEDED = "superseded", pgettext_lazy("certificate status", "superseded")

    class RevocationCode(models.TextChoices):
        """Why a certificate was revoked, as the public reads it (verify page, API, the
        holder's mail). The certifier's free-text note stays internal."""

        ISSUED_IN_ERROR = "issued_in_error", pgettext_lazy("revocation", "Issued in error")
        HOLDER_REQUEST = "holder_request", pgettext_lazy("revocation", "At the holder's request")
        MISCONDUCT = "misconduct", pgettext_lazy("revocation", "Misconduct or fraud found")
        CORRECTED = "corrected", pgettext_lazy("revocation", "Replaced by a corrected certificate")
        OTHER = "other", pgettext_lazy("revocation", "Revoked by the issuing body")

    class Origin(models.TextChoices):
        """Where a certificate comes from: issued here, or imported from an earlier record
        (certification/imports). An imported one keeps its original number and has no PDF,
        signed credential or status-list bit: the portal did not make them."""

        PORTAL = "portal", _("issued by the portal")
        IMPORTED = "imported", _("imported record")

    class Filing(models.TextChoices):
        NOT_REQUIRED = "none", _("not required")
        PENDING = "pending", _("awaiting filing")
        FILED = "filed", _("filed")

    number = models.CharField(_("number"), max_length=40, unique=True)
    numbering_body = models.ForeignKey(
        CertifyingBody, on_delete=models.PROTECT, related_name="+", verbose_name=_("numbered by")
    )
    year = models.PositiveSmallIntegerField()
    # Empty on imported certificates: their numbers are the original ones, not the portal's.
    sequence = models.PositiveIntegerField(null=True, blank=True)
    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="certificates")
    level = models.ForeignKey(
        CertificationLevel, on_delete=models.PROTECT, related_name="certificates"
    )
    # Empty only on an imported certificate nobody has claimed yet (``imported_holder``).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    # Empty only on imported certificates: no application was made on the portal.
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="certificate"
    )
    origin = models.CharField(
        _("origin"), max_length=8, choices=Origin.choices, default=Origin.PORTAL
    )
    import_batch = models.ForeignKey(
        "certification.ImportBatch",
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    # The person an imported record names; the account that claims it becomes ``holder``.
    imported_holder = models.ForeignKey(
        "certification.ImportedHolder",
        verbose_name=_("imported holder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The snapshot: what the certificate says, copied at approval.
    printed_name = models.CharField(_("printed name"), max_length=60)
    photo = models.FileField(
        _("photo"), upload_to="certification/photos/", storage=private_storage, blank=True
    )
    level_name = models.CharField(_("level"), max_length=80)
    level_name_en = models.CharField(max_length=120, blank=True)
    track_name = models.CharField(max_length=80, blank=True)
    body_name = models.CharField(_("certifying body"), max_length=120)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    held_since = models.DateField(_("level held since"))
    # What the level required when it was awarded (hours, exam, experience, prerequisite), so
    # the statement printed and signed never changes when the level is edited later. Empty on
    # certificates issued before it was kept: those keep the statement they were issued with.
    requirements = models.JSONField(_("requirements met"), default=dict, blank=True)
    recipient_salt = models.CharField(max_length=32)
    # The keyed hash of the identity number the certifier checked, copied at approval: a
    # relying party's "does this ID number match" is answered from it, never from the account
    # (whose details may change later). Empty when no identity was checked.
    holder_id_hash = models.CharField(max_length=64, blank=True)
    # Made once by the issuing task.
    pdf = models.FileField(
        _("PDF"), upload_to="certification/certificates/", storage=private_storage, blank=True
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    credential = models.JSONField(_("signed credential"), default=dict, blank=True)
    # Empty on imported certificates, which have no signed credential to revoke.
    status_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issue_error = models.TextField(blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_code = models.CharField(
        _("reason for revocation"), max_length=20, choices=RevocationCode.choices, blank=True
    )
    # The certifier's own words: shown to certifiers only, never on the public pages or API.
    revocation_reason = models.TextField(_("internal note on the revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # A corrected re-issue (certification/issuing/corrections.py): the same number lineage and
    # award, a later version; the one it corrects is superseded once this one is made.
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    filing_status = models.CharField(
        _("filing"), max_length=8, choices=Filing.choices, default=Filing.NOT_REQUIRED
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filing_reference = models.CharField(_("filing reference"), max_length=60, blank=True)
    reminded_60_at = models.DateTimeField(null=True, blank=True)
    reminded_7_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["numbering_body", "level", "year", "sequence", "version"],
                name="one_number_version",
            ),
            models.UniqueConstraint(fields=["status_list", "status_index"], name="one_status_bit"),
        ]
        indexes = [
            models.Index(fields=["holder", "status"]),
            models.Index(fields=["filing_status", "numbering_body"]),
            models.Index(fields=["status", "valid_until"]),
            # The dashboard's "first certificate of this level for this person" looks for an
            # earlier one of the same person (holder, or an unclaimed imported person's negative
            # id) and level: without this, one scan of the table per certificate.
            models.Index(
                Coalesce(F("holder"), Value(0) - F("imported_holder")),
                F("level"),
                F("issued_on"),
                name="certificate_person_level",
            ),
        ]

    def __str__(self):
        return self.number

    def effective_status(self, today: datetime.date | None = None) -> str:
        """The status as of today, even before the nightly sweep has marked it expired."""
        today = today or timezone.localdate()
        if self.status == self.Status.VALID and self.valid_until and self.valid_until < today:
            return self.Status.EXPIRED
        return self.status


class BulkIssue(models.Model):
    """One certifier's "issue the whole class" run, with its progress."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")

    body = models.ForeignKey(CertifyingBody, on_delete=models.PROTECT, related_name="bulk_runs")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class BulkIssueItem(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    run = models.ForeignKey(BulkIssue, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="one_item_per_run")
        ]
        indexes = [models.Index(fields=["run", "status"])]

    def __str__(self):
        return f"{self.run_id}/{self.application_id}: {self.status}"
