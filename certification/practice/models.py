"""Practice records (项目实绩): projects a trainee did, confirmed by the counterpart or a certifier.

A record is confirmed either by a named contact at the counterpart organisation, through a
signed link sent to them by e-mail (it works once and expires), or by a certifier of the body the
trainee asked. Only confirmed records count towards a level's practice requirements.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.levels.models import CertifyingBody
from portal.accounts.storage import private_storage

# The largest amount a project can state (CNY): ten billion yuan; more is a typing slip.
MAX_AMOUNT = 10_000_000_000


def _nonce() -> str:
    return secrets.token_urlsafe(12)


class PracticeRecord(models.Model):
    """One project: awaiting confirmation → confirmed | disputed (by the contact) | rejected."""

    class Kind(models.TextChoices):
        DEMAND = "demand", _("technology demand discovery")
        EVALUATION = "evaluation", _("evaluation and valuation of research results")
        IP = "ip", _("intellectual property operation")
        TRANSACTION = "transaction", _("technology transaction")
        OTHER = "other", _("other service")

    # The four kinds of service the national plan names; "other" never meets a kind requirement.
    NAMED_KINDS = (Kind.DEMAND, Kind.EVALUATION, Kind.IP, Kind.TRANSACTION)

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("practice status", "awaiting confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("practice status", "confirmed")
        DISPUTED = "disputed", pgettext_lazy("practice status", "disputed by the contact")
        REJECTED = "rejected", pgettext_lazy("practice status", "rejected by a certifier")

    class Method(models.TextChoices):
        CONTACT = "contact", _("a contact at the counterpart confirms by e-mail")
        CERTIFIER = "certifier", _("a certifier reviews the proof")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="practice_records",
    )
    title = models.CharField(_("project"), max_length=200)
    kind = models.CharField(_("kind of service"), max_length=12, choices=Kind.choices)
    kind_other = models.CharField(_("other kind of service"), max_length=100, blank=True)
    role = models.CharField(_("your role"), max_length=200)
    counterparties = models.CharField(_("counterparties"), max_length=400)
    contract_number = models.CharField(
        _("technology-contract registration number"), max_length=60, blank=True
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT)],
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"))
    outcome = models.TextField(_("outcome"))
    method = models.CharField(_("confirmed by"), max_length=10, choices=Method.choices)
    contact_name = models.CharField(_("contact's name"), max_length=60, blank=True)
    contact_organisation = models.CharField(_("contact's organisation"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact's e-mail"), blank=True)
    body = models.ForeignKey(
        CertifyingBody,
        verbose_name=_("certifying body to review it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_records",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # A fresh nonce per link sent: a new link makes the earlier ones useless, and so does use.
    link_nonce = models.CharField(max_length=24, default=_nonce, editable=False)
    link_sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certifier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_practice_records",
    )
    decision_comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-ended_on", "-pk"]
        verbose_name = _("practice record")
        verbose_name_plural = _("practice records")
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["body", "status"]),
        ]

    def __str__(self):
        return self.title

    @property
    def amount_text(self) -> str:
        """``350,000.00``: grouped the same way in every language."""
        return f"{self.amount or 0:,.2f}"

    @property
    def kind_label(self) -> str:
        if self.kind == self.Kind.OTHER and self.kind_other:
            return f"{self.Kind(self.kind).label}: {self.kind_other}"
        return str(self.Kind(self.kind).label) if self.kind in self.Kind.values else self.kind


def proof_upload_to(instance, filename):
    """A random name; the extension comes from the checked type (``files.stored_name``)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not (suffix.isascii() and suffix.isalnum() and len(suffix) <= 8):
        suffix = "bin"
    return f"certification/practice/{uuid.uuid4().hex}.{suffix}"


class PracticeProof(models.Model):
    """A proof file (contract, acceptance letter, invoice): private, served by a checked view."""

    record = models.ForeignKey(PracticeRecord, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(_("file"), upload_to=proof_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("proof of practice")
        verbose_name_plural = _("proofs of practice")

    def __str__(self):
        return self.original_name
