"""Heartbeats counted in Redis, written to ``LessonActivity`` in batches.

Used when ``PORTAL_LESSON_BEATS_REDIS_URL`` is set (``make serve`` and production set it from
``REDIS_URL``); without it (the embedded default: SQLite, no Redis) ``services.activity_beat``
reads and writes the database directly, as before.

A beat is one Lua script in Redis (``BEAT``), so Redis runs it alone: the person's seat in the
course, the row's running totals and the person's latest beat on any other lesson are read and
written with nothing in between, and two lessons beaten at the same moment count the seconds
once (no race window at all, not even the database path's few microseconds). What it counts is
``services._account``'s arithmetic, in Lua; the played video arrives cleaned and merged by
``tracking.clean_segments``.

Keys:

``<prefix>`` names the database and its OID (see ``prefix``).

- ``<prefix>:a:<user>:<lesson>`` hash — the row's running totals: ``id`` (the row),
  ``act``, ``lb`` (last beat, µs since the epoch, empty after a stop), ``ls`` (last seen),
  ``seg`` (JSON), ``vw``, and ``v``, a counter raised by every beat.
- ``<prefix>:s:<user>`` hash — lesson → last seen (µs), for all the person's lessons.
- ``<prefix>:seat:<user>:<course>`` — "1" if the person holds a seat, "0" if not; read from
  the database when missing, kept a minute, dropped whenever an enrolment is saved.
- ``<prefix>:dirty`` set — ``<user>:<lesson>`` of rows with beats not yet in the database.

A key missing (a first beat, or the hash expired after its totals were written) makes the beat
load it from the database (``_load``) and run again. Totals still only in Redis never expire:
a hash gets a lifetime only once the database has its figures.

``flush`` writes dirty rows to the database in one batch: Celery beat runs it every few
seconds (``courses.tasks.lesson_beats_flush``), and anything that decides on or shows the
totals flushes first: ``flush_person`` before a credit and on the lesson page, ``flush`` before
the roster. A row leaves the dirty set only if no beat came after what was written, and only
after the write committed; the write never takes a row's figures back (``last_seen`` only
grows).
"""

import datetime
import json
import logging
import threading

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
CLEAN_TTL = 6 * 3600  # how long a hash whose figures are in the database is kept
PERSON_TTL = 24 * 3600  # the person's lesson index, from their last beat
SEAT_TTL = 60
NO_SEAT = "Enrol in the course to have time on its lessons count."
FLUSH_BATCH = 1000


class Unavailable(Exception):
    """Redis could not be reached: time cannot be counted now."""


def _us(moment: datetime.datetime) -> int:
    return (moment - EPOCH) // datetime.timedelta(microseconds=1)


def _moment(us) -> datetime.datetime | None:
    if us in (None, b"", ""):
        return None
    return EPOCH + datetime.timedelta(microseconds=int(us))


# -- the client ------------------------------------------------------------------------------

_client = None
_client_lock = threading.Lock()
_scripts: dict = {}


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_LESSON_BEATS_REDIS_URL", ""))


def client():
    global _client
    if _client is None:
        import redis

        with _client_lock:
            if _client is None:
                _client = redis.Redis.from_url(
                    settings.PORTAL_LESSON_BEATS_REDIS_URL,
                    socket_connect_timeout=2,
                    socket_timeout=2,
                )
                _scripts.clear()
    return _client


def _script(name: str):
    script = _scripts.get(name)
    if script is None:
        script = _scripts[name] = client().register_script(_LUA[name])
    return script


def _errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


_prefixes: dict[str, str] = {}


def prefix() -> str:
    """The keys' prefix: the database's name and, on PostgreSQL, its OID, so a database made
    afresh under the same name (a test run, a restore) never meets the figures of the last."""
    name = str(settings.DATABASES["default"]["NAME"])
    found = _prefixes.get(name)
    if found is None:
        oid = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
                oid = str(cursor.fetchone()[0])
        found = _prefixes[name] = f"courses:beat:{name}:{oid}"
    return found


def _keys(user_id: int, lesson_id: int, course_id: int) -> list[str]:
    p = prefix()
    return [
        f"{p}:a:{user_id}:{lesson_id}",
        f"{p}:s:{user_id}",
        f"{p}:seat:{user_id}:{course_id}",
        f"{p}:dirty",
    ]


# -- Lua ---------------------------------------------------------------------------------------

