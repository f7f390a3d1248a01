"""Registration offices (技术合同登记机构) and who of their registrars is in post (在岗登记员).

A registrar's certificate is a certificate of a level of the registrar track; whether it is a
national or a provincial one is the issuing body's kind (``CertifyingBody.kind``). An office's
administrators keep its in-post records current and record follow-up checks (抽查).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.issuing.models import Certificate
from portal.accounts.provinces import Province


class RegistrationOffice(models.Model):
    """A technology-contract registration office (技术合同认定登记机构) of a province."""

    name = models.CharField(_("name"), max_length=120)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("administrators"),
        blank=True,
        related_name="registration_offices",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "name", "pk"]
        verbose_name = _("registration office")
        verbose_name_plural = _("registration offices")

    def __str__(self):
        return self.name


class InPostRecord(models.Model):
    """A certified registrar working at an office from ``since`` (until ``until``)."""

    class Status(models.TextChoices):
        IN_POST = "in_post", _("in post")
        LEFT = "left", _("left the post")

    office = models.ForeignKey(RegistrationOffice, on_delete=models.PROTECT, related_name="records")
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="registrar_posts"
    )
    since = models.DateField(_("in post since"))
    until = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_POST
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["office", "-since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(status="in_post"),
                name="registrar_in_post_once",
            )
        ]
        verbose_name = _("in-post record")
        verbose_name_plural = _("in-post records")

    def __str__(self):
        return f"{self.certificate_id} @ {self.office_id} ({self.status})"


class FollowUpCheck(models.Model):
    """A follow-up check (抽查) of an in-post registrar: when, by whom, what was found."""

    class Outcome(models.TextChoices):
        SATISFACTORY = "satisfactory", _("satisfactory")
        ISSUES = "issues", _("issues found")
        NOT_IN_POST = "not_in_post", _("not actually in post")

    record = models.ForeignKey(InPostRecord, on_delete=models.PROTECT, related_name="checks")
    checked_on = models.DateField(_("checked on"))
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checker"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    finding = models.TextField(_("finding"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = _("follow-up check")
        verbose_name_plural = _("follow-up checks")

    def __str__(self):
        return f"{self.record_id} {self.checked_on} {self.outcome}"
