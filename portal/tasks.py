"""Celery finds tasks in ``<app>.tasks``: the portal's live in its packages."""

from .dashboard.tasks import dashboard_refresh_task

__all__ = ["dashboard_refresh_task"]
