"""One requested report: who asked for what, how far the background work has got, and the file
it produced."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.storage import private_storage


class ReportJob(models.Model):
    """A report someone asked for, built by ``tasks.report_job_build_task``.

    The task claims the job (``run_token``), writes its progress every few hundred rows in its
    own short transactions, stores the XLSX under ``reports/`` in the default storage, and ends
    ``done`` or ``failed``; a job is never left ``running`` by an error. Jobs and their files
    are deleted after ``services.KEEP_FOR``.
    """

    class Kind(models.TextChoices):
        CERTIFICATES = "certificates", _("Certificates issued, by body, level and province")
        FILING = "filing", _("Filing report of intermediate and senior certificates")
        TRAINING = "training", _("Training delivered per training base")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("report status", "waiting")
        RUNNING = "running", pgettext_lazy("report status", "being prepared")
        DONE = "done", pgettext_lazy("report status", "ready")
        FAILED = "failed", pgettext_lazy("report status", "failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    # The form's cleaned values as text: {"date_from": "2025-01-01", "date_to": ..., "body": 3}.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # The language the person asked in: the sheet's headers and labels are written in it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("rows written"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in all"), default=0)
    file = models.FileField(
        _("file"), upload_to="reports/", storage=private_storage, max_length=200, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moved on at every progress write: a running job that stops moving lost its worker.
    updated_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-pk"]
        permissions = [("prepare_reports", "Can prepare reports for the authorities")]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
