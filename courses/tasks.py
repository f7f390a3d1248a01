from celery import shared_task

from .services import attempts_submit_overdue


@shared_task
def exam_attempts_submit_overdue() -> int:
    """Hand in attempts whose time ran out (run by Celery beat every minute)."""
    return attempts_submit_overdue()
