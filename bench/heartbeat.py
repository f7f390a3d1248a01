"""Load on the lesson heartbeat of ``make serve``'s processes, beside a bare view.

    .venv/bin/python bench/heartbeat.py                       # 10 s, 64 clients
    .venv/bin/python bench/heartbeat.py --seconds 5 --clients 32 --web-workers 4

The same processes, database and settings as ``bench/load.py`` (which see: PostgreSQL and
Redis, the database ``portal_serve_bench`` migrated and seeded with the demo and kept, gunicorn
with ``--web-workers`` sync workers as the Procfile's ``web`` line runs it, ``DEBUG=false``).

What runs: the demo's first course is made to run today if it does not (its dates moved), and
``--clients`` new trainees are enrolled in it, each signed in with a session made by the session
engine, a CSRF cookie and the heartbeat token its lesson page would carry. Each client is one
trainee with the course's first online lesson open: it posts heartbeats
(``/learn/lessons/<id>/beat/``, JSON, with the CSRF and token headers, and the played
range of the lesson's video if it has one, as the page does) one after another, as fast as
they are answered, for ``--seconds`` after a 2 s warm-up. The baseline, in the same run on
the same gunicorn: ``/healthz``, a bare Django view (the full middleware stack, no database,
no template), with as many clients. Checked afterwards in the database: every trainee has one
activity row, and none has more active time than the wall time of the run (the server counts
time, not beats).

Targets: heartbeats at least half the bare view's throughput, p95 under 50 ms at 64 clients.
The last line: ``heartbeats R/s (bare B req/s, ratio X); p95 P ms``.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp  # noqa: E402
import django  # noqa: E402
import load  # noqa: E402 - sets the environment of make serve, before Django is imported
from load import (  # noqa: E402
    STATE,
    WARM_UP,
    Processes,
    cpu_by_kind,
    cpu_seconds,
    database_prepare,
    free_port,
    percentile,
    settle,
    wait_healthy,
)

TARGET_RATIO, TARGET_P95_MS = 0.5, 50.0


def running_lesson():
    """The demo's first course, running today, and its first online lesson."""
    import datetime

    from django.utils import timezone

    from courses.models import CoursePage, Delivery, LessonPage

    course = CoursePage.objects.live().order_by("path")[0]
    today = timezone.localdate()
    if not course.start_date <= today <= course.end_date:
        CoursePage.objects.filter(pk=course.pk).update(
            start_date=today - datetime.timedelta(days=1),
            end_date=today + datetime.timedelta(days=30),
        )
    lesson = (
        LessonPage.objects.live()
        .descendant_of(course)
        .filter(delivery=Delivery.ONLINE)
        .order_by("path")[0]
    )
    return course, lesson


def trainees_signed_in(course, count: int) -> list[tuple[int, str, str]]:
    """``count`` new trainees enrolled in ``course``, each with a session and a CSRF secret.
    Returns (user id, session key, CSRF secret) triples."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string

    from courses.models import Enrolment
    from portal.accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    tag = time.strftime("%Y%m%d%H%M%S")
    users = User.objects.bulk_create(
        [
            User(email=f"beat-{tag}-{n}@bench.local", real_name=f"压测学员{n}", password="!")  # noqa: S106 - unusable
            for n in range(count)
        ]
    )
    Enrolment.objects.bulk_create([Enrolment(user=user, course=course) for user in users])
    triples = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        triples.append((user.pk, session.session_key, _get_new_csrf_string()))
    return triples


def beat_tokens(trainees, lesson_id: int) -> dict[int, str]:
    """The token each trainee's lesson page would carry (``tracking.beat_token``)."""
    from courses.tracking import beat_token

    return {user_id: beat_token(user_id, lesson_id) for user_id, _, _ in trainees}


async def drive(
    base: str, *, path: str, clients, seconds: float, beat: bool, tokens=None, video=False
) -> dict:
    """Closed-loop clients for WARM_UP + ``seconds``: heartbeats, one trainee per client, or
    GETs of the bare view."""
    from django.conf import settings

    latencies: list[float] = []
    errors: dict[str, int] = {}
    answered = 0
    started = time.perf_counter()
    measure_from, stop_at = started + WARM_UP, started + WARM_UP + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:

        async def client(trainee) -> None:
            nonlocal answered
            _, session_key, csrf = trainee
            cookies = {settings.SESSION_COOKIE_NAME: session_key, settings.CSRF_COOKIE_NAME: csrf}
            user_id = trainee[0]
            headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
            if tokens:
                headers["X-Beat-Token"] = tokens[user_id]
            position = 0.0
            first = True
            while (sent := time.perf_counter()) < stop_at:
                try:
                    if beat:
                        # As the page sends it: the played range of its video, if it has one.
                        position += 0.5
                        body = {"played": [[0, position]] if video else []}
                        if first:
                            body["start"] = True
                        request = session.post(
                            path, data=json.dumps(body), headers=headers, cookies=cookies
                        )
                    else:
                        request = session.get(path, allow_redirects=False)
                    async with request as response:
                        await response.read()
                        status = response.status
                    first = False
                except (TimeoutError, aiohttp.ClientError) as error:
                    status = type(error).__name__
                done = time.perf_counter()
                answered += 1
                if sent >= measure_from and done <= stop_at:
                    if status == 200:
                        latencies.append(done - sent)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1

        await asyncio.gather(*(client(trainee) for trainee in clients))
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "errors": errors,
        "answered": answered,
    }


