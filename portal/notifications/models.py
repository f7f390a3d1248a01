"""A person's notifications and their choice of e-mails."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolment in a class")
    CLASS_TOMORROW = "class_tomorrow", _("A class tomorrow")
    EXAM_GRADED = "exam_graded", _("Exam results")
    APPLICATION_DECIDED = "application", _("Decisions on my applications")
    CERTIFICATE_ISSUED = "certificate", _("Certificates issued")
    CERTIFICATE_EXPIRING = "expiry", _("Certificate expiry reminders")
    ANSWERS_TO_GRADE = "grading", _("Written answers waiting for my grade")


class Notification(models.Model):
    """One thing the portal told one person. The words are made when shown, in the reader's
    language, from ``kind`` and ``params``; ``key`` makes telling the same thing twice a no-op."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=100)
    params = models.JSONField(_("details"), default=dict, blank=True)
    path = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user_id} · {self.kind}"


class NotificationSettings(models.Model):
    """Which e-mails (and text messages) a person gets, and the language they are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of e-mails"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    emails_off = models.JSONField(_("e-mails not wanted"), default=list, blank=True)
    # Kinds also sent by SMS, to the phone number a code confirmed (portal/accounts/phone.py):
    # opt-in, unlike e-mail, since a text interrupts.
    texts_on = models.JSONField(_("text messages wanted"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user_id)
