"""Invitations to a course: sent by a base from a roster file, answered by the person invited.

A base's staff never enrol someone else's account directly. They invite an e-mail address; the
account that holds the address (its sign-in address, or another it has verified) accepts, and
is enrolled through ``enrolment_create`` with the seat rules, or declines, or lets it lapse.
Whoever is not the holder gets the same answer as for a token that does not exist.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CoursePage, Enrolment, EnrolmentInvitation
from .models.invitations import new_invitation_token
from .services import LearningError, enrolment_create

INVITATION_DAYS = 30


class InvitationNotFound(LearningError):
    """No invitation with this token is addressed to the signed-in account."""


def addresses_of(user) -> set[str]:
    """The addresses an account holds, lower-cased: its sign-in address and verified ones."""
    if not getattr(user, "is_authenticated", False):
        return set()
    found = {user.email.lower()} if user.email else set()
    found |= {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    return found


def invitations_open_for(*, user, now=None) -> list[EnrolmentInvitation]:
    """The invitations waiting for ``user``'s answer, newest first."""
    addresses = addresses_of(user)
    if not addresses:
        return []
    return list(
        EnrolmentInvitation.objects.filter(
            email__in=addresses,
            status=EnrolmentInvitation.Status.PENDING,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("course")
        .order_by("-created")
    )


def invitation_for(*, user, token) -> EnrolmentInvitation:
    """The invitation behind ``token`` if it is addressed to ``user``; else InvitationNotFound."""
    invitation = None
    if isinstance(token, str) and token:
        invitation = EnrolmentInvitation.objects.select_related("course").filter(token=token)
        invitation = invitation.first()
    if invitation is None or invitation.email not in addresses_of(user):
        raise InvitationNotFound(_("There is no such invitation for your account."))
    return invitation


def _locked_for(*, user, token) -> EnrolmentInvitation:
    invitation = invitation_for(user=user, token=token)
    invitation = EnrolmentInvitation.objects.select_for_update().get(pk=invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, user, token, now=None) -> Enrolment:
    """Enrol ``user`` as the invitation offers. The seat rules of ``enrolment_create`` apply
    (the base's invitation stands in for the enrolment window, as bulk enrolment always did);
    a course that has ended takes nobody. Refused, nothing changes."""
    now = now or timezone.now()
    invitation = _locked_for(user=user, token=token)
    if not invitation.is_open(now):
        raise LearningError(_("This invitation has expired or has already been answered."))
    course = CoursePage.objects.get(pk=invitation.course_id)
    if timezone.localdate(now) > course.end_date:
        raise LearningError(_("This course has ended; the invitation can no longer be accepted."))
    enrolment = enrolment_create(user=user, course=course, source=Enrolment.Source.BULK, now=now)
    invitation.status = EnrolmentInvitation.Status.ACCEPTED
    invitation.user = user
    invitation.answered_at = now
    invitation.save(update_fields=["status", "user", "answered_at"])
    return enrolment


@transaction.atomic
def invitation_decline(*, user, token, now=None) -> EnrolmentInvitation:
    now = now or timezone.now()
    invitation = _locked_for(user=user, token=token)
    if not invitation.is_open(now):
        raise LearningError(_("This invitation has expired or has already been answered."))
    invitation.status = EnrolmentInvitation.Status.DECLINED
    invitation.user = user
    invitation.answered_at = now
    invitation.save(update_fields=["status", "user", "answered_at"])
    return invitation


def invitations_standing(*, course: CoursePage, emails, now=None) -> set[str]:
    """Of ``emails``, those this course has already invited and that still stand: waiting for
    an answer or declined (a declined person is not asked again). Says nothing of accounts."""
    now = now or timezone.now()
    emails = sorted({email for email in emails if email})
    standing: set[str] = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        for email, status, expires_at in EnrolmentInvitation.objects.filter(
            course=course, email__in=chunk
        ).values_list("email", "status", "expires_at"):
            if status == EnrolmentInvitation.Status.DECLINED or (
                status == EnrolmentInvitation.Status.PENDING and expires_at > now
            ):
                standing.add(email)
    return standing


def invitation_send(*, course: CoursePage, email: str, by, now=None) -> EnrolmentInvitation:
    """Create, or renew once lapsed, the invitation of ``email`` to ``course``. Call inside
    the caller's transaction; the caller sends the e-mail."""
    now = now or timezone.now()
    fields = {
        "invited_by": by if getattr(by, "pk", None) else None,
        "status": EnrolmentInvitation.Status.PENDING,
        "created": now,
        "expires_at": now + datetime.timedelta(days=INVITATION_DAYS),
        "user": None,
        "answered_at": None,
    }
    invitation = (
        EnrolmentInvitation.objects.select_for_update().filter(course=course, email=email).first()
    )
    if invitation is None:
        return EnrolmentInvitation.objects.create(course=course, email=email, **fields)
    for name, value in fields.items():
        setattr(invitation, name, value)
    invitation.token = new_invitation_token()  # a lapsed link never comes back to life
    invitation.save()
    return invitation


def invitations_waiting(*, course: CoursePage, now=None) -> int:
    """How many invitations to ``course`` have not been accepted and have not lapsed: a number
    only, so the roster says nothing of who has an account or who said no."""
    now = now or timezone.now()
    return (
        EnrolmentInvitation.objects.filter(course=course, expires_at__gt=now)
        .filter(
            status__in=[EnrolmentInvitation.Status.PENDING, EnrolmentInvitation.Status.DECLINED]
        )
        .count()
    )
