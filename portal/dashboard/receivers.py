"""The dashboard listens for the other apps' "figures changed" signals.

The signal arrives after the change has committed: nothing here may fail the request that made
it. When the cache or the broker cannot be reached, the figures are refreshed by beat instead.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver

from certification.signals import figures_changed as certification_changed
from courses.signals import figures_changed as courses_changed

from .services import QUEUED_KEY, dashboard_mark_dirty


def refresh_delay() -> int:
    """A burst of changes (a bulk issue, an exam sitting) is counted by one refresh this many
    seconds after its first event."""
    return getattr(settings, "PORTAL_DASHBOARD_REFRESH_DELAY", 20)


logger = logging.getLogger(__name__)


@receiver(courses_changed)
@receiver(certification_changed)
def figures_changed(sender, **kwargs):
    try:
        _refresh_soon()
    except Exception:
        logger.warning("Dashboard refresh not queued; beat will refresh it", exc_info=True)


def _refresh_soon() -> None:
    dashboard_mark_dirty()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No worker: the dashboard refreshes itself when it is next opened.
        return
    delay = refresh_delay()
    # Should the queued refresh be lost (a worker killed), the key expires and the next change
    # queues another; beat refreshes every ten minutes whatever happens.
    if cache.add(QUEUED_KEY, 1, delay + 120):
        from .tasks import dashboard_refresh_task

        dashboard_refresh_task.apply_async(countdown=delay)
