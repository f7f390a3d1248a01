"""Writes: recording a project, the contact's confirmation link, a certifier's review.

Nobody confirms their own project: the link is for the contact, and refuses the record's owner
even when they open it signed in; a certifier never reviews their own record.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import is_own, may_certify
from certification.audit.chain import audit_append
from certification.errors import CertificationError
from certification.files import evidence_check, stored_name
from certification.links import absolute_url
from certification.mail import notify
from certification.practice.models import PracticeProof, PracticeRecord, _nonce
from portal.accounts.mail import mail_queue
from portal.accounts.names import text_clean

SALT = "certification.practice.confirm"
MAX_PROOFS = 5


def link_days() -> int:
    return int(getattr(settings, "PORTAL_PRACTICE_LINK_DAYS", 14))


def practice_token(record: PracticeRecord) -> str:
    """A signed, timestamped token naming the record and its current link nonce."""
    return signing.dumps({"r": record.pk, "n": record.link_nonce}, salt=SALT)


def practice_link(record: PracticeRecord) -> str:
    return absolute_url(reverse("practice_confirm", args=[practice_token(record)]))


def practice_from_token(token: str) -> PracticeRecord:
    """The record a link names, or a clear refusal: tampered, expired, or already used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=link_days()))
    except signing.SignatureExpired as error:
        raise CertificationError(
            _("This confirmation link has expired. Ask the trainee to send a new one.")
        ) from error
    except signing.BadSignature as error:
        raise CertificationError(_("This confirmation link is not valid.")) from error
    if not isinstance(data, dict):
        raise CertificationError(_("This confirmation link is not valid."))
    record = (
        PracticeRecord.objects.select_related("owner")
        .filter(pk=data.get("r"), method=PracticeRecord.Method.CONTACT)
        .first()
    )
    if record is None:
        raise CertificationError(_("This confirmation link is not valid."))
    if record.status != PracticeRecord.Status.PENDING or record.link_nonce != data.get("n"):
        raise CertificationError(
            _("This confirmation link has already been used or replaced by a newer one.")
        )
    return record


def _clean(value: str) -> str:
    try:
        return text_clean((value or "").strip())
    except Exception as error:  # ValidationError: invisible or control characters
        raise CertificationError(" ".join(getattr(error, "messages", [str(error)]))) from error


def _link_mail(record: PracticeRecord) -> None:
    owner = record.owner.real_name or record.owner.email
    lines = [
        _("Dear %(name)s,") % {"name": record.contact_name},
        _(
            "%(owner)s states that they worked with %(organisation)s on the project "
            "“%(title)s” and has named you to confirm it."
        )
        % {"owner": owner, "organisation": record.contact_organisation, "title": record.title},
        _("Please read what they state and confirm it, or dispute it with a comment, at:"),
        practice_link(record),
        _("The link works once and expires in %(days)d days.") % {"days": link_days()},
        _("If you do not know this project, dispute it or ignore this message."),
        "--",
        _("Technology Transfer Talent Training Portal"),
        settings.PORTAL_BASE_URL.rstrip("/") + "/",
    ]
    mail_queue(
        to=record.contact_email,
        subject=_("Please confirm a technology-transfer project: %(title)s")
        % {"title": record.title},
        body_text="\n\n".join(str(line) for line in lines) + "\n",
    )


def _proofs_add(record: PracticeRecord, uploads) -> None:
    uploads = [upload for upload in uploads or [] if upload]
    if record.proofs.count() + len(uploads) > MAX_PROOFS:
        raise CertificationError(
            _("Attach at most %(count)d proof files to a project.") % {"count": MAX_PROOFS}
        )
    for upload in uploads:
        content_type = evidence_check(upload)
        upload.seek(0)
        proof = PracticeProof(
            record=record,
            original_name=(upload.name or "proof")[-200:],
            content_type=content_type,
            size=upload.size,
        )
        proof.file.save(stored_name(content_type), upload, save=False)
        proof.save()


@transaction.atomic
def practice_record_create(*, owner, data: dict, uploads=()) -> PracticeRecord:
    """Record a project (``data``: the model's fields as a form cleaned them) with its proof
    files; a contact is sent the confirmation link once the record is saved."""
    method = data.get("method")
    if method not in PracticeRecord.Method.values:
        raise CertificationError(_("Choose who confirms the project."))
    if data["ended_on"] < data["started_on"]:
        raise CertificationError(_("The project cannot end before it started."))
    if data["ended_on"] > timezone.localdate():
        raise CertificationError(_("Record a project once it has ended."))
    record = PracticeRecord(owner=owner, method=method)
    for field in ("title", "kind_other", "role", "counterparties", "contract_number", "outcome"):
        setattr(record, field, _clean(data.get(field, "")))
    record.kind = data["kind"]
    if record.kind not in PracticeRecord.Kind.values:
        raise CertificationError(_("Choose the kind of service."))
    record.amount = data.get("amount") or 0
    record.started_on, record.ended_on = data["started_on"], data["ended_on"]
    if method == PracticeRecord.Method.CONTACT:
        record.contact_name = _clean(data.get("contact_name", ""))
        record.contact_organisation = _clean(data.get("contact_organisation", ""))
        record.contact_email = (data.get("contact_email") or "").strip()
        if not (record.contact_name and record.contact_organisation and record.contact_email):
            raise CertificationError(
                _("Name the contact, their organisation and their e-mail address.")
            )
        if record.contact_email.casefold() == (owner.email or "").casefold():
            raise CertificationError(_("The contact must be someone at the counterpart, not you."))
        record.link_sent_at = timezone.now()
    else:
        record.body = data.get("body")
        if record.body is None:
            raise CertificationError(_("Choose the certifying body that reviews the project."))
    uploads = [upload for upload in uploads or [] if upload]
    if method == PracticeRecord.Method.CERTIFIER and not uploads:
        raise CertificationError(_("Attach proof (a contract, an acceptance letter) for review."))
    for upload in uploads:  # every file checked before anything is stored
        evidence_check(upload)
    record.save()
    _proofs_add(record, uploads)
    audit_append(
        actor=owner,
        action="practice.recorded",
        obj=record,
        data={"kind": record.kind, "amount": str(record.amount), "method": method},
    )
    if method == PracticeRecord.Method.CONTACT:
        _link_mail(record)
    return record


