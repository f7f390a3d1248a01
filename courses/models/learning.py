"""Learning records: who is enrolled where, which lessons are credited, who attended."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.taxonomy import ModuleCategory


class Enrolment(models.Model):
    """A person's place in a course. Withdrawing frees the seat; the record stays."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("enrolled")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("signed up themselves")
        BULK = "bulk", _("enrolled by the base")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.SELF
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_course")
        ]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self):
        return f"{self.user} · {self.course}"

    @property
    def holds_a_seat(self) -> bool:
        return self.status != self.Status.WITHDRAWN


class LessonCredit(models.Model):
    """Hours credited for one lesson, with the module category they count towards.

    Hours and category are copied at crediting, so later edits to a lesson never change a
    record already earned.
    """

    class Method(models.TextChoices):
        ONLINE = "online", _("completed online")
        ATTENDANCE = "attendance", _("attended in person")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="credits")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    category = models.CharField(_("module category"), max_length=20, choices=ModuleCategory.choices)
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    credited_at = models.DateTimeField(_("credited at"), auto_now_add=True)
    credited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The evidence of an online credit, copied from the tracked activity at crediting (empty
    # for attendance credits, whose evidence is the attendance mark).
    active_seconds = models.PositiveIntegerField(_("active seconds"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson credit")
        verbose_name_plural = _("lesson credits")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_credit_per_lesson")
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson_id} · {self.hours}"


class LessonActivity(models.Model):
    """Time a trainee spent active on an online lesson's page, added up by the server from the
    page's heartbeats, and the parts of the lesson's video they played.

    ``user`` and ``course`` are copied from the enrolment so that a heartbeat finds its row
    with one indexed query and no walk of the page tree.
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="activity")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+")
    active_seconds = models.PositiveIntegerField(_("active seconds"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    last_beat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # Played parts of the video, merged: [[start, end], ...] in seconds, sorted, disjoint.
    video_segments = models.JSONField(_("video played"), default=list, blank=True)
    video_watched_seconds = models.PositiveIntegerField(_("video watched (seconds)"), default=0)

    class Meta:
        verbose_name = _("lesson activity")
        verbose_name_plural = _("lesson activity")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_activity_per_lesson")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.lesson_id} · {self.active_seconds} s"


class AttendanceMark(models.Model):
    """Whether an enrolled person was at an in-person session: checked in with the session's
    rotating code, or marked by the base's staff on the attendance sheet."""

    class Source(models.TextChoices):
        CHECK_IN = "check_in", _("checked in")
        STAFF = "staff", _("marked by staff")

    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)
    source = models.CharField(_("how"), max_length=10, choices=Source.choices, default=Source.STAFF)
    reason = models.TextField(
        _("reason for the correction"), blank=True, help_text=_("Given when a mark is changed.")
    )

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "enrolment"], name="one_mark_per_session")
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson_id} · {'present' if self.present else 'absent'}"
