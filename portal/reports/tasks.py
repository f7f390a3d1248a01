"""Celery tasks for report jobs: each takes ids, reloads, calls a service, and is safe to run
twice (``services.report_job_build`` claims the job before building it)."""

from celery import shared_task


@shared_task(acks_late=True)
def report_job_build_task(job_id: int) -> str:
    """Build the report of a waiting job; returns the job's status."""
    from .services import report_job_build

    return report_job_build(job_id=job_id)


@shared_task
def report_jobs_sweep_task() -> dict:
    """Every few minutes: restart or fail jobs left behind; delete week-old reports."""
    from .services import report_jobs_sweep

    return report_jobs_sweep()
