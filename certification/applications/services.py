"""Applications: creating, evidence, submitting, withdrawing, and the certifier's review up to
the decision.

Every state change is one transaction that locks the row it changes and writes an audit
entry, so a double click or two certifiers at once cannot change a record twice.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import signals
from certification.access import (
    is_own,
    may_certify,
    needs_two,
    other_deciders,
    own_application_refusal,
)
from certification.applications.checklist import checklist, unmet
from certification.applications.identity import identity_check_clear, identity_check_record
from certification.applications.models import Application, Evidence
from certification.audit.chain import audit_append
from certification.errors import CertificationError
from certification.files import evidence_check, stored_name
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel, CertifyingBody
from certification.links import absolute_url
from certification.mail import message, notify
from portal.accounts.mail import mail_queue_many
from portal.accounts.names import name_clean
from portal.accounts.storage import private_storage


def printed_name_clean(value: str) -> str:
    """The name to print, held to the one rule for names (portal/accounts/names.py), whoever
    calls: the form, a hand-made POST or a script. CertificationError says why not."""
    try:
        name = name_clean(value or "")
    except ValidationError as error:
        raise CertificationError(" ".join(error.messages)) from error
    if not name:
        raise CertificationError(_("Enter the name to print on the certificate."))
    if len(name) > 60:
        raise CertificationError(
            _("The name to print can have at most %(max)d characters.") % {"max": 60}
        )
    return name


def _default_printed_name(applicant) -> str:
    """The account's name when it passes the rule for names; otherwise nothing, and the
    applicant types the name to print before submitting."""
    try:
        return printed_name_clean(applicant.real_name)
    except CertificationError:
        return ""


def locked_application(application_id: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("level", "body", "applicant", "renews")
        .get(pk=application_id)
    )


@transaction.atomic
def application_create(
    *,
    applicant,
    level: CertificationLevel,
    body: CertifyingBody,
    printed_name: str = "",
    course=None,
    renews: Certificate | None = None,
) -> Application:
    """Start a draft, or return the person's open application for the level."""
    if not body.is_active or not body.levels.filter(pk=level.pk).exists():
        raise CertificationError(
            _("%(body)s does not award %(level)s.") % {"body": body.name, "level": level.name}
        )
    existing = (
        Application.objects.select_for_update(of=("self",))
        .filter(applicant=applicant, level=level, status__in=Application.OPEN)
        .first()
    )
    if existing:
        return existing
    printed_name = (
        printed_name_clean(printed_name) if printed_name else _default_printed_name(applicant)
    )
    if renews is None and course is None:
        course = _qualifying_course(applicant_id=applicant.pk, level=level)
    application = Application.objects.create(
        applicant=applicant,
        level=level,
        body=body,
        printed_name=printed_name,
        course_id=course,
        renews=renews,
    )
    audit_append(actor=applicant, action="application.created", obj=application)
    return application


def _qualifying_course(*, applicant_id: int, level: CertificationLevel) -> int | None:
    """The most recent class of the level the person completed, to group a class's papers."""
    from courses import api as courses_api

    for completion in courses_api.course_completions(user_id=applicant_id):
        if not level.course_level_id or completion.level == level.course_level_id:
            return completion.course_id
    return None


@transaction.atomic
def application_update(
    *, application_id: int, actor, printed_name: str, experience_years, experience_note: str
) -> Application:
    application = locked_application(application_id)
    if application.applicant_id != actor.pk or not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
    application.printed_name = printed_name_clean(printed_name)
    application.experience_years = Decimal(experience_years or 0)
    application.experience_note = experience_note
    application.save(update_fields=["printed_name", "experience_years", "experience_note"])
    return application


@transaction.atomic
def evidence_add(*, application_id: int, actor, kind: str, upload) -> Evidence:
    """Attach a checked file (picture or PDF) to an application its owner may still edit."""
    application = locked_application(application_id)
    if application.applicant_id != actor.pk or not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
    if kind not in Evidence.Kind.values:
        raise CertificationError(_("Choose what kind of evidence this is."))
    content_type = evidence_check(upload)
    evidence = Evidence(
        application=application,
        kind=kind,
        original_name=(upload.name or "upload")[-200:],
        content_type=content_type,
        size=upload.size,
    )
    upload.seek(0)
    evidence.file.save(stored_name(content_type), upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence_id: int, actor) -> None:
    evidence = Evidence.objects.select_related("application").filter(pk=evidence_id).first()
    if evidence is None:  # a second click, or another tab, removed it first
        raise CertificationError(_("That file was not found. It may have been removed already."))
    application = locked_application(evidence.application_id)
    if application.applicant_id != actor.pk or not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
    name = evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: private_storage().delete(name))


