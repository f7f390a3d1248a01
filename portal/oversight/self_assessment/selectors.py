"""Reads for a base's own view of its evaluation."""

from dataclasses import dataclass

from ..models import BaseAccreditation, BaseEvaluation, SelfAssessment
from ..rules import CRITERIA, GradingRule, rule_from_json


@dataclass
class YearView:
    """One year as the base's editors see it: the evaluation, if graded, with the rule it was
    graded by and the figures measured then; and their own self-assessment."""

    year: int
    evaluation: BaseEvaluation | None
    rule: GradingRule | None
    assessment: SelfAssessment | None

    def score_rows(self):
        """(label, score, maximum, floor, comment) per criterion of the stored rule."""
        if self.evaluation is None or self.rule is None:
            return []
        return [
            (
                CRITERIA[c.key],
                getattr(self.evaluation, f"{c.key}_score"),
                c.maximum,
                c.floor,
                getattr(self.evaluation, f"{c.key}_comment"),
            )
            for c in self.rule.criteria
        ]


def base_years(*, base_id: int, open_years: list[int]) -> list[YearView]:
    """Every year with an evaluation or a self-assessment, and the open years, newest first."""
    evaluations = {e.year: e for e in BaseEvaluation.objects.filter(base_id=base_id)}
    assessments = {
        a.year: a for a in SelfAssessment.objects.filter(base_id=base_id).prefetch_related("files")
    }
    years = sorted({*evaluations, *assessments, *open_years}, reverse=True)
    return [
        YearView(
            year=year,
            evaluation=evaluations.get(year),
            rule=rule_from_json(evaluations[year].rule) if year in evaluations else None,
            assessment=assessments.get(year),
        )
        for year in years
    ]


def accreditation_of(*, base_id: int) -> BaseAccreditation | None:
    return BaseAccreditation.objects.filter(base_id=base_id).first()


def assessment_get(*, base_id: int, year: int) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(base_id=base_id, year=year)
        .prefetch_related("files")
        .select_related("submitted_by")
        .first()
    )
