"""The arithmetic of time spent on lessons and of in-person check-in codes.

No writes here: ``services.py`` uses these to decide what a heartbeat adds, what a credit needs
and whether a check-in code is good.
"""

import datetime
import hmac
import math
import threading
import time
import unicodedata
from dataclasses import dataclass
from hashlib import sha256

from django.conf import settings
from django.utils import timezone

# -- settings --------------------------------------------------------------------------------


def beat_cap() -> int:
    return int(getattr(settings, "PORTAL_LESSON_BEAT_CAP_SECONDS", 40))


def beat_recent() -> int:
    return int(getattr(settings, "PORTAL_LESSON_BEAT_RECENT_SECONDS", 75))


VIDEO_SHARE = 0.9  # of ``video_seconds`` a credit needs played


# -- what a heartbeat needs to know about its lesson, without walking the page tree ----------


@dataclass(frozen=True)
class LessonFacts:
    lesson_id: int
    course_id: int
    delivery: str
    video_seconds: int | None
    required_seconds: int
    start_date: datetime.date
    end_date: datetime.date

    def runs_on(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


_facts: dict[int, tuple[float, LessonFacts | None]] = {}
_facts_lock = threading.Lock()
FACTS_SECONDS = 60  # how long a process trusts what it read; saving a lesson or course clears it


def lesson_facts(lesson_id: int) -> LessonFacts | None:
    """The live lesson's course, delivery, video length and course dates, or None.

    Kept per process for a minute (and dropped whenever a course or lesson page is saved in
    this process), so a heartbeat costs no page-tree query."""
    now = time.monotonic()
    cached = _facts.get(lesson_id)
    if cached is not None and now - cached[0] < FACTS_SECONDS:
        return cached[1]
    facts = _read_facts(lesson_id)
    with _facts_lock:
        if len(_facts) > 10_000:
            _facts.clear()
        _facts[lesson_id] = (now, facts)
    return facts


def lesson_facts_forget(**_kwargs) -> None:
    with _facts_lock:
        _facts.clear()


def _read_facts(lesson_id: int) -> LessonFacts | None:
    from .models import CoursePage, LessonPage

    lesson = (
        LessonPage.objects.live()
        .filter(pk=lesson_id)
        .only("pk", "path", "depth", "delivery", "video_seconds", "hours", "min_active_share")
        .first()
    )
    if lesson is None:
        return None
    course = CoursePage.objects.ancestor_of(lesson).only("pk", "start_date", "end_date").first()
    if course is None:
        return None
    return LessonFacts(
        lesson_id=lesson.pk,
        course_id=course.pk,
        delivery=lesson.delivery,
        video_seconds=lesson.video_seconds,
        required_seconds=lesson.required_active_seconds,
        start_date=course.start_date,
        end_date=course.end_date,
    )


# -- progress towards a credit --------------------------------------------------------------


@dataclass(frozen=True)
class LessonProgress:
    """Where a trainee stands against what an online lesson's credit needs."""

    active_seconds: int
    required_seconds: int
    video_seconds: int | None = None
    video_watched: int = 0

    @property
    def active_minutes(self) -> int:
        return self.active_seconds // 60

    @property
    def required_minutes(self) -> int:
        return math.ceil(self.required_seconds / 60)

    @property
    def video_needed(self) -> int:
        return math.ceil(self.video_seconds * VIDEO_SHARE) if self.video_seconds else 0

    @property
    def time_met(self) -> bool:
        return self.active_seconds >= self.required_seconds

    @property
    def video_met(self) -> bool:
        return self.video_watched >= self.video_needed

    @property
    def met(self) -> bool:
        return self.time_met and self.video_met

    @property
    def percent(self) -> int:
        if not self.required_seconds:
            return 100
        return min(100, self.active_seconds * 100 // self.required_seconds)

    def shortfall(self) -> list[str]:
        """What is still missing, in sentences for the trainee; empty once the credit is due."""
        from django.utils.translation import gettext as _

        missing = []
        if not self.time_met:
            missing.append(
                _(
                    "You have spent %(spent)d of %(needed)d minutes active on this lesson; "
                    "stay with it until you reach %(needed)d."
                )
                % {"spent": self.active_minutes, "needed": self.required_minutes}
            )
        if not self.video_met:
            missing.append(
                _(
                    "You have watched %(watched)d of the %(needed)d minutes of its video that "
                    "count (90%% of it); skipped parts do not count."
                )
                % {"watched": self.video_watched // 60, "needed": math.ceil(self.video_needed / 60)}
            )
        return missing

    def as_json(self) -> dict:
        return {
            "active_seconds": self.active_seconds,
            "active_minutes": self.active_minutes,
            "required_minutes": self.required_minutes,
            "video_watched_seconds": self.video_watched,
            "video_needed_seconds": self.video_needed,
            "percent": self.percent,
            "met": self.met,
        }


def progress_of(*, required_seconds: int, video_seconds: int | None, activity) -> LessonProgress:
    return LessonProgress(
        active_seconds=activity.active_seconds if activity else 0,
        required_seconds=required_seconds,
        video_seconds=video_seconds,
        video_watched=activity.video_watched_seconds if activity else 0,
    )


# -- played video as merged segments ---------------------------------------------------------


def clean_segments(raw, limit: float | None) -> list[list[float]]:
    """Segments [[start, end], ...] from what a browser sent: numbers only, inside
    0..``limit``, at most 200 of them; anything malformed is dropped, never trusted."""
    if not isinstance(raw, list):
        return []
    found = []
    for item in raw[:200]:
        if not isinstance(item, list | tuple) or len(item) != 2:
            continue
        start, end = item
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end)):
            continue
        try:
            start, end = float(start), float(end)
        except OverflowError:  # an integer too large for a float
            continue
        if not (math.isfinite(start) and math.isfinite(end)):
            continue
        start = max(0.0, start)
        if limit is not None:
            end = min(end, float(limit))
        if end > start:
            found.append([round(start, 1), round(end, 1)])
    return merge(found)


def merge(segments) -> list[list[float]]:
    merged: list[list[float]] = []
    for start, end in sorted(segments):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def covered(segments) -> float:
    return sum(end - start for start, end in segments)


def new_parts(old, new) -> list[list[float]]:
    """The parts of ``new`` (merged) that ``old`` (merged) does not cover, in order."""
    parts = []
    for start, end in new:
        cursor = start
        for o_start, o_end in old:
            if o_end <= cursor or o_start >= end:
                continue
            if o_start > cursor:
                parts.append([cursor, o_start])
            cursor = max(cursor, o_end)
            if cursor >= end:
                break
        if cursor < end:
            parts.append([cursor, end])
    return parts


def add_played(old, played, allowance: float) -> list[list[float]]:
    """``old`` with what ``played`` adds, at most ``allowance`` seconds of it, earliest first:
    nobody watches more of a video than the time that passed."""
    allowed = []
    for start, end in new_parts(old, played):
        if allowance <= 0:
            break
        take = min(end - start, allowance)
        allowed.append([start, round(start + take, 1)])
        allowance -= take
    return merge([*old, *allowed])


# -- the lesson page's heartbeat token ------------------------------------------------------

BEAT_TOKEN_SECONDS = 4 * 3600  # heartbeats' answers renew it (``beat_token_renewed``)


def _beat_signer():
    from django.core.signing import TimestampSigner

    return TimestampSigner(salt="courses.lesson-heartbeat")


def beat_token(user_id: int, lesson_id: int) -> str:
    """A token the lesson page sends with its heartbeats: who it is for and which lesson,
    signed, so that a beat needs no session or user lookup (two queries fewer)."""
    return _beat_signer().sign(f"{user_id}:{lesson_id}")


def beat_token_user(token: str, lesson_id: int) -> int | None:
    """The user a valid, unexpired token for ``lesson_id`` was made for, or None."""
    from django.core.signing import BadSignature

    if not token or len(token) > 200:
        return None
    try:
        value = _beat_signer().unsign(token, max_age=BEAT_TOKEN_SECONDS)
    except BadSignature:  # also expired
        return None
    user_id, _sep, lesson = value.partition(":")
    if lesson != str(lesson_id) or not user_id.isdigit():
        return None
    return int(user_id)


BEAT_TOKEN_RENEW = 3600  # a beat's answer carries a new token once the one sent is this old


def beat_token_renewed(token: str | None, user_id: int, lesson_id: int) -> str:
    """The token for a beat's answer: ``token`` itself (already found valid for this person
    and lesson) while it is less than an hour old, else a new one. Signing one per beat
    was a tenth of what a beat costs."""
    import time

    from django.core.signing import b62_decode

    if token:
        try:
            made = b62_decode(token.rsplit(":", 2)[1])
        except (IndexError, ValueError):
            made = 0
        if 0 <= time.time() - made < BEAT_TOKEN_RENEW:
            return token
    return beat_token(user_id, lesson_id)


# -- in-person check-in codes ----------------------------------------------------------------

CODE_STEP = 30  # seconds each code lasts


def _code_key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"courses.check-in-codes", sha256).digest()


def code_step(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return int(now.timestamp()) // CODE_STEP


def check_in_code(lesson_id: int, step: int) -> str:
    """The six-digit code of a session for one 30-second step, derived, never stored."""
    digest = hmac.new(_code_key(), f"{lesson_id}:{step}".encode(), sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def check_in_code_valid(lesson_id: int, code: str, now: datetime.datetime | None = None) -> bool:
    """True for the current step's code or the previous one's (a slow scan, a slow typist)."""
    # Full-width digits are what a Chinese input method types: read them as digits.
    code = unicodedata.normalize("NFKC", code or "").strip()
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    step = code_step(now)
    return any(hmac.compare_digest(check_in_code(lesson_id, s), code) for s in (step, step - 1))


def seconds_left_in_step(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return CODE_STEP - int(now.timestamp()) % CODE_STEP
