"""Load on the production-like processes of ``make serve``: public pages and exam hand-ins.

    .venv/bin/python bench/load.py                    # 10 s per page, 32 clients
    .venv/bin/python bench/load.py --seconds 5 --clients 64 --web-workers 4

Needs PostgreSQL and Redis (local servers by default; ``DATABASE_URL``, ``CELERY_BROKER_URL``,
``REDIS_URL`` override them). The database ``portal_serve_bench`` is created, migrated and
seeded with the demo here and kept; each run adds 200 trainees of its own. Queue
``serve-bench`` on Redis database 11; state (the generated secret key, static files, media)
in ``var/serve-bench/``. Every process started is stopped on exit, Ctrl-C or SIGTERM.

What runs: the ``web`` and ``worker`` lines of the Procfile, exactly as ``make serve`` runs
them (gunicorn with ``--web-workers`` sync workers on a free port of 127.0.0.1, a Celery
worker), with ``DEBUG=false`` over plain http, static files collected for WhiteNoise. The
verification page's per-client rate limit is lifted (every request here comes from one
address); everything else is as served.

What is timed, from this process (asyncio + aiohttp, one connection per request as gunicorn's
sync workers close them): for each page, ``--clients`` clients each sending a request as soon
as its last answer arrived, for ``--seconds`` after a 2 s warm-up. Per page: requests per
second, p50/p95/p99 latency (request sent to body read) and the CPU the gunicorn processes
spent per request. The baseline, in the same run on the same gunicorn: ``/healthz``, a bare
Django view (the full middleware stack, no database, no template). Pages: the verification
page of a demo certificate, the home page, a course page.

Then the exam: 200 trainees, each enrolled and with an attempt started through
``courses.services.attempt_start`` in this process (an exam with objective questions only, so
every hand-in is graded at once), each signed in with a session made by the session engine
(as ``django.test.Client.force_login`` does). Each opens the attempt page (its CSRF cookie and
token, its questions); then all 200 post their answers at the same moment. Checked in the
database: 200 attempts submitted, final and scored, every answer stored.

Targets: the verification page at least half the bare view's throughput; its p95 under
100 ms at 32 clients; 200 hand-ins arriving together all stored and graded.
The last line: ``verify R req/s (bare B req/s, ratio X); p95 P ms; submissions S/200 stored``.
"""

import argparse
import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
STATE = ROOT / "var" / "serve-bench"

from portal.serve import database_ensure, secret_key  # noqa: E402 - no Django settings

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_serve_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("REDIS_URL", os.environ["CELERY_BROKER_URL"])
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "serve-bench")
os.environ.setdefault("SECRET_KEY", secret_key(STATE / "secret_key"))
os.environ.update(
    DEBUG="false",
    ALLOWED_HOSTS="127.0.0.1,localhost",
    SECURE_SSL_REDIRECT="false",
    SESSION_COOKIE_SECURE="false",
    CSRF_COOKIE_SECURE="false",
    SECURE_HSTS_SECONDS="0",
    EMAIL_URL="dummymail://",
    PORTAL_VERIFY_RATE_PER_MINUTE=str(10**9),
    MEDIA_ROOT=str(STATE / "media"),
    PRIVATE_MEDIA_ROOT=str(STATE / "private"),
    STATIC_ROOT=str(STATE / "static"),
    PYTHONUNBUFFERED="1",
    DJANGO_SETTINGS_MODULE="portal.settings",
)
os.environ.pop("CELERY_MAIL_QUEUE", None)  # one worker takes everything, as in the Procfile
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"

import aiohttp  # noqa: E402
import django  # noqa: E402

TARGET_RATIO, TARGET_P95_MS, SUBMISSIONS = 0.5, 100.0, 200
WARM_UP = 2.0


# -- processes ---------------------------------------------------------------------------------


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


