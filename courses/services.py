"""Writes to learning records: enrolment, credits, attendance, exam attempts and grades."""

import datetime
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import beats as redis_beats
from . import signals, tracking
from .models import (
    Attempt,
    AttemptQuestion,
    AttendanceMark,
    CoursePage,
    Delivery,
    Enrolment,
    Exam,
    GradeChange,
    LessonActivity,
    LessonCredit,
    LessonPage,
)
from .models.exams import OBJECTIVE_TYPES, QuestionType
from .permissions import staff_base_ids
from .selectors import course_outline, credited_lesson_ids, question_pool, seats_taken


class LearningError(Exception):
    """A request the rules refuse; the message is for the person who made it."""


# -- enrolment -------------------------------------------------------------------------------


@transaction.atomic
def enrolment_create(
    *, user, course: CoursePage, source: str = Enrolment.Source.SELF, now=None
) -> Enrolment:
    """Enrol ``user`` in ``course`` if the window is open and a seat is free.

    The course row is locked, so concurrent enrolments at the last seat cannot overbook.
    Enrolling twice returns the existing place; a withdrawn person takes a seat again.
    """
    now = now or timezone.now()
    course = CoursePage.objects.select_for_update().get(pk=course.pk)
    existing = Enrolment.objects.filter(user=user, course=course).first()
    if existing and existing.holds_a_seat:
        return existing
    if source == Enrolment.Source.SELF and not course.enrolment_is_open(now):
        raise LearningError(_("Enrolment for this course is closed."))
    taken = seats_taken(course=course)
    if course.capacity is not None and taken >= course.capacity:
        raise LearningError(_("This course is full."))
    _enrolled_notify(course, [user.pk])
    if existing:
        existing.status = Enrolment.Status.ACTIVE
        existing.withdrawn_at = None
        existing.source = source
        existing.save(update_fields=["status", "withdrawn_at", "source"])
        signals.figures_changed_notify("enrolment")
        return existing
    signals.figures_changed_notify("enrolment")
    return Enrolment.objects.create(user=user, course=course, source=source)


def _enrolled_notify(course: CoursePage, user_ids: list[int]) -> None:
    """Tell the layers above, after commit, who took a seat in ``course`` (``enrolled``)."""
    title, url = course.title, course.url or ""

    def send():
        for user_id in user_ids:
            signals.enrolled.send(
                sender="courses",
                user_id=user_id,
                course_id=course.pk,
                course_title=title,
                course_url=url,
            )

    transaction.on_commit(send)


def _returning_users(needing, existing) -> list[int]:
    return [pk for pk in needing if pk in existing]


@transaction.atomic
def enrolments_create_bulk(
    *, course: CoursePage, users, source: str = Enrolment.Source.BULK
) -> int:
    """Give each of ``users`` a seat in ``course`` at once, or none if the seats run short.

    The base's bulk path: no enrolment window, one lock and a handful of queries for a whole
    class. People already holding a seat keep it. Returns how many seats were taken.
    """
    course = CoursePage.objects.select_for_update().get(pk=course.pk)
    by_user = {user.pk: user for user in users}
    existing = {e.user_id: e for e in Enrolment.objects.filter(course=course, user_id__in=by_user)}
    needing = [pk for pk in by_user if pk not in existing or not existing[pk].holds_a_seat]
    taken = seats_taken(course=course)
    if course.capacity is not None and taken + len(needing) > course.capacity:
        raise LearningError(_("This course is full."))
    returning = [existing[pk].pk for pk in needing if pk in existing]
    Enrolment.objects.filter(pk__in=returning).update(
        status=Enrolment.Status.ACTIVE, withdrawn_at=None, source=source
    )
    for pk in _returning_users(needing, existing):
        transaction.on_commit(
            lambda pk=pk: redis_beats.seat_forget(user_id=pk, course_id=course.pk)
        )
    Enrolment.objects.bulk_create(
        [
            Enrolment(user_id=pk, course=course, source=source)
            for pk in needing
            if pk not in existing
        ],
        batch_size=500,
    )
    if needing:
        signals.figures_changed_notify("enrolment")
        _enrolled_notify(course, needing)
    return len(needing)


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, now=None) -> Enrolment:
    """Give up a place. Credits already earned stay on record."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.COMPLETED:
        raise LearningError(_("A completed course cannot be withdrawn from."))
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = now or timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    signals.figures_changed_notify("enrolment")
    return enrolment


# -- credits and completion ------------------------------------------------------------------


def _credit(
    *, enrolment: Enrolment, lesson: LessonPage, method: str, by=None, activity=None
) -> LessonCredit:
    """Credit ``lesson``'s hours once, with the evidence, and record it in the audit log."""
    module = lesson.get_parent().specific
    evidence = {}
    if activity is not None:
        evidence = {
            "active_seconds": activity.active_seconds,
            "first_seen": activity.first_seen,
            "last_seen": activity.last_seen,
        }
    credit, created = LessonCredit.objects.get_or_create(
        enrolment=enrolment,
        lesson=lesson,
        defaults={
            "hours": lesson.hours,
            "category": module.category,
            "method": method,
            "credited_by": by,
            **evidence,
        },
    )
    if created:
        signals.figures_changed_notify("hours")
        signals.record(
            actor=by,
            entries=[
                (
                    "hours.credited",
                    credit,
                    {
                        "lesson": lesson.pk,
                        "hours": str(credit.hours),
                        "active_minutes": (
                            activity.active_seconds // 60 if activity is not None else None
                        ),
                        "method": method,
                    },
                )
            ],
        )
    return credit


