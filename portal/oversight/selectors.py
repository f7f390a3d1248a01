"""Reads for the evaluation pages. Other apps are read only through their ``api.py``."""

import certification.api
import cms.api
import courses.api

from .data import BaseFigures, BaseStatus
from .models import BaseEvaluation, BaseEvaluationRevision, SelfAssessment
from .rules import Grade


def base_figures(*, base_id: int, year: int) -> BaseFigures:
    """The measured figures of the base for the year (about ten queries, whatever the data)."""
    delivered = courses.api.base_year_figures(base_id=base_id, year=year)
    catalogue = cms.api.base_catalogue_counts(page_id=base_id)
    ratings = courses.api.base_feedback_figures(base_id=base_id, year=year)
    return BaseFigures(
        year=year,
        classes=delivered.classes,
        trainees=delivered.trainees,
        hours=delivered.hours,
        exam_attempts=delivered.exam_attempts,
        exam_passes=delivered.exam_passes,
        pass_rate=delivered.pass_rate,
        certificates=certification.api.certificates_issued_count(base_id=base_id, year=year),
        faculty=catalogue.faculty,
        textbooks=catalogue.textbooks,
        course_rating=ratings.overall,
        course_rating_responses=ratings.responses,
    )


def year_overview(*, year: int) -> list[BaseStatus]:
    """Every base with its evaluation for the year, if any (two queries)."""
    evaluations = {e.base_id: e for e in BaseEvaluation.objects.filter(year=year)}
    rows = []
    for base in cms.api.training_bases_all():
        evaluation = evaluations.get(base.page_id)
        rows.append(
            BaseStatus(
                base_id=base.page_id,
                name=base.name,
                short_code=base.short_code,
                province=base.province,
                evaluation_id=evaluation.pk if evaluation else None,
                total=evaluation.total if evaluation else None,
                grade=evaluation.grade if evaluation else None,
                grade_label=Grade(evaluation.grade).label if evaluation else None,
                evaluated_at=evaluation.evaluated_at if evaluation else None,
            )
        )
    return rows


def evaluation_get(*, base_id: int, year: int) -> BaseEvaluation | None:
    return BaseEvaluation.objects.filter(base_id=base_id, year=year).first()


def evaluation_history(*, base_id: int) -> list[BaseEvaluationRevision]:
    """Every saved version of every year's evaluation of the base, newest year first."""
    return list(
        BaseEvaluationRevision.objects.filter(evaluation__base_id=base_id)
        .select_related("evaluation", "evaluated_by")
        .order_by("-evaluation__year", "-number")
    )


def year_results(*, year: int) -> list[BaseEvaluation]:
    """The year's evaluations with their bases, for the export (one query)."""
    return list(
        BaseEvaluation.objects.filter(year=year)
        .select_related("base", "evaluated_by")
        .order_by("base__title", "base_id")
    )


def self_assessment_get(*, base_id: int, year: int) -> SelfAssessment | None:
    """The base's own account of the year, shown to the administrator who grades it."""
    return (
        SelfAssessment.objects.filter(base_id=base_id, year=year)
        .select_related("submitted_by")
        .prefetch_related("files")
        .first()
    )
