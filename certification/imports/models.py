"""Earlier and external certificates imported from XLSX: the runs and the people they name.

An imported certificate is a ``Certificate`` row whose ``origin`` is ``imported``
(docs/decisions/0017-imported-certificates.md); these models hold what only imports have.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One accepted file: who imported it, acting as what, and when."""

    class ImportedAs(models.TextChoices):
        CERTIFIER = "certifier", _("a certifier of the body")
        ADMINISTRATOR = "admin", _("the portal's administrators")

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_as = models.CharField(max_length=10, choices=ImportedAs.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("certificate import")
        verbose_name_plural = _("certificate imports")

    def __str__(self):
        return f"{self.filename or self.pk} ({self.rows})"


class ImportedHolder(models.Model):
    """A person named by imported certificates, known by e-mail or phone until an account
    claims them. One row per person: rows of a file (and later files) with the same e-mail or
    phone are the same person, so goals count them once."""

    name = models.CharField(_("name"), max_length=60)
    email = models.EmailField(_("e-mail address"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    province = models.CharField(_("province"), max_length=2, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imported_records",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("imported holder")
        verbose_name_plural = _("imported holders")

    def __str__(self):
        return self.name


class ClaimRequest(models.Model):
    """A holder's request to be linked to an imported record their confirmed e-mail or phone
    does not match; a certifier of the certificate's body decides it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    certificate = models.ForeignKey(
        "certification.Certificate", on_delete=models.PROTECT, related_name="claim_requests"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note for the certifier"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_claim",
            )
        ]

    def __str__(self):
        return f"{self.user_id} → {self.certificate_id}: {self.status}"
