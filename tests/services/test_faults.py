"""Faults on the real components, and how the portal comes back from each.

- a Celery worker killed (SIGKILL) during a bulk issue of 1,000: after a fresh worker and the
  beat's resume, every certificate exists once, numbered 1..1000, every PDF stored;
- Redis restarted mid-run (a redis-server of this test's own, with an append-only file): the
  worker reconnects and the queued chunks are done; what the site queued while Redis was down
  is picked up by beat's sweeps;
- PostgreSQL connections dropped under a running gunicorn: requests get the clean 500 page or
  succeed, and the site recovers without a restart;
- media storage unwritable: no certificate is marked issued without its PDF, the certifier
  sees why on the application and the bulk run pages, and "Try again" issues once fixed.

Smaller kills (a worker, a pool process, a task delivered twice) are in ``test_certification``.
"""

import contextlib
import datetime
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.urls import reverse

from certification.issuing import bulk
from certification.issuing.bulk import BULK_CHUNK, bulk_issue_start
from certification.issuing.services import application_approve, certificate_complete
from certification.models import Application, AuditEntry, BulkIssue, BulkIssueItem, Certificate
from certification.tasks import bulk_issue_resume_stalled_task, certificates_pending_sweep
from portal.accounts.mail import mail_queue
from portal.accounts.models import OutgoingMail
from portal.accounts.tasks import outgoing_mail_resend_stale
from tests.certification.factories import certifier, certifying_body
from tests.factories import sign_in
from tests.requirements import missing
from tests.services.certification_support import ROOT, database_url, qualified_class
from tests.services.test_certification import (
    _wait_until_only_chunk_left,
    assert_issued_once_each,
    assert_told_once_and_sent,
    item_counts,
    run_finished,
    wait_for,
)

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def body():
    return certifying_body("GD")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _backdate(queryset, field: str, minutes: int) -> None:
    """As if ``minutes`` had passed: what beat's sweeps look at, moved into the past."""
    queryset.update(**{field: F(field) - datetime.timedelta(minutes=minutes)})


# -- a worker killed during a bulk issue of 1,000 ---------------------------------------------


def test_a_worker_killed_during_a_bulk_issue_of_1000_then_resumed_issues_each_once(body, workers):
    """SIGKILL a two-process worker a third of the way through 1,000; a fresh worker drains
    the queue, and beat's stalled-run sweep (sent through the broker, as beat sends it)
    re-queues the chunks the dead worker held unacknowledged."""
    count, chunk = 1000, BULK_CHUNK
    first = workers.start(pool="prefork", concurrency=2)
    certifying = certifier(body)
    page, application_ids = qualified_class(body, count, tag="k1000")

    run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="千人班")
    item_ids = list(
        BulkIssueItem.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)
    )
    chunks = [set(item_ids[start : start + chunk]) for start in range(0, count, chunk)]
    wait_for(
        lambda: item_counts(run.pk)["done"] >= count * 3 // 10,
        timeout=180,
        interval=0.02,
        what="30% of the run to be issued",
    )
    first.kill()
    done = set(
        BulkIssueItem.objects.filter(run=run, status=BulkIssueItem.Status.DONE).values_list(
            "pk", flat=True
        )
    )
    assert count * 3 // 10 <= len(done) <= count // 2, len(done)
    # Chunks are taken in order, two at a time: the dead worker held the first two unfinished.
    held = set().union(*[c for c in chunks if not c <= done][:2])
    half_made = Certificate.objects.filter(
        application_id__in=BulkIssueItem.objects.filter(pk__in=held).values("application_id"),
        status=Certificate.Status.PENDING,
    ).count()

    workers.start(pool="prefork", concurrency=2)
    _wait_until_only_chunk_left(run.pk, held)
    time.sleep(1)
    assert not run_finished(run.pk), "the dead worker's chunks came back by themselves"
    assert 0 < item_counts(run.pk)["queued"] <= 2 * chunk

    # Ten minutes later beat's sweep finds the run stalled and queues what still waits.
    _backdate(BulkIssueItem.objects.filter(run=run), "updated_at", 11)
    bulk_issue_resume_stalled_task.delay()
    wait_for(lambda: run_finished(run.pk), timeout=150, what="the resumed run to finish")

    assert item_counts(run.pk) == {"done": count}
    assert_issued_once_each(application_ids, body=body)
    print(f"killed at {len(done)} done, {half_made} certificates approved but unfinished")


