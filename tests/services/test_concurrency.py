"""Seats and attempt limits hold when many requests arrive at once, on real PostgreSQL."""

import pytest

from courses.models import Attempt, Enrolment
from courses.services import LearningError, attempt_start, enrolment_create
from tests import factories
from tests.services.together import run_together

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_enrolments_never_overbook_the_last_seat():
    base = factories.training_base("GD-C", "44")
    course = factories.course(base, capacity=3)
    enrolment_create(user=factories.UserFactory(), course=course)
    enrolment_create(user=factories.UserFactory(), course=course)
    people = [factories.UserFactory() for _ in range(8)]

    outcomes = run_together(
        8, lambda i: enrolment_create(user=people[i], course=course).pk, refused=LearningError
    )

    assert [kind for kind, _ in outcomes].count("ok") == 1, outcomes
    assert all(kind in ("ok", "refused") for kind, _ in outcomes), outcomes
    assert Enrolment.objects.filter(course=course).exclude(status="withdrawn").count() == 3


@pytest.mark.usefixtures("no_entry_rules")  # the trainee holds no hours; starts are the point
def test_concurrent_starts_open_one_attempt_within_the_limit():
    base = factories.training_base("GD-D", "44")
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(base, course, max_attempts=1)
    trainee = factories.UserFactory()
    enrolment_create(user=trainee, course=course)

    outcomes = run_together(
        6, lambda i: attempt_start(user=trainee, exam=exam).pk, refused=LearningError
    )

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert len({value for _, value in outcomes}) == 1  # every tab got the same attempt
    assert Attempt.objects.filter(user=trainee, exam=exam).count() == 1
    assert Attempt.objects.get().questions.count() == 4