@transaction.atomic
def application_submit(*, application_id: int, actor) -> Application:
    """Hand the application to the body, if every requirement is met today."""
    application = locked_application(application_id)
    if application.applicant_id != actor.pk:
        raise CertificationError(_("This is not your application."))
    if application.status in Application.AWAITING_DECISION:
        raise CertificationError(_("This application has already been submitted."))
    if not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
    # A name saved before the rule for names, or left empty, is refused here, not printed.
    printed_name_clean(application.printed_name)
    result = checklist(user_id=actor.pk, level=application.level, application=application)
    if not result.met:
        missing = "; ".join(item.label for item in result.missing)
        raise CertificationError(
            _("Not yet eligible. Still missing: %(missing)s.") % {"missing": missing}
        )
    previous = application.status
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.checklist = result.as_json()
    application.save(update_fields=["status", "submitted_at", "checklist"])
    audit_append(
        actor=actor, action="application.submitted", obj=application, data={"from": previous}
    )
    notify(
        actor,
        _("Application received: %(level)s") % {"level": application.level.name},
        [
            _(
                "%(body)s has received your application for %(level)s. You will hear from us "
                "when it has been reviewed."
            )
            % {"body": application.body.name, "level": application.level.name}
        ],
    )
    return application


@transaction.atomic
def application_withdraw(*, application_id: int, actor) -> Application:
    application = locked_application(application_id)
    if application.applicant_id != actor.pk:
        raise CertificationError(_("This is not your application."))
    if application.status not in (*Application.EDITABLE, *Application.AWAITING_DECISION):
        raise CertificationError(_("This application can no longer be withdrawn."))
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status"])
    audit_append(actor=actor, action="application.withdrawn", obj=application)
    notify(
        actor,
        _("Application withdrawn: %(level)s") % {"level": application.level.name},
        [_("You withdrew your application. You can apply again at any time.")],
    )
    return application


def decidable(application_id: int, actor) -> Application:
    application = locked_application(application_id)
    if not may_certify(actor, application.body_id):
        raise CertificationError(_("You do not review applications for this body."))
    if is_own(actor, application.applicant_id):
        raise CertificationError(own_application_refusal(application))
    if application.status in (Application.Status.APPROVED, Application.Status.ISSUED):
        raise CertificationError(
            _("This application was already approved on %(date)s.")
            % {"date": timezone.localtime(application.decided_at).strftime("%Y-%m-%d %H:%M")}
        )
    if application.status not in Application.AWAITING_DECISION:
        raise CertificationError(
            _("This application is %(status)s; there is nothing to decide.")
            % {"status": application.get_status_display()}
        )
    return application


@transaction.atomic
def review_start(*, application_id: int, actor) -> Application:
    application = decidable(application_id, actor)
    if application.status != Application.Status.SUBMITTED:  # under review, or first-approved
        return application
    application.status = Application.Status.UNDER_REVIEW
    application.reviewer = actor
    application.save(update_fields=["status", "reviewer"])
    audit_append(actor=actor, action="application.review_started", obj=application)
    notify(
        application.applicant,
        _("Your application is being reviewed"),
        [
            _("A reviewer at %(body)s has started on your application for %(level)s.")
            % {"body": application.body.name, "level": application.level.name}
        ],
    )
    return application