# -- Redis restarted mid-run -------------------------------------------------------------------


class OwnRedis:
    """A redis-server of this test's own, persisting to an append-only file, so a restart
    keeps what was queued (as a production broker must be configured)."""

    def __init__(self, folder: Path, binary: str):
        self.binary = binary
        self.folder = folder
        self.folder.mkdir()
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"redis{self.starts}.log", "w")  # noqa: SIM115 - Popen owns it
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(self.ping, timeout=10, interval=0.05, what="redis-server to start")

    def ping(self) -> bool:
        with contextlib.suppress(redis.RedisError):
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        return False

    def queued(self, queue: str) -> int:
        return redis.Redis.from_url(self.url).llen(queue)

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(15)


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server") or shutil.which("/usr/bin/redis-server")
    if binary is None:
        missing("redis-server is not installed (Debian: apt-get install redis-server)")
    server = OwnRedis(tmp_path / "redis", binary)
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def broker(url: str):
    """Point this process's Celery app at another broker (it was configured at import)."""
    from portal.celery import app

    saved = (app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    app.conf.broker_url = url
    try:
        yield app
    finally:
        if app._pool is not None:
            with contextlib.suppress(Exception):
                app._pool.force_close_all()
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def test_redis_restarted_mid_run_the_worker_reconnects_and_queued_work_resumes(
    body, own_redis, workers, monkeypatch
):
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)  # for the worker process
    monkeypatch.setattr(bulk, "BULK_CHUNK", 20)  # five chunks of a class of 100
    worker = workers.start()
    certifying = certifier(body)
    page, run_ids = qualified_class(body, 100, tag="redis")
    _, (single_id,) = qualified_class(body, 1, tag="single")
    later_page, later_ids = qualified_class(body, 10, tag="later")

    with broker(own_redis.url):
        run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="班")
        wait_for(
            lambda: item_counts(run.pk)["done"] >= 20,
            timeout=60,
            interval=0.02,
            what="the first chunk to be issued",
        )
        waiting = own_redis.queued(settings.CELERY_TASK_DEFAULT_QUEUE)
        assert waiting >= 2, "too few chunks left in the queue to see them survive a restart"
        own_redis.stop()

        # Redis is down. What the site queues now cannot reach a worker, yet every request
        # completes: the approval, the new bulk run and the mail stand, recorded in PostgreSQL.
        began = time.monotonic()
        pending = application_approve(application_id=single_id, actor=certifying)
        later = bulk_issue_start(
            body=body, course_id=later_page.pk, actor=certifying, title="停机时开始的班"
        )
        mail = mail_queue(to="outage@example.cn", subject="停机期间的邮件", body_text="…")
        assert time.monotonic() - began < 30, "queueing with the broker down took too long"
        assert Certificate.objects.get(pk=pending.pk).status == Certificate.Status.PENDING
        assert OutgoingMail.objects.get(pk=mail.pk).status == OutgoingMail.Status.PENDING
        time.sleep(2)

        own_redis.start()
        # The worker reconnects by itself and takes the chunks that were queued before.
        wait_for(lambda: run_finished(run.pk), timeout=120, what="the run to finish")
        assert "Connection to broker lost" in worker.log() or "Cannot connect" in worker.log()
        assert item_counts(later.pk) == {"queued": 10}

        # Beat's sweeps, a few minutes on, find what was queued while Redis was down.
        _backdate(Certificate.objects.filter(status="pending"), "created_at", 3)
        _backdate(OutgoingMail.objects.exclude(status="sent"), "created_at", 6)
        _backdate(BulkIssueItem.objects.filter(run=later), "updated_at", 11)
        certificates_pending_sweep.delay()
        outgoing_mail_resend_stale.delay()
        bulk_issue_resume_stalled_task.delay()
        wait_for(lambda: run_finished(later.pk), timeout=90, what="the later run to finish")
        wait_for(
            lambda: Certificate.objects.get(pk=pending.pk).status == Certificate.Status.VALID,
            timeout=60,
            what="the certificate approved during the outage",
        )
        everyone = run_ids + [single_id] + later_ids
        assert_issued_once_each(everyone, body=body)
        assert_told_once_and_sent(everyone, workers.mail)
        wait_for(
            lambda: OutgoingMail.objects.get(pk=mail.pk).status == OutgoingMail.Status.SENT,
            timeout=30,
            what="the mail queued during the outage",
        )
    assert item_counts(run.pk) == {"done": 100}


