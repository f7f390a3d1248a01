"""Queueing and sending the portal's e-mail."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutgoingMail


def mail_queue(*, to: str, subject: str, body_text: str, body_html: str = "") -> OutgoingMail:
    """Record a message and send it in the background once the current transaction commits."""
    from .tasks import outgoing_mail_send

    message = OutgoingMail.objects.create(
        to=to, subject=subject, body_text=body_text, body_html=body_html
    )
    transaction.on_commit(lambda: outgoing_mail_send.delay(message.pk))
    return message


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