class Processes:
    """Procfile lines in their own process groups; all stopped by ``stop()``."""

    def __init__(self):
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, env: dict) -> subprocess.Popen:
        log_path = STATE / f"{name}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                ["/bin/sh", "-c", "exec " + procfile()[name].strip()],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((name, process, log_path))
        return process

    def stop(self) -> None:
        for _, process, _ in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _, process, _ in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(20)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
        self.started.clear()

    def log_tail(self, name: str) -> str:
        for started, _, path in self.started:
            if started == name:
                return path.read_text(errors="replace")[-3000:]
        return ""


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its live descendants (gunicorn's master and workers)."""
    ticks = 0
    for each in descendants(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _backend_of(pid: int, database: str) -> bool:
    """Whether ``pid`` is a PostgreSQL backend serving ``database`` ("postgres: user db …")."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return title.startswith("postgres:") and f" {database} " in title


def cpu_by_kind(mine: set[int]) -> dict[str, float]:
    """CPU seconds used so far by every live process, grouped: this run's own processes
    (``mine`` and their descendants), this run's PostgreSQL backends and the Redis server
    (shared with anyone else using it), and everything else."""
    database = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    ticks = os.sysconf("SC_CLK_TCK")
    parents, used, names = {}, {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            head, tail = stat.read_text().rsplit(")", 1)
            fields = tail.split()
            pid = int(stat.parent.name)
            parents[pid], names[pid] = int(fields[1]), head.split("(", 1)[1]
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    totals = {"mine": 0.0, "db": 0.0, "others": 0.0}
    for pid, seconds in used.items():
        ancestor = pid
        while ancestor not in mine and ancestor > 1:
            ancestor = parents.get(ancestor, 1)
        if ancestor in mine:
            totals["mine"] += seconds
        elif names[pid].startswith("redis") or _backend_of(pid, database):
            totals["db"] += seconds
        else:
            totals["others"] += seconds
    return totals


def settle(pid: int, workers: int, timeout: float = 90) -> None:
    """Wait until every gunicorn worker has booted (imported Django) and gone quiet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        booted = len(descendants(pid)) - 1 >= workers
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if booted and cpu_seconds(pid) - before < 0.05:
            return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- data --------------------------------------------------------------------------------------


def database_prepare() -> None:
    from django.core.management import call_command

    from portal.accounts.models import User

    call_command("migrate", "--noinput", verbosity=0)
    if not User.objects.exists():
        print("Seeding the demo into the bench database ...", flush=True)
        call_command("seed_demo", "--allow-production", verbosity=0)
    # The seed queued its certificates' PDFs and credentials for a worker: finish them here.
    from certification.issuing.services import certificate_complete
    from certification.models import Certificate

    pending = Certificate.objects.filter(status=Certificate.Status.PENDING)
    for certificate_id in pending.values_list("pk", flat=True):
        certificate_complete(certificate_id=certificate_id)
    call_command("collectstatic", "--noinput", verbosity=0)


def pages() -> dict[str, str]:
    from certification.models import Certificate
    from courses.models import CoursePage

    certificate = Certificate.objects.filter(status=Certificate.Status.VALID).order_by("pk")[0]
    course = CoursePage.objects.live().order_by("path")[0]
    return {
        "bare view": "/healthz",
        "verify": f"/verify/{certificate.number}/",
        "home": "/",
        "course page": urlparse(course.get_url()).path,
    }


def exam_objective():
    """An exam on the demo's first course with the demo blueprint's objective rows only."""
    import datetime

    from django.utils import timezone

    from courses.demo import BLUEPRINT
    from courses.models import CoursePage, Exam

    existing = Exam.objects.filter(title="负载测试考试（客观题）").first()
    if existing:
        return existing
    course = CoursePage.objects.live().order_by("path")[0]
    demo = Exam.objects.filter(course=course).first()
    now = timezone.now()
    return Exam.objects.create(
        base=demo.base,
        title="负载测试考试（客观题）",
        level=demo.level,
        course=course,
        eligibility=Exam.Eligibility.COURSE_ENROLLED,
        blueprint=[row for row in BLUEPRINT if row["type"] != "short"],
        time_limit_minutes=600,
        pass_mark=60,
        max_attempts=1,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=3650),
        allow_review=True,
        is_published=True,
    )


def trainees_with_attempts(exam, count: int) -> list[tuple[int, str]]:
    """``count`` new trainees enrolled in the exam's course, each with a started attempt and a
    signed-in session. Returns (attempt id, session key) pairs."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from courses import services, signals
    from courses.models import Enrolment
    from portal.accounts.models import User

    # The trainees made here hold no training hours: entry to the exam is not what is timed.
    signals.exam_entry_refusal.disconnect(dispatch_uid="certification.exam_entry_refusal")
    tag = time.strftime("%Y%m%d%H%M%S")
    users = User.objects.bulk_create(
        [
            User(email=f"load-{tag}-{n}@bench.local", real_name=f"压测学员{n}", password="!")  # noqa: S106 - unusable
            for n in range(count)
        ]
    )
    Enrolment.objects.bulk_create([Enrolment(user=user, course=exam.course) for user in users])
    pairs = []
    for n, user in enumerate(users):
        attempt = services.attempt_start(user=user, exam=exam, seed=n)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        pairs.append((attempt.pk, session.session_key))
    return pairs


def submissions_stored(attempt_ids: list[int]) -> tuple[int, int, int]:
    """(attempts final and scored, attempts still in progress, answers stored)."""
    from courses.models import Attempt, AttemptQuestion

    attempts = Attempt.objects.filter(pk__in=attempt_ids)
    final = attempts.filter(
        status=Attempt.Status.FINAL, submitted_at__isnull=False, score__isnull=False
    ).count()
    waiting = attempts.filter(status=Attempt.Status.IN_PROGRESS).count()
    answered = AttemptQuestion.objects.filter(
        attempt_id__in=attempt_ids, answer__isnull=False, score__isnull=False
    ).count()
    return final, waiting, answered


# -- load --------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def drive(base: str, path: str, *, clients: int, seconds: float) -> dict:
    """``clients`` closed-loop clients on ``path`` for WARM_UP + ``seconds``."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    answered = 0  # warm-up included, for the CPU per request
    started = time.perf_counter()
    measure_from, stop_at = started + WARM_UP, started + WARM_UP + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:

        async def client() -> None:
            nonlocal answered
            while (sent := time.perf_counter()) < stop_at:
                try:
                    async with session.get(path, allow_redirects=False) as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError) as error:
                    status = type(error).__name__
                done = time.perf_counter()
                answered += 1
                if sent >= measure_from and done <= stop_at:
                    if status == 200:
                        latencies.append(done - sent)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1

        await asyncio.gather(*(client() for _ in range(clients)))
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