_SEGMENTS = r"""
local function merge(segs)
  table.sort(segs, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end)
  local out = {}
  for _, s in ipairs(segs) do
    local last = out[#out]
    if last and s[1] <= last[2] then
      if s[2] > last[2] then last[2] = s[2] end
    else
      out[#out + 1] = {s[1], s[2]}
    end
  end
  return out
end
local function new_parts(old, new)
  local parts = {}
  for _, n in ipairs(new) do
    local cursor, stop = n[1], n[2]
    for _, o in ipairs(old) do
      if not (o[2] <= cursor or o[1] >= stop) then
        if o[1] > cursor then parts[#parts + 1] = {cursor, o[1]} end
        if o[2] > cursor then cursor = o[2] end
        if cursor >= stop then break end
      end
    end
    if cursor < stop then parts[#parts + 1] = {cursor, stop} end
  end
  return parts
end
local function round1(x) return math.floor(x * 10 + 0.5) / 10 end
local function add_played(old, played, allowance)
  local all = {}
  for _, o in ipairs(old) do all[#all + 1] = {o[1], o[2]} end
  for _, p in ipairs(new_parts(old, played)) do
    if allowance <= 0 then break end
    local take = math.min(p[2] - p[1], allowance)
    all[#all + 1] = {p[1], round1(p[1] + take)}
    allowance = allowance - take
  end
  return merge(all)
end
local function encode(segs)
  if #segs == 0 then return '[]' end
  return cjson.encode(segs)
end
"""

_LUA = {
    # KEYS: activity hash, person's lessons, seat, dirty set
    # ARGV: now (µs), start, stop, cap (s), recent (s), played (JSON, cleaned), lesson, member,
    #       person TTL
    # Answers {0} when a key must be loaded, {-1} without a seat, else {1, active, watched, seg}.
    "beat": _SEGMENTS
    + r"""
local seat = redis.call('GET', KEYS[3])
if not seat then return {0} end
if seat ~= '1' then return {-1} end
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return {0} end
local now = tonumber(ARGV[1])
local start, stop = ARGV[2] == '1', ARGV[3] == '1'
local cap, recent = tonumber(ARGV[4]), tonumber(ARGV[5]) * 1000000
local lesson = ARGV[7]
local f = redis.call('HMGET', KEYS[1], 'act', 'lb', 'seg', 'vw')
local active, last, seg, watched = tonumber(f[1]), tonumber(f[2]), f[3], tonumber(f[4])
local other = nil
local seen = redis.call('HGETALL', KEYS[2])
for i = 1, #seen, 2 do
  if seen[i] ~= lesson then
    local t = tonumber(seen[i + 1])
    if other == nil or t > other then other = t end
  end
end
local function sec(us) return math.floor(us / 1000000) end
local counted = 0
if not start and last then
  local elapsed = sec(now) - sec(last)
  local d = now - last
  if d > 0 and d <= recent then counted = math.max(0, math.min(elapsed, cap)) end
  if other and last < other and other <= now then
    counted = math.min(counted, sec(now) - sec(other))
  end
end
active = active + counted
if ARGV[6] ~= '' and counted > 0 then
  local played = cjson.decode(ARGV[6])
  if #played > 0 then
    local merged = add_played(cjson.decode(seg), played, counted)
    local covered = 0
    for _, s in ipairs(merged) do covered = covered + (s[2] - s[1]) end
    seg = encode(merged)
    watched = math.floor(covered)
  end
end
local lb = ARGV[1]
if stop then lb = '' end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'act', active, 'lb', lb, 'ls', ARGV[1], 'seg', seg, 'vw', watched)
redis.call('PERSIST', KEYS[1])
redis.call('HSET', KEYS[2], lesson, ARGV[1])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[9]))
redis.call('SADD', KEYS[4], ARGV[8])
return {1, active, watched, seg}
""",
    # KEYS: activity hash, person's lessons, then the hashes of each lesson in ARGV's pairs
    # ARGV: id, act, lb, ls, seg, vw, person TTL, then lesson, last seen (µs) pairs of every row
    #       the person has in the database (their hash's ``ls`` wins where it is there)
    "load": r"""
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'act', ARGV[2], 'lb', ARGV[3], 'ls', ARGV[4],
             'seg', ARGV[5], 'vw', ARGV[6], 'v', 0)
  redis.call('EXPIRE', KEYS[1], 3600)
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local n = 3
  for i = 8, #ARGV, 2 do
    local ls = redis.call('HGET', KEYS[n], 'ls') or ARGV[i + 1]
    redis.call('HSET', KEYS[2], ARGV[i], ls)
    n = n + 1
  end
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]))
end
return 1
""",
    # KEYS: dirty set. ARGV: prefix, then members (<user>:<lesson>); only dirty ones answered.
    "take": r"""
local out = {}
for i = 2, #ARGV do
  local m = ARGV[i]
  if redis.call('SISMEMBER', KEYS[1], m) == 1 then
    local f = redis.call('HMGET', ARGV[1] .. ':a:' .. m, 'id', 'act', 'lb', 'ls', 'seg', 'vw', 'v')
    if f[1] then
      out[#out + 1] = {m, f[1], f[2], f[3], f[4], f[5], f[6], f[7]}
    else
      redis.call('SREM', KEYS[1], m)
    end
  end
end
return out
""",
    # KEYS: dirty set. ARGV: prefix, clean TTL, then member, version pairs just written.
    "clean": r"""
local n = 0
for i = 3, #ARGV, 2 do
  local key = ARGV[1] .. ':a:' .. ARGV[i]
  if redis.call('HGET', key, 'v') == ARGV[i + 1] then
    redis.call('SREM', KEYS[1], ARGV[i])
    redis.call('EXPIRE', key, tonumber(ARGV[2]))
    n = n + 1
  end
end
return n
""",
}


