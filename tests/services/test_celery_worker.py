"""The real path of background work: a Celery worker process, Redis, PostgreSQL."""

import time
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django.db import connection, transaction

from portal.accounts.mail import mail_queue
from portal.accounts.models import OutgoingMail

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_a_queued_mail_is_sent_by_the_worker_and_recorded_in_postgresql(workers):
    workers.start()
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
    files = list(workers.mail.iterdir())
    assert len(files) == 1
    sent = message_from_bytes(files[0].read_bytes())
    assert sent["To"] == "trainee@example.org"
    assert str(make_header(decode_header(sent["Subject"]))) == "请确认您的电子邮箱"
