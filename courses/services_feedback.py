"""Writes for course feedback (评教): a trainee's one anonymous answer about a course.

The answer is checked here whatever the form said (a hand-made POST gets the same refusals),
and is written with a receipt that the person has answered, in one transaction: both or
neither. The receipt names the person and the course; the answer names neither the person nor
a time, so figures can be shown to faculty without anyone being able to tell who said what.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import signals
from .models import CourseFeedback, CoursePage, FeedbackGiven, TeacherFeedback
from .models.feedback import COMMENT_MAX, COURSE_SCALES, RATING_MAX, RATING_MIN, TEACHER_SCALES
from .selectors_feedback import course_teachers, feedback_refusal
from .services import LearningError


class FeedbackRefused(LearningError):
    """An answer the rules refuse; the message is for the person who gave it."""


def _rating(value, label) -> int:
    allowed = {str(n): n for n in range(RATING_MIN, RATING_MAX + 1)}
    number = allowed.get(str(value).strip()) if value is not None else None
    if number is None:
        raise FeedbackRefused(
            _("Give %(scale)s a rating from %(low)s to %(high)s.")
            % {"scale": label, "low": RATING_MIN, "high": RATING_MAX}
        )
    return number


def _comment(text) -> str:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise FeedbackRefused(
            _("A comment can be at most %(count)s characters long.") % {"count": COMMENT_MAX}
        )
    return text


def course_feedback_submit(
    *,
    user,
    course: CoursePage,
    ratings: dict,
    comment: str = "",
    teacher_ratings: dict | None = None,
    teacher_comments: dict | None = None,
    today=None,
) -> None:
    """Record ``user``'s one answer about ``course``: ``ratings`` maps each course scale to
    1–5; ``teacher_ratings`` maps every teacher's page id to their scales' ratings.

    Refuses (FeedbackRefused, nothing written) a person who did not finish the course, a second
    answer, a teacher who did not teach it, a teacher left out, or a rating outside 1–5."""
    refusal = feedback_refusal(user=user, course=course, today=today)
    if refusal:
        raise FeedbackRefused(refusal)
    teacher_ratings = {int(k): v for k, v in (teacher_ratings or {}).items()}
    teacher_comments = {int(k): v for k, v in (teacher_comments or {}).items()}
    teachers = {t.pk: t for t in course_teachers(course=course)}
    strangers = (set(teacher_ratings) | set(teacher_comments)) - set(teachers)
    if strangers:
        raise FeedbackRefused(_("You can rate only the teachers of this course."))
    course_values = {key: _rating(ratings.get(key), label) for key, label in COURSE_SCALES}
    teacher_values = {}
    for pk, teacher in teachers.items():
        given = teacher_ratings.get(pk)
        if not given:
            raise FeedbackRefused(
                _("Rate every teacher of the course, including %(name)s.") % {"name": teacher.title}
            )
        teacher_values[pk] = {
            key: _rating(given.get(key), f"{teacher.title}: {label}")
            for key, label in TEACHER_SCALES
        }
    comment = _comment(comment)
    comments = {pk: _comment(teacher_comments.get(pk)) for pk in teachers}

    try:
        with transaction.atomic():
            receipt = FeedbackGiven.objects.create(user=user, course=course)
            answer = CourseFeedback.objects.create(course=course, comment=comment, **course_values)
            TeacherFeedback.objects.bulk_create(
                TeacherFeedback(response=answer, teacher_id=pk, comment=comments[pk], **values)
                for pk, values in teacher_values.items()
            )
            # The audit entry says that the person answered, never what they said.
            signals.record(
                actor=user,
                entries=[("course.feedback_given", receipt, {"course": course.pk})],
            )
    except IntegrityError:
        # Two answers sent at once: the receipt's unique key lets one through.
        raise FeedbackRefused(
            _("You have already rated this course. Ratings are anonymous and given once.")
        ) from None
