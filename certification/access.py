"""Who may act: a body's certifiers, the national filing officers, and separation of duties.

Nobody decides on their own record, and some levels need two people. The services refuse; this
module answers the questions the services and the certifier's pages both ask: which bodies a
person certifies for, is this the person's own record, who else could decide it, and why a
given person may not approve (or confirm) a given application.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from certification.applications.models import Application
from certification.levels.models import CertifyingBody
from portal.accounts.roles import Role, user_has_role


def is_own(actor, person_id) -> bool:
    """Whether the record belongs to ``actor`` (administrators included: nobody is exempt)."""
    return bool(getattr(actor, "pk", None)) and actor.pk == person_id


def own_application_refusal(application: Application) -> str:
    return _(
        "You cannot decide on your own application. Another certifier of %(body)s must review it."
    ) % {"body": application.body.name}


def other_deciders(*, body_id: int, excluding=()) -> list:
    """Active people other than ``excluding`` who may decide for the body: its certifiers (who
    hold the Certifier role) and administrators (the role, or superusers)."""
    users = get_user_model().objects.filter(is_active=True).exclude(pk__in=list(excluding))
    return list(
        users.filter(
            Q(certifying_bodies__pk=body_id, groups__name=Role.CERTIFIER)
            | Q(groups__name=Role.ADMINISTRATOR)
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("pk")
    )


def needs_two(application: Application) -> bool:
    return (application.level.approvers_required or 1) >= 2


def approval_refusal(application: Application, actor) -> str:
    """Why ``actor`` may not approve (or confirm) the application now; "" if they may, as far
    as separation of duties goes (the body, the status and the requirements are the services'
    to check)."""
    if is_own(actor, application.applicant_id):
        return own_application_refusal(application)
    if (
        needs_two(application)
        and application.status == Application.Status.AWAITING_CONFIRMATION
        and is_own(actor, application.first_approved_by_id)
    ):
        return _(
            "You gave the first approval. A different certifier of %(body)s must confirm it."
        ) % {"body": application.body.name}
    return ""


def certifier_body_ids(user) -> set[int] | None:
    """The bodies a certifier works for; None means every body (administrators)."""
    if not user.is_authenticated:
        return set()
    if user_has_role(user, Role.ADMINISTRATOR):
        return None
    if not user_has_role(user, Role.CERTIFIER):
        return set()
    return set(CertifyingBody.objects.filter(certifiers=user).values_list("pk", flat=True))


def may_certify(user, body_id: int) -> bool:
    allowed = certifier_body_ids(user)
    return allowed is None or body_id in allowed


def is_filing_officer(user) -> bool:
    """Certifiers of the national body file intermediate and senior certificates."""
    allowed = certifier_body_ids(user)
    if allowed is None:
        return True
    return CertifyingBody.objects.filter(pk__in=allowed, kind=CertifyingBody.Kind.NATIONAL).exists()
