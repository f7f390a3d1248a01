from celery import shared_task

from .mail import mail_resend_stale, mail_send


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
def outgoing_mail_resend_stale() -> int:
    """Queue again any e-mail left unsent (run by Celery beat)."""
    return mail_resend_stale()
