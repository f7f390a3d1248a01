"""After issue: revocation, expiry and reminders, continuing education, renewal, filing."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import signals
from certification.access import is_own, may_certify
from certification.applications.models import Application
from certification.applications.services import application_create, application_submit
from certification.audit.chain import audit_append
from certification.credentials.models import StatusList
from certification.credentials.status import status_list_sign
from certification.errors import CertificationError
from certification.files import evidence_check, stored_name
from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.lifecycle.models import ContinuingEducation
from certification.mail import notify


@transaction.atomic
def certificate_revoke(
    *, certificate_id: int, actor, reason: str, code: str = Certificate.RevocationCode.OTHER
) -> Certificate:
    """Revoke with a coded reason and an internal note.

    The public (verify page, API, the holder's mail) reads only the label of ``code``; the
    certifier's ``reason`` is an internal note, shown to certifiers only, since free text can
    hold anything (a person's health, an accusation) that should not be published. The
    status list changes at once.
    """
    reason = (reason or "").strip()
    if code not in Certificate.RevocationCode.values:
        raise CertificationError(_("Choose the reason for revoking from the list."))
    if not reason:
        raise CertificationError(
            _("Write an internal note on why the certificate is revoked; only certifiers read it.")
        )
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("holder")
        .get(pk=certificate_id)
    )
    if not may_certify(actor, certificate.body_id):
        raise CertificationError(_("You do not act for the body that issued this certificate."))
    if is_own(actor, certificate.holder_id):
        raise CertificationError(
            _("You cannot revoke your own certificate. Another certifier of %(body)s must.")
            % {"body": certificate.body_name}
        )
    if certificate.status == Certificate.Status.REVOKED:
        raise CertificationError(_("This certificate is already revoked."))
    if certificate.status == Certificate.Status.PENDING:
        raise CertificationError(_("This certificate is still being issued; try again shortly."))
    status_list = None
    if certificate.status_list_id is not None:  # an imported record has no signed status
        status_list = (
            StatusList.objects.select_for_update(of=("self",))
            .select_related("signing_key", "body")
            .get(pk=certificate.status_list_id)
        )
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_code = code
    certificate.revocation_reason = reason
    certificate.revoked_by = actor
    certificate.save(
        update_fields=["status", "revoked_at", "revocation_code", "revocation_reason", "revoked_by"]
    )
    if status_list is not None:
        status_list_sign(status_list)
    audit_append(
        actor=actor,
        action="certificate.revoked",
        obj=certificate,
        data={"code": code, "reason": reason},
    )
    if certificate.holder is not None:  # nobody has claimed an imported record yet
        notify(
            certificate.holder,
            _("Certificate %(number)s has been revoked") % {"number": certificate.number},
            [_("Reason: %(reason)s") % {"reason": revocation_label(certificate)}],
        )
    return certificate


def revocation_label(certificate: Certificate) -> str:
    """The public reason a revoked certificate gives: its code's label, never the note."""
    code = certificate.revocation_code or Certificate.RevocationCode.OTHER
    return str(Certificate.RevocationCode(code).label)


def certificates_expire_and_remind(*, today: datetime.date | None = None) -> dict[str, int]:
    """Mark lapsed certificates expired; remind holders 60 and 7 days ahead, once each."""
    today = today or timezone.localdate()
    counts = {"expired": 0, "reminded_60": 0, "reminded_7": 0}
    lapsed = Certificate.objects.filter(status=Certificate.Status.VALID, valid_until__lt=today)
    for certificate_id in lapsed.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update(of=("self",)).get(pk=certificate_id)
            if certificate.status != Certificate.Status.VALID:
                continue
            certificate.status = Certificate.Status.EXPIRED
            certificate.save(update_fields=["status"])
            audit_append(actor=None, action="certificate.expired", obj=certificate)
            counts["expired"] += 1
    for days, field in ((60, "reminded_60_at"), (7, "reminded_7_at")):
        due = Certificate.objects.filter(
            status=Certificate.Status.VALID,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days),
            **{f"{field}__isnull": True},
            holder__isnull=False,  # an imported record nobody has claimed has nobody to tell
        ).select_related("holder")
        for certificate in due.iterator():
            with transaction.atomic():
                claimed = Certificate.objects.filter(
                    pk=certificate.pk, **{f"{field}__isnull": True}
                ).update(**{field: timezone.now()})
                if not claimed:
                    continue
                # Told in the holder's language, by the e-mails they chose (portal).
                signals.after_commit(
                    signals.certificate_expiring,
                    user_id=certificate.holder_id,
                    certificate_id=certificate.pk,
                    number=certificate.number,
                    level_name=certificate.level_name,
                    valid_until=certificate.valid_until,
                    days=(certificate.valid_until - today).days,
                )
                counts[f"reminded_{days}"] += 1
    return counts


@transaction.atomic
def continuing_education_report(
    *, holder, body: CertifyingBody, title: str, provider: str, completed_on, hours, upload=None
) -> ContinuingEducation:
    problem = ContinuingEducation.completion_date_problem(completed_on)
    if problem:
        raise CertificationError(problem)
    activity = ContinuingEducation(
        holder=holder,
        body=body,
        title=title.strip(),
        provider=provider.strip(),
        completed_on=completed_on,
        hours=hours,
    )
    if upload is not None:
        content_type = evidence_check(upload)
        upload.seek(0)
        activity.evidence.save(stored_name(content_type), upload, save=False)
    activity.save()
    audit_append(
        actor=holder,
        action="continuing_education.reported",
        obj=activity,
        data={"hours": str(hours)},
    )
    return activity


@transaction.atomic
def continuing_education_review(
    *, activity_id: int, actor, approve: bool, note: str = ""
) -> ContinuingEducation:
    activity = (
        ContinuingEducation.objects.select_for_update(of=("self",))
        .select_related("holder")
        .get(pk=activity_id)
    )
    if not may_certify(actor, activity.body_id):
        raise CertificationError(_("You do not review activities for this body."))
    if is_own(actor, activity.holder_id):
        raise CertificationError(
            _("You cannot review your own continuing education. Another certifier must.")
        )
    if activity.status != ContinuingEducation.Status.PENDING:
        raise CertificationError(_("This activity has already been reviewed."))
    if not approve and not note.strip():
        raise CertificationError(_("Give a reason; the holder will read it."))
    activity.status = (
        ContinuingEducation.Status.APPROVED if approve else ContinuingEducation.Status.REJECTED
    )
    activity.reviewer = actor
    activity.review_note = note.strip()
    activity.reviewed_at = timezone.now()
    activity.save(update_fields=["status", "reviewer", "review_note", "reviewed_at"])
    audit_append(actor=actor, action=f"continuing_education.{activity.status}", obj=activity)
    notify(
        activity.holder,
        _("Continuing-education activity reviewed: %(title)s") % {"title": activity.title},
        [str(activity.get_status_display()), activity.review_note],
    )
    return activity


@transaction.atomic
def renewal_apply(*, certificate_id: int, actor) -> Application:
    """Ask to renew: a submitted application that, once approved, supersedes the old one."""
    certificate = Certificate.objects.select_related("level", "body").get(pk=certificate_id)
    if certificate.holder_id != actor.pk:
        raise CertificationError(_("This is not your certificate."))
    application = application_create(
        applicant=actor,
        level=certificate.level,
        body=certificate.body,
        printed_name=certificate.printed_name,
        renews=certificate,
    )
    if application.renews_id != certificate.pk:
        raise CertificationError(_("You already have an open application for this level."))
    if application.status in Application.AWAITING_DECISION:
        return application
    return application_submit(application_id=application.pk, actor=actor)


@transaction.atomic
def certificates_file(*, certificate_ids, actor, reference: str) -> int:
    """Mark certificates as filed with the national body (统一编号并备案)."""
    from certification.access import is_filing_officer

    if not is_filing_officer(actor):
        raise CertificationError(_("Only the national body files certificates."))
    reference = reference.strip()
    if not reference:
        raise CertificationError(_("Enter the filing reference."))
    certificate_ids = list(certificate_ids)
    own = list(
        Certificate.objects.filter(pk__in=certificate_ids, holder_id=actor.pk)
        .order_by("number")
        .values_list("number", flat=True)
    )
    if own:
        raise CertificationError(
            _(
                "You cannot file your own certificate (%(numbers)s). Leave it out; another "
                "officer of the national body must file it."
            )
            % {"numbers": ", ".join(own)}
        )
    filed = 0
    for certificate in (
        Certificate.objects.select_for_update(of=("self",))
        .filter(pk__in=certificate_ids, filing_status=Certificate.Filing.PENDING)
        .exclude(status=Certificate.Status.PENDING)
    ):
        certificate.filing_status = Certificate.Filing.FILED
        certificate.filed_at = timezone.now()
        certificate.filed_by = actor
        certificate.filing_reference = reference[:60]
        certificate.save(
            update_fields=["filing_status", "filed_at", "filed_by", "filing_reference"]
        )
        audit_append(
            actor=actor, action="certificate.filed", obj=certificate, data={"reference": reference}
        )
        filed += 1
    return filed
