"""Celery finds tasks in ``<app>.tasks``: the portal's live in its packages."""

from .dashboard.tasks import dashboard_refresh_task
from .notifications.tasks import class_reminders_task
from .reports.tasks import report_job_build_task, report_jobs_sweep_task

__all__ = [
    "class_reminders_task",
    "dashboard_refresh_task",
    "report_job_build_task",
    "report_jobs_sweep_task",
]