def _complete_if_done(enrolment: Enrolment, now=None) -> bool:
    if enrolment.status != Enrolment.Status.ACTIVE:
        return False
    outline = course_outline(course=enrolment.course)
    if not outline.required_lesson_ids or not outline.required_lesson_ids <= credited_lesson_ids(
        enrolment=enrolment
    ):
        return False
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = now or timezone.now()
    enrolment.save(update_fields=["status", "completed_at"])
    course = enrolment.course
    transaction.on_commit(
        lambda: signals.course_completed.send(
            sender=Enrolment,
            user_id=enrolment.user_id,
            course_id=course.pk,
            level=course.level_id,
            completed_at=enrolment.completed_at,
        )
    )
    return True


def course_run_refusal(*, start_date, end_date, now=None) -> str | None:
    """Why time and lessons do not count today (local time), or None inside the course's dates."""
    today = timezone.localdate(now or timezone.now())
    if today < start_date:
        return _("This course starts on %(date)s; its lessons count from that day.") % {
            "date": start_date.isoformat()
        }
    if today > end_date:
        return _("This course ended on %(date)s; its lessons no longer count.") % {
            "date": end_date.isoformat()
        }
    return None


def earlier_lessons_missing(*, enrolment: Enrolment, course: CoursePage, lesson: LessonPage):
    """The required lessons before ``lesson`` in the course's order that are not credited."""
    credited = credited_lesson_ids(enrolment=enrolment)
    earlier = (
        LessonPage.objects.live()
        .descendant_of(course)
        .filter(path__lt=lesson.path, required=True)
        .order_by("path")
        .only("pk", "title", "path", "depth")
    )
    return [page for page in earlier if page.pk not in credited]


_STAFF_OWN_BASE = gettext_lazy(
    "You work at this training base, so its lessons and sessions do not count for you: "
    "study at another base."
)


def _base_id_of(page) -> int | None:
    base = page.training_base
    return base.pk if base else None


def lesson_complete(*, user, lesson: LessonPage, now=None) -> LessonCredit:
    """A trainee asks for an online lesson's hours; they are credited once, and only when
    the time was spent: enrolled, inside the course's dates, in order where the course says
    so, active on the lesson for its share of the hours, and most of its video watched.

    Where heartbeats are counted in Redis, the person's totals are written to the database
    first, so the decision (and the evidence the credit keeps) stands on every beat so far."""
    try:
        redis_beats.flush_person(user.pk)
    except redis_beats.Unavailable:
        raise LearningError(
            _("Time on lessons cannot be read at the moment; try again in a minute.")
        ) from None
    return _lesson_complete(user=user, lesson=lesson, now=now)


@transaction.atomic
def _lesson_complete(*, user, lesson: LessonPage, now=None) -> LessonCredit:
    now = now or timezone.now()
    if lesson.delivery != Delivery.ONLINE:
        raise LearningError(_("In-person lessons are credited by check-in at the session."))
    if _works_at(user, _base_id_of(lesson)):
        raise LearningError(str(_STAFF_OWN_BASE))
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    if enrolment is None or not enrolment.holds_a_seat:
        raise LearningError(_("Enrol in the course first."))
    existing = LessonCredit.objects.filter(enrolment=enrolment, lesson=lesson).first()
    if existing is not None:
        return existing
    refusal = course_run_refusal(start_date=course.start_date, end_date=course.end_date, now=now)
    if refusal:
        raise LearningError(refusal)
    if course.sequential:
        missing = earlier_lessons_missing(enrolment=enrolment, course=course, lesson=lesson)
        if missing:
            raise LearningError(
                _("This course is taken in order: complete “%(title)s” first.")
                % {"title": missing[0].title}
            )
    activity = LessonActivity.objects.filter(user=user, lesson=lesson).first()
    progress = tracking.progress_of(
        required_seconds=lesson.required_active_seconds,
        video_seconds=lesson.video_seconds,
        activity=activity,
    )
    if not progress.met:
        raise LearningError(" ".join(progress.shortfall()))
    credit = _credit(
        enrolment=enrolment,
        lesson=lesson,
        method=LessonCredit.Method.ONLINE,
        by=user,
        activity=activity,
    )
    _complete_if_done(enrolment, now)
    return credit


# -- time on online lessons ------------------------------------------------------------------


