"""In-person sessions: check-in with the room's rotating code, and the attendance sheet."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.services import training_base_faculty_add
from courses import signals, tracking
from courses.models import AttendanceMark, LessonCredit, LessonPage
from courses.services import (
    LearningError,
    attendance_check_in,
    attendance_mark,
    enrolment_create,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


@pytest.fixture
def trainee():
    return factories.UserFactory(roles=["Trainee"])


@pytest.fixture
def teacher(base):
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    return teacher


@pytest.fixture
def session(base):
    """A 2-hour in-person session under way (started an hour ago, no end set)."""
    course = factories.course(base, lessons=[("practice", "2", "in_person")])
    return LessonPage.objects.descendant_of(course).get()


def code_now(lesson, now=None):
    return tracking.check_in_code(lesson.pk, tracking.code_step(now))


def test_attendance_for_a_session_not_yet_started_is_refused(base, trainee, teacher):
    course = factories.course(base, lessons=[("practice", "2", "in_person")])
    lesson = LessonPage.objects.descendant_of(course).get()
    lesson.session_starts = timezone.now() + datetime.timedelta(days=14)
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    enrolment = enrolment_create(user=trainee, course=course)
    with pytest.raises(LearningError, match="started|开始"):
        attendance_mark(lesson=lesson, present_ids={enrolment.pk}, by=teacher)
    with pytest.raises(LearningError):
        attendance_check_in(user=trainee, lesson=lesson, code=code_now(lesson))
    assert not AttendanceMark.objects.exists()
    assert not LessonCredit.objects.exists()


def test_check_in_with_a_wrong_or_expired_code_is_refused(session, trainee):
    enrolment_create(user=trainee, course=session.get_parent().get_parent())
    now = timezone.now()
    stale = tracking.check_in_code(session.pk, tracking.code_step(now) - 2)
    for code in ("000000" if code_now(session) != "000000" else "111111", stale, "12ab56", ""):
        with pytest.raises(LearningError, match="code|签到码"):
            attendance_check_in(user=trainee, lesson=session, code=code, now=now)
    other = tracking.check_in_code(session.pk + 1, tracking.code_step(now))
    if other != code_now(session, now):
        with pytest.raises(LearningError):
            attendance_check_in(user=trainee, lesson=session, code=other, now=now)
    assert not AttendanceMark.objects.exists()
    assert not LessonCredit.objects.exists()


def test_check_in_with_the_current_code_in_the_window_credits_the_hours(session, trainee):
    course = session.get_parent().get_parent()
    enrolment = enrolment_create(user=trainee, course=course)
    entries = []
    signals.recorded.connect(
        lambda **kw: entries.extend(kw["entries"]), weak=False, dispatch_uid="test-audit"
    )
    try:
        now = timezone.now()
        previous = tracking.check_in_code(session.pk, tracking.code_step(now) - 1)
        mark = attendance_check_in(user=trainee, lesson=session, code=previous, now=now)
    finally:
        signals.recorded.disconnect(dispatch_uid="test-audit")
    assert mark.present and mark.source == AttendanceMark.Source.CHECK_IN
    credit = LessonCredit.objects.get(enrolment=enrolment)
    assert credit.hours == Decimal("2.0") and credit.method == "attendance"
    assert [action for action, _obj, _data in entries] == [
        "attendance.checked_in",
        "hours.credited",
    ]


def test_check_in_outside_the_window_is_refused_even_with_the_right_code(session, trainee):
    enrolment_create(user=trainee, course=session.get_parent().get_parent())
    early = session.session_starts - datetime.timedelta(minutes=20)
    with pytest.raises(LearningError, match="15"):
        attendance_check_in(user=trainee, lesson=session, code=code_now(session, early), now=early)
    late = session.session_starts + datetime.timedelta(hours=2, minutes=1)  # 2-hour lesson
    with pytest.raises(LearningError):
        attendance_check_in(user=trainee, lesson=session, code=code_now(session, late), now=late)
    near = session.session_starts - datetime.timedelta(minutes=10)
    assert attendance_check_in(
        user=trainee, lesson=session, code=code_now(session, near), now=near
    ).present


def test_check_in_is_for_enrolled_trainees(session, trainee):
    with pytest.raises(LearningError, match="enrolled|报名"):
        attendance_check_in(user=trainee, lesson=session, code=code_now(session))
    assert not AttendanceMark.objects.exists()


def test_the_check_in_page_works_and_limits_guesses(client, session, trainee):
    enrolment_create(user=trainee, course=session.get_parent().get_parent())
    client.force_login(trainee)
    url = reverse("courses:check_in", args=(session.pk,))
    page = client.get(url + "?code=123456").content.decode()
    assert 'value="123456"' in page
    wrong = "000000" if code_now(session) != "000000" else "111111"
    for n in range(10):  # from a new address each time: addresses buy no more guesses
        client.post(url, {"code": wrong}, REMOTE_ADDR=f"2001:db8::{n + 1}")
    response = client.post(
        url, {"code": code_now(session)}, follow=True, REMOTE_ADDR="2001:db8::ff"
    )
    said = " ".join(str(m) for m in response.context["messages"])
    assert "Too many" in said or "过多" in said
    assert not AttendanceMark.objects.exists()


def test_the_check_in_page_checks_in(client, session, trainee):
    enrolment_create(user=trainee, course=session.get_parent().get_parent())
    client.force_login(trainee)
    url = reverse("courses:check_in", args=(session.pk,))
    response = client.post(url, {"code": code_now(session)})
    assert response.status_code == 302
    assert AttendanceMark.objects.get().present


def test_the_check_in_screen_is_for_staff_and_shows_the_code(client, session, trainee, teacher):
    url = reverse("courses:check_in_screen", args=(session.pk,))
    client.force_login(trainee)
    assert client.get(url).status_code == 403
    client.force_login(teacher)
    page = client.get(url).content.decode()
    assert "<svg" in page and code_now(session) in page
    data = client.get(url + "?format=json").json()
    assert data["code"] == code_now(session) and data["svg"].startswith("<svg")


def test_a_correction_needs_a_reason(session, trainee, teacher):
    course = session.get_parent().get_parent()
    enrolment = enrolment_create(user=trainee, course=course)
    attendance_check_in(user=trainee, lesson=session, code=code_now(session))
    with pytest.raises(LearningError, match="reason|原因"):
        attendance_mark(lesson=session, present_ids=set(), by=teacher)
    assert AttendanceMark.objects.get().present
    entries = []
    signals.recorded.connect(
        lambda **kw: entries.extend(kw["entries"]), weak=False, dispatch_uid="test-audit"
    )
    try:
        attendance_mark(lesson=session, present_ids=set(), by=teacher, reason="Left after 10 min")
    finally:
        signals.recorded.disconnect(dispatch_uid="test-audit")
    mark = AttendanceMark.objects.get()
    assert not mark.present and mark.reason == "Left after 10 min"
    assert mark.source == AttendanceMark.Source.STAFF
    actions = {action: data for action, _obj, data in entries}
    assert actions["attendance.corrected"]["reason"] == "Left after 10 min"
    assert "hours.withdrawn" in actions
    assert not LessonCredit.objects.filter(enrolment=enrolment).exists()


def test_nobody_marks_their_own_attendance(client, session, trainee, teacher):
    course = session.get_parent().get_parent()
    own = enrolment_create(user=teacher, course=course)  # staff taking the class
    other = enrolment_create(user=trainee, course=course)
    with pytest.raises(LearningError, match="own|自己"):
        attendance_mark(lesson=session, present_ids={own.pk, other.pk}, by=teacher)
    assert not AttendanceMark.objects.exists()
    client.force_login(teacher)
    url = reverse("courses:attendance", args=(session.pk,))
    response = client.post(url, {"present": [own.pk, other.pk]}, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "own" in said or "自己" in said
    assert not LessonCredit.objects.exists()
    # Marking the others leaves one's own row alone.
    attendance_mark(lesson=session, present_ids={other.pk}, by=teacher)
    assert set(AttendanceMark.objects.values_list("enrolment_id", flat=True)) == {other.pk}
    assert not LessonCredit.objects.filter(enrolment=own).exists()


def test_the_session_page_leads_trainees_to_check_in_and_staff_to_the_code(
    client, session, trainee, teacher
):
    enrolment_create(user=trainee, course=session.get_parent().get_parent())
    client.force_login(trainee)
    page = client.get(session.url).content.decode()
    assert reverse("courses:check_in", args=(session.pk,)) in page
    assert reverse("courses:check_in_screen", args=(session.pk,)) not in page
    client.force_login(teacher)
    page = client.get(session.url).content.decode()
    assert reverse("courses:check_in_screen", args=(session.pk,)) in page
    sheet = client.get(reverse("courses:attendance", args=(session.pk,))).content.decode()
    assert trainee.real_name in sheet


def test_staff_of_the_base_cannot_check_themselves_in(session, teacher):
    """Staff see the room's code from anywhere (the check-in screen), so their own check-in
    would prove nothing; they take their classes at another base."""
    enrolment_create(user=teacher, course=session.get_parent().get_parent())
    with pytest.raises(LearningError, match="work at|工作"):
        attendance_check_in(user=teacher, lesson=session, code=code_now(session))
    assert not AttendanceMark.objects.exists() and not LessonCredit.objects.exists()


def test_a_check_in_does_not_overturn_a_staff_mark(session, trainee, teacher):
    enrolment = enrolment_create(user=trainee, course=session.get_parent().get_parent())
    attendance_mark(lesson=session, present_ids=set(), by=teacher)  # marked absent
    with pytest.raises(LearningError):
        attendance_check_in(user=trainee, lesson=session, code=code_now(session))
    assert not AttendanceMark.objects.get(enrolment=enrolment).present
    assert not LessonCredit.objects.exists()


def test_full_width_digits_are_read_as_digits_and_other_characters_refused(
    client, session, trainee
):
    enrolment_create(user=trainee, course=session.get_parent().get_parent())
    client.force_login(trainee)
    url = reverse("courses:check_in", args=(session.pk,))
    for odd in ("١٢٣٤٥٦", "¹²³⁴⁵⁶", "12345６x"):
        response = client.post(url, {"code": odd}, follow=True)
        assert response.status_code == 200
    assert not AttendanceMark.objects.exists()
    full_width = code_now(session).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    client.post(url, {"code": full_width})
    assert AttendanceMark.objects.get().present
