from celery import shared_task

from .services import class_reminders_send


@shared_task
def class_reminders_task() -> int:
    """Each evening: tell people about their in-person sessions tomorrow (once each)."""
    return class_reminders_send()
