"""Writes for applications to become a training base: submit, resubmit after a return,
comment, and decide. Approval builds the base through ``cms.api`` (page, sections, editors
group, collection: what publishing a base by hand does) and makes the applicant its first
editor. Every step is recorded on the application and in the audit log."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import certification.api
import cms.api
from portal.accounts.roles import Role, user_has_role

from ..accreditation import accreditation_start
from ..files import files_check, files_store
from ..models import BaseApplication, BaseApplicationEvent, BaseApplicationFile
from . import mail

MAX_FILES = 10

# What the applicant fills in; the form checks each field, the service keeps them.
FIELDS = [
    "institution",
    "short_code",
    "province",
    "city",
    "accreditation",
    "levels",
    "profile",
    "facilities",
    "faculty",
    "contact_name",
    "contact_phone",
    "contact_email",
    "website",
]


class Decision:
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    ALL = (APPROVE, RETURN, REJECT)


def _audit(actor, action, application, **data):
    certification.api.audit_record(
        actor=actor,
        action=action,
        obj=application,
        data={"institution": application.institution, **data},
    )


@transaction.atomic
def application_submit(*, applicant, data: dict, uploads: list) -> BaseApplication:
    """A new application with its sample materials (at least one). Files are checked before
    anything is written; a bad file keeps nothing."""
    if not applicant.is_authenticated:
        raise PermissionDenied
    open_statuses = [BaseApplication.Status.SUBMITTED, BaseApplication.Status.RETURNED]
    if BaseApplication.objects.filter(applicant=applicant, status__in=open_statuses).exists():
        raise ValidationError(
            _("You already have an application under review; follow it up on its page.")
        )
    if not uploads:
        raise ValidationError({"files": _("Attach at least one sample of your materials.")})
    checked = files_check(uploads, limit=MAX_FILES)
    application = BaseApplication.objects.create(
        applicant=applicant,
        submitted_at=timezone.now(),
        status=BaseApplication.Status.SUBMITTED,
        **{field: data[field] for field in FIELDS},
    )
    files_store(BaseApplicationFile, checked, application=application)
    BaseApplicationEvent.objects.create(
        application=application, kind=BaseApplicationEvent.Kind.SUBMITTED, author=applicant
    )
    _audit(applicant, "base_application.submitted", application, files=len(checked))
    return application


@transaction.atomic
def application_resubmit(
    *, application_id: int, applicant, data: dict, uploads: list, note: str = ""
) -> BaseApplication:
    """The applicant's changes after the administrators returned the application."""
    application = BaseApplication.objects.select_for_update().get(pk=application_id)
    if application.applicant_id != applicant.pk:
        raise PermissionDenied
    if not application.editable:
        raise ValidationError(_("This application is not waiting for your changes."))
    checked = files_check(uploads, already=application.files.count(), limit=MAX_FILES)
    for field in FIELDS:
        setattr(application, field, data[field])
    application.status = BaseApplication.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    files_store(BaseApplicationFile, checked, application=application)
    BaseApplicationEvent.objects.create(
        application=application,
        kind=BaseApplicationEvent.Kind.SUBMITTED,
        author=applicant,
        comment=note.strip(),
    )
    _audit(applicant, "base_application.resubmitted", application, files=len(checked))
    return application


def _reviewer_check(application: BaseApplication, actor) -> None:
    if not user_has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied
    if application.applicant_id == actor.pk:
        raise ValidationError(_("You cannot review your own application."))


@transaction.atomic
def application_comment(*, application_id: int, actor, comment: str) -> BaseApplicationEvent:
    """A reviewer's note on the application, without a decision (seen by the applicant)."""
    application = BaseApplication.objects.select_for_update().get(pk=application_id)
    _reviewer_check(application, actor)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Write the comment first.")})
    event = BaseApplicationEvent.objects.create(
        application=application,
        kind=BaseApplicationEvent.Kind.COMMENT,
        author=actor,
        comment=comment,
    )
    _audit(actor, "base_application.commented", application)
    return event


@transaction.atomic
def application_decide(
    *, application_id: int, actor, decision: str, comment: str, short_code: str = ""
) -> BaseApplication:
    """Approve, return for changes, or reject a submitted application.

    Nobody decides their own application; only a submitted one can be decided; returning and
    rejecting need a comment saying why. Approval creates the base with ``short_code`` (the
    applicant's proposal unless the reviewer changed it), its sections, editors group and
    collection, starts its accreditation period, makes the applicant its first editor and
    e-mails them the way into the admin."""
    application = BaseApplication.objects.select_for_update().get(pk=application_id)
    _reviewer_check(application, actor)
    if decision not in Decision.ALL:
        raise ValidationError({"decision": _("Choose approve, return for changes or reject.")})
    if application.status != BaseApplication.Status.SUBMITTED:
        raise ValidationError(
            _("This application is %(status)s; only a submitted one can be decided.")
            % {"status": application.get_status_display()}
        )
    comment = comment.strip()
    if decision != Decision.APPROVE and not comment:
        raise ValidationError({"comment": _("Say what must change, or why, in the comment.")})
    now = timezone.now()
    kind = {
        Decision.APPROVE: BaseApplicationEvent.Kind.APPROVED,
        Decision.RETURN: BaseApplicationEvent.Kind.RETURNED,
        Decision.REJECT: BaseApplicationEvent.Kind.REJECTED,
    }[decision]
    if decision == Decision.APPROVE:
        _approve(application, actor=actor, short_code=short_code or application.short_code)
    else:
        application.status = (
            BaseApplication.Status.RETURNED
            if decision == Decision.RETURN
            else BaseApplication.Status.REJECTED
        )
    if application.decided:
        application.decided_at = now
        application.decided_by = actor
    application.save()
    BaseApplicationEvent.objects.create(
        application=application, kind=kind, author=actor, comment=comment
    )
    mail.decision_mail(application=application, decision=decision, comment=comment)
    _audit(
        actor,
        f"base_application.{kind}",
        application,
        base=application.base_id,
        comment=comment,
    )
    return application


def _approve(application: BaseApplication, *, actor, short_code: str) -> None:
    today = timezone.localdate()
    try:
        with transaction.atomic():
            base = cms.api.training_base_create(
                title=application.institution,
                short_code=short_code.strip().upper(),
                province=application.province,
                city=application.city,
                accreditation=application.accreditation,
                accredited_year=today.year,
                summary=application.profile[:300],
                contact_person=application.contact_name,
                contact_phone=application.contact_phone,
                contact_email=application.contact_email,
                website=application.website,
            )
    except ValidationError as refused:
        messages = refused.message_dict if hasattr(refused, "error_dict") else {}
        problem = messages.get("short_code") or messages.get("slug") or refused.messages
        raise ValidationError({"short_code": " ".join(problem)}) from refused
    cms.api.training_base_editor_add(page_id=base.page_id, user=application.applicant)
    editor_role, _created = Group.objects.get_or_create(name=Role.BASE_EDITOR)
    application.applicant.groups.add(editor_role)
    application.base_id = base.page_id
    application.status = BaseApplication.Status.APPROVED
    accreditation_start(base_id=base.page_id, today=today)