class BeatRefused(LearningError):
    """A heartbeat that counts nothing; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=409):
        super().__init__(message)
        self.status = status


def _account(
    activity: LessonActivity, *, now, played, start: bool, stop: bool, video_limit, other_last
):
    """Add to ``activity`` what one heartbeat at ``now`` is worth (in memory; not saved).

    The time since the previous heartbeat counts, up to the cap, if that one was recent and
    this is not the page (re)starting; time already counted on another lesson of the same
    person since then (``other_last``: when they were last seen on any other lesson, a page
    closing included) is not counted twice. Played video counts no faster than the time counted."""
    counted = 0
    last = activity.last_beat_at
    if not start and last is not None:
        # Whole seconds of the clock between the two beats: over many beats these add up
        # to the wall time exactly, with no rounding lost or gained per beat.
        elapsed = int(now.timestamp()) - int(last.timestamp())
        if 0 < (now - last).total_seconds() <= tracking.beat_recent():
            counted = max(0, min(elapsed, tracking.beat_cap()))
        if other_last is not None and last < other_last <= now:
            counted = min(counted, int(now.timestamp()) - int(other_last.timestamp()))
    activity.active_seconds += counted
    if played:
        limit = video_limit if video_limit else 24 * 3600
        segments = tracking.clean_segments(played, limit)
        if segments and counted > 0:
            merged = tracking.add_played(activity.video_segments or [], segments, counted)
            activity.video_segments = merged
            activity.video_watched_seconds = int(tracking.covered(merged))
    activity.last_beat_at = None if stop else now
    activity.last_seen = now


def _other_last(*, user_id: int, lesson_id: int):
    from django.db.models import Max

    return (
        LessonActivity.objects.filter(user_id=user_id)
        .exclude(lesson_id=lesson_id)
        .aggregate(last=Max("last_seen"))["last"]
    )


def _beat_refusal(facts, now) -> BeatRefused | None:
    if facts is None:
        return BeatRefused(_("This lesson is not published."), status=404)
    if facts.delivery != Delivery.ONLINE:
        return BeatRefused(_("In-person lessons count by check-in at the session."))
    refusal = course_run_refusal(start_date=facts.start_date, end_date=facts.end_date, now=now)
    if refusal:
        return BeatRefused(refusal)
    return None


def _activity_locked(*, user, facts, now) -> LessonActivity:
    """The person's activity row for the lesson, locked, made at the first heartbeat; refused
    for people without a seat in the course."""
    activity = (
        LessonActivity.objects.select_for_update(of=("self",))
        .select_related("enrolment")
        .filter(user_id=user.pk, lesson_id=facts.lesson_id)
        .first()
    )
    if activity is not None:
        if not activity.enrolment.holds_a_seat:
            raise BeatRefused(_("Enrol in the course to have time on its lessons count."), 403)
        return activity
    enrolment = (
        Enrolment.objects.filter(user_id=user.pk, course_id=facts.course_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .first()
    )
    if enrolment is None:
        raise BeatRefused(_("Enrol in the course to have time on its lessons count."), 403)
    activity, created = LessonActivity.objects.get_or_create(
        user_id=user.pk,
        lesson_id=facts.lesson_id,
        defaults={
            "enrolment": enrolment,
            "course_id": facts.course_id,
            "first_seen": now,
            "last_seen": now,
        },
    )
    if not created:  # a second tab's first heartbeat made it a moment ago
        activity = LessonActivity.objects.select_for_update().get(pk=activity.pk)
    return activity


ACTIVITY_FIELDS = [
    "active_seconds",
    "last_seen",
    "last_beat_at",
    "video_segments",
    "video_watched_seconds",
]


def _beat_sql() -> tuple[str, str]:
    """The two statements of a heartbeat, for this database: read the row (with the
    enrolment's status and the person's latest beat on any other lesson), and write it back
    if no other beat wrote it meanwhile. On PostgreSQL the write's commit does not wait for
    the disk (``synchronous_commit`` off for that statement alone): a heartbeat is a running
    total that the next one rewrites, and a crash loses at most the last moment of them,
    never a credit."""
    activity = LessonActivity._meta.db_table
    enrolment = Enrolment._meta.db_table
    # Nor if a beat on another of the person's lessons came in meanwhile: two lessons beaten
    # at the same moment must not both count the same seconds.
    others_unchanged = (
        f"AND NOT EXISTS (SELECT 1 FROM {activity} o WHERE o.user_id = %s "  # noqa: S608
        f"AND o.lesson_id <> %s AND o.last_seen > %s)"
    )
    read = (
        f"SELECT a.id, a.active_seconds, a.last_beat_at, a.video_segments, "  # noqa: S608 - tables from the models, values as parameters
        f"a.video_watched_seconds, e.status, "
        f"(SELECT MAX(o.last_seen) FROM {activity} o "
        f"WHERE o.user_id = a.user_id AND o.lesson_id <> a.lesson_id) "
        f"FROM {activity} a JOIN {enrolment} e ON e.id = a.enrolment_id "
        f"WHERE a.user_id = %s AND a.lesson_id = %s"
    )
    if connection.vendor == "postgresql":
        write = (
            f"WITH fast AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608
            f"UPDATE {activity} SET active_seconds = %s, last_seen = %s, last_beat_at = %s, "
            f"video_segments = %s::jsonb, video_watched_seconds = %s "
            f"WHERE id = %s AND last_beat_at IS NOT DISTINCT FROM %s {others_unchanged} "
            f"AND EXISTS (SELECT 1 FROM fast)"
        )
    else:
        write = (
            f"UPDATE {activity} SET active_seconds = %s, last_seen = %s, last_beat_at = %s, "  # noqa: S608
            f"video_segments = %s, video_watched_seconds = %s "
            f"WHERE id = %s AND last_beat_at IS %s {others_unchanged}"
        )
    return read, write


@dataclass(frozen=True, slots=True)
class BeatTotals:
    """A heartbeat's answer on the Redis path: the activity row's figures after it."""

    user_id: int
    lesson_id: int
    active_seconds: int
    video_watched_seconds: int
    video_segments: list
    last_seen: datetime.datetime
    last_beat_at: datetime.datetime | None


class Beating:
    """Who a heartbeat is from, when all that is known is the id its token names."""

    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk


# Earlier than any beat: what "last seen on another lesson" compares with when there was none.
NEVER_SEEN = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _db_datetime(value):
    """A datetime read by raw SQL: aware on PostgreSQL, naive UTC text on SQLite."""
    if value is None or isinstance(value, datetime.datetime):
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value
    return timezone.make_aware(
        datetime.datetime.fromisoformat(str(value)).replace(tzinfo=None), datetime.UTC
    )


def activity_beat(
    *, user, lesson_id: int, played=None, start: bool = False, stop: bool = False, now=None
) -> tuple[LessonActivity, "tracking.LessonFacts"]:
    """One heartbeat from an open lesson page: the server adds up the time (see ``_account``).

    Refused, storing nothing, for people without a seat in the course, outside the course's
    dates, and for in-person lessons. Once the row exists, a beat is two indexed statements
    and no transaction of its own (see ``_beat_sql``); what the beat needs of the lesson is
    kept per process (``tracking.lesson_facts``)."""
    import json

    now = now or timezone.now()
    facts = tracking.lesson_facts(lesson_id)
    refused = _beat_refusal(facts, now)
    if refused:
        raise refused
    if redis_beats.enabled():  # counted in Redis, written in batches (courses/beats.py)
        active, watched, segments = redis_beats.beat(
            user_id=user.pk, facts=facts, now=now, played=played, start=start, stop=stop
        )
        # The row's figures as they now stand (not a model instance: a beat is answered in a
        # fraction of a millisecond, and making one costs a tenth of that).
        activity = BeatTotals(
            user_id=user.pk,
            lesson_id=lesson_id,
            active_seconds=active,
            video_watched_seconds=watched,
            video_segments=segments,
            last_seen=now,
            last_beat_at=None if stop else now,
        )
        return activity, facts
    read, write = _beat_sql()
    adapt = connection.ops.adapt_datetimefield_value
    for _attempt in range(5):
        with connection.cursor() as cursor:
            cursor.execute(read, [user.pk, lesson_id])
            row = cursor.fetchone()
        if row is None:
            with transaction.atomic():
                activity = _activity_locked(user=user, facts=facts, now=now)
                _account(
                    activity,
                    now=now,
                    played=played,
                    start=start,
                    stop=stop,
                    video_limit=facts.video_seconds,
                    other_last=_other_last(user_id=user.pk, lesson_id=lesson_id),
                )
                activity.save(update_fields=ACTIVITY_FIELDS)
            return activity, facts
        pk, active, last_beat_at, segments, watched, status, other_last = row
        if status == Enrolment.Status.WITHDRAWN:
            raise BeatRefused(_("Enrol in the course to have time on its lessons count."), 403)
        if isinstance(segments, str | bytes):
            segments = json.loads(segments)
        read_last = _db_datetime(last_beat_at)
        activity = LessonActivity(
            pk=pk,
            user_id=user.pk,
            lesson_id=lesson_id,
            active_seconds=active,
            last_beat_at=read_last,
            video_segments=segments or [],
            video_watched_seconds=watched,
        )
        _account(
            activity,
            now=now,
            played=played,
            start=start,
            stop=stop,
            video_limit=facts.video_seconds,
            other_last=_db_datetime(other_last),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                write,
                [
                    activity.active_seconds,
                    adapt(activity.last_seen),
                    adapt(activity.last_beat_at),
                    json.dumps(activity.video_segments),
                    activity.video_watched_seconds,
                    pk,
                    last_beat_at,  # exactly as read: the write goes through only if unchanged
                    user.pk,
                    lesson_id,
                    other_last if other_last is not None else adapt(NEVER_SEEN),
                ],
            )
            if cursor.rowcount:
                return activity, facts
    raise BeatRefused(_("Too many heartbeats at once; the next one will count."), status=409)


@transaction.atomic
def activity_replay(*, user, lesson: LessonPage, beats) -> LessonActivity:
    """Heartbeats that a page kept open sent one after another, for the demo and tests:
    ``beats`` is a list of ``(now, played)``, the first one starting the page. Each is judged
    by ``activity_beat``'s rules; the row is written once."""
    facts = tracking.lesson_facts(lesson.pk)
    activity = None
    if redis_beats.enabled():  # the database is written here: what Redis holds goes there first
        redis_beats.flush_person(user.pk)
        transaction.on_commit(lambda: redis_beats.person_forget(user.pk))
    other_last = _other_last(user_id=user.pk, lesson_id=lesson.pk)
    for number, (now, played) in enumerate(beats):
        refused = _beat_refusal(facts, now)
        if refused:
            raise refused
        if activity is None:
            activity = _activity_locked(user=user, facts=facts, now=now)
        _account(
            activity,
            now=now,
            played=played,
            start=number == 0,
            stop=False,
            video_limit=facts.video_seconds,
            other_last=other_last,
        )
    if activity is not None:
        activity.save(update_fields=ACTIVITY_FIELDS)
    return activity