def activity_checked(lesson_id: int, user_ids: list[int], wall_seconds: float) -> tuple[int, int]:
    """(trainees with an activity row, trainees credited more time than the run lasted)."""
    from courses.models import LessonActivity

    rows = LessonActivity.objects.filter(lesson_id=lesson_id, user_id__in=user_ids)
    over = rows.filter(active_seconds__gt=wall_seconds + 1).count()
    return rows.count(), over


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    STATE.mkdir(parents=True, exist_ok=True)
    load.database_ensure(os.environ["DATABASE_URL"])
    django.setup()
    database_prepare()
    course, lesson = running_lesson()
    trainees = trainees_signed_in(course, args.clients)
    user_ids = [user_id for user_id, _, _ in trainees]
    tokens = beat_tokens(trainees, lesson.pk)
    path = f"/learn/lessons/{lesson.pk}/beat/"
    from django.db import connections

    connections.close_all()

    processes = Processes()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        web = processes.start("web", {"PORT": str(port), "WEB_CONCURRENCY": str(args.web_workers)})
        # The Celery worker and beat of make serve: beats counted in Redis are written to the
        # database by them every few seconds, on the same cores, during the run.
        worker = processes.start("worker", {})
        beat_process = processes.start(
            "beat", {"CELERY_BEAT_SCHEDULE_FILE": str(STATE / "celerybeat-schedule")}
        )
        asyncio.run(wait_healthy(base, processes, web))
        settle(web.pid, args.web_workers)
        print(
            f"gunicorn: {args.web_workers} sync workers at {base}, DEBUG=false; "
            f"{os.cpu_count()} CPUs shared with this client. {args.clients} clients, "
            f"{WARM_UP:.0f} s warm-up + {args.seconds:.0f} s each.\n"
        )
        print(
            f"{'what':<12} {'path':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'web CPU':>8} {'PG+Redis':>8} {'worker':>7} {'others':>7}  errors"
        )
        results = {}
        run_started = time.monotonic()
        for name, target, beat in (("bare view", "/healthz", False), ("heartbeat", path, True)):
            mine = {os.getpid(), *(process.pid for _, process, _ in processes.started)}
            cpu_before, kinds_before = cpu_seconds(web.pid), cpu_by_kind(mine)
            worker_before = cpu_seconds(worker.pid) + cpu_seconds(beat_process.pid)
            wall_before = time.monotonic()
            if beat:
                run_started = wall_before
            result = asyncio.run(
                drive(
                    base,
                    path=target,
                    clients=trainees,
                    seconds=args.seconds,
                    beat=beat,
                    tokens=tokens,
                    video=bool(lesson.video_seconds),
                )
            )
            served = max(1, result["answered"])
            kinds = cpu_by_kind(mine)
            capacity = (time.monotonic() - wall_before) * (os.cpu_count() or 1)
            result["cpu_ms"] = (cpu_seconds(web.pid) - cpu_before) * 1000 / served
            worker_cpu = cpu_seconds(worker.pid) + cpu_seconds(beat_process.pid) - worker_before
            result["worker_ms"] = worker_cpu * 1000 / served
            result["db_ms"] = (kinds["db"] - kinds_before["db"]) * 1000 / served
            result["others"] = max(0.0, kinds["others"] - kinds_before["others"]) / capacity
            results[name] = result
            print(
                f"{name:<12} {target[:30]:<30} {result['rps']:>8.1f} {result['p50']:>8.1f} "
                f"{result['p95']:>8.1f} {result['p99']:>8.1f} {result['cpu_ms']:>8.2f} "
                f"{result['db_ms']:>8.2f} {result['worker_ms']:>7.2f} {result['others']:>7.0%}  "
                f"{result['errors'] or '-'}",
                flush=True,
            )
        wall = time.monotonic() - run_started
    finally:
        processes.stop()

    # What the worker had not yet written (the last few seconds) is written now, as a credit
    # decision would: the check below reads the database.
    from courses import beats

    beats.flush()

    rows, over = activity_checked(lesson.pk, user_ids, wall)
    print(
        f"\nIn the database: {rows}/{len(user_ids)} trainees with an activity row; {over} with "
        f"more active time than the {wall:.0f} s the run lasted."
    )
    beat, bare = results["heartbeat"], results["bare view"]
    ratio = beat["rps"] / bare["rps"] if bare["rps"] else 0.0
    print(
        f"Targets: heartbeats ≥ {TARGET_RATIO:.0%} of the bare view's throughput "
        f"({'met' if ratio >= TARGET_RATIO else 'MISSED'}: {ratio:.2f}); p95 < "
        f"{TARGET_P95_MS:.0f} ms at {args.clients} clients "
        f"({'met' if beat['p95'] < TARGET_P95_MS else 'MISSED'})."
    )
    print(
        f"heartbeats {beat['rps']:.0f}/s (bare {bare['rps']:.0f} req/s, ratio {ratio:.2f}); "
        f"p95 {beat['p95']:.0f} ms"
    )


if __name__ == "__main__":
    main()
