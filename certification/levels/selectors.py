"""Reading levels' rules: the exam standards a body sets and who may enter a level's exam."""

from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from certification.levels.models import CertificationLevel, ExamStandard
from certification.wording import list_separator
from cms.api import ModuleCategory
from courses import api as courses_api


def _standard_data(row: ExamStandard):
    return courses_api.ExamStandard(
        body_id=row.body_id,
        body_name=row.body.name,
        level=row.level.course_level_id,
        min_questions={category: n for category, n in row.min_questions().items() if n},
        min_pass_mark=row.min_pass_mark,
        max_time_limit_minutes=row.max_time_limit_minutes,
        max_attempts=row.max_attempts,
        review_before_last_attempt=row.review_before_last_attempt,
    )


def level_exam_standards(*, level: CertificationLevel) -> dict:
    """Each body's exam standard for ``level``, by body id (one query)."""
    rows = ExamStandard.objects.filter(level=level).select_related("body", "level")
    return {row.body_id: _standard_data(row) for row in rows}


def exam_standards_for(*, course_level: str) -> list:
    """The exam standards of active bodies for the levels they award whose exams are of
    ``course_level``, as ``courses.api.ExamStandard``."""
    rows = (
        ExamStandard.objects.filter(
            body__is_active=True, level__course_level=course_level, body__levels=F("level")
        )
        .select_related("body", "level")
        .order_by("body__code", "level__rank", "pk")
    )
    return [_standard_data(row) for row in rows]


def _amount(value) -> str:
    """12.0 → 12, 6.5 → 6.5."""
    text = f"{Decimal(value or 0):.1f}"
    return text[:-2] if text.endswith(".0") else text


def exam_entry_refusal(*, user_id: int, course_level: str) -> str | None:
    """Why the person may not yet sit an exam of ``course_level``: they hold the training hours
    of no level that asks for the exam and the hours (unless such a level lets the exam be sat
    before the hours are complete). None when nothing stands in the way."""
    levels = [
        level
        for level in CertificationLevel.objects.filter(
            course_level=course_level, exam_required=True
        )
        if any(level.hours_required().values())
    ]
    if not levels or any(level.exam_before_hours for level in levels):
        return None
    earned = courses_api.hours_by_module(user_id=user_id, level=course_level)
    labels = dict(ModuleCategory.choices)
    shortfalls = []
    for level in levels:
        short = [
            _("%(module)s: %(have)s of %(needed)s hours")
            % {
                "module": labels[category],
                "have": _amount(earned.get(category, 0)),
                "needed": _amount(required),
            }
            for category, required in level.hours_required().items()
            if required and earned.get(category, Decimal("0")) < required
        ]
        if not short:
            return None
        shortfalls.append((level, short))
    level, short = shortfalls[0]
    return _(
        "The exam opens once you hold the training hours of %(level)s. Still short: %(short)s."
    ) % {"level": level.name, "short": list_separator().join(short)}
