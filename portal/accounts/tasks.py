import logging

from celery import shared_task

from .mail import mail_resend_stale, mail_send
from .models import OutgoingMail

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def outgoing_mail_send(self, mail_id: int) -> str:
    """Send one queued e-mail; a message already sent is left alone."""
    message = mail_send(mail_id=mail_id)
    return message.status if message else "missing"


@shared_task
def outgoing_mail_send_many(mail_ids: list[int]) -> int:
    """Send a batch queued together; one that fails stays on record for the resend sweep."""
    sent = 0
    for mail_id in mail_ids:
        try:
            message = mail_send(mail_id=mail_id)
        except Exception:  # noqa: BLE001 - recorded on the message by mail_send
            logger.warning("E-mail %s failed; the resend sweep will retry it", mail_id)
            continue
        sent += bool(message and message.status == OutgoingMail.Status.SENT)
    return sent


@shared_task
def outgoing_mail_resend_stale() -> int:
    """Queue again any e-mail left unsent (run by Celery beat)."""
    return mail_resend_stale()
