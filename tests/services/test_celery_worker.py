"""The real path of background work: a Celery worker process, Redis, PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from portal.accounts.mail import mail_queue
from portal.accounts.models import OutgoingMail

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A Celery worker in its own process, on the test database, writing mail to a folder."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"filemail:///{mail_dir}",  # a fourth slash keeps the path absolute
        "PYTHONUNBUFFERED": "1",
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield mail_dir
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        print(log.read()[-4000:])
        log.close()


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_a_queued_mail_is_sent_by_the_worker_and_recorded_in_postgresql(worker):
    with transaction.atomic():
        queued = mail_queue(
            to="trainee@example.org",
            subject="请确认您的电子邮箱",
            body_text="点击链接完成验证。",
        )
        # Not sent before the transaction commits.
        assert OutgoingMail.objects.get(pk=queued.pk).status == OutgoingMail.Status.PENDING

    deadline = time.monotonic() + 60
    message = OutgoingMail.objects.get(pk=queued.pk)
    while message.status == OutgoingMail.Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.3)
        message.refresh_from_db()

    assert message.status == OutgoingMail.Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    files = list(worker.iterdir())
    assert len(files) == 1
    sent = message_from_bytes(files[0].read_bytes())
    assert sent["To"] == "trainee@example.org"
    assert str(make_header(decode_header(sent["Subject"]))) == "请确认您的电子邮箱"
