"""Reads for the report pages: a person's own jobs, and one job as its owner may see it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .builders import BUILDERS
from .models import ReportJob

LISTED = 50


def report_jobs_for(*, user) -> list[ReportJob]:
    """The person's newest jobs, newest first (one query)."""
    return list(ReportJob.objects.filter(user=user).order_by("-created_at", "-pk")[:LISTED])


def report_job_visible(*, user, job_id: int) -> ReportJob | None:
    """The job if the person asked for it, or is a superuser; otherwise None."""
    jobs = ReportJob.objects.filter(pk=job_id)
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    return jobs.first()


def report_job_period(job: ReportJob) -> str:
    """ "2025-01-01 – 2025-12-31", and the body when one was chosen."""
    parameters = job.parameters or {}
    text = f"{parameters.get('date_from', '?')} – {parameters.get('date_to', '?')}"
    if parameters.get("body_name"):
        text = _("%(period)s · %(body)s") % {"period": text, "body": parameters["body_name"]}
    return text


def report_job_download_name(job: ReportJob) -> str:
    """The file name the browser saves: what the report is and its period."""
    parameters = job.parameters or {}
    builder = BUILDERS.get(job.kind)
    slug = builder.slug if builder else "report"
    return f"{slug}-{parameters.get('date_from', '')}-{parameters.get('date_to', '')}.xlsx"


def report_job_status(job: ReportJob) -> dict:
    """What the list page's poll needs to redraw the job's row."""
    done = job.status == ReportJob.Status.DONE
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "finished": job.finished,
        "error": job.error if job.status == ReportJob.Status.FAILED else "",
        "download_url": reverse("report_download", args=[job.pk]) if done else None,
    }
