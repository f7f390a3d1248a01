"""Queueing and sending the portal's e-mail.

Delivery is at least once: the task locks the row and skips a message already marked sent, but
a worker that dies between the mail server's acceptance and the commit will send it again on
retry. A message whose queueing failed stays pending and is picked up by
``mail_resend_stale``, which Celery beat runs every few minutes.
"""

import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutgoingMail


def _subject(subject: str) -> str:
    """The subject cut to what the queue's column holds, with an ellipsis when cut: a subject
    naming a long course title must not fail the page that sends it (PostgreSQL refuses an
    over-long value where SQLite would keep it)."""
    limit = OutgoingMail._meta.get_field("subject").max_length
    subject = str(subject)
    return subject if len(subject) <= limit else subject[: limit - 1] + "…"


def mail_queue(*, to: str, subject: str, body_text: str, body_html: str = "") -> OutgoingMail:
    """Record a message and send it in the background once the current transaction commits."""
    from .tasks import outgoing_mail_send

    message = OutgoingMail.objects.create(
        to=to, subject=_subject(subject), body_text=body_text, body_html=body_html
    )
    transaction.on_commit(lambda: _enqueue(outgoing_mail_send, message.pk))
    return message


def mail_queue_many(messages: list[dict]) -> list[OutgoingMail]:
    """Record many messages (dicts of ``mail_queue``'s arguments) with one insert; one task
    sends them all once the current transaction commits."""
    from .tasks import outgoing_mail_send, outgoing_mail_send_many

    if not messages:
        return []
    rows = OutgoingMail.objects.bulk_create(
        [
            OutgoingMail(**(message | {"subject": _subject(message["subject"])}))
            for message in messages
        ]
    )
    if len(rows) == 1:
        transaction.on_commit(lambda: _enqueue(outgoing_mail_send, rows[0].pk))
    else:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _enqueue(outgoing_mail_send_many, ids))
    return rows


logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


def _enqueue(task, mail_id) -> None:
    # A broker outage or a failing mail server must not turn the page that queued the mail
    # into an error: the row stays on record and the resend sweep tries again.
    try:
        task.delay(mail_id)
    except Exception:
        logger.exception("Could not send or queue e-mail %s; it will be retried", mail_id)


def mail_resend_stale(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Queue again the messages still unsent after ``older_than``; returns how many."""
    from .tasks import outgoing_mail_send

    cutoff = timezone.now() - older_than
    stale = OutgoingMail.objects.filter(
        status__in=[OutgoingMail.Status.PENDING, OutgoingMail.Status.FAILED],
        created_at__lt=cutoff,
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    ids = list(stale[:500])
    for mail_id in ids:
        _enqueue(outgoing_mail_send, mail_id)
    return len(ids)


def mail_send(*, mail_id: int) -> OutgoingMail | None:
    """Send a queued message unless it already went out. Safe to call twice."""
    with transaction.atomic():
        message = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if message is None or message.status == OutgoingMail.Status.SENT:
            return message
        email = EmailMultiAlternatives(message.subject, message.body_text, to=[message.to])
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        message.attempts += 1
        try:
            email.send()
        except Exception as exc:
            error = exc
            message.status = OutgoingMail.Status.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"
            message.save(update_fields=["status", "attempts", "last_error"])
        else:
            message.status = OutgoingMail.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["status", "attempts", "last_error", "sent_at"])
            return message
    # Raised once the failure is on record, so the task can retry.
    raise error
