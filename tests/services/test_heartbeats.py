"""Heartbeats counted in Redis (``courses/beats.py``) against real Redis and PostgreSQL: the
same rules as the database path, the totals written in batches, and nothing decided or shown
on figures that are still only in Redis."""

import datetime
import json
import random

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from courses import beats
from courses.models import LessonActivity, LessonCredit, LessonPage
from courses.services import (
    BeatRefused,
    LearningError,
    activity_beat,
    enrolment_create,
    enrolment_withdraw,
    lesson_complete,
)
from courses.tracking import beat_token
from tests import factories

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _redis_beats(no_entry_rules):
    """Beats go to Redis (``make test-services`` sets ``REDIS_URL``); this test's keys start
    empty."""
    assert beats.enabled(), "the services suite runs with REDIS_URL set"
    beats._client = None
    beats._scripts.clear()
    redis_client = beats.client()
    for key in redis_client.scan_iter(match=f"{beats.prefix()}:*"):
        redis_client.delete(key)
    yield
    beats._client = None
    beats._scripts.clear()


def flush() -> int:
    """``beats.flush`` as the worker runs it: its write commits, then the rows are marked
    clean (the test's transaction stands in for the commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return beats.flush()


@pytest.fixture
def base():
    return factories.training_base("GD-R", "44")


@pytest.fixture
def trainee():
    return factories.UserFactory(roles=["Trainee"])


def running_course(base, **fields):
    today = timezone.localdate()
    return factories.course(
        base,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
        **fields,
    )


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def in_database(user, lesson):
    return LessonActivity.objects.filter(user=user, lesson=lesson).first()


def test_beats_are_counted_in_redis_and_written_by_the_flush(base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    t0 = timezone.now() - datetime.timedelta(minutes=10)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)
    for n in range(1, 11):  # 5 minutes, a beat every 30 s
        activity, _facts = activity_beat(
            user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(seconds=30 * n)
        )
    assert activity.active_seconds == 300
    # The row was made at the first beat; its totals are in Redis until the flush.
    row = in_database(trainee, lesson)
    assert row.active_seconds == 0 and row.first_seen == t0
    assert beats.client().sismember(f"{beats.prefix()}:dirty", f"{trainee.pk}:{lesson.pk}")
    assert flush() == 1
    row.refresh_from_db()
    assert row.active_seconds == 300
    assert row.last_seen == t0 + datetime.timedelta(seconds=300)
    assert row.last_beat_at == row.last_seen
    assert not beats.client().scard(f"{beats.prefix()}:dirty")
    assert flush() == 0  # nothing left to write
    # Many beats in a few seconds still count the wall time, not the beats.
    later = t0 + datetime.timedelta(seconds=300)
    for n in range(1, 101):
        activity, _facts = activity_beat(
            user=trainee, lesson_id=lesson.pk, now=later + datetime.timedelta(seconds=n / 10)
        )
    assert activity.active_seconds == 310
    # A stop beat, then the flush: the row says the page is closed.
    activity_beat(
        user=trainee, lesson_id=lesson.pk, stop=True, now=later + datetime.timedelta(seconds=11)
    )
    flush()
    row.refresh_from_db()
    assert row.active_seconds == 311 and row.last_beat_at is None  # the last second counts


def test_redis_counts_exactly_what_the_database_path_counts(base, trainee, settings):
    """The Lua script is ``services._account`` in another language: the same beats (starts,
    stops, gaps, video ranges played, skipped, and claimed too fast) give the same totals and
    segments on both paths."""
    course = running_course(base, lessons=[("general", "1", "online"), ("general", "1", "online")])
    redis_lesson, sql_lesson = lessons_of(course)
    for lesson in (redis_lesson, sql_lesson):
        lesson.video_seconds = 1800
        lesson.save_revision().publish()
    enrolment_create(user=trainee, course=course)
    twin = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=twin, course=course)
    url = settings.PORTAL_LESSON_BEATS_REDIS_URL
    rng = random.Random(11)
    t = timezone.now() - datetime.timedelta(hours=3)
    position = 0.0
    redis_answers, sql_answers = [], []
    for number in range(150):
        t += datetime.timedelta(seconds=rng.choice([1, 7, 29.5, 30, 30, 31, 45, 80]))
        position = min(1800.0, position + rng.choice([0, 10, 30, 30.3, 200]))
        played = rng.choice(
            [[[0, position]], [[0, 12.25], [position / 2, position]], [], "x", [[5000, 1e9]]]
        )
        kind = {"start": number == 0 or rng.random() < 0.05, "stop": rng.random() < 0.05}
        settings.PORTAL_LESSON_BEATS_REDIS_URL = url  # counted in Redis
        activity, _ = activity_beat(
            user=trainee, lesson_id=redis_lesson.pk, played=played, now=t, **kind
        )
        redis_answers.append((activity.active_seconds, activity.video_watched_seconds))
        settings.PORTAL_LESSON_BEATS_REDIS_URL = ""  # the database path
        activity, _ = activity_beat(
            user=twin, lesson_id=sql_lesson.pk, played=played, now=t, **kind
        )
        sql_answers.append((activity.active_seconds, activity.video_watched_seconds))
    assert redis_answers == sql_answers
    assert redis_answers[-1][0] > 600 and redis_answers[-1][1] > 0
    settings.PORTAL_LESSON_BEATS_REDIS_URL = url
    flush()
    counted = in_database(trainee, redis_lesson)
    direct = in_database(twin, sql_lesson)
    assert counted.active_seconds == direct.active_seconds
    assert counted.video_watched_seconds == direct.video_watched_seconds
    assert counted.video_segments == direct.video_segments
    assert counted.last_seen == direct.last_seen and counted.last_beat_at == direct.last_beat_at


def test_a_credit_decision_flushes_first(base, trainee):
    """Time still only in Redis counts for the credit, and the credit's evidence is the
    whole of it; the lesson page shows it too."""
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]  # 1.5 hours: 45 minutes needed
    t0 = timezone.now() - datetime.timedelta(hours=2)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)
    end = t0
    for n in range(1, 92):  # 45.5 minutes
        end = t0 + datetime.timedelta(seconds=30 * n)
        activity_beat(user=trainee, lesson_id=lesson.pk, now=end)
    assert in_database(trainee, lesson).active_seconds == 0  # not flushed yet
    credit = lesson_complete(user=trainee, lesson=lesson, now=end)
    assert credit.active_seconds == 91 * 30
    assert credit.first_seen == t0 and credit.last_seen == end
    assert in_database(trainee, lesson).active_seconds == 91 * 30


def test_the_lesson_page_and_the_roster_show_what_redis_counted(client, base, trainee):
    from courses.selectors import class_roster

    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    t0 = timezone.now() - datetime.timedelta(hours=1)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)
    for n in range(1, 21):  # 10 minutes
        activity_beat(
            user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(seconds=30 * n)
        )
    client.force_login(trainee)
    page = client.get(lesson.url).content.decode()
    assert "data-lesson-progress" in page
    assert in_database(trainee, lesson).active_seconds == 600  # the page flushed the person
    for n in range(21, 41):  # 10 more minutes, shown on the roster
        activity_beat(
            user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(seconds=30 * n)
        )
    roster = class_roster(course=course)  # what the roster page shows
    assert [row.tracked_minutes for row in roster.rows] == [20]
    assert in_database(trainee, lesson).active_seconds == 1200


def test_two_lessons_at_once_count_the_time_once(base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    t0 = timezone.now() - datetime.timedelta(minutes=20)
    activity_beat(user=trainee, lesson_id=first.pk, start=True, now=t0)
    activity_beat(user=trainee, lesson_id=second.pk, start=True, now=t0)
    for n in range(1, 21):  # both pages beat every 30 s for 10 minutes, in either order
        at = t0 + datetime.timedelta(seconds=30 * n)
        order = (first, second) if n % 2 else (second, first)
        for lesson in order:
            activity_beat(user=trainee, lesson_id=lesson.pk, now=at)
    # Opened and closed together: a closed page still counts as seen.
    for n in range(20):
        opened = t0 + datetime.timedelta(minutes=10, seconds=30 * n)
        for lesson in (first, second):
            activity_beat(user=trainee, lesson_id=lesson.pk, now=opened)
        for lesson in (first, second):
            activity_beat(
                user=trainee,
                lesson_id=lesson.pk,
                stop=True,
                now=opened + datetime.timedelta(seconds=30),
            )
    flush()
    total = sum(LessonActivity.objects.values_list("active_seconds", flat=True))
    assert total <= 1200


def test_two_lessons_beaten_together_from_many_threads_count_once(base, trainee):
    """Real concurrency: beats on two lessons at the same instants from two threads each. The
    script runs alone in Redis, so whichever comes second in each pair counts nothing."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    t0 = timezone.now() - datetime.timedelta(minutes=30)
    for lesson in (first, second):
        activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)

    def beat_at(args):
        lesson, n = args
        try:
            activity_beat(
                user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(seconds=30 * n)
            )
        finally:
            connections.close_all()

    for n in range(1, 41):
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(beat_at, [(first, n), (second, n), (first, n), (second, n)]))
    flush()
    total = sum(LessonActivity.objects.values_list("active_seconds", flat=True))
    assert 0 < total <= 40 * 30


