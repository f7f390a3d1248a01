from celery import shared_task

from .services import class_reminders_send, notification_text_send


@shared_task
def class_reminders_task() -> int:
    """Each evening: tell people about their in-person sessions tomorrow (once each)."""
    return class_reminders_send()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def notification_text_task(notification_id: int) -> bool:
    """Send a notification's SMS. Delivery is at least once, like the mail queue's: a retry
    after a provider error that had in fact sent it sends the text again."""
    return notification_text_send(notification_id=notification_id)
