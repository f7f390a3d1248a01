"""The demo's rated class: an ended copy of a base's class with six anonymous answers, and the
demo trainee invited to rate it."""

import pytest

from courses import api as courses_api
from courses.demo_feedback import seed_course_feedback
from courses.models import CourseFeedback, FeedbackGiven
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_class_is_rated_by_six_and_offered_to_the_demo_trainee():
    base = factories.training_base("GD-D", "44")
    factories.course(base)
    for name in ("林老师", "王老师"):
        factories.faculty_member(base, name=name)
    trainee = factories.UserFactory()
    course = seed_course_feedback(base=base, trainee=trainee)
    summary = courses_api.course_feedback_summary(course.pk)
    assert summary.figures.enough and summary.figures.responses == 6
    assert [t.name for t in summary.teachers] == ["林老师", "王老师"]
    assert all(t.figures.responses == 6 for t in summary.teachers)
    assert "希望多讲一些评估定价的实操。" in summary.figures.comments
    card = next(
        c
        for c in courses_api.learner_overview(user_id=trainee.pk).courses
        if c.course_id == course.pk
    )
    assert card.feedback == "open"

    assert seed_course_feedback(base=base, trainee=trainee).pk == course.pk
    assert CourseFeedback.objects.count() == 6 and FeedbackGiven.objects.count() == 6