def test_a_token_counts_only_for_its_person_and_lesson(client, base, trainee):
    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    first, second = lessons_of(course)
    other = factories.UserFactory(roles=["Trainee"])
    url = reverse("courses:lesson_beat", args=(first.pk,))
    body = json.dumps({"start": True})

    def post(token, to=url):
        return client.post(
            to, body, content_type="application/json", headers={"X-Beat-Token": token}
        )

    answer = post(beat_token(trainee.pk, first.pk))
    assert answer.status_code == 200 and answer.json()["token"]
    forged = [beat_token(trainee.pk, second.pk), beat_token(trainee.pk, first.pk) + "x", ""]
    for token in forged:
        assert post(token).status_code == 403
    # A valid token of a person without a seat: refused, nothing stored anywhere.
    assert post(beat_token(other.pk, first.pk)).status_code == 403
    # A token for this person and another lesson, posted to this lesson's address: refused.
    assert post(beat_token(other.pk, second.pk)).status_code == 403
    flush()
    assert list(LessonActivity.objects.values_list("user_id", "lesson_id")) == [
        (trainee.pk, first.pk)
    ]
    assert not beats.client().exists(f"{beats.prefix()}:a:{other.pk}:{first.pk}")


def test_a_withdrawn_person_is_refused_at_once(base, trainee):
    course = running_course(base)
    enrolment = enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    t0 = timezone.now() - datetime.timedelta(minutes=5)
    activity_beat(user=trainee, lesson_id=lesson.pk, start=True, now=t0)
    activity_beat(user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(seconds=30))
    enrolment_withdraw(enrolment=enrolment)
    with pytest.raises(BeatRefused) as refused:
        activity_beat(user=trainee, lesson_id=lesson.pk, now=t0 + datetime.timedelta(seconds=60))
    assert refused.value.status == 403
    flush()
    assert in_database(trainee, lesson).active_seconds == 30


def test_without_redis_a_beat_fails_clearly_and_no_credit_is_decided(client, base, trainee):
    import redis

    course = running_course(base)
    enrolment_create(user=trainee, course=course)
    lesson = lessons_of(course)[0]
    beats._client = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=1)  # discard
    beats._scripts.clear()
    answer = client.post(
        reverse("courses:lesson_beat", args=(lesson.pk,)),
        json.dumps({"start": True}),
        content_type="application/json",
        headers={"X-Beat-Token": beat_token(trainee.pk, lesson.pk)},
    )
    assert answer.status_code == 503
    assert answer.json()["error"]
    with pytest.raises(LearningError):
        lesson_complete(user=trainee, lesson=lesson)
    assert not LessonCredit.objects.exists()
    # The lesson page still opens, on the database's figures.
    client.force_login(trainee)
    assert client.get(lesson.url).status_code == 200
