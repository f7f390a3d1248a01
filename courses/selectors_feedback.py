"""Reads for course feedback (评教): who may rate what, and the anonymous figures.

Every figure goes through ``_figures``, which gives nothing for a group of fewer than
``minimum_responses()`` answers: a class of three cannot be read person by person, and no
answer is ever returned with anything that names the person who gave it. A figure over several
classes leaves out the small classes unless together they reach the minimum, so that no small
class can be read as the difference of two figures that are shown.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import FacultyMemberPage

from .data import FeedbackFigures
from .models import (
    CourseFeedback,
    CoursePage,
    Enrolment,
    FeedbackGiven,
    LessonPage,
    TeacherFeedback,
)
from .models.feedback import COURSE_SCALES, TEACHER_SCALES

PLACES = Decimal("0.1")


def minimum_responses() -> int:
    """The fewest answers a group needs before any of its figures are shown (default 5)."""
    return max(int(getattr(settings, "PORTAL_FEEDBACK_MIN_RESPONSES", 5)), 2)


def course_teachers(*, course: CoursePage) -> list[FacultyMemberPage]:
    """The teachers trainees rate for ``course``: the faculty listed on the course page and,
    where lessons name their teacher, those teachers too; live pages only, by name."""
    ids = set(course.faculty.values_list("pk", flat=True))
    ids |= set(
        LessonPage.objects.descendant_of(course)
        .exclude(teacher=None)
        .values_list("teacher_id", flat=True)
    )
    return list(FacultyMemberPage.objects.live().filter(pk__in=ids).order_by("title", "pk"))


def _today() -> datetime.date:
    return timezone.localdate()


def finished(*, enrolment: Enrolment | None, course: CoursePage, today=None) -> bool:
    """Whether the person has finished the course: completed it, or still holds a seat in a
    class whose last day has passed."""
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        return False
    if enrolment.status == Enrolment.Status.COMPLETED:
        return True
    return course.end_date < (today or _today())


def feedback_refusal(*, user, course: CoursePage, today=None) -> str | None:
    """Why ``user`` may not rate ``course`` now, in their language; None when they may."""
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN:
        return _("Only trainees who took this course can rate it.")
    if not finished(enrolment=enrolment, course=course, today=today):
        return _(
            "You can rate this course once you have completed it or its class has ended (%(end)s)."
        ) % {"end": course.end_date.isoformat()}
    if FeedbackGiven.objects.filter(user=user, course=course).exists():
        return _("You have already rated this course. Ratings are anonymous and given once.")
    return None


def feedback_given_course_ids(*, user_id: int) -> set[int]:
    return set(FeedbackGiven.objects.filter(user_id=user_id).values_list("course_id", flat=True))


def _figures(rows, scales, *, comments_of) -> FeedbackFigures:
    """The figures of a group of answers (``rows``, a queryset), or none under the minimum."""
    minimum = minimum_responses()
    keys = [key for key, _label in scales]
    found = rows.aggregate(n=Count("pk"), **{key: Avg(key) for key in keys})
    count = found["n"]
    if count < minimum:
        return FeedbackFigures(enough=False, minimum=minimum)
    averages = {key: Decimal(str(found[key])).quantize(PLACES) for key in keys}
    overall = (sum((Decimal(str(found[key])) for key in keys), Decimal(0)) / len(keys)).quantize(
        PLACES
    )
    comments = [text.strip() for text in comments_of(rows) if text and text.strip()]
    # Sorted by text: no order that could follow the order of answering.
    return FeedbackFigures(
        enough=True,
        minimum=minimum,
        responses=count,
        averages=averages,
        overall=overall,
        comments=tuple(sorted(comments)),
    )


def _comments(rows):
    return rows.exclude(comment="").values_list("comment", flat=True)


def _no_small_class_alone(rows, course_field: str):
    """``rows`` without the answers of small classes when these could be read by difference.

    A figure over several classes is shown beside each class's own figure. With a teacher's
    class of 3 and one of 10 in the total, the total less the class of 10 (which is shown) would
    give the class of 3, comments included. So the classes under the minimum count only when
    together they reach it (the difference is then a group at least as large as any shown)."""
    minimum = minimum_responses()
    counts = rows.values_list(course_field).annotate(n=Count("pk")).order_by()
    small = {course: n for course, n in counts if n < minimum}
    if small and sum(small.values()) < minimum:
        return rows.exclude(**{f"{course_field}__in": list(small)})
    return rows


def course_figures(*, course_ids) -> FeedbackFigures:
    course_ids = list(course_ids)
    rows = CourseFeedback.objects.filter(course_id__in=course_ids)
    if len(course_ids) > 1:
        rows = _no_small_class_alone(rows, "course_id")
    return _figures(rows, COURSE_SCALES, comments_of=_comments)


def teacher_figures(*, teacher_ids, course_ids=None) -> FeedbackFigures:
    course_ids = None if course_ids is None else list(course_ids)
    rows = TeacherFeedback.objects.filter(teacher_id__in=list(teacher_ids))
    if course_ids is not None:
        rows = rows.filter(response__course_id__in=course_ids)
    if course_ids is None or len(course_ids) > 1:
        rows = _no_small_class_alone(rows, "response__course_id")
    return _figures(rows, TEACHER_SCALES, comments_of=_comments)


def teacher_course_count(*, teacher_ids) -> int:
    return (
        TeacherFeedback.objects.filter(teacher_id__in=list(teacher_ids))
        .values("response__course_id")
        .distinct()
        .count()
    )


def base_course_ids(*, base_id: int, year: int | None = None) -> list[int]:
    """The live courses of a training base, optionally those starting in ``year``."""
    from cms.models import TrainingBasePage

    base = TrainingBasePage.objects.filter(pk=base_id).only("path", "depth").first()
    if base is None:
        return []
    courses = CoursePage.objects.live().descendant_of(base)
    if year is not None:
        courses = courses.filter(start_date__year=year)
    return list(courses.values_list("pk", flat=True))


def feedback_state(*, enrolment: Enrolment, rated: set[int], today=None) -> str:
    """For the trainee's course card: "given" once rated, "open" when the course is finished
    and may be rated, else ""."""
    if enrolment.course_id in rated:
        return "given"
    if finished(enrolment=enrolment, course=enrolment.course, today=today):
        return "open"
    return ""