# -- attendance at in-person sessions --------------------------------------------------------

CHECK_IN_EARLY = datetime.timedelta(minutes=15)


def check_in_window(lesson: LessonPage):
    """When a trainee may check in: from 15 minutes before the session until it ends."""
    if lesson.session_starts is None:
        return None, None
    return lesson.session_starts - CHECK_IN_EARLY, lesson.session_closes


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def attendance_mark(
    *, lesson: LessonPage, present_ids: set[int], by, reason: str = "", now=None
) -> int:
    """Record the attendance sheet of an in-person session, once it has started.

    Every active enrolment of the course is marked present (if its id is in ``present_ids``)
    or absent; the present are credited the lesson's hours. Changing a mark already recorded
    (a check-in too) is a correction and needs a reason. Nobody marks their own attendance.
    Returns how many are present."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if lesson.delivery != Delivery.IN_PERSON:
        raise LearningError(_("Only in-person lessons have an attendance sheet."))
    if lesson.session_starts is None or now < lesson.session_starts:
        raise LearningError(
            _("Attendance can be marked once the session has started (%(when)s).")
            % {"when": _when(lesson.session_starts) if lesson.session_starts else "—"}
        )
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolments = list(
        Enrolment.objects.select_for_update()
        .filter(course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
    )
    unknown = set(present_ids) - {e.pk for e in enrolments}
    if unknown:
        raise LearningError(_("The sheet names people who are not enrolled in this course."))
    marks = {m.enrolment_id: m for m in AttendanceMark.objects.filter(lesson=lesson)}
    own = [e for e in enrolments if by is not None and e.user_id == by.pk]
    if own:
        mine = marks.get(own[0].pk)
        if own[0].pk in present_ids and not (mine and mine.present):
            raise LearningError(
                _("Nobody marks their own attendance: another member of staff marks yours.")
            )
    others = [e for e in enrolments if e not in own]
    corrections = [
        e for e in others if e.pk in marks and marks[e.pk].present != (e.pk in present_ids)
    ]
    if corrections and not reason:
        raise LearningError(
            _("Changing attendance already recorded needs a reason, for the record.")
        )
    entries = []
    for enrolment in others:
        present = enrolment.pk in present_ids
        mark = marks.get(enrolment.pk)
        if mark is None:
            mark = AttendanceMark.objects.create(
                lesson=lesson,
                enrolment=enrolment,
                present=present,
                marked_by=by,
                source=AttendanceMark.Source.STAFF,
            )
            entries.append(("attendance.marked", mark, {"lesson": lesson.pk, "present": present}))
        elif mark.present != present:
            entries.append(
                (
                    "attendance.corrected",
                    mark,
                    {
                        "lesson": lesson.pk,
                        "present": present,
                        "was": mark.present,
                        "was_source": mark.source,
                        "reason": reason,
                    },
                )
            )
            mark.present = present
            mark.marked_by = by
            mark.source = AttendanceMark.Source.STAFF
            mark.reason = reason
            mark.save(update_fields=["present", "marked_by", "source", "reason", "marked_at"])
        if present:
            _credit(
                enrolment=enrolment, lesson=lesson, method=LessonCredit.Method.ATTENDANCE, by=by
            )
            _complete_if_done(enrolment, now)
        else:
            # Hours credited for a session the person was not at go, and with them a
            # completion they made.
            for credit in LessonCredit.objects.filter(
                enrolment=enrolment, lesson=lesson, method=LessonCredit.Method.ATTENDANCE
            ):
                # Recorded before the row goes, while the entry can still name it.
                signals.record(
                    actor=by,
                    entries=[
                        (
                            "hours.withdrawn",
                            credit,
                            {
                                "lesson": lesson.pk,
                                "hours": str(credit.hours),
                                "active_minutes": None,
                                "method": credit.method,
                                "reason": reason,
                            },
                        )
                    ],
                )
                credit.delete()
                signals.figures_changed_notify("hours")
                if enrolment.status == Enrolment.Status.COMPLETED:
                    enrolment.status = Enrolment.Status.ACTIVE
                    enrolment.completed_at = None
                    enrolment.save(update_fields=["status", "completed_at"])
    signals.record(actor=by, entries=entries)
    return sum(1 for e in enrolments if e.pk in present_ids)


class CheckInRefused(LearningError):
    pass


@transaction.atomic
def attendance_check_in(*, user, lesson: LessonPage, code: str, now=None) -> AttendanceMark:
    """A trainee at the session types (or scans) its current code: marked present, credited.

    Only inside the check-in window, only with the code of this 30-second step or the one
    before, only for people holding a seat in the course."""
    now = now or timezone.now()
    if lesson.delivery != Delivery.IN_PERSON:
        raise CheckInRefused(_("Only in-person sessions have a check-in."))
    opens, closes = check_in_window(lesson)
    if opens is None:
        raise CheckInRefused(_("This session has no time set yet."))
    if now < opens:
        raise CheckInRefused(
            _("Check-in opens at %(when)s, 15 minutes before the session.") % {"when": _when(opens)}
        )
    if now > closes:
        raise CheckInRefused(
            _("Check-in closed at %(when)s, when the session ended.") % {"when": _when(closes)}
        )
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .first()
    )
    if enrolment is None:
        raise CheckInRefused(_("Only trainees enrolled in this course can check in."))
    if _works_at(user, _base_id_of(lesson)):
        raise CheckInRefused(str(_STAFF_OWN_BASE))
    if not tracking.check_in_code_valid(lesson.pk, code, now):
        raise CheckInRefused(
            _("That code is wrong or has expired: type the code shown at the session now.")
        )
    mark = AttendanceMark.objects.filter(lesson=lesson, enrolment=enrolment).first()
    if mark is not None and mark.present:
        return mark
    if mark is not None and (mark.reason or mark.source == AttendanceMark.Source.STAFF):
        raise CheckInRefused(
            _("The staff have recorded your attendance for this session; ask them to correct it.")
        )
    if mark is None:
        mark = AttendanceMark(lesson=lesson, enrolment=enrolment)
    mark.present = True
    mark.source = AttendanceMark.Source.CHECK_IN
    mark.marked_by = user
    mark.save()
    signals.record(
        actor=user,
        entries=[("attendance.checked_in", mark, {"lesson": lesson.pk, "present": True})],
    )
    _credit(enrolment=enrolment, lesson=lesson, method=LessonCredit.Method.ATTENDANCE, by=user)
    _complete_if_done(enrolment, now)
    return mark


# -- exams -----------------------------------------------------------------------------------


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "PORTAL_EXAM_GRACE_SECONDS", 30))


def _works_at(user, base_id: int | None) -> bool:
    """Whether ``user`` is staff of the base (or an administrator): they can read its question
    bank, set its lessons' time rules and show its check-in codes, so their own pass, credit
    or check-in there would not show that they studied."""
    allowed = staff_base_ids(user)
    return allowed is None or base_id in allowed


def exam_refusal(*, user, exam: Exam, now=None) -> str | None:
    """Why ``user`` may not start ``exam`` now, or None if they may."""
    now = now or timezone.now()
    if not exam.is_published:
        return _("This exam is not open.")
    if now < exam.opens_at:
        return _("This exam has not opened yet.")
    if now >= exam.closes_at:
        return _("This exam has closed.")
    if _works_at(user, exam.base_id):
        return _(
            "You keep this base's question bank, so you cannot sit its exams: "
            "sit the exam of another training base."
        )
    if exam.eligibility == Exam.Eligibility.COURSE_ENROLLED:
        if not Enrolment.objects.filter(user=user, course_id=exam.course_id).exclude(
            status=Enrolment.Status.WITHDRAWN
        ):
            return _("This exam is for the trainees of its course.")
    elif not Enrolment.objects.filter(
        user=user, course__level=exam.level_id, status=Enrolment.Status.COMPLETED
    ).exists():
        return _("Complete a course of this level before sitting its exam.")
    # What the layers above ask of a person before an exam of this level (hours held, ...).
    return signals.entry_refusal(user_id=user.pk, level=exam.level_id)


def _opaque_options(options: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """The options of one paper question, each under a fresh random token.

    Returns the options as stored on the paper (``key`` the token, ``bank_key`` the bank's
    own key, kept on the server only) and the mapping from bank key to token. Tokens come
    from ``secrets``, not from the draw's seed, so nothing about them can be predicted.
    """
    tokens = {}
    stored = []
    for option in options:
        token = secrets.token_urlsafe(9)
        while token in tokens.values():  # pragma: no cover - 72 random bits
            token = secrets.token_urlsafe(9)
        tokens[option["key"]] = token
        stored.append({"key": token, "text": option.get("text", ""), "bank_key": option["key"]})
    return stored, tokens


def _seen_question_ids(*, user, exam: Exam) -> tuple[set[int], set[int]]:
    """The bank questions this person has been shown in earlier attempts of any exam drawn
    from the same bank (the base's questions of the level), and those of them whose correct
    answers they have been shown."""
    if user is None:
        return set(), set()
    rows = (
        AttemptQuestion.objects.filter(
            attempt__user=user,
            attempt__exam__base_id=exam.base_id,
            attempt__exam__level=exam.level_id,
        )
        .exclude(question_id=None)
        .values_list("question_id", "attempt__key_shown_at")
    )
    seen, keyed = set(), set()
    for question_id, key_shown_at in rows:
        seen.add(question_id)
        if key_shown_at is not None:
            keyed.add(question_id)
    return seen, keyed


def _draw_paper(exam: Exam, rng: random.Random, *, user=None) -> list[AttemptQuestion]:
    """One paper by the blueprint. Each row draws first from the questions the person has not
    been shown in an earlier attempt, and tops up from the seen ones only if it must; no
    question comes twice on one paper while the pool has others. A question whose answer the
    person has been shown never comes again."""
    seen, keyed = _seen_question_ids(user=user, exam=exam)
    on_paper = set()
    paper = []
    for row in exam.blueprint:
        pool = list(
            question_pool(
                exam=exam,
                qtype=row["type"],
                category=row["category"],
                difficulty=row.get("difficulty"),
            ).order_by("pk")
        )
        if len(pool) < row["count"]:
            raise LearningError(_("This exam cannot be sat right now: its question bank is short."))
        pool = [q for q in pool if q.pk not in keyed]
        if len(pool) < row["count"]:
            raise LearningError(
                _(
                    "This exam cannot be drawn for you: you have seen the answers to too many "
                    "of its questions. Ask the base for a sitting with new questions."
                )
            )
        drawn = []
        tiers = (
            [q for q in pool if q.pk not in seen and q.pk not in on_paper],
            [q for q in pool if q.pk in seen and q.pk not in on_paper],
            [q for q in pool if q.pk in on_paper],
        )
        for tier in tiers:
            wanted = row["count"] - len(drawn)
            if wanted <= 0:
                break
            drawn += rng.sample(tier, min(wanted, len(tier)))
        on_paper.update(q.pk for q in drawn)
        for question in drawn:
            options = list(question.options)
            if exam.shuffle_options and question.type in (
                QuestionType.SINGLE,
                QuestionType.MULTIPLE,
            ):
                rng.shuffle(options)
            correct = list(question.correct)
            if question.type in OBJECTIVE_TYPES:
                options, tokens = _opaque_options(options)
                correct = sorted(tokens[key] for key in correct if key in tokens)
            paper.append(
                AttemptQuestion(
                    question=question,
                    type=question.type,
                    stem=question.stem,
                    options=options,
                    correct=correct,
                    reference_answer=question.reference_answer,
                    explanation=question.explanation,
                    category=question.category,
                    points=question.points,
                )
            )
    return paper


def attempt_key_shown(*, attempt: Attempt, now=None) -> None:
    """Remember that the person has seen this attempt's correct answers: its questions are
    never drawn for them again (``_draw_paper``), whatever later happens to the exam."""
    Attempt.objects.filter(pk=attempt.pk, key_shown_at=None).update(
        key_shown_at=now or timezone.now()
    )


def _attempt_in_progress(user, exam):
    return Attempt.objects.filter(user=user, exam=exam, status=Attempt.Status.IN_PROGRESS).first()


def attempt_start(*, user, exam: Exam, now=None, seed=None) -> Attempt:
    """Start an attempt, or return the one already in progress (a second tab, a reload).

    Each attempt draws its own paper. The attempt limit holds under concurrency: attempt
    numbers are unique per person and exam, and only one attempt may be in progress.
    """
    now = now or timezone.now()
    current = _attempt_in_progress(user, exam)
    if current:
        return current
    with transaction.atomic():
        # One start at a time per person: the check, the count and the insert below must see
        # each other, or a second tab could count an attempt the first has just committed.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        current = _attempt_in_progress(user, exam)
        if current:
            return current
        refusal = exam_refusal(user=user, exam=exam, now=now)
        if refusal:
            raise LearningError(refusal)
        used = Attempt.objects.filter(user=user, exam=exam).count()
        if used >= exam.max_attempts:
            raise LearningError(_("You have used all the attempts this exam allows."))
        paper = _draw_paper(exam, random.Random(seed), user=user)  # noqa: S311 - fairness
        deadline = min(now + datetime.timedelta(minutes=exam.time_limit_minutes), exam.closes_at)
        attempt = Attempt.objects.create(
            exam=exam,
            user=user,
            number=used + 1,
            deadline=deadline,
            max_score=0,
            pass_mark=exam.pass_mark,
            time_limit_minutes=exam.time_limit_minutes,
            paper_modules=dict(Counter(question.category for question in paper)),
        )
        for position, question in enumerate(paper, start=1):
            question.attempt = attempt
            question.position = position
        AttemptQuestion.objects.bulk_create(paper)
        attempt.max_score = sum((q.points for q in paper), Decimal("0"))
        attempt.save(update_fields=["max_score"])
    return attempt


def _clean_answer(question: AttemptQuestion, value):
    """The stored form of an answer, or LearningError if it does not fit the question."""
    if value in (None, "", []):
        return None
    keys = {option["key"] for option in question.options}
    if question.type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        value = value[0] if isinstance(value, list) and len(value) == 1 else value
        if not isinstance(value, str) or value not in keys:
            raise LearningError(_("An answer names an option that is not in its question."))
        return [value]
    if question.type == QuestionType.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        if not values or any(not isinstance(v, str) or v not in keys for v in values):
            raise LearningError(_("An answer names an option that is not in its question."))
        return sorted(set(values))
    if not isinstance(value, str):
        raise LearningError(_("A written answer must be text."))
    # Browsers send line breaks as CRLF but count them as one character against the box's
    # limit; count them the same way here. A NUL (pasted from some editors) cannot be stored.
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if len(value) > 20_000:
        raise LearningError(_("A written answer may be at most 20,000 characters."))
    return value


def _in_time(attempt: Attempt, now) -> bool:
    return now <= attempt.deadline + grace()


@transaction.atomic
def attempt_save_answers(*, attempt: Attempt, answers: dict, now=None) -> int:
    """Store answers by question position; all or nothing. Returns how many were saved."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise LearningError(_("This attempt has been submitted; answers can no longer change."))
    if not _in_time(attempt, now):
        raise LearningError(_("Time is up: answers after the deadline are not accepted."))
    by_position = {q.position: q for q in attempt.questions.all()}
    cleaned = {}
    for raw_position, value in answers.items():
        try:
            position = int(raw_position)
        except (TypeError, ValueError):
            position = None
        if position not in by_position:
            raise LearningError(_("The answers name a question that is not in this paper."))
        cleaned[position] = _clean_answer(by_position[position], value)
    changed = []
    for position, value in cleaned.items():
        question = by_position[position]
        if question.answer != value:
            question.answer = value
            question.answered_at = now
            changed.append(question)
    AttemptQuestion.objects.bulk_update(changed, ["answer", "answered_at"])
    return len(cleaned)


def _objective_score(question: AttemptQuestion) -> Decimal:
    if question.answer and sorted(question.answer) == sorted(question.correct):
        return question.points
    return Decimal("0")


@transaction.atomic
def attempt_submit(*, attempt: Attempt, answers: dict | None = None, now=None) -> Attempt:
    """Hand in an attempt and grade what can be graded at once.

    Answers sent with a late submission are ignored; what was saved in time is graded.
    Submitting twice changes nothing.
    """
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
    )
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return attempt
    if answers and _in_time(attempt, now):
        attempt_save_answers(attempt=attempt, answers=answers, now=now)
    questions = list(
        attempt.questions.only("pk", "attempt_id", "type", "answer", "correct", "points", "score")
    )
    by_score = defaultdict(list)
    for question in questions:
        if question.type in OBJECTIVE_TYPES:
            question.score = _objective_score(question)
        elif not question.answer:
            question.score = Decimal("0")  # nothing written: nothing to grade
        if question.score is not None:
            by_score[question.score].append(question.pk)
    # Scores take few distinct values, so one UPDATE per value beats a row-by-row CASE.
    for score, ids in by_score.items():
        AttemptQuestion.objects.filter(pk__in=ids).update(score=score)
    attempt.submitted_at = min(now, attempt.deadline + grace())
    attempt.status = Attempt.Status.AWAITING_GRADING
    _finalise_if_graded(attempt, questions, now, also=("submitted_at", "status"))
    waiting = sum(q.score is None for q in questions)
    if waiting and attempt.exam.base_id:
        signals.answers_awaiting_notify(attempt=attempt, answers=waiting)
    return attempt


