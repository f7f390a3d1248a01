"""Course feedback (评教): trainees rate a course they finished and each of its teachers.

Answers are anonymous by construction. ``FeedbackGiven`` records *that* a person rated a course
(so nobody rates twice); ``CourseFeedback`` and ``TeacherFeedback`` hold *what* was said, with
no person, no time and a random key, so nothing links an answer back to a receipt, not even the
order of the rows. See docs/decisions/0023-course-feedback.md.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RATING_MIN = 1
RATING_MAX = 5
COMMENT_MAX = 1000
RATING_VALIDATORS = [MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]

# The scales of each form, in the order they are asked: (field, label).
COURSE_SCALES = (
    ("content", pgettext_lazy("feedback scale", "Content")),
    ("organisation", pgettext_lazy("feedback scale", "Organisation")),
    ("usefulness", pgettext_lazy("feedback scale", "Usefulness for my work")),
)
TEACHER_SCALES = (
    ("clarity", _("Clarity")),
    ("expertise", _("Expertise")),
    ("responsiveness", _("Responsiveness to questions")),
)


def _rating(label):
    return models.PositiveSmallIntegerField(label, validators=RATING_VALIDATORS)


def _in_range(names, prefix):
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__gte": RATING_MIN, f"{name}__lte": RATING_MAX}),
            name=f"{prefix}_{name}_1_to_5",
        )
        for name in names
    ]


class FeedbackGiven(models.Model):
    """That a person has rated a course: the once-only guard. It holds no answer, and no
    answer points back at it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course rated")
        verbose_name_plural = _("courses rated")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_feedback_per_course")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.course_id}"


class CourseFeedback(models.Model):
    """One anonymous answer about a course: three ratings from 1 to 5 and a comment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="feedback"
    )
    content = _rating(pgettext_lazy("feedback scale", "content"))
    organisation = _rating(pgettext_lazy("feedback scale", "organisation"))
    usefulness = _rating(_("usefulness"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)

    class Meta:
        verbose_name = _("course feedback")
        verbose_name_plural = _("course feedback")
        constraints = _in_range(("content", "organisation", "usefulness"), "course_feedback")

    def __str__(self):
        return f"{self.course_id} · {self.pk}"


class TeacherFeedback(models.Model):
    """One anonymous answer about one teacher of a course, given with a ``CourseFeedback``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(CourseFeedback, on_delete=models.CASCADE, related_name="teachers")
    teacher = models.ForeignKey("cms.FacultyMemberPage", on_delete=models.PROTECT, related_name="+")
    clarity = _rating(_("clarity"))
    expertise = _rating(_("expertise"))
    responsiveness = _rating(_("responsiveness"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)

    class Meta:
        verbose_name = _("teacher feedback")
        verbose_name_plural = _("teacher feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "teacher"], name="one_teacher_rating_per_response"
            ),
            *_in_range(("clarity", "expertise", "responsiveness"), "teacher_feedback"),
        ]

    def __str__(self):
        return f"{self.teacher_id} · {self.pk}"
