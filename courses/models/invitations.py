"""Invitations to a course that a base sends from a roster file.

A base's staff cannot put another person's account on a roster: they invite an e-mail address,
and the person who holds it accepts (and is enrolled) or lets it lapse. Nothing of that person
reaches the base before they accept.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class EnrolmentInvitation(models.Model):
    """One invitation per course and address; inviting again after it lapsed renews it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"), max_length=254)  # stored lower-cased
    # Who answered: set only when the holder of the address accepts or declines.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="course_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment invitation")
        verbose_name_plural = _("enrolment invitations")
        constraints = [
            models.UniqueConstraint(fields=["course", "email"], name="one_invitation_per_address")
        ]
        indexes = [models.Index(fields=["email", "status"])]

    def __str__(self):
        return f"{self.email} · {self.course_id}"

    def is_open(self, now=None) -> bool:
        """Pending and not yet lapsed."""
        return self.status == self.Status.PENDING and (now or timezone.now()) < self.expires_at