# -- PostgreSQL connections dropped ------------------------------------------------------------


def _get(port: int, path: str) -> tuple[int, str]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path, headers={"Accept-Language": "zh-hans"})
        response = client.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        client.close()


def _is_clean_error_page(status: int, text: str) -> bool:
    """The portal's own 500 page (portal/templates/500.html), never a traceback."""
    return (
        status == 500
        and "服务暂时不可用" in text
        and "Something went wrong" in text
        and "Traceback" not in text
        and "OperationalError" not in text
    )


def _drop_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def _connections_refused():
    """A database that takes no new connections (as while PostgreSQL restarts). Set from the
    server's maintenance database: PostgreSQL will not do it from inside the database."""
    name = connection.settings_dict["NAME"]
    maintenance = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as server:
        server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            yield
        finally:
            server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def site(tmp_path):
    """gunicorn with two sync workers, ``DEBUG=false``, on the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "faults-test-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "PORTAL_VERIFY_RATE_PER_MINUTE": "100000",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = _free_port()  # chosen just before gunicorn binds it, not before collectstatic
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--no-control-socket",  # not the shared one in $HOME
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def up() -> bool:
        with contextlib.suppress(OSError):
            return bool(_get(port, "/robots.txt"))
        return False

    try:
        wait_for(up, timeout=30, interval=0.2, what="gunicorn to listen")
        yield port, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
        print(f"---- gunicorn ----\n{log_path.read_text(errors='replace')[-4000:]}")


def test_postgresql_connections_dropped_give_a_clean_error_page_and_the_site_recovers(
    body, site, workers
):
    port, gunicorn = site
    certifying = certifier(body)
    _, (application_id,) = qualified_class(body, 1, tag="pg")
    approved = application_approve(application_id=application_id, actor=certifying, enqueue=False)
    number = certificate_complete(certificate_id=approved.pk).number
    worker = workers.start()
    paths = [f"/verify/{number}/", f"/api/v1/certificates/{number}"]

    def all_ok() -> bool:
        return all(_get(port, path)[0] == 200 for path in paths * 2)

    wait_for(all_ok, timeout=30, what="the site to serve the certificate")
    for _ in range(6):  # both gunicorn workers hold a persistent connection now
        assert all_ok()

    # 1. Every connection is cut (a failover, an administrator, a network blip).
    assert _drop_connections() >= 1
    for path in paths * 4:
        status, text = _get(port, path)
        assert status == 200 or _is_clean_error_page(status, text), (status, text[:500])
    assert all_ok(), "the site did not recover by itself"
    # The worker's connection was cut too: its next task reconnects.
    sent = mail_queue(to="pg@example.cn", subject="数据库连接中断之后", body_text="…")
    wait_for(
        lambda: OutgoingMail.objects.get(pk=sent.pk).status == OutgoingMail.Status.SENT,
        timeout=30,
        what="the worker to send a mail after its connection was cut",
    )

    # 2. PostgreSQL refuses connections for a while: a clean error page, never a traceback.
    # The verification page an anonymous visitor saw a moment ago is still answered from the
    # cache (certification/page_cache.py), which needs no database; the API needs it.
    with _connections_refused():
        _drop_connections()
        for path in paths * 2:
            status, text = _get(port, path)
            from_cache = path.startswith("/verify/") and status == 200 and number in text
            assert from_cache or _is_clean_error_page(status, text), (status, text[:500])
        status, text = _get(port, "/bases/")  # a page that needs the database
        assert _is_clean_error_page(status, text), (status, text[:500])
    # 3. ... and once it is back, the same processes serve again, nothing restarted.
    wait_for(all_ok, timeout=20, what="the site to recover by itself")
    assert gunicorn.poll() is None
    assert worker.process.poll() is None
    status, text = _get(port, f"/verify/{number}/")
    assert status == 200 and number in text


# -- media storage unwritable ------------------------------------------------------------------


def test_unwritable_media_leaves_the_certificate_pending_and_shows_the_certifier_why(
    body, workers, client
):
    certifying = certifier(body)
    _, (single_id,) = qualified_class(body, 1, tag="disk1")
    page, bulk_ids = qualified_class(body, 4, tag="disk4")
    # Running as root, permissions stop nothing: a file where the certificates' folder
    # belongs makes every PDF write fail with an OS error, as a full or read-only disk would.
    blocked = Path(settings.PRIVATE_MEDIA_ROOT) / "certification" / "certificates"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("not a folder")
    workers.start()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, certifying)

    application_url = reverse("certify_application", args=[single_id])
    assert (
        client.post(application_url, {"action": "approve", "confirmed": "yes"}).status_code == 302
    )
    single = Certificate.objects.get(application_id=single_id)
    run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="班")
    run_url = reverse("certify_bulk_run", args=[run.pk])

    def failed_count(run_id: int) -> int:
        return BulkIssueItem.objects.filter(run_id=run_id, status="failed").count()

    wait_for(
        lambda: Certificate.objects.get(pk=single.pk).issue_error and failed_count(run.pk) == 4,
        timeout=60,
        what="the worker to try and fail",
    )

    # Nothing is issued without its PDF: pending, no file, no credential, nothing public.
    certificates = Certificate.objects.filter(application_id__in=[single_id, *bulk_ids])
    assert certificates.count() == 5
    for certificate in certificates:
        assert certificate.status == Certificate.Status.PENDING
        assert not certificate.pdf.name and not certificate.pdf_sha256
        assert not certificate.credential
        assert "is not a directory" in certificate.issue_error
        assert (
            client.get(reverse("certificate_verify", args=[certificate.number])).status_code == 404
        )
        assert client.get(reverse("api_certificate", args=[certificate.number])).status_code == 404
    assert set(
        Application.objects.filter(pk__in=[single_id, *bulk_ids]).values_list("status", flat=True)
    ) == {Application.Status.APPROVED}
    assert not AuditEntry.objects.filter(action="certificate.issued").exists()
    assert not OutgoingMail.objects.filter(subject__contains="is ready").exists()
    assert blocked.is_file()

    # The certifier sees why, on the application and on the bulk run.
    page_text = client.get(application_url).content.decode()
    assert "The certificate PDF could not be made yet." in page_text
    assert "is not a directory" in page_text
    run_text = client.get(run_url).content.decode()
    # (The reason is written by the worker, in the site's language, around the OS error.)
    assert run_text.count("FileExistsError:") == 4, run_text
    assert run_text.count("is not a directory") == 4
    assert BulkIssue.objects.get(pk=run.pk).status == BulkIssue.Status.FINISHED

    # Storage fixed; "Try again" on each page issues them, once each, numbers unchanged.
    blocked.unlink()
    numbers = dict(certificates.values_list("pk", "number"))
    client.post(application_url, {"action": "retry"})
    client.post(run_url, {"action": "retry"})
    wait_for(
        lambda: (
            not certificates.filter(status=Certificate.Status.PENDING).exists()
            and run_finished(run.pk)
        ),
        timeout=60,
        what="the certificates to be issued after the fix",
    )
    issued = assert_issued_once_each([single_id, *bulk_ids], body=body)
    assert {c.pk: c.number for c in issued} == numbers
    assert_told_once_and_sent([single_id, *bulk_ids], workers.mail)
    assert "could not be made" not in client.get(application_url).content.decode()
