"""How fast a bulk run issues certificates end to end, through real Celery workers.

    .venv/bin/python bench/issue.py                 # 10,000 certificates
    .venv/bin/python bench/issue.py --count 200     # quick run, well under a minute
    .venv/bin/python bench/issue.py --workers 1 --concurrency 2 --pool prefork

Needs PostgreSQL and Redis; the defaults are the local servers (override them with
DATABASE_URL, CELERY_BROKER_URL and REDIS_URL). The database ``portal_bench`` is migrated here
and kept (rebuilt only when a migration changes); each run works on a copy of it,
``test_portal_bench``, dropped at the end, with its own media folder (removed) and its own
queue (``bench-issue`` on Redis database 14), so it disturbs nothing else. Worker processes
are stopped on exit, Ctrl-C and SIGTERM included.

What is timed: N qualified trainees (made with bulk inserts, like ``seed_demo --scale``), each
with a submitted application in one class; a certifier starts ``bulk_issue_start``
for the class and K worker processes (``celery -A portal worker``) do everything a real run
does: the approve transaction (eligibility re-check, gap-free number, status-list bit,
snapshot, audit entry), then ``certificate_complete`` (PDF rendered and stored, credential
signed, audit entry, mail queued). The clock runs from the start call to the moment the run is
marked finished. The workers send the mails after that; how long they take is printed apart.

Then, in this process and with the workers stopped, a sample class is issued by calling the
same chunk function the workers call, with each step timed (the per-certificate breakdown),
and the baseline: the same sample's PDFs and credentials made with the naive variants
(ReportLab's QR widget, the uncached pyld canonicalizer), measured here; the baseline rate is
that per-certificate cost on the same processes at the efficiency the workers showed.
Target: 10,000 certificates in at most 40 s on this 2-core machine (issue 16, item 9; it was 60 s).
"""

