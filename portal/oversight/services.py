"""Writes for the base evaluation: save one base's evaluation for one year, keeping history."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

import certification.api

from .accreditation import accreditation_refresh
from .models import BaseEvaluation, BaseEvaluationRevision
from .rules import GradingRule, current_rule, grade_for, score_problem
from .selectors import base_figures

COPIED = [
    "facilities_score",
    "facilities_comment",
    "organisation_score",
    "organisation_comment",
    "results_score",
    "results_comment",
    "innovation_score",
    "innovation_comment",
    "overall_comment",
    "total",
    "grade",
    "rule",
    "figures",
    "evaluated_by",
    "evaluated_at",
]


def evaluation_scores_check(*, scores: dict, rule: GradingRule) -> dict[str, Decimal]:
    """The scores as numbers; a ValidationError with one message per bad field otherwise."""
    clean, errors = {}, {}
    for criterion in rule.criteria:
        value, problem = score_problem(criterion, scores.get(criterion.key))
        if problem:
            errors[f"{criterion.key}_score"] = problem
        else:
            clean[criterion.key] = value
    if errors:
        raise ValidationError(errors)
    return clean


def evaluation_save(
    *,
    base_id: int,
    year: int,
    scores: dict,
    comments: dict[str, str],
    overall_comment: str,
    actor,
    published: bool | None = None,
) -> BaseEvaluation:
    """Create or replace the base's evaluation for the year and append a revision.

    Every score is checked before anything is written; one bad score saves nothing.
    ``published`` says whether the grade shows on the base's public page (None keeps the
    earlier choice; a new evaluation is not published). The base's accreditation period is
    worked out again, as a pass carries it forward.
    """
    rule = current_rule()
    clean = evaluation_scores_check(scores=scores, rule=rule)
    total, grade, _capped = grade_for(clean, rule)
    figures = base_figures(base_id=base_id, year=year)
    values = {
        "total": total,
        "grade": grade,
        "rule": rule.as_json(),
        "figures": figures.as_json(),
        "overall_comment": overall_comment.strip(),
        "evaluated_by": actor,
        "evaluated_at": timezone.now(),
    }
    if published is not None:
        values["published"] = bool(published)
    for criterion in rule.criteria:
        values[f"{criterion.key}_score"] = clean[criterion.key]
        values[f"{criterion.key}_comment"] = (comments.get(criterion.key) or "").strip()
    with transaction.atomic():
        evaluation = (
            BaseEvaluation.objects.select_for_update().filter(base_id=base_id, year=year).first()
        )
        created = False
        if evaluation is None:
            try:
                with transaction.atomic():  # another administrator may be saving it too
                    evaluation = BaseEvaluation.objects.create(base_id=base_id, year=year, **values)
                created = True
            except IntegrityError:
                evaluation = BaseEvaluation.objects.select_for_update().get(
                    base_id=base_id, year=year
                )
        if not created:
            for field, value in values.items():
                setattr(evaluation, field, value)
            evaluation.save()
        number = (evaluation.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
        BaseEvaluationRevision.objects.create(
            evaluation=evaluation,
            number=number,
            **{field: getattr(evaluation, field) for field in COPIED},
        )
        accreditation = accreditation_refresh(base_id=base_id)
        certification.api.audit_record(
            actor=actor,
            action="evaluation.saved",
            obj=evaluation,
            data={
                "base": base_id,
                "year": year,
                "version": number,
                "total": str(total),
                "grade": grade,
                "published": evaluation.published,
                "accredited_until": str(accreditation.ends_on) if accreditation else None,
            },
        )
    return evaluation
