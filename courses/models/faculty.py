"""Who teaches: a faculty page linked to its person's account, and a base's invitation to a
teacher of another base to teach one of its classes.

Neither is a page field: publishing an older revision of a faculty page or a class never
unlinks a teacher or takes back an invitation's answer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FacultyAccountLink(models.Model):
    """A faculty member page linked to the account of the person it describes.

    An editor of the page's base proposes the account; only the account's holder accepts, so
    nobody links (or claims) another person's page. One page per person, one person per page.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the teacher's answer")
        ACCEPTED = "accepted", _("linked")
        DECLINED = "declined", _("declined")
        ENDED = "ended", pgettext_lazy("faculty link status", "ended")

    page = models.ForeignKey(
        "cms.FacultyMemberPage",
        verbose_name=_("faculty page"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="faculty_links",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # A teacher who leaves the base, or unlinks their own account: the page stands alone again
    # and can be linked anew; the teaching done while linked stays on the page's record.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The holder's own choice: list the certificates in force that the portal issued them on
    # the public faculty pool (their certificates are theirs to show).
    show_certificates = models.BooleanField(
        _("show my portal certificates on the faculty pool"), default=False
    )

    class Meta:
        verbose_name = _("faculty account link")
        verbose_name_plural = _("faculty account links")
        constraints = [
            models.UniqueConstraint(
                fields=["page"], condition=Q(status="accepted"), name="one_account_per_faculty_page"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="accepted"), name="one_faculty_page_per_account"
            ),
            models.UniqueConstraint(
                fields=["page", "user"],
                condition=Q(status="pending"),
                name="one_pending_link_per_page_and_account",
            ),
        ]

    def __str__(self):
        return f"{self.page_id} · {self.user_id} · {self.status}"


class TeachingInvitation(models.Model):
    """A base asks a teacher of another base to teach one of its classes.

    Accepting gives exactly that class's teaching rights (its attendance sheets and the grading
    of its exams) and nothing else of the inviting base. The inviting base may withdraw it,
    answered or not, which ends those rights.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("invitation status", "withdrawn")

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="teaching_invitations",
    )
    faculty_page = models.ForeignKey(
        "cms.FacultyMemberPage",
        verbose_name=_("faculty member"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The account linked to the faculty page when the invitation was sent: only they answer.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="teaching_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("teaching invitation")
        verbose_name_plural = _("teaching invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_open_teaching_invitation_per_class",
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="courses_teachinv_user_status")]

    def __str__(self):
        return f"{self.course_id} · {self.user_id} · {self.status}"
