"""The dashboard's precomputed figures.

The national dashboard must answer in milliseconds whatever the number of certificates and
exam attempts, so it never reads the learning and certification records directly. A refresh
(``services.dashboard_refresh``) asks the other apps, through their ``api.py``, for their
figures grouped by month, province, training base and level, and stores them here; the
dashboard's charts are then small aggregates over these few thousand rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthFigures(models.Model):
    """What happened in one month, for one province, training base and level."""

    month = models.DateField(_("month"))  # its first day
    province = models.CharField(_("province"), max_length=2, blank=True)
    base_id = models.IntegerField(_("training base"), null=True)
    level = models.CharField(_("level"), max_length=40)
    people_certified = models.PositiveIntegerField(default=0)
    certificates_issued = models.PositiveIntegerField(default=0)
    enrolments = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    attempts = models.PositiveIntegerField(default=0)
    passes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("month figures")
        verbose_name_plural = _("month figures")
        indexes = [models.Index(fields=["month"]), models.Index(fields=["base_id", "month"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.province} {self.base_id} {self.level}"


class CurrentFigures(models.Model):
    """The state on the day of the refresh, for one province, training base and level."""

    province = models.CharField(_("province"), max_length=2, blank=True)
    base_id = models.IntegerField(_("training base"), null=True)
    level = models.CharField(_("level"), max_length=40)
    valid_certificates = models.PositiveIntegerField(default=0)
    applications_waiting = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("current figures")
        verbose_name_plural = _("current figures")

    def __str__(self):
        return f"{self.province} {self.base_id} {self.level}"


class Snapshot(models.Model):
    """When the figures were last computed, and what is stored whole: goals, names, labels."""

    refreshed_at = models.DateTimeField(_("refreshed at"))
    as_of = models.DateField(_("as of"))
    seconds = models.FloatField(_("refresh took (seconds)"))
    goals = models.JSONField(default=list)
    bases = models.JSONField(default=dict)  # page id (as text) -> name
    levels = models.JSONField(default=dict)  # level code -> label

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        get_latest_by = "refreshed_at"
        permissions = [("view_national_dashboard", _("Can view the national dashboard"))]

    def __str__(self):
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}"
