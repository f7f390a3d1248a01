"""Talent filing (人才入库备案) with the national body, and the yearly evaluation of filed people.

A holder of a centrally filed level (intermediate, senior) submits a filing record; an officer of
the national body reviews it and files it, or returns it with comments for the holder to change
and submit again: submitted → under review → filed | returned. Filing the person also files
their certificate (the existing per-certificate filing, ``lifecycle.services.certificates_file``).

Each year the filed people are evaluated by a visible rule (``filing/rules.py``) into a grade;
each evaluation keeps the figures it was measured on and a copy of the rule it was graded by.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TalentFiling(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("filing status", "submitted")
        REVIEW = "review", pgettext_lazy("filing status", "under review")
        FILED = "filed", pgettext_lazy("filing status", "filed")
        RETURNED = "returned", pgettext_lazy("filing status", "returned for changes")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="talent_filing",
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="talent_filings",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    specialties = models.CharField(_("specialties"), max_length=300, blank=True)
    statement = models.TextField(_("statement of practice"), max_length=4000)
    comment = models.TextField(_("officer's comments"), blank=True)
    reference = models.CharField(_("filing reference"), max_length=60, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_talent_filings",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("talent filing")
        verbose_name_plural = _("talent filings")
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.person} · {self.get_status_display()}"


class TalentEvaluation(models.Model):
    """One filed person's evaluation for one year: figures, total, grade, rule used."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("excellent")
        GOOD = "good", _("good")
        PASS = "pass", _("pass")
        FAIL = "fail", _("fail")

    filing = models.ForeignKey(TalentFiling, on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"), default=dict)
    scores = models.JSONField(_("scores"), default=dict)
    rule = models.JSONField(_("rule"), default=dict)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    capped = models.CharField(_("grade capped because"), max_length=200, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        ordering = ["-year", "filing"]
        verbose_name = _("talent evaluation")
        verbose_name_plural = _("talent evaluations")
        constraints = [
            models.UniqueConstraint(fields=["filing", "year"], name="one_talent_evaluation_a_year")
        ]

    def __str__(self):
        return f"{self.filing.person} · {self.year} · {self.get_grade_display()}"

    @property
    def amount_text(self) -> str:
        """The year's confirmed contract amount, grouped: ``350,000.00``."""
        from decimal import Decimal, InvalidOperation

        try:
            return f"{Decimal(str(self.figures.get('amount', '0'))):,.2f}"
        except InvalidOperation:
            return str(self.figures.get("amount", ""))