# -- a beat ------------------------------------------------------------------------------------


def beat(*, user_id: int, facts, now, played, start: bool, stop: bool):
    """One heartbeat counted in Redis; answers (active seconds, video watched, segments).
    Raises ``services.BeatRefused`` without a seat, ``Unavailable`` without Redis."""
    from . import services, tracking

    segments = []
    if played:
        limit = facts.video_seconds if facts.video_seconds else 24 * 3600
        segments = tracking.clean_segments(played, limit)
    keys = _keys(user_id, facts.lesson_id, facts.course_id)
    args = [
        _us(now),
        int(start),
        int(stop),
        tracking.beat_cap(),
        tracking.beat_recent(),
        json.dumps(segments) if segments else "",
        facts.lesson_id,
        f"{user_id}:{facts.lesson_id}",
        PERSON_TTL,
    ]
    try:
        for _attempt in range(3):
            answer = _script("beat")(keys=keys, args=args)
            if answer[0] == 1:
                return int(answer[1]), int(answer[2]), json.loads(answer[3])
            if answer[0] == -1:
                raise services.BeatRefused(_(NO_SEAT), status=403)
            _load(user_id=user_id, facts=facts, now=now, keys=keys)
    except _errors() as error:
        logger.warning("Heartbeat not counted: Redis unreachable (%s)", error)
        raise Unavailable from error
    raise services.BeatRefused(_("Too many heartbeats at once; the next one will count."), 409)


def _load(*, user_id: int, facts, now, keys) -> None:
    """Bring the person's seat, the row (made at the first beat) and their lessons' last
    seen from the database into Redis."""
    from . import services
    from .models import Enrolment, LessonActivity

    redis_client = client()
    if redis_client.get(keys[2]) is None:
        seated = (
            Enrolment.objects.filter(user_id=user_id, course_id=facts.course_id)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .exists()
        )
        redis_client.set(keys[2], "1" if seated else "0", ex=SEAT_TTL)
        if not seated:
            raise services.BeatRefused(_(NO_SEAT), status=403)
    rows = {
        row["lesson_id"]: row
        for row in LessonActivity.objects.filter(user_id=user_id).values(
            "id",
            "lesson_id",
            "active_seconds",
            "last_beat_at",
            "last_seen",
            "video_segments",
            "video_watched_seconds",
        )
    }
    row = rows.get(facts.lesson_id)
    if row is None:
        with transaction.atomic():
            activity = services._activity_locked(
                user=services.Beating(user_id), facts=facts, now=now
            )
        row = {
            "id": activity.pk,
            "lesson_id": facts.lesson_id,
            "active_seconds": activity.active_seconds,
            "last_beat_at": activity.last_beat_at,
            "last_seen": activity.last_seen,
            "video_segments": activity.video_segments,
            "video_watched_seconds": activity.video_watched_seconds,
        }
        rows[facts.lesson_id] = row
    p = prefix()
    others = list(rows)
    args = [
        row["id"],
        row["active_seconds"],
        _us(row["last_beat_at"]) if row["last_beat_at"] else "",
        _us(row["last_seen"]),
        json.dumps(row["video_segments"] or []),
        row["video_watched_seconds"],
        PERSON_TTL,
    ]
    for lesson in others:
        args += [lesson, _us(rows[lesson]["last_seen"])]
    _script("load")(
        keys=[keys[0], keys[1], *(f"{p}:a:{user_id}:{lesson}" for lesson in others)], args=args
    )