import argparse
import collections
import contextlib
import functools
import hashlib
import io
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOCAL_REDIS = "redis://127.0.0.1:6379/14"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("CELERY_BROKER_URL", LOCAL_REDIS)
os.environ.setdefault("REDIS_URL", os.environ["CELERY_BROKER_URL"])
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "bench-issue")
os.environ["EMAIL_URL"] = "dummymail://"  # the workers "send" the mails into the void
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-issue-"))
os.environ["MEDIA_ROOT"] = str(MEDIA_ROOT)
# Certificates are private files, kept apart from the media.
PRIVATE_ROOT = MEDIA_ROOT.parent / f"{MEDIA_ROOT.name}-private"
os.environ["PRIVATE_MEDIA_ROOT"] = str(PRIVATE_ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

TARGET_COUNT, TARGET_SECONDS = 10_000, 40.0
WARM_UP = 10  # certificates issued in-process before the timed sample
STALL_SECONDS = 60.0  # give up when no item has moved for this long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="certificates to issue")
    parser.add_argument("--workers", type=int, default=2, help="worker processes to start")
    parser.add_argument("--concurrency", type=int, default=1, help="pool size of each worker")
    parser.add_argument("--pool", choices=["solo", "prefork"], help="default: solo if 1")
    parser.add_argument(
        "--sample", type=int, help="in-process sample size (default: a quarter, 50 to 200)"
    )
    parser.add_argument("--no-photos", action="store_true", help="applicants without photos")
    parser.add_argument("--profile", action="store_true", help="cProfile the sample too")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows up even when piped
    args.pool = args.pool or ("solo" if args.concurrency == 1 else "prefork")
    args.sample = args.sample or min(200, max(50, args.count // 4))

    problems = requirements()
    if problems:
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
        shutil.rmtree(PRIVATE_ROOT, ignore_errors=True)
        sys.exit("bench/issue.py needs " + "; ".join(problems))
    # Ctrl-C and `kill` both end in the finally blocks that stop the workers.
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    setup_test_environment()
    clone = None
    try:
        clone = database_prepare()
        run(args)
    except KeyboardInterrupt:
        print("interrupted; workers stopped, database dropped")
        raise SystemExit(130) from None
    finally:
        connection.close()
        if clone:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
        shutil.rmtree(PRIVATE_ROOT, ignore_errors=True)


def database_prepare() -> str:
    """Make the bench database once per state of the migrations, then run on a copy of it.

    ``portal_bench`` is kept between runs, labelled with a fingerprint of every migration
    file; it is rebuilt only when they change. Each run works on ``test_portal_bench``, made
    from it with ``CREATE DATABASE … TEMPLATE`` in a second and dropped at the end.
    """
    from django.core.management import call_command

    started = time.perf_counter()
    name = connection.settings_dict["NAME"]
    fingerprint = migrations_fingerprint()
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
        fresh = row is None or row[0] != fingerprint
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    if fresh:
        call_command("migrate", verbosity=0, interactive=False)
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{fingerprint}'")
    connection.close()
    clone = f"test_{name}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{name}"')
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = clone
    print(
        f"database {name} {'built and migrated' if fresh else 'up to date'}, copied to "
        f"{clone} in {time.perf_counter() - started:.1f} s"
    )
    return clone


def migrations_fingerprint() -> str:
    """Changes whenever a migration of the project, or Django's or Wagtail's version, does."""
    import wagtail

    digest = hashlib.sha256(f"{django.__version__} {wagtail.__version__}".encode())
    apps = ("portal", "cms", "courses", "certification")
    for path in sorted(p for app in apps for p in (ROOT / app).glob("**/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def interrupted(signum, frame):
    raise KeyboardInterrupt


def requirements() -> list[str]:
    import socket
    from urllib.parse import urlparse

    problems = []
    if connection.vendor != "postgresql":
        problems.append("DATABASE_URL pointing at PostgreSQL")
    for url, port in ((settings.DATABASES["default"], 5432), (settings.CELERY_BROKER_URL, 6379)):
        if isinstance(url, dict):
            host, port = url.get("HOST") or "127.0.0.1", int(url.get("PORT") or port)
        else:
            if not url.startswith("redis"):
                problems.append("CELERY_BROKER_URL pointing at Redis")
                continue
            parsed = urlparse(url)
            host, port = parsed.hostname or "127.0.0.1", parsed.port or port
        try:
            socket.create_connection((host, port), 2).close()
        except OSError:
            problems.append(f"a server listening on {host}:{port}")
    return problems


def run(args) -> None:
    from certification.issuing.bulk import bulk_issue_start
    from certification.models import BulkIssue
    from tests.certification.factories import certifier, certifying_body
    from tests.services.certification_support import Worker, purge_queue, qualified_class

    print(
        f"machine: {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} before starting"
    )
    photo = "" if args.no_photos else holder_photo()
    started = time.perf_counter()
    body = certifying_body("GD")
    actor = certifier(body)
    page, application_ids = qualified_class(body, args.count, tag="bench", photo=photo)
    sample_body = certifying_body("PF", name="样本 技术转移人才评价中心")
    sample_body.certifiers.add(actor)
    sample_page, sample_ids = qualified_class(
        sample_body, args.sample + WARM_UP, tag="sample", photo=photo
    )
    print(
        f"{args.count} + {args.sample} qualified applicants with submitted applications "
        f"({'with' if photo else 'without'} photos) made in {time.perf_counter() - started:.1f} s"
    )

    purge_queue()
    forget_unacknowledged()
    processes = args.workers * args.concurrency
    logs = MEDIA_ROOT.parent / f"{MEDIA_ROOT.name}-logs"
    logs.mkdir()
    workers = []
    try:
        started = time.perf_counter()
        for n in range(args.workers):
            workers.append(
                Worker(
                    name=f"bench{n + 1}-{os.getpid()}",
                    log_path=logs / f"worker{n + 1}.log",
                    media_root=MEDIA_ROOT,
                    mail_dir=MEDIA_ROOT,  # unused: mail goes to the dummy backend
                    pool=args.pool,
                    concurrency=args.concurrency,
                )
            )
        for worker in workers:
            worker.wait_ready(120)
        print(
            f"{args.workers} worker(s), --pool={args.pool} --concurrency={args.concurrency}"
            f" ({processes} processes) ready in {time.perf_counter() - started:.1f} s"
        )

        worker_pids = [pid for w in workers for pid in (w.pid, *w.children())]
        postgres, redis = database_server_pid(), redis_server_pid()
        cpu_before = cpu_seconds(worker_pids, reaped=True)
        machine_before, postgres_before = machine_cpu(), server_cpu(postgres)
        redis_before = cpu_seconds([redis] if redis else [])
        backends = BackendCpu()
        t0 = timezone.now()
        clock = time.perf_counter()
        bulk = bulk_issue_start(body=body, course_id=page.pk, actor=actor, title="bench")
        last_print = last_change = clock
        seen = None
        while True:
            time.sleep(0.1)
            backends.sample()
            bulk.refresh_from_db()
            now = time.perf_counter()
            if bulk.status == BulkIssue.Status.FINISHED:
                break
            if now - last_print >= 5:
                done = progress(bulk)
                print(
                    f"  {now - clock:5.1f} s: {done['done']} done, {done['failed']} failed "
                    f"({done['done'] / (now - clock):.0f}/s)"
                )
                last_print = now
                if done != seen:
                    seen, last_change = done, now
            if now - last_change > STALL_SECONDS:
                raise SystemExit(
                    f"no progress for {STALL_SECONDS:.0f} s: {progress(bulk)}\n"
                    + "\n".join(f"{w.name}:\n{w.log()[-3000:]}" for w in workers)
                )
        machine_busy = machine_cpu() - machine_before
        worker_cpu = cpu_seconds(worker_pids, reaped=True) - cpu_before
        database_cpu = server_cpu(postgres) - postgres_before
        backends.sample()
        redis_cpu = cpu_seconds([redis] if redis else []) - redis_before
        seconds = (bulk.finished_at - t0).total_seconds()
        rate = args.count / seconds
        print(
            f"run finished: {progress(bulk)} in {seconds:.2f} s ({rate:.1f}/s, "
            f"{seconds * 1000 * processes / args.count:.2f} ms per certificate per process)"
        )
        per = 1000 / args.count
        other = machine_busy - worker_cpu - database_cpu - redis_cpu
        print(
            f"CPU during the run, per certificate: workers {worker_cpu * per:.2f} ms, "
            f"PostgreSQL {database_cpu * per:.2f} ms, Redis {redis_cpu * per:.2f} ms; the "
            f"machine was busy {machine_busy:.1f} of {seconds * (os.cpu_count() or 1):.1f} "
            f"core-seconds, {max(other, 0):.1f} of them on other processes (this script, "
            f"anything else running; PostgreSQL's figure includes its other databases' work)"
        )
        print(
            f"PostgreSQL's backends serving this run's database: {backends.seconds * per:.2f} ms "
            f"per certificate (sampled every 0.1 s: other databases' work left out)"
        )
        mail_drain(t0=bulk.finished_at, count=args.count)
        failures = collections.Counter(
            bulk.items.filter(status="failed").values_list("error", flat=True)
        )
        if failures:
            log = workers[0].log()
            at = log.find("Traceback")
            reasons = "\n".join(f"  {n}×: {error}" for error, n in failures.most_common(5))
            raise SystemExit(
                f"{sum(failures.values())} of {args.count} items failed:\n{reasons}\n"
                f"first traceback in {workers[0].name}'s log:\n{log[at : at + 5000]}"
            )
    finally:
        for worker in workers:
            worker.stop()
        shutil.rmtree(logs, ignore_errors=True)

    verify(body=body, application_ids=application_ids, bulk=bulk)
    per_cert_ms, phases = issue_in_process(
        body=sample_body, page=sample_page, actor=actor, profile=args.profile
    )
    sample_ids = sample_ids[WARM_UP:]
    purge_queue()  # the sample's mail tasks: no worker is left to send them
    naive_ms, fast_ms = naive_against_fast(sample_ids)
    report_phases(phases, per_cert_ms, args.sample)

    ideal = processes * 1000 / per_cert_ms
    print(
        f"in-process (this process, one core, serial): {per_cert_ms:.2f} ms per certificate "
        f"→ {processes} processes could at best do {ideal:.0f}/s; the workers did "
        f"{rate:.0f}/s ({rate / ideal:.0%} of that)"
    )
    baseline_ms = per_cert_ms - fast_ms["pdf"] - fast_ms["sign"] + naive_ms["pdf"]
    baseline_ms += naive_ms["sign"]
    efficiency = rate / ideal
    baseline = efficiency * processes * 1000 / baseline_ms
    print(
        f"naive steps on the same {len(sample_ids)} certificates: PDF with ReportLab's QR widget "
        f"{naive_ms['pdf']:.2f} ms (fast {fast_ms['pdf']:.2f}), sign with the uncached pyld "
        f"canonicalizer {naive_ms['sign']:.2f} ms (fast {fast_ms['sign']:.2f}); the naive "
        f"credentials are identical to the fast ones"
    )
    print(
        f"baseline: every end-to-end step measured above (database, storage, audit, mail) "
        f"with the naive PDF and signing instead = {baseline_ms:.2f} ms per certificate in one "
        f"process; on {processes} processes at the efficiency the workers just showed "
        f"({efficiency:.0%}) that is {baseline:.1f}/s (with perfect scaling "
        f"{processes * 1000 / baseline_ms:.1f}/s). Not run through the workers."
    )
    if args.count >= TARGET_COUNT:
        verdict = "met" if seconds <= TARGET_SECONDS * args.count / TARGET_COUNT else "MISSED"
    else:
        projected = TARGET_COUNT / rate
        verdict = f"projected {projected:.0f} s for {TARGET_COUNT:,}: " + (
            "would meet it" if projected <= TARGET_SECONDS else "would MISS it"
        )
    print(f"target: {TARGET_COUNT:,} in ≤ {TARGET_SECONDS:.0f} s on 2 cores — {verdict}")
    print(
        f"issued {args.count} in {seconds:.1f} s ({rate:.1f}/s); baseline {baseline:.1f}/s; "
        f"speed-up {rate / baseline:.1f}"
    )


def forget_unacknowledged() -> None:
    """Drop what an interrupted run's workers held unacknowledged on the bench's Redis
    database, or it would come back into the queue of a later run an hour on."""
    from portal.celery import app

    with app.connection_for_write() as broker:
        broker.default_channel.client.delete("unacked", "unacked_index")


def holder_photo() -> str:
    """A typical ID photo (a JPEG of 413 x 531 pixels, 35 x 45 mm at 300 dpi), stored once."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    # Where profile photos live (the private storage): a photo elsewhere reads as missing.
    storage = get_user_model()._meta.get_field("photo").storage
    image = Image.new("RGB", (413, 531), (67, 142, 219))
    draw = ImageDraw.Draw(image)
    draw.ellipse((126, 90, 286, 280), fill=(236, 200, 170))
    draw.rectangle((76, 300, 336, 531), fill=(40, 40, 48))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return storage.save("portal/photos/bench.jpg", ContentFile(out.getvalue()))


def _stat(pid) -> list[str] | None:
    """/proc/<pid>/stat from the third field on (state, ppid, …), or None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pids, *, reaped=False) -> float:
    """User + system CPU time of the processes (with ``reaped``, also that of their children
    that have exited), from /proc (Linux)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += sum(int(x) for x in fields[11 : 15 if reaped else 13])
    return total / os.sysconf("SC_CLK_TCK")


def server_cpu(parent: int | None) -> float:
    """CPU of a server and all its processes, those alive and those already gone."""
    if not parent:
        return 0.0
    children = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and (_stat(p.name) or ["", ""])[1] == str(parent)
    ]
    return cpu_seconds([parent], reaped=True) + cpu_seconds(children)


def database_server_pid() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _stat(backend)
    return int(fields[1]) if fields else None


class BackendCpu:
    """CPU of the PostgreSQL backends connected to this run's database, from /proc: a backend
    there when it was made counts from then, one that connected later from its start, and a
    backend's last sample is kept once it has gone (a worker's connection closed): only this
    database's work is counted, not other people's on the same server."""

    def __init__(self):
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.sample()
        self.started = True

    def sample(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            pids = [row[0] for row in cursor.fetchall()]
        for pid in pids:
            seconds = cpu_seconds([pid])
            if not seconds:
                continue
            self.first.setdefault(pid, seconds if not getattr(self, "started", False) else 0.0)
            self.last[pid] = seconds

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def redis_server_pid() -> int | None:
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            with contextlib.suppress(OSError):
                if (p / "comm").read_text().strip() == "redis-server":
                    return int(p.name)
    return None


def machine_cpu() -> float:
    """Busy core-seconds of the whole machine since boot (everything but idle and iowait)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def progress(bulk) -> dict:
    from django.db.models import Count

    counts = dict(bulk.items.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "done": counts.get("done", 0),
        "failed": counts.get("failed", 0),
        "queued": counts.get("queued", 0),
    }


def mail_drain(*, t0, count: int, timeout=120.0) -> None:
    from portal.accounts.models import OutgoingMail

    deadline = time.perf_counter() + timeout
    pending = OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT)
    while pending.exists() and time.perf_counter() < deadline:
        time.sleep(0.5)
    last = OutgoingMail.objects.order_by("-sent_at").values_list("sent_at", flat=True).first()
    left = pending.count()
    total = OutgoingMail.objects.count()
    tail = f"{(last - t0).total_seconds():.1f} s after the last certificate" if last else "—"
    print(
        f"mail: {total} queued for {count} certificates, {total - left} sent by the workers "
        f"(after the run: the same queue, first in first out), last one {tail}"
    )


def verify(*, body, application_ids, bulk) -> None:
    """Counts, gap-free numbers, every PDF on disk with its SHA-256, a sample of credentials,
    the audit chain."""
    from django.db.models import Count, Max, Min

    from certification.audit.chain import audit_chain_break
    from certification.credentials import vc
    from certification.models import Application, Certificate

    started = time.perf_counter()
    count = len(application_ids)
    assert progress(bulk) == {"done": count, "failed": 0, "queued": 0}, progress(bulk)
    certificates = Certificate.objects.filter(application_id__in=application_ids)
    stats = certificates.aggregate(
        n=Count("pk"),
        numbers=Count("number", distinct=True),
        low=Min("sequence"),
        high=Max("sequence"),
        apps=Count("application", distinct=True),
    )
    assert stats == {"n": count, "numbers": count, "low": 1, "high": count, "apps": count}, stats
    assert set(certificates.values_list("status", flat=True)) == {"valid"}
    assert not Application.objects.filter(pk__in=application_ids).exclude(status="issued").exists()
    for name, digest in certificates.values_list("pdf", "pdf_sha256").iterator():
        data = (PRIVATE_ROOT / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    sample = random.Random(1).sample(application_ids, min(50, count))
    for credential in certificates.filter(application_id__in=sample).values_list(
        "credential", flat=True
    ):
        assert vc.verify(credential).verified
    checked, broken = audit_chain_break()
    assert broken is None, broken
    print(
        f"verified in {time.perf_counter() - started:.1f} s: {count} certificates valid, numbers "
        f"1..{count} without gaps or duplicates, {count} PDFs on disk matching their SHA-256, "
        f"{len(sample)} credentials verified, audit chain of {checked} entries intact"
    )


# -- the in-process sample: where the time goes -------------------------------------------------


def statement_kind(sql: str) -> str:
    """``SELECT … FROM certification_certificate (+6 joins) FOR UPDATE`` and the like."""
    words = sql.split()
    verb = words[0].upper() if words else "?"
    table = ""
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in words:
            at = words.index(marker) + 1
            table = words[at].strip('"') if at < len(words) else ""
            break
    extras = []
    if " JOIN " in sql:
        extras.append(f"+{sql.count(' JOIN ')} joins")
    if "FOR UPDATE" in sql:
        extras.append("FOR UPDATE")
    if "ON CONFLICT" in sql:
        extras.append("ON CONFLICT")
    return " ".join([verb, table, *extras])


class Phases:
    """Wall time per step, nested: a step's key is the path of steps it runs inside."""

    def __init__(self):
        self.seconds = collections.defaultdict(float)
        self.calls = collections.Counter()
        self.stack: list[str] = []
        self.statements = collections.Counter()  # seconds per kind of statement
        self._undo = []

    def key(self, name: str) -> str:
        return "/".join([*self.stack, name])

    @contextlib.contextmanager
    def step(self, name: str):
        key = self.key(name)
        self.stack.append(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[key] += time.perf_counter() - started
            self.calls[key] += 1
            self.stack.pop()

    def wrap(self, owner, attribute: str, name: str) -> None:
        original = getattr(owner, attribute, None)
        if original is None:  # the services changed: that step is simply not broken out
            print(f"  (no {getattr(owner, '__name__', owner)}.{attribute} to time as {name!r})")
            return

        @functools.wraps(original)
        def timed(*args, **kwargs):
            if self.stack and self.stack[-1] == name:  # save() calling exists(), say
                return original(*args, **kwargs)
            with self.step(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)
        self._undo.append((owner, attribute, original))

    def sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            key = self.key("SQL statements")
            self.seconds[key] += elapsed
            self.calls[key] += 1
            self.statements[self.stack[-1] + ": " + statement_kind(sql)] += elapsed

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)
        self._undo.clear()


def issue_in_process(*, body, page, actor, profile: bool):
    """Issue the sample class here, chunk by chunk, through ``bulk_issue_chunk``."""
    import cProfile
    import pstats

    from django.core.files.storage import default_storage

    from certification.credentials import vc
    from certification.issuing import bulk as issuing_bulk
    from certification.issuing import services as issuing_services
    from certification.models import BulkIssueItem
    from portal.accounts import mail

    phases = Phases()
    dispatch = issuing_bulk.bulk_issue_dispatch
    issuing_bulk.bulk_issue_dispatch = lambda **kwargs: 0  # the chunks run here, not on a worker
    try:
        bulk = issuing_bulk.bulk_issue_start(body=body, course_id=page.pk, actor=actor, title="s")
    finally:
        issuing_bulk.bulk_issue_dispatch = dispatch
    item_ids = list(bulk.items.order_by("pk").values_list("pk", flat=True))
    # A worker pays once for parsing the font, decoding the seal, building the canonical
    # templates; over thousands that is nothing, so the sample starts after a warm-up.
    warm_up, item_ids = item_ids[:WARM_UP], item_ids[WARM_UP:]
    issuing_bulk.bulk_issue_chunk(run_id=bulk.pk, item_ids=warm_up)

    # Each step is timed where it is called from (a function is looked up in the caller's module).
    for owner, attribute, name in (
        (issuing_bulk, "_bulk_approve", "approve (one transaction per chunk)"),
        (issuing_bulk, "photo_copy", "copy holder photo"),
        (issuing_bulk, "checklists", "eligibility re-check"),
        (issuing_bulk, "numbers_allocate", "numbers (lock NumberSequence)"),
        (issuing_bulk, "status_bits_allocate", "status-list bits (lock StatusList)"),
        (issuing_bulk, "certificates_complete", "complete (one transaction per chunk)"),
        (issuing_services, "certificate_print", "print data (photo, seal)"),
        (issuing_services, "certificate_pdf", "PDF render"),
        (issuing_services, "certificate_credential", "credential build + sign"),
        (vc, "sign", "vc.sign"),
        (issuing_services, "certificates_mark_issued", "mark issued, audit, mail rows"),
        (issuing_services, "audit_append_many", "audit entries"),
        (issuing_bulk, "audit_append_many", "audit entries"),
    ):
        phases.wrap(owner, attribute, name)
    # The holders' notifications (portal), sent after the chunk commits, one per certificate.
    from portal.notifications import receivers as notification_receivers

    phases.wrap(notification_receivers, "notification_send", "notifications (after commit)")
    phases.wrap(notification_receivers, "notification_send_many", "notifications (after commit)")
    phases.wrap(mail, "_enqueue", "mail task published (Redis)")
    phases.wrap(connection, "_commit", "COMMIT")
    default_storage.exists("")  # make sure the lazy storage object exists
    from portal.accounts.storage import private_storage

    stores = (default_storage._wrapped, private_storage())
    for storage in {id(store): store for store in stores}.values():
        for attribute in ("save", "exists", "delete"):
            phases.wrap(storage, attribute, "storage write")
    profiler = cProfile.Profile() if profile else None
    try:
        with connection.execute_wrapper(phases.sql):
            if profiler:
                profiler.enable()
            with phases.step("total"):
                for start in range(0, len(item_ids), issuing_bulk.BULK_CHUNK):
                    chunk = item_ids[start : start + issuing_bulk.BULK_CHUNK]
                    issuing_bulk.bulk_issue_chunk(run_id=bulk.pk, item_ids=chunk)
            if profiler:
                profiler.disable()
    finally:
        phases.restore()
    assert not bulk.items.exclude(status=BulkIssueItem.Status.DONE).exists()
    if profiler:
        print("cProfile of the in-process sample, top 30 by own time:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return phases.seconds["total"] * 1000 / len(item_ids), phases


def report_phases(phases: Phases, per_cert_ms: float, count: int) -> None:
    """The breakdown as a tree, in ms per certificate, with what is left over at each level."""
    ms = {
        key[len("total/") :]: s * 1000 / count
        for key, s in phases.seconds.items()
        if key.startswith("total/")
    }
    calls = {
        key[len("total/") :]: n / count
        for key, n in phases.calls.items()
        if key.startswith("total/")
    }
    print(
        f"where the time goes, in-process, {count} certificates, ms per certificate "
        f"(a step includes the steps under it):"
    )
    print(f"  {'everything':58s} {per_cert_ms:7.2f}")

    def children(parent: str) -> list[str]:
        depth = parent.count("/") + 1 if parent else 0
        return sorted(
            (
                k
                for k in ms
                if k.startswith(parent + "/" if parent else "") and k.count("/") == depth
            ),
            key=lambda k: -ms[k],
        )

    def show(parent: str, total: float, indent: int) -> None:
        kids = children(parent)
        for key in kids:
            name = key.rsplit("/", 1)[-1]
            extra = f" ({calls[key]:.1f}×)" if name == "SQL statements" else ""
            print(f"  {'  ' * indent}{name + extra:{58 - 2 * indent}s} {ms[key]:7.2f}")
            show(key, ms[key], indent + 1)
        if kids and parent:
            rest = total - sum(ms[k] for k in kids)
            print(f"  {'  ' * indent}{'(the rest: ORM and Python)':{58 - 2 * indent}s} {rest:7.2f}")

    show("", per_cert_ms, 1)
    sql = [k for k in ms if k.endswith("SQL statements")]
    commits = [k for k in ms if k.endswith("COMMIT")]
    print("  the slowest kinds of statement, ms per certificate (step: statement):")
    for kind, seconds in phases.statements.most_common(8):
        print(f"    {seconds * 1000 / count:6.2f}  {kind}")
    print(
        f"  in all: {sum(calls[k] for k in sql):.1f} SQL statements taking "
        f"{sum(ms[k] for k in sql):.2f} ms and {sum(calls[k] for k in commits):.1f} COMMITs "
        f"taking {sum(ms[k] for k in commits):.2f} ms per certificate"
    )


def naive_against_fast(application_ids) -> tuple[dict, dict]:
    """PDF and signing of the sample, fast and naive, on the same certificates, same output."""
    from certification.credentials import vc
    from certification.credentials.services import certificate_credential
    from certification.issuing.pdf import certificate_pdf
    from certification.issuing.services import PRINT_RELATED, certificate_print
    from certification.models import Certificate

    certificates = list(
        Certificate.objects.select_related(*PRINT_RELATED).filter(
            application_id__in=application_ids
        )
    )
    prints = [certificate_print(c) for c in certificates]
    sign = vc.sign

    def per_item_ms(function, items) -> float:
        started = time.perf_counter()
        for item in items:
            function(item)
        return (time.perf_counter() - started) * 1000 / len(items)

    fast = {
        "pdf": per_item_ms(certificate_pdf, prints),
        "sign": 0.0,
    }
    naive = {"pdf": per_item_ms(lambda p: certificate_pdf(p, qr="reportlab"), prints)}
    for label, canonicalize, out in (
        ("fast", None, fast),
        ("naive", vc.canonicalize_naive, naive),
    ):
        seconds = [0.0]

        def timed_sign(document, *, _canonicalize=canonicalize, _seconds=seconds, **kwargs):
            started = time.perf_counter()
            try:
                return sign(document, canonicalize=_canonicalize, **kwargs)
            finally:
                _seconds[0] += time.perf_counter() - started

        vc.sign = timed_sign
        try:
            made = [certificate_credential(c) for c in certificates]
        finally:
            vc.sign = sign
        out["sign"] = seconds[0] * 1000 / len(certificates)
        assert made == [c.credential for c in certificates], f"{label} credential differs"
    return naive, fast


if __name__ == "__main__":
    main()
