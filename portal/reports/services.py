"""Writes for report jobs: asking for a report, building it, and clearing old ones away.

Building is safe to run twice. A run first claims the job with a fresh ``run_token``; only a
job still waiting, or one whose run stopped moving for ``STALE_AFTER`` (a dead worker), can be
claimed, and every later write of the run checks the token, so a run that was overtaken
stops and removes its file. Progress is written every ``CHUNK`` rows with single UPDATEs
outside any transaction, each committed at once, so a page polling the job sees it move.
"""

import datetime
import logging
import tempfile
import uuid

from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.spreadsheets import XlsxWriter
from portal.accounts.storage import private_storage

from .builders import ReportProblem, builder_for
from .models import ReportJob

logger = logging.getLogger(__name__)

CHUNK = 500
STALE_AFTER = datetime.timedelta(minutes=15)
QUEUED_FOR_AT_MOST = datetime.timedelta(days=1)
KEEP_FOR = datetime.timedelta(days=7)
MAX_RUNS = 3


class Overtaken(Exception):
    """Another run claimed the job, or the job was deleted, while this one was building."""


def report_job_create(*, user, kind: str, parameters: dict, language: str) -> ReportJob:
    """Record the request and queue its building once the record is committed."""
    with transaction.atomic():
        job = ReportJob.objects.create(
            user=user, kind=kind, parameters=parameters, language=language
        )
        transaction.on_commit(lambda: report_job_enqueue(job.pk))
    return job


def report_job_enqueue(job_id: int) -> None:
    """Queue the building; if the broker cannot be reached, the job waits for the sweep."""
    from .tasks import report_job_build_task

    try:
        report_job_build_task.delay(job_id)
    except Exception:
        logger.exception("Could not queue report job %s; the sweep will queue it again", job_id)


def _claim(job_id: int) -> str | None:
    """Take the job for this run; the run's token, or None when it is not to be built now."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        ReportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ReportJob.Status.QUEUED)
            | Q(status=ReportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
        )
        .update(
            status=ReportJob.Status.RUNNING,
            run_token=token,
            started_at=now,
            updated_at=now,
            finished_at=None,
            progress_done=0,
            progress_total=0,
            error="",
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


class _Progress:
    """Counts the rows written and records them every ``CHUNK`` rows."""

    def __init__(self, job_id: int, token: str, total: int):
        self.job_id, self.token, self.total, self.done = job_id, token, total, 0
        self.write()

    def tick(self) -> None:
        self.done += 1
        if self.done % CHUNK == 0:
            self.write()

    def write(self) -> None:
        # Rows added since the count (new certificates) raise the total rather than pass it.
        self.total = max(self.total, self.done)
        updated = ReportJob.objects.filter(pk=self.job_id, run_token=self.token).update(
            progress_done=self.done, progress_total=self.total, updated_at=timezone.now()
        )
        if not updated:
            raise Overtaken


def _build(job: ReportJob, token: str) -> str:
    """Write the job's workbook to the default storage; returns the stored file's name."""
    builder = builder_for(job)
    progress = _Progress(job.pk, token, builder.count())
    book = XlsxWriter()
    try:
        builder.write(book, progress.tick)
        builder.write_notes(book)
        progress.write()
    except BaseException:
        book.discard()
        raise
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        # A name nobody can guess, should the media folder ever be served directly.
        p = builder.parameters
        stem = f"{builder.slug}-{p.date_from.isoformat()}-{p.date_to.isoformat()}"
        return private_storage().save(f"reports/{stem}-{token[:16]}.xlsx", File(handle))


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, ReportProblem):
        return str(exc)
    detail = str(exc).strip() or exc.__class__.__name__
    return _(
        "The report could not be prepared (%(error)s). Prepare it again; if it fails again, "
        "tell the site's administrators."
    ) % {"error": detail[:300]}


def report_job_build(*, job_id: int) -> str:
    """Build the job's report if it is waiting (or its run died); returns the job's status.

    Any error ends the job ``failed`` with a message the person can read; nothing is raised,
    so a failing report never breaks the request that queued it in eager mode.
    """
    token = _claim(job_id)
    if token is None:
        status = ReportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        return status or "missing"
    job = ReportJob.objects.select_related("user").get(pk=job_id)
    name = None
    try:
        with translation.override(job.language or None):
            try:
                name = _build(job, token)
            except Overtaken:
                raise
            except Exception as exc:
                logger.exception("Report job %s (%s) failed", job.pk, job.kind)
                message = _failure_message(exc)
                ReportJob.objects.filter(pk=job.pk, run_token=token).update(
                    status=ReportJob.Status.FAILED,
                    error=message,
                    finished_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                return ReportJob.Status.FAILED
        now = timezone.now()
        finished = ReportJob.objects.filter(pk=job.pk, run_token=token).update(
            status=ReportJob.Status.DONE,
            file=name,
            progress_done=F("progress_total"),
            finished_at=now,
            updated_at=now,
        )
        if not finished:
            raise Overtaken
    except Overtaken:
        logger.info("Report job %s was taken over or deleted; this run stops", job_id)
        if name:
            private_storage().delete(name)
        return "overtaken"
    return ReportJob.Status.DONE


def report_job_delete(*, job: ReportJob) -> None:
    """Delete the job and its file (a run still building it stops at its next progress)."""
    name = job.file.name
    job.delete()
    if name:
        private_storage().delete(name)


def report_jobs_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Every few minutes: queue again jobs a dead worker or a lost message left behind, fail
    those that never got done, and delete jobs and files older than ``KEEP_FOR``."""
    from .tasks import report_job_build_task

    now = now or timezone.now()
    counts = {"queued_again": 0, "failed": 0, "deleted": 0}
    stopped = ReportJob.objects.filter(
        status=ReportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER
    )
    for job in stopped.only("pk", "attempts", "language"):
        if job.attempts < MAX_RUNS:
            report_job_build_task.delay(job.pk)
            counts["queued_again"] += 1
        else:
            with translation.override(job.language or None):
                message = _("Preparing this report stopped several times. Prepare it again.")
            counts["failed"] += _fail_left_behind(job.pk, ReportJob.Status.RUNNING, message, now)
    waiting = ReportJob.objects.filter(status=ReportJob.Status.QUEUED).filter(
        Q(updated_at__lt=now - STALE_AFTER)
        | Q(updated_at__isnull=True, created_at__lt=now - STALE_AFTER)
    )
    for job in waiting.only("pk", "created_at", "language"):
        if job.created_at < now - QUEUED_FOR_AT_MOST:
            with translation.override(job.language or None):
                message = _("This report was never started. Prepare it again.")
            counts["failed"] += _fail_left_behind(job.pk, ReportJob.Status.QUEUED, message, now)
        else:
            ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.QUEUED).update(
                updated_at=now
            )
            report_job_build_task.delay(job.pk)
            counts["queued_again"] += 1
    old = ReportJob.objects.filter(
        created_at__lt=now - KEEP_FOR,
        status__in=[ReportJob.Status.DONE, ReportJob.Status.FAILED],
    )
    for job in old.only("pk", "file"):
        report_job_delete(job=job)
        counts["deleted"] += 1
    return counts


def _fail_left_behind(job_id: int, status: str, message: str, now) -> int:
    return ReportJob.objects.filter(pk=job_id, status=status).update(
        status=ReportJob.Status.FAILED, error=message, finished_at=now, updated_at=now
    )