def seat_forget(*, user_id: int, course_id: int) -> None:
    """An enrolment changed: the next beat reads the seat from the database."""
    if not enabled():
        return
    try:
        client().delete(f"{prefix()}:seat:{user_id}:{course_id}")
    except _errors():
        logger.warning("Could not drop a heartbeat seat from Redis", exc_info=True)


def seat_forget_on_save(sender, instance, **_kwargs) -> None:
    user_id, course_id = instance.user_id, instance.course_id
    seat_forget(user_id=user_id, course_id=course_id)
    # and again once committed, lest a beat read the old status in between
    transaction.on_commit(lambda: seat_forget(user_id=user_id, course_id=course_id))


def person_forget(user_id: int) -> None:
    """Drop the person's state from Redis after writing it (for ``activity_replay``, which
    writes the database directly): the next beat loads it again."""
    if not enabled():
        return
    flush_person(user_id)
    redis_client = client()
    p = prefix()
    lessons = redis_client.hkeys(f"{p}:s:{user_id}")
    redis_client.delete(
        f"{p}:s:{user_id}", *(f"{p}:a:{user_id}:{lesson.decode()}" for lesson in lessons)
    )


# -- writing the totals to the database -------------------------------------------------------

_UPDATE = None


def _update_sql() -> str:
    from .models import LessonActivity

    table = LessonActivity._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    # Never takes a row back: a slower flush of older figures loses to a newer one.
    return (
        f"UPDATE {table} SET active_seconds = %s, last_seen = %s, last_beat_at = %s, "  # noqa: S608 - table from the model
        f"video_segments = %s{cast}, video_watched_seconds = %s "
        f"WHERE id = %s AND user_id = %s AND lesson_id = %s AND last_seen <= %s"
    )


def _write(taken) -> int:
    """Write what ``take`` answered to the database and, once committed, mark it clean."""
    if not taken:
        return 0
    adapt = connection.ops.adapt_datetimefield_value
    rows, versions = [], []
    for member, pk, active, last_beat, last_seen, seg, watched, version in taken:
        seen = adapt(_moment(last_seen))
        user_id, _sep, lesson_id = (
            member.decode() if isinstance(member, bytes) else member
        ).partition(":")
        rows.append(
            [
                int(active),
                seen,
                adapt(_moment(last_beat)),
                seg.decode() if isinstance(seg, bytes) else seg,
                int(watched),
                int(pk),
                int(user_id),
                int(lesson_id),
                seen,
            ]
        )
        versions += [member, version]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_update_sql(), rows)
    clean = _script("clean")

    def mark_clean():
        try:
            clean(keys=[f"{prefix()}:dirty"], args=[prefix(), CLEAN_TTL, *versions])
        except _errors():  # stays dirty: written again by the next flush
            logger.warning("Heartbeat totals written but not marked clean", exc_info=True)

    transaction.on_commit(mark_clean)
    return len(rows)


def flush_person(user_id: int) -> int:
    """Write the person's totals still only in Redis to the database (before anything reads
    them to decide or show). Raises ``Unavailable`` without Redis."""
    if not enabled():
        return 0
    p = prefix()
    try:
        lessons = client().hkeys(f"{p}:s:{user_id}")
        if not lessons:
            return 0
        members = [f"{user_id}:{lesson.decode()}" for lesson in lessons]
        taken = _script("take")(keys=[f"{p}:dirty"], args=[p, *members])
        return _write(taken)
    except _errors() as error:
        raise Unavailable from error


def flush(*, rounds: int = 50) -> int:
    """Write every row with beats not yet in the database, in batches of ``FLUSH_BATCH``
    (at most ``rounds`` of them, so a flood of beats cannot keep it going)."""
    if not enabled():
        return 0
    p = prefix()
    written = 0
    try:
        redis_client = client()
        for _round in range(rounds):
            members = redis_client.srandmember(f"{p}:dirty", FLUSH_BATCH)
            if not members:
                break
            taken = _script("take")(keys=[f"{p}:dirty"], args=[p, *members])
            written += _write(taken)
            # Inside a transaction the rows are marked clean only at its commit: once is all.
            if len(members) < FLUSH_BATCH or connection.in_atomic_block:
                break
    except _errors() as error:
        raise Unavailable from error
    return written