def _finalise_if_graded(attempt: Attempt, questions, now, also=()) -> None:
    """Make the result final once every answer has a score; saves ``also`` in the same write."""
    if any(q.score is None for q in questions):
        if also:
            attempt.save(update_fields=list(also))
        return
    attempt.score = sum((q.score for q in questions), Decimal("0"))
    threshold = attempt.max_score * attempt.pass_mark_applied / 100
    attempt.passed = attempt.max_score > 0 and attempt.score >= threshold
    newly_final = attempt.status != Attempt.Status.FINAL
    attempt.status = Attempt.Status.FINAL
    attempt.finalised_at = attempt.finalised_at or now
    attempt.save(update_fields=["score", "passed", "status", "finalised_at", *also])
    if newly_final:
        signals.figures_changed_notify("attempt")
        exam_title = attempt.exam.title
        transaction.on_commit(
            lambda: signals.attempt_graded.send(
                sender=Attempt,
                user_id=attempt.user_id,
                attempt_id=attempt.pk,
                exam_title=exam_title,
                passed=attempt.passed,
                score=attempt.score,
                max_score=attempt.max_score,
            )
        )
    if attempt.passed and newly_final:
        exam = attempt.exam
        transaction.on_commit(
            lambda: signals.exam_passed.send(
                sender=Attempt,
                user_id=attempt.user_id,
                exam_id=exam.pk,
                attempt_id=attempt.pk,
                level=exam.level_id,
                passed_at=attempt.finalised_at,
            )
        )