FIELD = re.compile(r'<input type="(radio|checkbox)" name="(q\d+)" value="([^"]*)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def hand_in_together(base: str, pairs: list[tuple[int, str]]) -> dict:
    """Each trainee opens their attempt; then all post their answers at the same moment."""
    from django.conf import settings

    ready = asyncio.Event()
    opened = 0
    results: dict[str, int] = {}
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as shared:

        async def trainee(attempt_id: int, session_key: str) -> None:
            nonlocal opened
            cookies = {settings.SESSION_COOKIE_NAME: session_key}
            async with shared.get(f"/learn/attempts/{attempt_id}/", cookies=cookies) as page:
                html = await page.text()
                csrf_cookie = page.cookies[settings.CSRF_COOKIE_NAME].value
            cookies[settings.CSRF_COOKIE_NAME] = csrf_cookie
            form = [("csrfmiddlewaretoken", TOKEN.search(html).group(1))]
            chosen = set()
            for _kind, name, value in FIELD.findall(html):
                if name not in chosen:  # the first option of each question
                    chosen.add(name)
                    form.append((name, value))
            opened += 1
            if opened == len(pairs):
                ready.set()
            await ready.wait()
            sent = time.perf_counter()
            try:
                async with shared.post(
                    f"/learn/attempts/{attempt_id}/submit/",
                    data=form,
                    cookies=cookies,
                    allow_redirects=False,
                ) as response:
                    await response.read()
                    location = response.headers.get("Location", "")
                    ok = response.status == 302 and location.endswith("/result/")
                    status = "302 to result" if ok else f"{response.status} {location}"
            except (TimeoutError, aiohttp.ClientError) as error:
                status = type(error).__name__
            latencies.append(time.perf_counter() - sent)
            results[status] = results.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(trainee(*pair) for pair in pairs))
    latencies.sort()
    return {
        "responses": results,
        "seconds": time.perf_counter() - started,
        "slowest": latencies[-1] * 1000 if latencies else float("nan"),
        "p50": percentile(latencies, 0.5) * 1000,
    }