@transaction.atomic
def practice_link_resend(*, record_id: int, actor) -> PracticeRecord:
    """A new link to the contact; every earlier link stops working."""
    record = PracticeRecord.objects.select_for_update(of=("self",)).get(pk=record_id)
    if record.owner_id != actor.pk:
        raise CertificationError(_("This is not your practice record."))
    if record.method != PracticeRecord.Method.CONTACT:
        raise CertificationError(_("A certifier reviews this project; there is no link to send."))
    if record.status != PracticeRecord.Status.PENDING:
        raise CertificationError(_("This project has already been decided."))
    record.link_nonce = _nonce()
    record.link_sent_at = timezone.now()
    record.save(update_fields=["link_nonce", "link_sent_at"])
    audit_append(actor=actor, action="practice.link_sent", obj=record)
    _link_mail(record)
    return record


@transaction.atomic
def practice_confirm_by_link(*, token: str, confirm: bool, comment: str, user=None):
    """The contact confirms or disputes the project. The link works once."""
    record = practice_from_token(token)
    record = PracticeRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
    practice_from_token(token)  # again, under the lock: a second click finds it used
    if user is not None and is_own(user, record.owner_id):
        raise CertificationError(
            _(
                "This link is for the contact at the counterpart. You cannot confirm your "
                "own project."
            )
        )
    comment = _clean(comment)[:2000]
    if not confirm and not comment:
        raise CertificationError(_("Say what is wrong; the trainee will read your comment."))
    record.status = PracticeRecord.Status.CONFIRMED if confirm else PracticeRecord.Status.DISPUTED
    record.decided_at = timezone.now()
    record.decision_comment = comment
    record.link_nonce = _nonce()  # used: the link is dead from now on
    record.save(update_fields=["status", "decided_at", "decision_comment", "link_nonce"])
    audit_append(
        actor=None,
        action=f"practice.{record.status}",
        obj=record,
        data={"by": "contact", "contact": record.contact_email, "comment": comment},
    )
    _owner_told(record)
    return record


@transaction.atomic
def practice_review(*, record_id: int, actor, approve: bool, comment: str = "") -> PracticeRecord:
    """A certifier of the body the trainee asked confirms or rejects the project."""
    record = (
        PracticeRecord.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=record_id)
    )
    if record.body_id is None or not may_certify(actor, record.body_id):
        raise CertificationError(_("You do not review practice records for this body."))
    if is_own(actor, record.owner_id):
        raise CertificationError(
            _("You cannot review your own practice record. Another certifier must.")
        )
    if record.status != PracticeRecord.Status.PENDING:
        raise CertificationError(_("This project has already been decided."))
    comment = _clean(comment)[:2000]
    if not approve and not comment:
        raise CertificationError(_("Give a reason; the trainee will read it."))
    record.status = PracticeRecord.Status.CONFIRMED if approve else PracticeRecord.Status.REJECTED
    record.decided_at = timezone.now()
    record.decided_by = actor
    record.decision_comment = comment
    record.save(update_fields=["status", "decided_at", "decided_by", "decision_comment"])
    audit_append(
        actor=actor,
        action=f"practice.{record.status}",
        obj=record,
        data={"by": "certifier", "comment": comment},
    )
    _owner_told(record)
    return record


def _owner_told(record: PracticeRecord) -> None:
    notify(
        record.owner,
        _("Practice record %(status)s: %(title)s")
        % {"status": record.get_status_display(), "title": record.title},
        [record.decision_comment],
    )


@transaction.atomic
def practice_record_delete(*, record_id: int, actor) -> None:
    """The owner removes a record nobody has confirmed (a confirmed one is part of the record)."""
    record = PracticeRecord.objects.select_for_update(of=("self",)).get(pk=record_id)
    if record.owner_id != actor.pk:
        raise CertificationError(_("This is not your practice record."))
    if record.status == PracticeRecord.Status.CONFIRMED:
        raise CertificationError(_("A confirmed project stays on your record."))
    audit_append(actor=actor, action="practice.deleted", obj=record, data={"title": record.title})
    for proof in record.proofs.all():
        proof.file.delete(save=False)
    record.delete()
