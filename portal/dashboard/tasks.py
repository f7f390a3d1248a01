"""Background work for the dashboard. Each task is safe to run twice."""

from celery import shared_task
from django.core.cache import cache

from .services import QUEUED_KEY, dashboard_refresh


@shared_task(acks_late=True)
def dashboard_refresh_task() -> float:
    """Recompute the dashboard's figures; returns how long it took, in seconds."""
    # Events from now on queue another refresh: this one may already have read past them.
    cache.delete(QUEUED_KEY)
    return dashboard_refresh().seconds