def attempts_submit_overdue(*, now=None) -> int:
    """Submit the attempts whose time ran out without a submission. Returns how many."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(
        status=Attempt.Status.IN_PROGRESS, deadline__lt=now - grace()
    ).values_list("pk", flat=True)
    count = 0
    for attempt_id in list(overdue[:1000]):
        attempt_submit(attempt=Attempt(pk=attempt_id), now=now)
        count += 1
    return count


@transaction.atomic
def answer_grade(
    *, question: AttemptQuestion, score: Decimal, by, comment: str = "", reason: str = "", now=None
) -> AttemptQuestion:
    """Grade an open answer, or change a grade. A change to a final result needs a reason.

    Every grade given or changed is recorded with who, when and why.
    """
    now = now or timezone.now()
    question = (
        AttemptQuestion.objects.select_for_update()
        .select_related("attempt__exam")
        .get(pk=question.pk)
    )
    attempt = Attempt.objects.select_for_update().get(pk=question.attempt_id)
    if by is not None and by.pk == attempt.user_id:
        raise LearningError(
            _("Nobody grades their own attempt: another faculty member of the base will grade it.")
        )
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise LearningError(_("The attempt has not been submitted yet."))
    if not isinstance(score, Decimal) or score < 0 or score > question.points:
        raise LearningError(
            _("The score must be between 0 and %(points)s.") % {"points": question.points}
        )
    if (score * 2) != (score * 2).to_integral_value():
        raise LearningError(_("Scores go in half-point steps."))
    if attempt.status == Attempt.Status.FINAL and not reason.strip():
        raise LearningError(_("Changing a final result needs a reason, for the record."))
    old_score = question.score
    GradeChange.objects.create(
        attempt_question=question,
        old_score=old_score,
        new_score=score,
        comment=comment,
        reason=reason,
        changed_by=by,
    )
    signals.record(
        actor=by,
        entries=[
            (
                "grade.given" if old_score is None else "grade.changed",
                question,
                {
                    "attempt": attempt.pk,
                    "old": "" if old_score is None else str(old_score),
                    "new": str(score),
                    "reason": reason,
                },
            )
        ],
    )
    question.score = score
    question.comment = comment
    question.graded_by = by
    question.graded_at = now
    question.save(update_fields=["score", "comment", "graded_by", "graded_at"])
    attempt.exam = question.attempt.exam
    _finalise_if_graded(attempt, list(attempt.questions.only("pk", "attempt_id", "score")), now)
    return question