async def wait_healthy(base: str, processes: Processes, web, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(base) as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get("/healthz") as response:
                    if response.status == 200:
                        return
            if web.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not come up:\n{processes.log_tail('web')}")
            await asyncio.sleep(0.2)


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per page")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--submissions", type=int, default=SUBMISSIONS)
    args = parser.parse_args()

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    STATE.mkdir(parents=True, exist_ok=True)
    database_ensure(os.environ["DATABASE_URL"])
    django.setup()
    from portal.celery import app

    with app.connection_for_write() as connection:  # our own queue only
        queue = connection.SimpleQueue(os.environ["CELERY_TASK_DEFAULT_QUEUE"])
        queue.clear()
        queue.close()
    database_prepare()
    targets = pages()
    exam = exam_objective()
    print(
        f"Preparing {args.submissions} trainees with started attempts at {exam.title} ...",
        flush=True,
    )
    prepared = time.perf_counter()
    pairs = trainees_with_attempts(exam, args.submissions)
    print(f"  ready in {time.perf_counter() - prepared:.1f} s", flush=True)
    from django.db import connections

    connections.close_all()

    processes = Processes()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        web = processes.start("web", {"PORT": str(port), "WEB_CONCURRENCY": str(args.web_workers)})
        processes.start("worker", {})
        asyncio.run(wait_healthy(base, processes, web))
        settle(web.pid, args.web_workers)
        print(
            f"gunicorn: {args.web_workers} sync workers at {base}, DEBUG=false; a Celery worker "
            f"on {os.environ['CELERY_TASK_DEFAULT_QUEUE']}; {os.cpu_count()} CPUs shared with "
            f"this client. {args.clients} clients, {WARM_UP:.0f} s warm-up + "
            f"{args.seconds:.0f} s per page.\n"
        )
        print(
            f"{'page':<12} {'path':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'web CPU':>8} {'PG+Redis':>8} {'others':>7}  errors"
        )
        results = {}
        for name, path in targets.items():
            mine = {os.getpid(), *(process.pid for _, process, _ in processes.started)}
            cpu_before, kinds_before = cpu_seconds(web.pid), cpu_by_kind(mine)
            client_before, wall_before = time.process_time(), time.monotonic()
            result = asyncio.run(drive(base, path, clients=args.clients, seconds=args.seconds))
            served = max(1, result["answered"])
            web_cpu = cpu_seconds(web.pid) - cpu_before
            client_cpu = time.process_time() - client_before
            kinds = cpu_by_kind(mine)
            capacity = (time.monotonic() - wall_before) * (os.cpu_count() or 1)
            result["cpu_ms"] = web_cpu * 1000 / served
            result["client_ms"] = client_cpu * 1000 / served
            result["db_ms"] = (kinds["db"] - kinds_before["db"]) * 1000 / served
            result["others"] = max(0.0, kinds["others"] - kinds_before["others"]) / capacity
            results[name] = result
            print(
                f"{name:<12} {path[:28]:<28} {result['rps']:>8.1f} {result['p50']:>8.1f} "
                f"{result['p95']:>8.1f} {result['p99']:>8.1f} {result['cpu_ms']:>8.2f} "
                f"{result['db_ms']:>8.2f} {result['others']:>7.0%}  {result['errors'] or '-'}",
                flush=True,
            )
        print(
            "(web CPU, PG+Redis: CPU ms per request of gunicorn's processes and of the "
            "PostgreSQL and Redis servers, warm-up included. This client used "
            + ", ".join(f"{r['client_ms']:.2f}" for r in results.values())
            + " ms per request. 'others': the share of the machine's CPUs taken by processes "
            "not of this run (other people's work); a high figure makes every page slower.)"
        )

        print(f"\n{args.submissions} exam hand-ins posted at the same moment ...", flush=True)
        handed = asyncio.run(hand_in_together(base, pairs))
        attempt_ids = [attempt_id for attempt_id, _ in pairs]
        final, waiting, answered = submissions_stored(attempt_ids)
        print(
            f"  responses {handed['responses']}; all answered in {handed['seconds']:.1f} s "
            f"(p50 {handed['p50']:.0f} ms, slowest {handed['slowest']:.0f} ms)\n"
            f"  in the database: {final} final and scored, {waiting} still in progress, "
            f"{answered} answers stored and scored"
        )
    finally:
        processes.stop()

    verify, bare = results["verify"], results["bare view"]
    ratio = verify["rps"] / bare["rps"] if bare["rps"] else 0.0
    print(
        f"\nTargets: verify ≥ {TARGET_RATIO:.0%} of the bare view's throughput "
        f"({'met' if ratio >= TARGET_RATIO else 'MISSED'}: {ratio:.2f}); verify p95 < "
        f"{TARGET_P95_MS:.0f} ms at {args.clients} clients "
        f"({'met' if verify['p95'] < TARGET_P95_MS else 'MISSED'}); all {args.submissions} "
        f"hand-ins stored and graded ({'met' if final == args.submissions else 'MISSED'})."
    )
    print(
        f"verify {verify['rps']:.0f} req/s (bare {bare['rps']:.0f} req/s, ratio {ratio:.2f}); "
        f"p95 {verify['p95']:.0f} ms; submissions {final}/{args.submissions} stored"
    )


if __name__ == "__main__":
    main()