@transaction.atomic
def application_decline(*, application_id: int, actor, reason: str, final: bool) -> Application:
    """Return the application for changes, or (``final``) reject it. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError(_("Give a reason; the applicant will read it."))
    application = decidable(application_id, actor)
    data = {"reason": reason}
    if application.status == Application.Status.AWAITING_CONFIRMATION:
        # The second certifier does not confirm: the first approval lapses with the decision.
        data["first_approval"] = person_label(application.first_approved_by)
    application.status = Application.Status.REJECTED if final else Application.Status.RETURNED
    application.decision_reason = reason
    application.reviewer = actor
    application.decided_at = timezone.now()
    application.first_approved_by = None
    application.first_approved_at = None
    identity_check_clear(application)  # checked again when it comes back
    application.save(
        update_fields=[
            "status",
            "decision_reason",
            "reviewer",
            "decided_at",
            "first_approved_by",
            "first_approved_at",
            "identity_checked_by",
            "identity_checked_at",
        ]
    )
    action = "application.rejected" if final else "application.returned"
    audit_append(actor=actor, action=action, obj=application, data=data)
    # The applicant hears of it in their own language, by the e-mails they chose (portal).
    signals.after_commit(
        signals.application_decided,
        user_id=application.applicant_id,
        application_id=application.pk,
        outcome=application.status,
        level_name=str(application.level.name),
        reason=reason,
    )
    return application


def person_label(user) -> str:
    if user is None:
        return ""
    return user.real_name or user.email


@transaction.atomic
def application_approve_first(
    *, application_id: int, actor, recheck: bool = True, identity_checked: bool = False
) -> Application:
    """The first of two approvals, for a level that asks for two: recorded, audited, and the
    body's other certifiers told; the certificate waits for a different certifier's
    confirmation (``application_approve``). The applicant can be neither. A level that
    requires an identity check needs ``identity_checked`` (see ``identity_check_record``)."""
    application = decidable(application_id, actor)
    level, body = application.level, application.body
    if not needs_two(application):
        raise CertificationError(
            _("%(level)s is approved by one certifier; approve and issue it.")
            % {"level": level.name}
        )
    if application.status == Application.Status.AWAITING_CONFIRMATION:
        raise CertificationError(
            _(
                "%(name)s already gave the first approval on %(date)s; a certifier other than "
                "them confirms it."
            )
            % {
                "name": person_label(application.first_approved_by),
                "date": timezone.localtime(application.first_approved_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            }
        )
    result = checklist(user_id=application.applicant_id, level=level, application=application)
    if recheck and not result.met:
        raise CertificationError(unmet(result))
    identity_check_record(application, actor, identity_checked=identity_checked)
    application.status = Application.Status.AWAITING_CONFIRMATION
    application.reviewer = actor
    application.first_approved_by = actor
    application.first_approved_at = timezone.now()
    application.save(update_fields=["status", "reviewer", "first_approved_by", "first_approved_at"])
    audit_append(actor=actor, action="application.first_approved", obj=application)
    others = other_deciders(body_id=body.pk, excluding=[actor.pk, application.applicant_id])
    # The body's own certifiers are asked first; administrators only when it has no other.
    certifiers = [person for person in others if body.certifiers.filter(pk=person.pk).exists()]
    url = absolute_url(reverse("certify_application", args=[application.pk]))
    mail_queue_many(
        [
            message(
                person,
                _("A second approval is needed: %(level)s") % {"level": level.name},
                [
                    _(
                        "%(first)s has approved %(name)s's application for %(level)s. A "
                        "certificate of this level is issued only when a second certifier of "
                        "%(body)s confirms it."
                    )
                    % {
                        "first": person_label(actor),
                        "name": application.printed_name,
                        "level": level.name,
                        "body": body.name,
                    },
                    _("Review it here: %(url)s") % {"url": url},
                ],
            )
            for person in (certifiers or others)
        ]
    )
    return application


def eligibility_announce(*, user_id: int, course_level: str) -> int:
    """After an exam pass, tell the person about each level they now fully meet."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    told = 0
    for level in CertificationLevel.objects.filter(course_level=course_level):
        if (
            Application.objects.filter(applicant_id=user_id, level=level)
            .exclude(status__in=[Application.Status.WITHDRAWN, Application.Status.REJECTED])
            .exists()
        ):
            continue
        if not checklist(user_id=user_id, level=level).met:
            continue
        notify(
            user,
            _("You can now apply for %(level)s") % {"level": level.name},
            [
                _("You meet every requirement for %(level)s. Apply from My certificates: %(url)s")
                % {"level": level.name, "url": absolute_url(reverse("application_new"))}
            ],
        )
        told += 1
    return told
