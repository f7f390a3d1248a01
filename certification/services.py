"""Writes to certification records: applications, issuing, revocation, renewal, filing.

Every state change is one transaction that locks the row it changes, writes an audit entry
and queues the e-mail, so a double click or two certifiers at once cannot change a record
twice. The slow work (PDF, signed credential) runs in ``certificate_complete``, which Celery
calls and which is safe to run any number of times.
"""

import contextlib
import datetime
import hashlib
import logging
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.mail import mail_queue, mail_queue_many

from certification import duties, keys, page_cache, signals
from certification.credentials import vc
from certification.errors import CertificationError
from certification.models import (
    Application,
    AuditEntry,
    AuditHead,
    BulkIssue,
    BulkIssueItem,
    Certificate,
    CertificationLevel,
    CertifyingBody,
    ContinuingEducation,
    Evidence,
    NumberSequence,
    SigningKey,
    StatusList,
)
from certification.pdf import CertificatePrint, certificate_pdf, photo_for_print
from certification.selectors import add_months, checklist, checklists, may_certify
from certification.statement import certificate_statement, criteria_narrative, requirements_snapshot
from certification.uploads import evidence_check, stored_name

logger = logging.getLogger(__name__)


# -- audit -----------------------------------------------------------------------------------


def audit_append(*, actor, action: str, obj, data: dict | None = None) -> AuditEntry:
    """Append to the hash chain. Must run inside the transaction making the change."""
    return audit_append_many(actor=actor, entries=[(action, obj, data)])[0]


def audit_append_many(
    *, actor, entries: list[tuple[str, object, dict | None]], public: bool = True
) -> list:
    """Append ``(action, obj, data)`` entries in order, with one lock of the chain's head.

    Must run inside the transaction making the change; the head stays locked until it
    commits, so call it last. ``public=False`` is for entries no public page or certification
    figure shows (learning records: hours, attendance, grades): they are chained like any
    other, but the public pages' cache and the dashboard's figures are left alone."""
    try:
        head = AuditHead.objects.select_for_update(of=("self",)).get(pk=1)
    except AuditHead.DoesNotExist:
        AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update(of=("self",)).get(pk=1)
    at = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    actor_label = getattr(actor, "email", "") or "system"
    rows, previous = [], head.last_hash
    for action, obj, data in entries:
        entry = AuditEntry(
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=str(obj.pk),
            data=data or {},
            previous_hash=previous,
        )
        entry.hash = previous = entry.compute_hash()
        rows.append(entry)
    AuditEntry.objects.bulk_create(rows)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])
    if not public:
        return rows
    # Everything the dashboard counts (applications submitted or decided, certificates issued,
    # revoked, expired, renewed) passes through the audit log.
    signals.figures_changed_notify(rows[-1].action if rows else "")
    transaction.on_commit(page_cache.public_changed)  # public pages show it at once
    return rows


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _message(user, subject: str, lines: list[str]) -> dict:
    greeting = _("Dear %(name)s,") % {"name": user.real_name or user.email}
    return {"to": user.email, "subject": subject, "body_text": "\n\n".join([greeting, *lines])}


def _notify(user, subject: str, lines: list[str]) -> None:
    mail_queue(**_message(user, subject, lines))


# -- applications ----------------------------------------------------------------------------


def _locked_application(application_id: int) -> Application:
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
    if renews is None and course is None:
        course = _qualifying_course(applicant_id=applicant.pk, level=level)
    application = Application.objects.create(
        applicant=applicant,
        level=level,
        body=body,
        printed_name=(printed_name or applicant.real_name or "").strip()[:60],
        course_id=course,
        renews=renews,
    )
    audit_append(actor=applicant, action="application.created", obj=application)
    return application


def _qualifying_course(*, applicant_id: int, level: CertificationLevel) -> int | None:
    """The most recent class of the level the person completed, to group a class's papers."""
    from courses import api as courses_api

    for completion in courses_api.course_completions(user_id=applicant_id):
        if not level.course_level or completion.level == level.course_level:
            return completion.course_id
    return None


@transaction.atomic
def application_update(
    *, application_id: int, actor, printed_name: str, experience_years, experience_note: str
) -> Application:
    application = _locked_application(application_id)
    if application.applicant_id != actor.pk or not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
    printed_name = printed_name.strip()
    if not printed_name:
        raise CertificationError(_("Enter the name to print on the certificate."))
    application.printed_name = printed_name[:60]
    application.experience_years = Decimal(experience_years or 0)
    application.experience_note = experience_note
    application.save(update_fields=["printed_name", "experience_years", "experience_note"])
    return application


