"""What other apps may use of ``courses``: plain functions returning plain data."""

from collections import OrderedDict
from decimal import Decimal

from .data import CourseCompletion, ExamPass
from .models import Attempt, Enrolment
from .selectors import hours_by_category

__all__ = ["CourseCompletion", "ExamPass", "course_completions", "exams_passed", "hours_by_module"]


def hours_by_module(*, user_id: int, level: str | None = None) -> "OrderedDict[str, Decimal]":
    """Credited training hours per module category, optionally for courses of one level."""
    return hours_by_category(user_id=user_id, level=level)


def exams_passed(*, user_id: int, level: str | None = None) -> list[ExamPass]:
    """The exams the person passed, newest first, with when and how well."""
    attempts = Attempt.objects.filter(
        user_id=user_id, status=Attempt.Status.FINAL, passed=True
    ).select_related("exam")
    if level:
        attempts = attempts.filter(exam__level=level)
    return [
        ExamPass(
            exam_id=a.exam_id,
            exam_title=a.exam.title,
            level=a.exam.level,
            attempt_id=a.pk,
            passed_at=a.finalised_at,
            percent=a.percent,
        )
        for a in attempts.order_by("-finalised_at")
    ]


def course_completions(*, user_id: int) -> list[CourseCompletion]:
    """The courses the person completed, newest first."""
    from cms.models import TrainingBasePage

    enrolments = Enrolment.objects.filter(
        user_id=user_id, status=Enrolment.Status.COMPLETED
    ).select_related("course")
    result = []
    for e in enrolments.order_by("-completed_at"):
        base = TrainingBasePage.objects.ancestor_of(e.course).first()
        result.append(
            CourseCompletion(
                course_id=e.course_id,
                course_title=e.course.title,
                level=e.course.level,
                base_id=base.pk if base else None,
                completed_at=e.completed_at,
            )
        )
    return result
