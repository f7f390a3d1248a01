"""Faculty see their work: the grading queue in the menu with its count, one notification for a
burst of hand-ins, and grading one answer after another (Enter saves and moves on)."""

import re

import pytest
from django.urls import reverse

from cms.services import training_base_faculty_add
from courses.models import Attempt
from courses.services import attempt_start, attempt_submit, enrolment_create
from portal.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

TWO_WRITTEN = [
    {"type": "single", "category": "general", "count": 1},
    {"type": "short", "category": "practice", "count": 2},
]


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def exam(base):
    course = factories.course(base)
    factories.questions(base)
    return factories.exam(base, course, blueprint=TWO_WRITTEN)


@pytest.fixture
def teacher(base):
    user = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=user)
    return user


def _hand_in(exam, *, text="我的答案", capture=None):
    trainee = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=trainee, course=exam.course)
    attempt = attempt_start(user=trainee, exam=exam)
    answers = {q.position: text for q in attempt.questions.filter(type="short")}
    if capture is not None:
        with capture(execute=True):
            attempt_submit(attempt=attempt, answers=answers)
    else:
        attempt_submit(attempt=attempt, answers=answers)
    return attempt


def _menu_count(html: str) -> str | None:
    link = re.search(r"<a [^>]*data-grading-link[^>]*>(.*?)</a>", html, re.S)
    if link is None:
        return None
    badge = re.search(r"data-answers-waiting>(\d+)<", link[1])
    return badge[1] if badge else "0"


def test_the_menu_shows_faculty_the_answers_waiting_at_their_base_only(client, exam, teacher):
    _hand_in(exam)
    _hand_in(exam)
    client.force_login(teacher)
    page = client.get(reverse("my_learning")).content.decode()
    assert _menu_count(page) == "4"  # two attempts, two written answers each
    assert "阅卷" in page

    elsewhere = factories.training_base("SC-B", "51")
    outsider = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=elsewhere, user=outsider)
    client.force_login(outsider)
    assert _menu_count(client.get(reverse("my_learning")).content.decode()) == "0"

    client.force_login(factories.UserFactory(roles=["Trainee"]))
    assert _menu_count(client.get(reverse("my_learning")).content.decode()) is None


def test_faculty_get_one_notification_for_a_burst_of_hand_ins(
    client, exam, teacher, django_capture_on_commit_callbacks
):
    elsewhere = factories.training_base("SC-B", "51")
    outsider = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=elsewhere, user=outsider)
    for _ in range(3):
        _hand_in(exam, capture=django_capture_on_commit_callbacks)

    told = Notification.objects.filter(user=teacher, kind="grading")
    assert told.count() == 1
    assert told.get().params["answers"] == 6 and told.get().params["attempts"] == 3
    assert not Notification.objects.filter(user=outsider).exists()

    client.force_login(teacher)
    page = client.get(reverse("notifications")).content.decode()
    assert "6 份新的书面作答待阅" in page
    # Once read, the next hand-in is news again.
    client.post(reverse("notifications_read"), {"all": "1"})
    _hand_in(exam, capture=django_capture_on_commit_callbacks)
    assert told.count() == 2
    assert told.filter(read_at__isnull=True).get().params["answers"] == 2


def test_an_attempt_without_written_answers_tells_nobody(
    exam, teacher, django_capture_on_commit_callbacks
):
    _hand_in(exam, text="", capture=django_capture_on_commit_callbacks)  # nothing written: 0
    assert not Notification.objects.filter(user=teacher).exists()


def test_enter_saves_and_moves_to_the_next_answer_then_the_next_attempt(client, exam, teacher):
    first, second = _hand_in(exam), _hand_in(exam)
    client.force_login(teacher)
    url = reverse("courses:grading_attempt", args=(first.pk,))
    a, b = first.questions.filter(type="short").order_by("position")

    page = client.get(url).content.decode()
    # The first answer waiting has the focus; every score field names its answer.
    assert re.search(rf'id="s{a.pk}"[^>]*autofocus', page)
    assert "第 1 题的得分（0 至 5 分）" in page and "第 2 题的得分（0 至 5 分）" in page
    assert 'aria-keyshortcuts="Enter J K N P"' in page

    response = client.post(url, {"question": a.pk, "score": "4"})
    assert response["Location"] == f"{url}?focus={b.pk}"
    page = client.get(response["Location"]).content.decode()
    assert re.search(rf'id="s{b.pk}"[^>]*autofocus', page)
    assert "还有 1 题待阅" in page

    response = client.post(url, {"question": b.pk, "score": "5"}, follow=True)
    first.refresh_from_db()
    assert first.status == Attempt.Status.FINAL
    assert response.redirect_chain[-1][0] == reverse("courses:grading_attempt", args=(second.pk,))
    assert "下一份" in response.content.decode()

    for question in second.questions.filter(type="short"):
        response = client.post(
            reverse("courses:grading_attempt", args=(second.pk,)),
            {"question": question.pk, "score": "3"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("courses:grading")
    page = response.content.decode()
    assert "待阅列表中的书面作答都已评分" in page
    assert _menu_count(page) == "0"


def test_a_refused_score_keeps_the_focus_on_that_answer(client, exam, teacher):
    attempt = _hand_in(exam)
    client.force_login(teacher)
    url = reverse("courses:grading_attempt", args=(attempt.pk,))
    a, b = attempt.questions.filter(type="short").order_by("position")
    response = client.post(url, {"question": b.pk, "score": "九"})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(rf'id="s{b.pk}"[^>]*autofocus', page)
    assert not re.search(rf'id="s{a.pk}"[^>]*autofocus', page)
    b.refresh_from_db()
    assert b.score is None


def test_the_queue_counts_the_answers_waiting(client, exam, teacher):
    _hand_in(exam)
    client.force_login(teacher)
    page = client.get(reverse("courses:grading")).content.decode()
    assert "2 份书面作答等待评分" in page
    assert _menu_count(page) == "2"
