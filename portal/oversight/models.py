"""One evaluation per training base per year, and the append-only record of every version."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .rules import Grade

SCORE = {"max_digits": 4, "decimal_places": 1}


class EvaluationScores(models.Model):
    """The scores, comments and grade an evaluation carries; shared by its revisions."""

    facilities_score = models.DecimalField(_("facilities score"), **SCORE)
    facilities_comment = models.TextField(_("facilities comment"), blank=True)
    organisation_score = models.DecimalField(_("training organisation score"), **SCORE)
    organisation_comment = models.TextField(_("training organisation comment"), blank=True)
    results_score = models.DecimalField(_("training results score"), **SCORE)
    results_comment = models.TextField(_("training results comment"), blank=True)
    innovation_score = models.DecimalField(_("innovation score"), **SCORE)
    innovation_comment = models.TextField(_("innovation comment"), blank=True)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    # The rule the grade was computed by, and the measured figures shown beside the scores.
    rule = models.JSONField(_("grading rule"), default=dict)
    figures = models.JSONField(_("measured figures"), default=dict)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        abstract = True


class BaseEvaluation(EvaluationScores):
    """The current evaluation (考核) of one training base for one year."""

    base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("base evaluation")
        verbose_name_plural = _("base evaluations")
        ordering = ["-year", "base_id"]
        constraints = [
            models.UniqueConstraint(fields=["base", "year"], name="one_evaluation_per_base_year"),
            models.CheckConstraint(
                condition=Q(facilities_score__gte=0)
                & Q(organisation_score__gte=0)
                & Q(results_score__gte=0)
                & Q(innovation_score__gte=0),
                name="evaluation_scores_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.base_id} · {self.year} · {self.get_grade_display()}"


class BaseEvaluationRevision(EvaluationScores):
    """One saved version of an evaluation, written with every save and never changed."""

    evaluation = models.ForeignKey(
        BaseEvaluation, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("base evaluation version")
        verbose_name_plural = _("base evaluation versions")
        ordering = ["evaluation_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "number"], name="one_evaluation_revision_number"
            )
        ]

    def __str__(self):
        return f"{self.evaluation_id} · v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Evaluation revisions are append-only.")
        super().save(*args, **kwargs)