@transaction.atomic
def evidence_add(*, application_id: int, actor, kind: str, upload) -> Evidence:
    """Attach a checked file (picture or PDF) to an application its owner may still edit."""
    application = _locked_application(application_id)
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
    application = _locked_application(evidence.application_id)
    if application.applicant_id != actor.pk or not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
    name = evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def application_submit(*, application_id: int, actor) -> Application:
    """Hand the application to the body, if every requirement is met today."""
    application = _locked_application(application_id)
    if application.applicant_id != actor.pk:
        raise CertificationError(_("This is not your application."))
    if application.status in Application.AWAITING_DECISION:
        raise CertificationError(_("This application has already been submitted."))
    if not application.is_editable:
        raise CertificationError(_("This application can no longer be changed."))
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
    _notify(
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
    application = _locked_application(application_id)
    if application.applicant_id != actor.pk:
        raise CertificationError(_("This is not your application."))
    if application.status not in (*Application.EDITABLE, *Application.AWAITING_DECISION):
        raise CertificationError(_("This application can no longer be withdrawn."))
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status"])
    audit_append(actor=actor, action="application.withdrawn", obj=application)
    _notify(
        actor,
        _("Application withdrawn: %(level)s") % {"level": application.level.name},
        [_("You withdrew your application. You can apply again at any time.")],
    )
    return application


def _decidable(application_id: int, actor) -> Application:
    application = _locked_application(application_id)
    if not may_certify(actor, application.body_id):
        raise CertificationError(_("You do not review applications for this body."))
    if duties.is_own(actor, application.applicant_id):
        raise CertificationError(duties.own_application_refusal(application))
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
    application = _decidable(application_id, actor)
    if application.status != Application.Status.SUBMITTED:  # under review, or first-approved
        return application
    application.status = Application.Status.UNDER_REVIEW
    application.reviewer = actor
    application.save(update_fields=["status", "reviewer"])
    audit_append(actor=actor, action="application.review_started", obj=application)
    _notify(
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
    application = _decidable(application_id, actor)
    data = {"reason": reason}
    if application.status == Application.Status.AWAITING_CONFIRMATION:
        # The second certifier does not confirm: the first approval lapses with the decision.
        data["first_approval"] = _person_label(application.first_approved_by)
    application.status = Application.Status.REJECTED if final else Application.Status.RETURNED
    application.decision_reason = reason
    application.reviewer = actor
    application.decided_at = timezone.now()
    application.first_approved_by = None
    application.first_approved_at = None
    application.save(
        update_fields=[
            "status",
            "decision_reason",
            "reviewer",
            "decided_at",
            "first_approved_by",
            "first_approved_at",
        ]
    )
    action = "application.rejected" if final else "application.returned"
    audit_append(actor=actor, action=action, obj=application, data=data)
    if final:
        subject = _("Application not approved: %(level)s") % {"level": application.level.name}
        lines = [_("Reason: %(reason)s") % {"reason": reason}]
    else:
        subject = _("Changes needed: %(level)s") % {"level": application.level.name}
        lines = [
            _("Please change your application and submit it again."),
            _("Reviewer's note: %(reason)s") % {"reason": reason},
        ]
    _notify(application.applicant, subject, lines)
    return application


def _person_label(user) -> str:
    if user is None:
        return ""
    return user.real_name or user.email


@transaction.atomic
def application_approve_first(*, application_id: int, actor, recheck: bool = True) -> Application:
    """The first of two approvals, for a level that asks for two: recorded, audited, and the
    body's other certifiers told; the certificate waits for a different certifier's
    confirmation (``application_approve``). The applicant can be neither."""
    application = _decidable(application_id, actor)
    level, body = application.level, application.body
    if not duties.needs_two(application):
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
                "name": _person_label(application.first_approved_by),
                "date": timezone.localtime(application.first_approved_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            }
        )
    result = checklist(user_id=application.applicant_id, level=level, application=application)
    if recheck and not result.met:
        raise CertificationError(_unmet(result))
    application.status = Application.Status.AWAITING_CONFIRMATION
    application.reviewer = actor
    application.first_approved_by = actor
    application.first_approved_at = timezone.now()
    application.save(update_fields=["status", "reviewer", "first_approved_by", "first_approved_at"])
    audit_append(actor=actor, action="application.first_approved", obj=application)
    others = duties.other_deciders(body_id=body.pk, excluding=[actor.pk, application.applicant_id])
    # The body's own certifiers are asked first; administrators only when it has no other.
    certifiers = [person for person in others if body.certifiers.filter(pk=person.pk).exists()]
    url = absolute_url(reverse("certify_application", args=[application.pk]))
    mail_queue_many(
        [
            _message(
                person,
                _("A second approval is needed: %(level)s") % {"level": level.name},
                [
                    _(
                        "%(first)s has approved %(name)s's application for %(level)s. A "
                        "certificate of this level is issued only when a second certifier of "
                        "%(body)s confirms it."
                    )
                    % {
                        "first": _person_label(actor),
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


# -- approving and numbering -----------------------------------------------------------------


def numbering_body_for(*, body: CertifyingBody, level: CertificationLevel) -> CertifyingBody:
    """The body whose number range a certificate takes: the national one for filed levels."""
    if not level.central_filing or body.kind == CertifyingBody.Kind.NATIONAL:
        return body
    national = (
        CertifyingBody.objects.filter(kind=CertifyingBody.Kind.NATIONAL, is_active=True)
        .order_by("pk")
        .first()
    )
    if national is None:
        raise CertificationError(
            _("%(level)s is numbered by the national body, and none is set up.")
            % {"level": level.name}
        )
    return national


def _numbers_allocate(
    *, body: CertifyingBody, level: CertificationLevel, year: int, count: int = 1
) -> int:
    """Take the next ``count`` numbers of the range and return the first; the row stays locked
    until the transaction ends, so a rollback gives them all back."""
    locked = NumberSequence.objects.select_for_update(of=("self",))
    sequence = locked.filter(body=body, level=level, year=year).first()
    if sequence is None:
        NumberSequence.objects.bulk_create(
            [NumberSequence(body=body, level=level, year=year)], ignore_conflicts=True
        )
        sequence = locked.get(body=body, level=level, year=year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return first


def number_format(*, body: CertifyingBody, level: CertificationLevel, year: int, sequence: int):
    return settings.PORTAL_CERTIFICATE_NUMBER_FORMAT.format(
        body=body.code, level=level.number_code, year=year, sequence=sequence
    )


def _status_bits_allocate(*, body: CertifyingBody, count: int = 1) -> list[tuple[StatusList, int]]:
    """Fresh bits in the body's current status list, signed by the body's active key; a new
    list is started when one fills up."""
    try:
        key = keys.signing_key_active(body=body)
    except keys.KeyUnavailable as exc:
        raise CertificationError(
            _("%(body)s has no signing key yet; an administrator must create one.")
            % {"body": body.name}
        ) from exc
    bits = []
    while len(bits) < count:
        status_list = (
            StatusList.objects.select_for_update(of=("self",))
            .filter(body=body, signing_key=key)
            .order_by("-number")
            .first()
        )
        if status_list is None or status_list.next_index >= StatusList.LENGTH:
            last = StatusList.objects.filter(body=body).order_by("-number").first()
            status_list = StatusList.objects.create(
                body=body, signing_key=key, number=(last.number + 1) if last else 1
            )
            status_list = StatusList.objects.select_for_update(of=("self",)).get(pk=status_list.pk)
        start = status_list.next_index
        take = min(count - len(bits), StatusList.LENGTH - start)
        bits.extend((status_list, index) for index in range(start, start + take))
        status_list.next_index = start + take
        status_list.save(update_fields=["next_index"])
    return bits


def _valid_until(level: CertificationLevel, issued_on: datetime.date) -> datetime.date | None:
    """The last day a certificate issued on ``issued_on`` is valid; None if it never expires.

    A validity running past the end of the calendar (only possible in a level saved before its
    field was limited) refuses the approval instead of inventing a date."""
    if not level.validity_years:
        return None
    try:
        return add_months(issued_on, 12 * level.validity_years) - datetime.timedelta(days=1)
    except OverflowError as exc:
        raise CertificationError(
            _(
                "%(level)s is set to be valid for %(years)d years, which is more than a "
                "certificate can be. An administrator must correct the level first."
            )
            % {"level": level.name, "years": level.validity_years}
        ) from exc


def _photo_copy(user) -> str:
    """Store the holder's photo for the certificate and return its name ("" if none).

    Frozen at approval, as the certificate will print it (upright, cropped, at print
    resolution; a photo already so is copied as it is), so later profile changes never reach
    the certificate and rendering never decodes a picture. Called before any lock is taken:
    decoding and writing a file should not hold up other approvals."""
    if not user.photo:
        return ""
    try:
        with user.photo.open("rb") as handle:
            jpeg = photo_for_print(handle.read())
    except OSError:
        jpeg = None
    if jpeg is None:
        logger.warning("Photo of user %s is missing or unreadable", user.pk)
        return ""
    name = Certificate._meta.get_field("photo").generate_filename(None, f"{uuid.uuid4().hex}.jpg")
    return default_storage.save(name, ContentFile(jpeg))


def _certificate_new(
    application: Application, *, numbering: CertifyingBody, sequence: int, bit, today, photo: str
) -> Certificate:
    """The unsaved certificate an approval makes: number, status bit and the snapshot."""
    level, body, renews = application.level, application.body, application.renews
    status_list, index = bit
    certificate = Certificate(
        number=number_format(body=numbering, level=level, year=today.year, sequence=sequence),
        numbering_body=numbering,
        year=today.year,
        sequence=sequence,
        body=body,
        level=level,
        holder_id=application.applicant_id,
        application=application,
        printed_name=application.printed_name,
        level_name=level.name,
        level_name_en=level.name_en,
        track_name=level.track.name,
        body_name=body.name,
        issued_on=today,
        valid_until=_valid_until(level, today),
        held_since=renews.held_since if renews else today,
        # What the level asked for, so the statement printed and signed stays as issued; a
        # renewal says what the certificate it renews said.
        requirements=(renews.requirements if renews else None) or requirements_snapshot(level),
        recipient_salt=secrets.token_hex(8),
        status_list=status_list,
        status_index=index,
        filing_status=(
            Certificate.Filing.PENDING if level.central_filing else Certificate.Filing.NOT_REQUIRED
        ),
    )
    certificate.photo.name = photo
    return certificate


@contextlib.contextmanager
def _photos_dropped_on_failure(names):
    """Delete the photo copies made for approvals that then did not happen."""
    try:
        yield
    except BaseException:
        for name in filter(None, names):
            default_storage.delete(name)
        raise


def _unmet(result) -> str:
    missing = "; ".join(item.label for item in result.missing)
    return _("The applicant no longer meets: %(missing)s.") % {"missing": missing}


def application_approve(
    *, application_id: int, actor, enqueue: bool = True, recheck: bool = True
) -> Certificate:
    """Approve: allocate the number and create the certificate with its snapshot.

    The number is taken inside this transaction, so a failure gives it back and numbers stay
    gap-free. The PDF and signed credential are made afterwards by ``certificate_complete``.

    For a level approved by two people this is the confirmation: the application must carry a
    first approval (``application_approve_first``) given by someone else.
    """
    applicant = Application.objects.select_related("applicant").get(pk=application_id).applicant
    photo = _photo_copy(applicant)
    with _photos_dropped_on_failure([photo]), transaction.atomic():
        application = _decidable(application_id, actor)
        level, body = application.level, application.body
        first_approval = {}
        if duties.needs_two(application):
            if application.status != Application.Status.AWAITING_CONFIRMATION:
                raise CertificationError(
                    _(
                        "%(level)s is approved by two certifiers: give the first approval; a "
                        "different certifier of %(body)s then confirms it."
                    )
                    % {"level": level.name, "body": body.name}
                )
            refusal = duties.approval_refusal(application, actor)
            if refusal:
                raise CertificationError(refusal)
            first_approval = {"first_approval": _person_label(application.first_approved_by)}
        if recheck:
            result = checklist(
                user_id=application.applicant_id, level=level, application=application
            )
            if not result.met:
                raise CertificationError(_unmet(result))
        numbering = numbering_body_for(body=body, level=level)
        today = timezone.localdate()
        certificate = _certificate_new(
            application,
            numbering=numbering,
            sequence=_numbers_allocate(body=numbering, level=level, year=today.year),
            bit=_status_bits_allocate(body=body)[0],
            today=today,
            photo=photo,
        )
        certificate.save()
        application.status = Application.Status.APPROVED
        application.reviewer = actor
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "reviewer", "decided_at"])
        audit_append(
            actor=actor,
            action="application.approved",
            obj=application,
            data={"certificate": certificate.number, **first_approval},
        )
        if enqueue:
            transaction.on_commit(lambda: certificate_complete_enqueue(certificate.pk))
    return certificate


def certificate_complete_enqueue(certificate_id: int) -> None:
    from certification.tasks import certificate_complete_task

    try:
        certificate_complete_task.delay(certificate_id)
    except Exception:
        # The pending sweep picks it up; the approval itself stands.
        logger.exception("Could not queue certificate %s; the sweep will retry", certificate_id)


# -- making the PDF and the signed credential ------------------------------------------------


def verify_url(number: str) -> str:
    return absolute_url(reverse("certificate_verify", args=[number]))


def credential_url(number: str) -> str:
    return absolute_url(reverse("api_certificate_credential", args=[number]))


def status_list_url(status_list: StatusList) -> str:
    return absolute_url(
        reverse("api_status_list", args=[status_list.body.code, status_list.number])
    )


def _file_bytes(field) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


# What rendering and signing a certificate read besides the certificate row itself.
PRINT_RELATED = (
    "body",
    "level",
    "level__track",
    "holder",
    "status_list__signing_key",
    "status_list__body",
)


def certificate_print(certificate: Certificate) -> CertificatePrint:
    body = certificate.body
    statement = certificate_statement(certificate)
    return CertificatePrint(
        number=certificate.number,
        holder_name=certificate.printed_name,
        holder_photo=_file_bytes(certificate.photo),
        track_name=certificate.track_name,
        level_name=certificate.level_name,
        level_name_en=certificate.level_name_en,
        body_name=certificate.body_name,
        signatory_name=body.signatory_name,
        signatory_title=body.signatory_title,
        seal_image=_body_image(body, "seal"),
        signature_image=_body_image(body, "signature"),
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        verify_url=verify_url(certificate.number),
        statement_zh=statement[0],
        statement_en=statement[1],
    )


_body_images: dict[tuple[int, str, str], bytes | None] = {}


def _body_image(body: CertifyingBody, kind: str) -> bytes | None:
    """A body's seal or signature, read once per process per file name."""
    field = getattr(body, kind)
    cache_key = (body.pk, kind, field.name or "")
    if cache_key not in _body_images:
        _body_images[cache_key] = _file_bytes(field)
    return _body_images[cache_key]


def certificate_credential(certificate: Certificate) -> dict:
    """The signed Open Badges 3.0 credential; the same input always gives the same document."""
    signing_key = certificate.status_list.signing_key
    level = certificate.level
    issued_at = certificate.created_at
    valid_until = None
    if certificate.valid_until:
        valid_until = datetime.datetime.combine(
            certificate.valid_until, datetime.time(23, 59, 59), tzinfo=datetime.UTC
        )
    data = vc.BadgeData(
        credential_id=credential_url(certificate.number),
        issuer_public_key=bytes(signing_key.public_key),
        issuer_name=certificate.body_name,
        issuer_url=absolute_url(reverse("certification_body", args=[certificate.body.code])),
        achievement_id=absolute_url(reverse("certification_level", args=[level.code])),
        achievement_name=certificate.level_name,
        achievement_description=level.description or certificate.level_name,
        criteria_narrative=criteria_narrative(
            certificate.requirements,
            level_name=certificate.level_name,
            level_name_en=certificate.level_name_en,
        ),
        recipient_email=certificate.holder.email,
        recipient_salt=certificate.recipient_salt,
        certificate_number=certificate.number,
        valid_from=issued_at.astimezone(datetime.UTC).replace(microsecond=0),
        valid_until=valid_until,
        status_list_credential=status_list_url(certificate.status_list),
        status_list_index=certificate.status_index,
        name=f"{certificate.level_name} {certificate.number}",
    )
    return vc.sign(
        vc.open_badge_credential(data),
        private_key=keys.private_key(signing_key),
        created=issued_at.astimezone(datetime.UTC).replace(microsecond=0),
    )


def certificate_complete(*, certificate_id: int) -> Certificate:
    """Render, store and sign a pending certificate, then mark it valid. Safe to repeat.

    Raises what stopped it (the error is also kept on the certificate for the certifiers)."""
    failures = certificates_complete(certificate_ids=[certificate_id])
    if failures:
        raise failures[certificate_id]
    return Certificate.objects.get(pk=certificate_id)


def certificates_complete(*, certificate_ids) -> dict[int, Exception]:
    """Finish pending certificates: for each, the PDF rendered and stored, the credential
    signed; then all of them marked valid in one go. Returns those that failed, and why.

    Everything happens under the certificates' row locks: a second delivery of the same work
    skips what another worker holds (``skip_locked``) and what is already valid, so there is
    never a second file or a second credential. The PDF is stored under a name made from the
    number; a file left there by a worker that died before committing is replaced, and a valid
    certificate's file is never touched. Nothing is marked issued until the PDF and the
    credential both exist.
    """
    failures: dict[int, Exception] = {}
    with transaction.atomic():
        pending = (
            Certificate.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related(*PRINT_RELATED, "application")
            .filter(pk__in=list(certificate_ids), status=Certificate.Status.PENDING)
            .order_by("pk")
        )
        made = []
        for certificate in pending:
            try:
                made.append(_certificate_make(certificate))
            except Exception as exc:
                logger.exception("Certificate %s could not be made", certificate.pk)
                failures[certificate.pk] = exc
        _certificates_mark_issued(made)
    for certificate_id, exc in failures.items():
        Certificate.objects.filter(pk=certificate_id, status=Certificate.Status.PENDING).update(
            issue_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    return failures


def _certificate_make(certificate: Certificate) -> Certificate:
    pdf_bytes = certificate_pdf(certificate_print(certificate))
    certificate.credential = certificate_credential(certificate)
    name = certificate._meta.get_field("pdf").generate_filename(None, f"{certificate.number}.pdf")
    if default_storage.exists(name):  # left by a worker that died before its commit
        default_storage.delete(name)
    certificate.pdf.name = default_storage.save(name, ContentFile(pdf_bytes))
    certificate.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    return certificate


ISSUED_FIELDS = ["pdf", "pdf_sha256", "credential", "status", "issued_at", "issue_error"]


def _rows_update(instances: list, field_names: list[str]) -> None:
    """Save ``field_names`` of many rows of one model: one parametrised UPDATE run for each
    row in a single ``executemany`` (pipelined by psycopg). ``bulk_update`` builds a CASE
    expression per field and row, which costs more Python than the rows' PDFs' storage."""
    model = type(instances[0])
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Only quoted names from the model's metadata are formatted in; every value is a parameter.
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
        + [instance.pk]
        for instance in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _certificates_mark_issued(certificates: list[Certificate]) -> None:
    """Mark made certificates valid, their applications issued; audit; tell the holders."""
    if not certificates:
        return
    now = timezone.now()
    for certificate in certificates:
        certificate.status = Certificate.Status.VALID
        certificate.issued_at = now
        certificate.issue_error = ""
    _rows_update(certificates, ISSUED_FIELDS)
    Application.objects.filter(pk__in=[c.application_id for c in certificates]).update(
        status=Application.Status.ISSUED
    )
    audit = []
    for certificate in certificates:
        audit.append(
            (
                "certificate.issued",
                certificate,
                {"number": certificate.number, "pdf_sha256": certificate.pdf_sha256},
            )
        )
        if certificate.application.renews_id:
            audit.append(_supersede(old_id=certificate.application.renews_id, new=certificate))
    mail_queue_many(
        [
            _message(
                certificate.holder,
                _("Your certificate %(number)s is ready") % {"number": certificate.number},
                [
                    _(
                        "Your %(level)s certificate has been issued. Download it, and its "
                        "signed digital credential, from My certificates."
                    )
                    % {"level": certificate.level_name},
                    _("Anyone can check it at %(url)s") % {"url": verify_url(certificate.number)},
                ],
            )
            for certificate in certificates
        ]
    )
    audit_append_many(actor=None, entries=[entry for entry in audit if entry])


def _supersede(*, old_id: int, new: Certificate):
    """Mark the renewed certificate superseded; returns its audit entry to append, or None."""
    old = Certificate.objects.select_for_update(of=("self",)).get(pk=old_id)
    if old.status in (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED):
        return None
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_by = new
    old.superseded_at = timezone.now()
    old.save(update_fields=["status", "superseded_by", "superseded_at"])
    return ("certificate.superseded", old, {"by": new.number})


def certificates_pending_stale(*, older_than=datetime.timedelta(minutes=2)) -> list[int]:
    """Pending certificates nobody finished (a dead worker, a storage outage)."""
    cutoff = timezone.now() - older_than
    return list(
        Certificate.objects.filter(
            status=Certificate.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )


# -- revocation and the status list ----------------------------------------------------------


def status_list_sign(status_list: StatusList) -> dict:
    """Rebuild and sign the list from the certificates it covers; stored on the row."""
    revoked = Certificate.objects.filter(
        status_list=status_list, status=Certificate.Status.REVOKED
    ).values_list("status_index", flat=True)
    key = status_list.signing_key
    document = vc.status_list_credential(
        url=status_list_url(status_list),
        issuer_public_key=bytes(key.public_key),
        revoked_indexes=list(revoked),
        length=StatusList.LENGTH,
        valid_from=timezone.now().astimezone(datetime.UTC).replace(microsecond=0),
    )
    signed = vc.sign(
        document,
        private_key=keys.private_key(key),
        created=timezone.now().astimezone(datetime.UTC).replace(microsecond=0),
    )
    status_list.credential = signed
    status_list.save(update_fields=["credential", "updated_at"])
    return signed


@transaction.atomic
def certificate_revoke(*, certificate_id: int, actor, reason: str) -> Certificate:
    """Revoke with a reason: shown at once on the verify page, in the API and status list."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError(_("Give the reason for revoking; it is shown publicly."))
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("holder")
        .get(pk=certificate_id)
    )
    if not may_certify(actor, certificate.body_id):
        raise CertificationError(_("You do not act for the body that issued this certificate."))
    if duties.is_own(actor, certificate.holder_id):
        raise CertificationError(
            _("You cannot revoke your own certificate. Another certifier of %(body)s must.")
            % {"body": certificate.body_name}
        )
    if certificate.status == Certificate.Status.REVOKED:
        raise CertificationError(_("This certificate is already revoked."))
    if certificate.status == Certificate.Status.PENDING:
        raise CertificationError(_("This certificate is still being issued; try again shortly."))
    status_list = (
        StatusList.objects.select_for_update(of=("self",))
        .select_related("signing_key", "body")
        .get(pk=certificate.status_list_id)
    )
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.revoked_by = actor
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason", "revoked_by"])
    status_list_sign(status_list)
    audit_append(
        actor=actor, action="certificate.revoked", obj=certificate, data={"reason": reason}
    )
    _notify(
        certificate.holder,
        _("Certificate %(number)s has been revoked") % {"number": certificate.number},
        [_("Reason: %(reason)s") % {"reason": reason}],
    )
    return certificate


def status_list_current(*, body_code: str, number: int) -> dict | None:
    """The signed status-list credential, signing it first if it never was."""
    status_list = (
        StatusList.objects.select_related("signing_key", "body")
        .filter(body__code=body_code, number=number)
        .first()
    )
    if status_list is None:
        return None
    if not status_list.credential:
        with transaction.atomic():
            status_list = (
                StatusList.objects.select_for_update(of=("self",))
                .select_related("signing_key", "body")
                .get(pk=status_list.pk)
            )
            if not status_list.credential:
                status_list_sign(status_list)
    return status_list.credential


# -- expiry and reminders --------------------------------------------------------------------


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
        ).select_related("holder")
        for certificate in due.iterator():
            with transaction.atomic():
                claimed = Certificate.objects.filter(
                    pk=certificate.pk, **{f"{field}__isnull": True}
                ).update(**{field: timezone.now()})
                if not claimed:
                    continue
                _notify(
                    certificate.holder,
                    _("Certificate %(number)s expires on %(date)s")
                    % {"number": certificate.number, "date": certificate.valid_until},
                    [
                        _(
                            "Your %(level)s certificate expires in %(days)d days. With enough "
                            "continuing-education hours you can renew it from My certificates."
                        )
                        % {
                            "level": certificate.level_name,
                            "days": (certificate.valid_until - today).days,
                        },
                    ],
                )
                counts[f"reminded_{days}"] += 1
    return counts


# -- continuing education and renewal --------------------------------------------------------


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
    if duties.is_own(actor, activity.holder_id):
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
    _notify(
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


# -- filing ----------------------------------------------------------------------------------


@transaction.atomic
def certificates_file(*, certificate_ids, actor, reference: str) -> int:
    """Mark certificates as filed with the national body (统一编号并备案)."""
    from certification.selectors import is_filing_officer

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


# -- issuing a whole class -------------------------------------------------------------------


def bulk_candidates(*, body: CertifyingBody, course_id: int | None):
    """A class's applications at ``body`` that a bulk run would issue."""
    return Application.objects.filter(
        body=body, course_id=course_id, status__in=Application.BULK_ISSUABLE
    )


def _refuse_if_class_under_way(*, body_id: int, course_id: int | None, other_than=None) -> None:
    """Lock the body's row, then refuse with ``BulkIssueUnderWay`` if a run for the same class
    (other than ``other_than``) is still unfinished. Call inside a transaction."""
    CertifyingBody.objects.select_for_update(of=("self",)).filter(pk=body_id).first()
    unfinished = (
        BulkIssue.objects.filter(
            body_id=body_id, course_id=course_id, status=BulkIssue.Status.RUNNING
        )
        .exclude(pk=other_than)
        .order_by("created_at", "pk")
        .first()
    )
    if unfinished is not None:
        raise BulkIssueUnderWay(
            _(
                "This class is already being issued (run “%(title)s”, started at %(when)s). "
                "Follow that run here; a new one can start once it has finished."
            )
            % {
                "title": unfinished.title,
                "when": timezone.localtime(unfinished.created_at).strftime("%Y-%m-%d %H:%M"),
            },
            run=unfinished,
        )


class BulkIssueUnderWay(CertificationError):
    """A run for the same body and class is still unfinished; ``run`` is that run."""

    def __init__(self, message: str, *, run: BulkIssue):
        super().__init__(message)
        self.run = run


@transaction.atomic
def bulk_issue_start(*, body: CertifyingBody, course_id: int | None, actor, title: str):
    """Start issuing a class, unless a run for the same body and class is still unfinished
    (a double click, two certifiers at once): that is refused with ``BulkIssueUnderWay``.

    The body's row is locked first, so of two concurrent starts the second waits, then sees
    the first one's run."""
    if not may_certify(actor, body.pk):
        raise CertificationError(_("You do not issue for this body."))
    _refuse_if_class_under_way(body_id=body.pk, course_id=course_id)
    application_ids = list(
        bulk_candidates(body=body, course_id=course_id).values_list("pk", flat=True)
    )
    if not application_ids:
        raise CertificationError(_("This class has no applications ready to issue."))
    run = BulkIssue.objects.create(
        body=body, course_id=course_id, title=title, started_by=actor, total=len(application_ids)
    )
    BulkIssueItem.objects.bulk_create(
        [BulkIssueItem(run=run, application_id=pk) for pk in application_ids], batch_size=2000
    )
    audit_append(
        actor=actor,
        action="bulk_issue.started",
        obj=run,
        data={"applications": len(application_ids)},
    )
    transaction.on_commit(lambda: _bulk_issue_dispatch_or_leave(run.pk))
    return run


def _bulk_issue_dispatch_or_leave(run_id: int) -> None:
    """Queue a new run; when the broker is down the run stays queued (the certifier's start
    stands) and is resumed like a stalled one: from its page, or by Celery beat."""
    try:
        bulk_issue_dispatch(run_id=run_id)
    except Exception:
        logger.exception("Bulk issue %s could not be queued; it will be resumed", run_id)


BULK_CHUNK = 100


def bulk_issue_dispatch(*, run_id: int, only_failed: bool = False) -> int:
    """Queue the run's unfinished items in chunks, so several workers share the work."""
    from certification.tasks import bulk_issue_chunk_task

    items = BulkIssueItem.objects.filter(run_id=run_id)
    if only_failed:
        # Trying a finished run's failures again makes it run again: not while another run of
        # the same class is under way.
        with transaction.atomic():
            run = BulkIssue.objects.only("body_id", "course_id").get(pk=run_id)
            _refuse_if_class_under_way(
                body_id=run.body_id, course_id=run.course_id, other_than=run_id
            )
            items.filter(status=BulkIssueItem.Status.FAILED).update(
                status=BulkIssueItem.Status.QUEUED, error=""
            )
            BulkIssue.objects.filter(pk=run_id).update(status=BulkIssue.Status.RUNNING)
    pending = list(
        items.filter(status=BulkIssueItem.Status.QUEUED).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pending), BULK_CHUNK):
        bulk_issue_chunk_task.delay(run_id, pending[start : start + BULK_CHUNK])
    if not pending:
        _bulk_finish_if_done(run_id)
    return len(pending)


def bulk_issue_chunk(*, run_id: int, item_ids: list[int]) -> None:
    """Issue a chunk of a run's items: one approval transaction for all of them, then the PDFs
    and credentials, then one transaction marking them issued. Items already done are skipped
    and applications already approved have their certificate finished, so a chunk delivered
    twice (a retry, a worker that died) issues nothing twice."""
    run = BulkIssue.objects.select_related("started_by", "body").get(pk=run_id)
    items = list(
        BulkIssueItem.objects.filter(pk__in=item_ids, status=BulkIssueItem.Status.QUEUED).order_by(
            "pk"
        )
    )
    if items:
        certificate_of, failed = _bulk_approve(run=run, items=items)
        try:
            unmade = certificates_complete(certificate_ids=list(certificate_of.values()))
        except Exception as exc:
            logger.exception("Bulk issue %s: a chunk could not be completed", run_id)
            unmade = dict.fromkeys(certificate_of.values(), exc)
        for item_id, certificate_id in certificate_of.items():
            if certificate_id in unmade:
                error = unmade[certificate_id]  # shown to the certifier on the run's page
                failed[item_id] = _("Could not be issued (%(error)s); retry later.") % {
                    "error": f"{type(error).__name__}: {error}"[:300]
                }
        now = timezone.now()
        done = [item_id for item_id in certificate_of if item_id not in failed]
        BulkIssueItem.objects.filter(pk__in=done).update(
            status=BulkIssueItem.Status.DONE, error="", updated_at=now
        )
        for item_id, error in failed.items():
            _bulk_item_mark(item_id, BulkIssueItem.Status.FAILED, error)
    _bulk_finish_if_done(run_id)


def _bulk_approve(*, run: BulkIssue, items: list) -> tuple[dict[int, int], dict[int, str]]:
    """Approve a chunk's applications in one transaction. Returns the certificate id of each
    item approved now or before, and the reason each other item failed."""
    application_ids = [item.application_id for item in items]
    item_of = {item.application_id: item.pk for item in items}
    certificate_of: dict[int, int] = {}
    failed: dict[int, str] = {}
    actor = run.started_by
    if not may_certify(actor, run.body_id):
        message = _("You do not review applications for this body.")
        return {}, dict.fromkeys(item_of.values(), message)
    # Photos are copied before any lock is taken; unused copies are deleted below.
    waiting = Application.objects.filter(
        pk__in=application_ids, status__in=Application.AWAITING_DECISION
    ).select_related("applicant")
    photos = {application.pk: _photo_copy(application.applicant) for application in waiting}
    with _photos_dropped_on_failure(photos.values()), transaction.atomic():
        applications = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("level__track", "level__prerequisite", "body", "renews")
            .filter(pk__in=application_ids)
            .order_by("pk")
        )
        existing = dict(
            Certificate.objects.filter(application_id__in=application_ids).values_list(
                "application_id", "pk"
            )
        )
        to_approve = []
        for application in applications:
            item_id = item_of[application.pk]
            if application.pk in existing:  # approved before: finish its certificate
                certificate_of[item_id] = existing[application.pk]
            elif application.status not in Application.AWAITING_DECISION:
                failed[item_id] = _("The application is %(status)s and cannot be issued.") % {
                    "status": application.get_status_display()
                }
            elif duties.is_own(actor, application.applicant_id):
                failed[item_id] = _(
                    "This is the application of the person who started the run; another "
                    "certifier of %(body)s must decide it on its own page."
                ) % {"body": application.body.name}
            elif duties.needs_two(application):
                failed[item_id] = _(
                    "%(level)s is approved by two certifiers, which a class run cannot do; "
                    "approve it on its own page and have a second certifier confirm it."
                ) % {"level": application.level.name}
            else:
                to_approve.append(application)
        for missing_id in set(application_ids) - {a.pk for a in applications}:
            failed[item_of[missing_id]] = _("The application no longer exists.")
        approved = []
        for group in _grouped(to_approve, key=lambda a: a.level_id):
            results = checklists(level=group[0].level, people=[(a.applicant_id, a) for a in group])
            for application, result in zip(group, results, strict=True):
                if result.met:
                    approved.append(application)
                else:
                    failed[item_of[application.pk]] = _unmet(result)
        today, now = timezone.localdate(), timezone.now()
        made = []
        for group in _grouped(approved, key=lambda a: (a.level_id, a.body_id)):
            try:
                with transaction.atomic():
                    made.extend(_approve_group(group, today=today, photos=photos))
            except CertificationError as exc:
                for application in group:
                    failed[item_of[application.pk]] = str(exc)
        if made:
            Certificate.objects.bulk_create(made)
            Application.objects.filter(pk__in=[c.application_id for c in made]).update(
                status=Application.Status.APPROVED, reviewer=actor, decided_at=now
            )
            audit_append_many(
                actor=actor,
                entries=[
                    ("application.approved", c.application, {"certificate": c.number}) for c in made
                ],
            )
        for certificate in made:
            certificate_of[item_of[certificate.application_id]] = certificate.pk
    used = {c.photo.name for c in made}
    for name in set(photos.values()) - used - {""}:
        default_storage.delete(name)
    return certificate_of, failed


def _grouped(rows, *, key) -> list[list]:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return list(groups.values())


def _approve_group(applications: list[Application], *, today, photos) -> list[Certificate]:
    """Unsaved certificates for applications of one level at one body, with consecutive
    numbers and status bits taken in one step each."""
    level, body = applications[0].level, applications[0].body
    numbering = numbering_body_for(body=body, level=level)
    count = len(applications)
    first = _numbers_allocate(body=numbering, level=level, year=today.year, count=count)
    bits = _status_bits_allocate(body=body, count=count)
    return [
        _certificate_new(
            application,
            numbering=numbering,
            sequence=first + offset,
            bit=bits[offset],
            today=today,
            photo=photos.get(application.pk, ""),
        )
        for offset, application in enumerate(applications)
    ]


def _bulk_item_mark(item_id: int, status: str, error: str) -> None:
    BulkIssueItem.objects.filter(pk=item_id).update(
        status=status, error=error[:1000], updated_at=timezone.now()
    )


# A run is stalled when none of its items has moved for this long while some still wait:
# the worker holding a chunk died and the broker will not hand the chunk out again soon
# (Redis redelivers unacknowledged work only after its visibility timeout, an hour).
BULK_STALLED_AFTER = datetime.timedelta(minutes=2)
BULK_RESUMED_AFTER = datetime.timedelta(minutes=10)  # by Celery beat, without anyone asking


def bulk_issue_idle_for(run: BulkIssue) -> datetime.timedelta | None:
    """How long a running run has made no progress, or None if finished or nothing waits."""
    if run.status != BulkIssue.Status.RUNNING:
        return None
    items = BulkIssueItem.objects.filter(run=run).order_by()
    if not items.filter(status=BulkIssueItem.Status.QUEUED).exists():
        return None
    last = items.aggregate(last=Max("updated_at"))["last"]
    return timezone.now() - max(filter(None, [last, run.created_at]))


def bulk_issue_resume(*, run_id: int) -> int:
    """Queue a run's waiting items again. Safe while the first chunks are still somewhere:
    a chunk skips what is done and finishes what is half done, so nothing is issued twice."""
    BulkIssueItem.objects.filter(run_id=run_id, status=BulkIssueItem.Status.QUEUED).update(
        updated_at=timezone.now()
    )
    return bulk_issue_dispatch(run_id=run_id)


def bulk_issue_resume_stalled(*, idle: datetime.timedelta = BULK_RESUMED_AFTER) -> list[int]:
    """Resume every run that has made no progress for ``idle``; returns their ids."""
    cutoff = timezone.now() - idle
    stalled = list(
        BulkIssue.objects.filter(status=BulkIssue.Status.RUNNING)
        .annotate(
            last=Max("items__updated_at"),
            waiting=Count("items", filter=Q(items__status=BulkIssueItem.Status.QUEUED)),
        )
        .filter(waiting__gt=0, last__lt=cutoff)
        .values_list("pk", flat=True)
    )
    for run_id in stalled:
        logger.warning("Bulk issue %s made no progress for %s; queued again", run_id, idle)
        bulk_issue_resume(run_id=run_id)
    return stalled


def _bulk_finish_if_done(run_id: int) -> None:
    if not BulkIssueItem.objects.filter(run_id=run_id, status=BulkIssueItem.Status.QUEUED).exists():
        BulkIssue.objects.filter(pk=run_id, status=BulkIssue.Status.RUNNING).update(
            status=BulkIssue.Status.FINISHED, finished_at=timezone.now()
        )


def signing_keys_ensure() -> list[SigningKey]:
    """Give every active body that awards a level a key (used by the demo and tests)."""
    bodies = CertifyingBody.objects.filter(is_active=True, levels__isnull=False).distinct()
    return [keys.signing_key_create(body=body) for body in bodies]


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
        _notify(
            user,
            _("You can now apply for %(level)s") % {"level": level.name},
            [
                _("You meet every requirement for %(level)s. Apply from My certificates: %(url)s")
                % {"level": level.name, "url": absolute_url(reverse("application_new"))}
            ],
        )
        told += 1
    return told
