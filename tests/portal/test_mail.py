"""The mail queue: one record per message, sent once however often the task runs."""

import pytest
from django.core import mail

from portal.accounts.mail import mail_queue, mail_send
from portal.accounts.models import OutgoingMail
from portal.accounts.tasks import outgoing_mail_send

pytestmark = pytest.mark.django_db


def test_a_queued_message_goes_out_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = mail_queue(
            to="a@example.org", subject="主题", body_text="正文", body_html="<p>正文</p>"
        )
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    outgoing_mail_send.apply(args=[message.pk])  # a retried task
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][0] == "<p>正文</p>"
    message.refresh_from_db()
    assert message.status == OutgoingMail.Status.SENT
    assert message.attempts == 1


def test_a_failed_send_is_recorded_and_raised(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    message = OutgoingMail.objects.create(to="a@example.org", subject="s", body_text="b")
    with pytest.raises(OSError):
        mail_send(mail_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutgoingMail.Status.FAILED
    assert message.attempts == 1
    assert message.last_error


def test_unsent_mail_is_queued_again_by_the_sweep():
    import datetime

    from django.utils import timezone

    from portal.accounts.mail import mail_resend_stale

    stuck = OutgoingMail.objects.create(to="late@example.org", subject="s", body_text="b")
    fresh = OutgoingMail.objects.create(to="new@example.org", subject="s", body_text="b")
    OutgoingMail.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert mail_resend_stale() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == OutgoingMail.Status.SENT
    assert fresh.status == OutgoingMail.Status.PENDING
    assert [m.to for m in mail.outbox] == [["late@example.org"]]


def test_a_broken_mail_server_does_not_break_the_page_that_queued_the_mail(
    client, settings, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "unlucky@example.org",
                "real_name": "王五",
                "province": "11",
                "password1": "a-Strong-test-passw0rd",
                "password2": "a-Strong-test-passw0rd",
                "privacy_consent": "on",
            },
        )
    assert response.status_code == 302
    assert OutgoingMail.objects.get(to="unlucky@example.org").status == OutgoingMail.Status.FAILED
