"""Enrolment, credits, completion, and exam attempts from start to final grade."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from courses import api, signals
from courses.models import Attempt, Enrolment, GradeChange, LessonPage, Question
from courses.services import (
    LearningError,
    answer_grade,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    attempts_submit_overdue,
    attendance_mark,
    enrolment_create,
    enrolment_withdraw,
    lesson_complete,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def trainee():
    return factories.UserFactory(roles=["Trainee"])


def test_enrolment_respects_seats_and_withdrawal_frees_one(base):
    course = factories.course(base, capacity=1)
    first, second = factories.UserFactory(), factories.UserFactory()
    place = enrolment_create(user=first, course=course)
    assert enrolment_create(user=first, course=course) == place  # twice: same place
    with pytest.raises(LearningError, match="已满"):
        enrolment_create(user=second, course=course)
    enrolment_withdraw(enrolment=place)
    assert enrolment_create(user=second, course=course).status == Enrolment.Status.ACTIVE
    assert Enrolment.objects.filter(course=course).exclude(status="withdrawn").count() == 1


def test_enrolment_outside_the_window_is_refused(base, trainee):
    course = factories.course(base)
    course.enrolment_closes = timezone.now() - datetime.timedelta(minutes=1)
    course.save()
    with pytest.raises(LearningError):
        enrolment_create(user=trainee, course=course)
    assert not Enrolment.objects.exists()
    # A base may still enrol a class after the window, as long as seats remain.
    assert enrolment_create(user=trainee, course=course, source="bulk")


def test_online_lessons_credit_hours_per_category_and_complete_the_course(base, trainee):
    course = factories.course(
        base, lessons=[("general", "1.5", "online"), ("policy", "2", "online")]
    )
    enrolment_create(user=trainee, course=course)
    completed = []
    signals.course_completed.connect(
        lambda **kw: completed.append(kw), weak=False, dispatch_uid="t"
    )
    try:
        lessons = list(LessonPage.objects.descendant_of(course).order_by("path"))
        credit = factories.credit_lesson(trainee, lessons[0])
        assert lesson_complete(user=trainee, lesson=lessons[0]) == credit  # twice: credited once
        assert api.hours_by_module(user_id=trainee.pk)["general"] == Decimal("1.5")
        assert Enrolment.objects.get().status == Enrolment.Status.ACTIVE
        factories.credit_lesson(trainee, lessons[1])
    finally:
        signals.course_completed.disconnect(dispatch_uid="t")
    hours = api.hours_by_module(user_id=trainee.pk, level="junior_broker")
    assert hours == {
        "general": Decimal("1.5"),
        "policy": Decimal("2.0"),
        "practice": 0,
        "enhancement": 0,
    }
    assert Enrolment.objects.get().status == Enrolment.Status.COMPLETED
    assert [c.course_id for c in api.course_completions(user_id=trainee.pk)] == [course.pk]
    assert completed == []  # sent on commit; the test transaction never commits


def test_lesson_credit_needs_an_enrolment(base, trainee):
    course = factories.course(base)
    with pytest.raises(LearningError):
        lesson_complete(user=trainee, lesson=LessonPage.objects.descendant_of(course).first())


def test_attendance_sheet_credits_the_present_and_only_the_enrolled(base):
    course = factories.course(base, lessons=[("practice", "3", "in_person")])
    lesson = LessonPage.objects.descendant_of(course).get()
    there, away = factories.UserFactory(), factories.UserFactory()
    e1, e2 = enrolment_create(user=there, course=course), enrolment_create(user=away, course=course)
    teacher = factories.UserFactory()
    with pytest.raises(LearningError):
        attendance_mark(lesson=lesson, present_ids={e1.pk, 999999}, by=teacher)
    attendance_mark(lesson=lesson, present_ids={e1.pk}, by=teacher)
    assert api.hours_by_module(user_id=there.pk)["practice"] == Decimal("3.0")
    assert api.hours_by_module(user_id=away.pk)["practice"] == 0
    e1.refresh_from_db()
    assert e1.status == Enrolment.Status.COMPLETED
    with pytest.raises(LearningError):
        lesson_complete(user=away, lesson=lesson)  # in-person: not self-credited
    assert e2.credits.count() == 0


@pytest.fixture
def sitting(base, trainee):
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(base, course)
    enrolment_create(user=trainee, course=course)
    return exam


def answer_all(attempt, right=True):
    answers = {}
    for q in attempt.questions.all():
        if q.type in ("short", "case"):
            answers[q.position] = "我的分析……"
        else:
            wrong = [o["key"] for o in q.options if o["key"] not in q.correct][:1]
            answers[q.position] = q.correct if right else wrong
    return answers


def test_a_paper_is_drawn_from_the_blueprint_and_copied_into_the_attempt(sitting, trainee):
    attempt = attempt_start(user=trainee, exam=sitting, seed=1)
    kinds = sorted((q.type, q.category) for q in attempt.questions.all())
    assert kinds == [
        ("multiple", "policy"),
        ("single", "general"),
        ("single", "general"),
        ("true_false", "practice"),
    ]
    assert attempt.max_score == Decimal("4.0")
    served = attempt.questions.first()
    Question.objects.filter(pk=served.question_id).update(stem="改过的题干")
    served.refresh_from_db()
    assert served.stem != "改过的题干"
    # A second tab or a reload gets the same attempt.
    assert attempt_start(user=trainee, exam=sitting) == attempt


def test_right_answers_pass_at_once_and_the_record_is_final(sitting, trainee):
    attempt = attempt_start(user=trainee, exam=sitting)
    attempt_submit(attempt=attempt, answers=answer_all(attempt))
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == ("final", Decimal("4.0"), True)
    assert [p.exam_id for p in api.exams_passed(user_id=trainee.pk)] == [sitting.pk]
    # Submitting again changes nothing.
    attempt_submit(attempt=attempt, answers=answer_all(attempt, right=False))
    attempt.refresh_from_db()
    assert attempt.score == Decimal("4.0")


def test_the_attempt_limit_holds(sitting, trainee):
    for _ in range(sitting.max_attempts):
        attempt = attempt_start(user=trainee, exam=sitting)
        attempt_submit(attempt=attempt, answers=answer_all(attempt, right=False))
    with pytest.raises(LearningError):
        attempt_start(user=trainee, exam=sitting)
    assert Attempt.objects.filter(user=trainee).count() == sitting.max_attempts
    assert api.exams_passed(user_id=trainee.pk) == []


def test_answers_after_the_deadline_are_refused_and_saved_answers_are_graded(sitting, trainee):
    attempt = attempt_start(user=trainee, exam=sitting)
    right = answer_all(attempt)
    first = min(right)
    attempt_save_answers(attempt=attempt, answers={first: right[first]})
    late = attempt.deadline + datetime.timedelta(minutes=5)
    with pytest.raises(LearningError):
        attempt_save_answers(attempt=attempt, answers=right, now=late)
    attempt_submit(attempt=attempt, answers=right, now=late)
    attempt.refresh_from_db()
    assert attempt.submitted_at <= attempt.deadline + datetime.timedelta(seconds=30)
    points = attempt.questions.get(position=first).points
    assert attempt.score == points


def test_forged_answers_are_refused_and_nothing_is_saved(sitting, trainee, base):
    attempt = attempt_start(user=trainee, exam=sitting)
    good = answer_all(attempt)
    with pytest.raises(LearningError):
        attempt_save_answers(attempt=attempt, answers={**good, 999: ["A"]})
    with pytest.raises(LearningError):
        attempt_save_answers(attempt=attempt, answers={**good, min(good): ["Z"]})
    assert not attempt.questions.filter(answer__isnull=False).exists()


def test_overdue_attempts_are_handed_in_by_the_sweep(sitting, trainee):
    attempt = attempt_start(user=trainee, exam=sitting)
    assert attempts_submit_overdue(now=attempt.deadline) == 0
    assert attempts_submit_overdue(now=attempt.deadline + datetime.timedelta(minutes=1)) == 1
    attempt.refresh_from_db()
    assert attempt.status == "final" and attempt.score == 0


def test_open_answers_wait_for_a_grade_and_regrades_are_audited(base, trainee):
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(
        base,
        course,
        blueprint=[
            {"type": "single", "category": "general", "count": 1},
            {"type": "short", "category": "practice", "count": 1},
        ],
    )
    enrolment_create(user=trainee, course=course)
    attempt = attempt_start(user=trainee, exam=exam)
    attempt_submit(attempt=attempt, answers=answer_all(attempt))
    attempt.refresh_from_db()
    assert attempt.status == "awaiting_grading" and attempt.score is None
    open_answer = attempt.questions.get(type="short")
    teacher = factories.UserFactory()
    with pytest.raises(LearningError):
        answer_grade(question=open_answer, score=Decimal("9"), by=teacher)
    answer_grade(question=open_answer, score=Decimal("4"), by=teacher, comment="要点不全")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == ("final", Decimal("5.0"), True)
    with pytest.raises(LearningError, match="理由"):
        answer_grade(question=open_answer, score=Decimal("1"), by=teacher)
    answer_grade(question=open_answer, score=Decimal("1"), by=teacher, reason="复核后调整")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("2.0") and attempt.passed is False
    assert list(GradeChange.objects.values_list("old_score", "new_score")) == [
        (None, Decimal("4.0")),
        (Decimal("4.0"), Decimal("1.0")),
    ]


def test_exam_eligibility(base, trainee):
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(base, course)
    with pytest.raises(LearningError):
        attempt_start(user=trainee, exam=exam)  # not enrolled
    exam.is_published = False
    exam.save()
    enrolment_create(user=trainee, course=course)
    with pytest.raises(LearningError):
        attempt_start(user=trainee, exam=exam)


def test_a_level_exam_is_for_those_who_completed_a_course_of_its_level(base, trainee):
    course = factories.course(base, lessons=[("general", "1", "online")])
    factories.questions(base)
    exam = factories.exam(base, None, level="junior_broker")
    with pytest.raises(LearningError, match="完成"):
        attempt_start(user=trainee, exam=exam)
    enrolment_create(user=trainee, course=course)
    factories.credit_lesson(trainee, LessonPage.objects.descendant_of(course).get())
    assert attempt_start(user=trainee, exam=exam).status == "in_progress"


def test_an_exam_whose_blueprint_the_bank_cannot_fill_is_refused_with_reasons(base):
    from django.core.exceptions import ValidationError

    factories.questions(base, per_kind=1)
    exam = factories.exam(
        base, None, blueprint=[{"type": "single", "category": "policy", "count": 5}]
    )
    with pytest.raises(ValidationError) as caught:
        exam.full_clean()
    assert "1" in str(caught.value.message_dict["blueprint"]) and "5" in str(
        caught.value.message_dict["blueprint"]
    )
    exam.blueprint = [{"type": "essay", "category": "policy", "count": 0}]
    with pytest.raises(ValidationError):
        exam.full_clean()


def test_grading_a_paper_takes_the_same_number_of_queries_however_long_it_is(base):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = factories.course(base)
    factories.questions(base, per_kind=6)
    counts = []
    for count in (1, 6):
        exam = factories.exam(
            base,
            course,
            blueprint=[
                {"type": "single", "category": c, "count": count} for c in ("general", "policy")
            ],
        )
        trainee = factories.UserFactory()
        enrolment_create(user=trainee, course=course)
        attempt = attempt_start(user=trainee, exam=exam)
        attempt_save_answers(attempt=attempt, answers=answer_all(attempt))
        with CaptureQueriesContext(connection) as queries:
            attempt_submit(attempt=attempt)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_class_is_seated_at_once_or_not_at_all(base):
    from courses.services import enrolments_create_bulk

    course = factories.course(base, capacity=3)
    returning, seated, new = (
        factories.UserFactory(),
        factories.UserFactory(),
        factories.UserFactory(),
    )
    enrolment_withdraw(enrolment=enrolment_create(user=returning, course=course))
    enrolment_create(user=seated, course=course)
    extra = factories.UserFactory()
    with pytest.raises(LearningError):
        enrolments_create_bulk(course=course, users=[returning, seated, new, extra])
    assert Enrolment.objects.filter(course=course).exclude(status="withdrawn").count() == 1
    assert enrolments_create_bulk(course=course, users=[returning, seated, new]) == 2
    statuses = dict(Enrolment.objects.filter(course=course).values_list("user_id", "status"))
    assert statuses == {returning.pk: "active", seated.pk: "active", new.pk: "active"}
