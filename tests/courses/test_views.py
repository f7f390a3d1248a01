"""What trainees, faculty and editors see and do on the course and exam pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms.services import training_base_faculty_add
from courses.models import Attempt, Enrolment, LessonPage
from courses.services import attempt_start, attempt_submit, enrolment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def trainee(client):
    user = factories.UserFactory(roles=["Trainee"])
    client.force_login(user)
    return user


def test_course_page_shows_hours_per_module_with_a_fixed_number_of_queries(client, base):
    small = factories.course(base, lessons=[("general", "1.5", "online")])
    big = factories.course(
        base,
        lessons=[
            (c, "2", "online")
            for c in ("general", "policy", "practice", "enhancement")
            for _ in range(6)
        ],
    )
    counts = []
    for course in (small, big):
        client.get(course.url)  # warm caches (site root, etc.)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(course.url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    content = response.content.decode()
    assert "48.0" in content  # 24 lessons × 2 hours
    assert "12.0" in content  # per module category


def test_trainee_enrols_and_completes_an_online_lesson(client, base, trainee):
    today = timezone.localdate()
    course = factories.course(
        base,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=30),
    )
    response = client.post(reverse("courses:enrol", args=(course.pk,)), follow=True)
    assert "欢迎" in response.content.decode()
    lesson = LessonPage.objects.descendant_of(course).first()
    factories.study(trainee, lesson, at=timezone.now() - datetime.timedelta(minutes=50))
    response = client.post(reverse("courses:lesson_done", args=(lesson.pk,)), follow=True)
    assert "学时" in response.content.decode()
    page = client.get(reverse("my_learning")).content.decode()
    assert course.title in page
    assert "1.5" in page


def test_enrolling_in_a_full_course_says_so_and_changes_nothing(client, base, trainee):
    course = factories.course(base, capacity=1)
    enrolment_create(user=factories.UserFactory(), course=course)
    response = client.post(reverse("courses:enrol", args=(course.pk,)), follow=True)
    assert "已满" in response.content.decode()
    assert not Enrolment.objects.filter(user=trainee).exists()


@pytest.fixture
def exam(base, trainee):
    course = factories.course(base)
    factories.questions(base)
    enrolment_create(user=trainee, course=course)
    return factories.exam(base, course, allow_review=True)


def test_the_exam_page_never_sends_the_correct_answers(client, exam, trainee):
    client.post(reverse("courses:exam_start", args=(exam.pk,)))
    attempt = Attempt.objects.get(user=trainee)
    content = client.get(reverse("courses:attempt", args=(attempt.pk,))).content.decode()
    for question in attempt.questions.all():
        assert question.stem in content
        if question.explanation:
            assert question.explanation not in content
    assert "correct" not in content.lower()


def test_autosave_keeps_answers_across_a_reload_and_the_result_shows_the_breakdown(
    client, exam, trainee
):
    client.post(reverse("courses:exam_start", args=(exam.pk,)))
    attempt = Attempt.objects.get(user=trainee)
    single = attempt.questions.filter(type="single").first()
    response = client.post(
        reverse("courses:attempt_save", args=(attempt.pk,)),
        {f"q{single.position}": single.correct[0]},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200 and response.json()["saved"] == 1
    page = client.get(reverse("courses:attempt", args=(attempt.pk,))).content.decode()
    assert f'name="q{single.position}" value="{single.correct[0]}" checked' in page
    # A second tab or a second start lands on the same attempt.
    client.post(reverse("courses:exam_start", args=(exam.pk,)))
    assert Attempt.objects.filter(user=trainee).count() == 1

    response = client.post(reverse("courses:attempt_submit", args=(attempt.pk,)), follow=True)
    content = response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == "final"
    assert "公共知识" in content and "政策法规" in content
    # This exam allows review, but a second attempt is left: the person's own answers show,
    # the explanations (and correct options) wait until they can no longer sit it.
    assert single.stem in content
    assert single.explanation not in content


def test_a_forged_answer_form_is_refused_with_a_message(client, exam, trainee):
    client.post(reverse("courses:exam_start", args=(exam.pk,)))
    attempt = Attempt.objects.get(user=trainee)
    response = client.post(
        reverse("courses:attempt_save", args=(attempt.pk,)),
        {"q999": "A"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 409
    assert "试卷" in response.json()["error"]
    assert not attempt.questions.filter(answer__isnull=False).exists()


@pytest.fixture
def essay_exam(base, trainee):
    course = factories.course(base)
    factories.questions(base)
    enrolment_create(user=trainee, course=course)
    return factories.exam(
        base,
        course,
        blueprint=[
            {"type": "single", "category": "general", "count": 1},
            {"type": "short", "category": "practice", "count": 1},
        ],
    )


def _positions(attempt):
    return {q.type: q.position for q in attempt.questions.all()}


def test_a_full_length_essay_with_line_breaks_as_a_browser_sends_them_is_saved(
    client, essay_exam, trainee
):
    client.post(reverse("courses:exam_start", args=(essay_exam.pk,)))
    attempt = Attempt.objects.get(user=trainee)
    short = _positions(attempt)["short"]
    # The box allows 20,000 characters, a line break counting as one; the browser then sends
    # each line break as CR LF. A NUL pasted from another editor rides along.
    typed = ("技术转移" * 2 + "\n") * 2222 + "末" * 2
    assert len(typed) == 20_000
    sent = typed.replace("\n", "\r\n") + "\x00"
    response = client.post(
        reverse("courses:attempt_save", args=(attempt.pk,)),
        {f"q{short}": sent},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200, response.content
    assert attempt.questions.get(position=short).answer == typed


def test_a_refused_hand_in_gives_the_paper_back_with_everything_typed(client, essay_exam, trainee):
    client.post(reverse("courses:exam_start", args=(essay_exam.pk,)))
    attempt = Attempt.objects.get(user=trainee)
    positions = _positions(attempt)
    response = client.post(
        reverse("courses:attempt_submit", args=(attempt.pk,)),
        {f"q{positions['short']}": "先核实权属，再评估价值。", f"q{positions['single']}": "Z"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "选项" in page  # the message: the answer names an option not in its question
    assert "先核实权属，再评估价值。" in page
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"
    assert not attempt.questions.filter(answer__isnull=False).exists()


def test_after_the_deadline_the_attempt_is_handed_in_with_what_was_saved(client, exam, trainee):
    client.post(reverse("courses:exam_start", args=(exam.pk,)))
    attempt = Attempt.objects.get(user=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=5)
    )
    response = client.post(
        reverse("courses:attempt_save", args=(attempt.pk,)),
        {f"q{attempt.questions.first().position}": "A"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 409
    response = client.get(reverse("courses:attempt", args=(attempt.pk,)))
    assert response["Location"] == reverse("courses:attempt_result", args=(attempt.pk,))
    attempt.refresh_from_db()
    assert attempt.status == "final" and attempt.score == 0


def test_nobody_else_can_open_a_trainees_attempt(client, exam, trainee):
    attempt = attempt_start(user=trainee, exam=exam)
    client.force_login(factories.UserFactory())
    assert client.get(reverse("courses:attempt", args=(attempt.pk,))).status_code == 404
    assert client.get(reverse("courses:attempt_result", args=(attempt.pk,))).status_code == 404


def test_faculty_grade_open_answers_of_their_own_base_only(client, base, trainee):
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
    single = attempt.questions.get(type="single")
    written = attempt.questions.get(type="short")
    attempt_submit(
        attempt=attempt, answers={single.position: single.correct[0], written.position: "我的答案"}
    )

    other_base = factories.training_base("SC-B", "51")
    outsider = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=other_base, user=outsider)
    client.force_login(outsider)
    assert attempt.exam.title not in client.get(reverse("courses:grading")).content.decode()
    assert client.get(reverse("courses:grading_attempt", args=(attempt.pk,))).status_code == 403

    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    client.force_login(teacher)
    assert attempt.exam.title in client.get(reverse("courses:grading")).content.decode()
    question = written
    response = client.post(
        reverse("courses:grading_attempt", args=(attempt.pk,)),
        {"question": question.pk, "score": "abc"},
        follow=True,
    )
    assert "数字" in response.content.decode()
    client.post(
        reverse("courses:grading_attempt", args=(attempt.pk,)),
        {"question": question.pk, "score": "4", "comment": "不错"},
    )
    attempt.refresh_from_db()
    assert attempt.status == "final" and attempt.passed is True

    # Changing a final grade needs a reason: refused, the typed comment stays on the form.
    url = reverse("courses:grading_attempt", args=(attempt.pk,))
    response = client.post(
        url, {"question": question.pk, "score": "2", "comment": "论证不足，扣分。"}
    )
    assert response.status_code == 200
    assert "论证不足，扣分。" in response.content.decode()
    question.refresh_from_db()
    assert question.score == 4 and question.comment == "不错"
    # A forged question number is refused with a message, not a server error.
    for forged in ("abc", "", "1.5", "²", "99999999"):
        response = client.post(url, {"question": forged, "score": "1"}, follow=True)
        assert response.status_code == 200
        assert "书面作答" in response.content.decode(), forged

    client.force_login(trainee)
    assert client.get(reverse("courses:grading_attempt", args=(attempt.pk,))).status_code == 403


def test_attendance_sheet_is_for_the_base_staff(client, base, trainee):
    course = factories.course(base, lessons=[("practice", "3", "in_person")])
    lesson = LessonPage.objects.descendant_of(course).get()
    enrolment = enrolment_create(user=trainee, course=course)
    url = reverse("courses:attendance", args=(lesson.pk,))
    assert client.get(url).status_code == 403
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    client.force_login(teacher)
    assert trainee.real_name in client.get(url).content.decode()
    client.post(url, {"present": [enrolment.pk]})
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"
    response = client.post(url, {"present": ["not-a-number"]}, follow=True)
    assert response.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.credits.count() == 1


def test_without_review_the_result_shows_no_answers_or_explanations(client, base, trainee):
    course = factories.course(base)
    factories.questions(base)
    enrolment_create(user=trainee, course=course)
    exam = factories.exam(base, course, allow_review=False)
    attempt = attempt_start(user=trainee, exam=exam)
    attempt_submit(attempt=attempt, answers={})
    content = client.get(reverse("courses:attempt_result", args=(attempt.pk,))).content.decode()
    assert "未通过" in content
    for question in attempt.questions.all():
        assert question.stem not in content
        if question.explanation:
            assert question.explanation not in content
