from celery import shared_task

from . import beats
from .services import attempts_submit_overdue


@shared_task
def exam_attempts_submit_overdue() -> int:
    """Hand in attempts whose time ran out (run by Celery beat every minute)."""
    return attempts_submit_overdue()


@shared_task(ignore_result=True)
def lesson_beats_flush() -> int:
    """Write heartbeat totals counted in Redis to the database (run by Celery beat every 5 s;
    a no-op without Redis)."""
    return beats.flush()
