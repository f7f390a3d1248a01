"""Online lessons count the time that was spent: tracked by the server, in order, in the
course's dates, with the video watched."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import api, signals
from courses.models import LessonActivity, LessonCredit, LessonPage
from courses.services import (
    BeatRefused,
    LearningError,
    activity_beat,
    enrolment_create,
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


def running_course(base, **fields):
    """A course running today (two online lessons of 1.5 and 2 hours unless told)."""
    today = timezone.localdate()
    return factories.course(
        base,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
        **fields,
    )


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def at_day(course, hour=9):
    return timezone.make_aware(datetime.datetime.combine(course.start_date, datetime.time(hour)))


def test_a_lesson_posted_done_without_time_credits_nothing(client, base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    client.force_login(trainee)
    response = client.post(reverse("courses:lesson_done", args=(lesson.pk,)), follow=True)
    said = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(said) == 1 and said[0][0] == "error" and "45" in said[0][1]
    assert not LessonCredit.objects.exists()
    with pytest.raises(LearningError, match="45"):
        lesson_complete(user=trainee, lesson=lesson)
    assert not LessonCredit.objects.exists()


def test_the_server_counts_wall_time_not_the_number_of_beats(base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    t0 = timezone.now() - datetime.timedelta(minutes=10)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)
    # 100 beats in 10 seconds count 10 seconds, whatever the page claims.
    for n in range(1, 101):
        activity, _facts = activity_beat(
            user=trainee,
            lesson_id=lesson.pk,
            played=[[0, 3600]],
            now=t0 + datetime.timedelta(seconds=n / 10),
        )
    assert activity.active_seconds <= 10
    # A beat after a long silence counts nothing; the next one counts at most the cap.
    activity, _facts = activity_beat(
        user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(minutes=5)
    )
    assert activity.active_seconds <= 10
    activity, _facts = activity_beat(
        user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(minutes=5, seconds=39)
    )
    assert 38 <= activity.active_seconds <= 50


def test_video_coverage_grows_no_faster_than_time(base, trainee):
    course = running_course(base, lessons=[("general", "1", "online")])
    lesson = lessons_of(course)[0]
    lesson.video_seconds = 1200
    lesson.save_revision().publish()
    enrolment_create(user=trainee, course=course)
    t0 = timezone.now() - datetime.timedelta(minutes=30)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)
    activity, _facts = activity_beat(
        user=trainee,
        lesson_id=lesson.pk,
        played=[[0, 1200]],  # "watched" 20 minutes in 30 seconds
        now=t0 + datetime.timedelta(seconds=30),
    )
    assert activity.video_watched_seconds == 30
    assert activity.video_segments == [[0, 30.0]]


def test_video_needs_ninety_percent_watched(base, trainee):
    course = running_course(base, lessons=[("general", "1", "online")])
    lesson = lessons_of(course)[0]
    lesson.video_seconds = 2400  # 40 minutes; the lesson needs 30 minutes of time
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    enrolment_create(user=trainee, course=course)
    end = factories.study(trainee, lesson, watch=False)  # time spent, video skipped
    with pytest.raises(LearningError, match="90%"):
        lesson_complete(user=trainee, lesson=lesson, now=end)
    # Seeking to the end plays only the last seconds: still refused.
    seek = end + datetime.timedelta(seconds=30)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=seek)
    activity_beat(
        user=trainee,
        lesson_id=lesson.pk,
        played=[[2380, 2400]],
        now=seek + datetime.timedelta(seconds=20),
    )
    with pytest.raises(LearningError, match="90%"):
        lesson_complete(user=trainee, lesson=lesson, now=seek)
    end = factories.study(trainee, lesson, seconds=2400, at=seek + datetime.timedelta(minutes=1))
    credit = lesson_complete(user=trainee, lesson=lesson, now=end)
    assert credit.hours == Decimal("1.0")


def test_beats_from_people_without_a_seat_store_nothing(client, base, trainee):
    course = running_course(base)
    lesson = lessons_of(course)[0]
    with pytest.raises(BeatRefused) as refused:
        activity_beat(user=trainee, lesson_id=lesson.pk)
    assert refused.value.status == 403
    client.force_login(trainee)
    response = client.post(
        reverse("courses:lesson_beat", args=(lesson.pk,)),
        data=json.dumps({"start": True}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "error" in response.json()
    assert not LessonActivity.objects.exists()


def test_time_counts_only_inside_the_course_dates(base, trainee):
    today = timezone.localdate()
    course = factories.course(
        base,
        start_date=today + datetime.timedelta(days=7),
        end_date=today + datetime.timedelta(days=30),
    )
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    with pytest.raises(BeatRefused, match=str(course.start_date)):
        activity_beat(user=trainee, lesson_id=lesson.pk, start=True)
    assert not LessonActivity.objects.exists()
    # Time spent while the course runs still does not credit before it starts.
    end = factories.study(trainee, lesson)
    with pytest.raises(LearningError, match=str(course.start_date)):
        lesson_complete(user=trainee, lesson=lesson, now=end - datetime.timedelta(days=8))
    assert not LessonCredit.objects.exists()


def test_a_sequential_course_is_taken_in_order(base, trainee):
    course = running_course(base, sequential=True)
    first, second = lessons_of(course)
    enrolment_create(user=trainee, course=course)
    end = factories.study(trainee, second)
    with pytest.raises(LearningError, match=first.title):
        lesson_complete(user=trainee, lesson=second, now=end)
    factories.credit_lesson(trainee, first)
    assert lesson_complete(user=trainee, lesson=second, now=end).hours == Decimal("2.0")


def test_a_credit_keeps_its_evidence_and_is_recorded(base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    entries = []
    signals.recorded.connect(
        lambda **kw: entries.extend(kw["entries"]), weak=False, dispatch_uid="test-audit"
    )
    try:
        credit = factories.credit_lesson(trainee, lesson)
    finally:
        signals.recorded.disconnect(dispatch_uid="test-audit")
    assert credit.active_seconds >= 45 * 60
    assert credit.first_seen < credit.last_seen
    assert [(action, data["method"], data["active_minutes"]) for action, _obj, data in entries] == [
        ("hours.credited", "online", credit.active_seconds // 60)
    ]
    assert api.learning_minutes_for(user_ids=[trainee.pk, 0]) == {
        trainee.pk: credit.active_seconds // 60,
        0: 0,
    }
    assert api.learning_minutes_for(user_ids=[trainee.pk], level="senior_manager") == {
        trainee.pk: 0
    }


def test_the_roster_shows_minutes_per_person(client, base, trainee):
    from cms.services import training_base_faculty_add

    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    factories.credit_lesson(trainee, lessons_of(course)[0])
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=teacher)
    client.force_login(teacher)
    page = client.get(reverse("courses:roster", args=(course.pk,))).content.decode()
    assert 'class="roster-minutes">45 (45)' in page


def test_the_lesson_page_shows_progress_and_the_beat_answers_it(client, base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    factories.study(trainee, lesson, seconds=600, at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(trainee)
    page = client.get(lesson.url).content.decode()
    assert "data-lesson-progress" in page
    assert "disabled" in page.split("data-done", 1)[1][:20]
    url = reverse("courses:lesson_beat", args=(lesson.pk,))
    answer = client.post(url, data=b"not json", content_type="application/json")
    assert answer.status_code == 400
    answer = client.post(url, data=json.dumps({"start": True}), content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["required_minutes"] == 45
    assert answer.json()["active_minutes"] == 10
    assert answer.json()["met"] is False


def test_the_page_token_names_its_person_and_lesson_only(client, base, trainee):
    from courses.tracking import beat_token

    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    other = factories.UserFactory()
    url = reverse("courses:lesson_beat", args=(first.pk,))
    body = json.dumps({"start": True})
    # No session: the token alone says who is beating, and only for its own lesson.
    answer = client.post(
        url,
        body,
        content_type="application/json",
        headers={"X-Beat-Token": beat_token(trainee.pk, first.pk)},
    )
    assert answer.status_code == 200 and answer.json()["token"]
    assert LessonActivity.objects.get().user == trainee
    for forged in (beat_token(trainee.pk, second.pk), beat_token(trainee.pk, first.pk) + "x", ""):
        answer = client.post(
            url, body, content_type="application/json", headers={"X-Beat-Token": forged}
        )
        assert answer.status_code == 403
    # A token for someone without a seat stores nothing.
    answer = client.post(
        url,
        body,
        content_type="application/json",
        headers={"X-Beat-Token": beat_token(other.pk, first.pk)},
    )
    assert answer.status_code == 403
    assert LessonActivity.objects.count() == 1


def test_in_person_lessons_take_no_beats(base, trainee):
    course = running_course(base, lessons=[("practice", "2", "in_person")])
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    with pytest.raises(BeatRefused) as refused:
        activity_beat(user=trainee, lesson_id=lesson.pk, start=True)
    assert refused.value.status == 409
    assert not LessonActivity.objects.exists()


def test_two_lessons_open_at_once_count_the_time_once(base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    t0 = timezone.now() - datetime.timedelta(minutes=20)
    activity_beat(user=trainee, lesson_id=first.pk, start=True, now=t0)
    activity_beat(user=trainee, lesson_id=second.pk, start=True, now=t0)
    for n in range(1, 21):  # both pages beat every 30 s for 10 minutes
        at = t0 + datetime.timedelta(seconds=30 * n)
        activity_beat(user=trainee, lesson_id=first.pk, now=at)
        activity_beat(user=trainee, lesson_id=second.pk, now=at)
    total = sum(LessonActivity.objects.values_list("active_seconds", flat=True))
    assert total <= 600


def test_closing_pages_does_not_hide_time_counted_on_another_lesson(base, trainee):
    """A page that closes (a "stop" beat) was still seen then: two lessons opened and closed
    together every 30 s count the wall time once, not once per lesson."""
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    t0 = timezone.now() - datetime.timedelta(minutes=20)
    for n in range(20):  # ten minutes of open-both, then close-both, 30 s apart
        opened = t0 + datetime.timedelta(seconds=30 * n)
        closed = opened + datetime.timedelta(seconds=30)
        for lesson in (first, second):
            activity_beat(user=trainee, lesson_id=lesson.pk, now=opened)
        for lesson in (first, second):
            activity_beat(user=trainee, lesson_id=lesson.pk, stop=True, now=closed)
    total = sum(LessonActivity.objects.values_list("active_seconds", flat=True))
    assert total <= 600


def test_two_lessons_beaten_at_the_same_moment_count_once(base, trainee, monkeypatch):
    """A beat on another lesson written between this beat's read and its write makes this
    write give way; read again, the seconds already counted there are not counted here."""
    from courses import services

    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    t0 = timezone.now() - datetime.timedelta(minutes=5)
    activity_beat(user=trainee, lesson_id=first.pk, start=True, now=t0)
    activity_beat(user=trainee, lesson_id=second.pk, start=True, now=t0)
    at = t0 + datetime.timedelta(seconds=30)
    account = services._account
    raced = []

    def racing_account(activity, **kwargs):
        if activity.lesson_id == first.pk and not raced:
            raced.append(True)  # the second lesson's beat lands while the first is counted
            activity_beat(user=trainee, lesson_id=second.pk, now=at)
        return account(activity, **kwargs)

    monkeypatch.setattr(services, "_account", racing_account)
    activity_beat(user=trainee, lesson_id=first.pk, now=at)
    assert raced
    counted = dict(LessonActivity.objects.values_list("lesson_id", "active_seconds"))
    assert counted == {first.pk: 0, second.pk: 30}


def test_staff_of_the_base_earn_no_credit_there(base):
    """Staff set the base's lesson time rules; their own credits there would prove nothing."""
    from cms.services import training_base_editor_add

    course = running_course(base)
    editor = factories.UserFactory()
    enrolment_create(user=editor, course=course)
    training_base_editor_add(base=base, user=editor)
    lesson = lessons_of(course)[0]
    factories.study(editor, lesson)
    with pytest.raises(LearningError, match="work at|工作"):
        lesson_complete(user=editor, lesson=lesson)
    assert not LessonCredit.objects.exists()


def test_a_beat_with_absurd_numbers_is_answered_not_a_server_error(client, base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    client.force_login(trainee)
    url = reverse("courses:lesson_beat", args=(lesson.pk,))
    for played in ([[0, 10**400]], [[-(10**400), 5]], [["x", 1]], "nonsense", [[1e308, 1e309]]):
        answer = client.post(url, json.dumps({"played": played}), content_type="application/json")
        assert answer.status_code == 200
    assert LessonActivity.objects.get().video_watched_seconds == 0
