"""Writes of the registrars capability: in-post records kept by an office's administrators,
and follow-up checks. Every refusal is a ``CertificationError`` with a message for the person;
every change is in the audit log."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.audit.chain import audit_append
from certification.errors import CertificationError
from certification.issuing.models import Certificate
from certification.registrars.models import FollowUpCheck, InPostRecord, RegistrationOffice
from portal.accounts.roles import Role, user_has_role

# The track whose certificates are registrars' (seeded by certification migration 0002).
REGISTRAR_TRACK = "registrar"


def may_administer(*, user, office: RegistrationOffice) -> bool:
    return office.administrators.filter(pk=user.pk).exists()


def _require_administrator(user, office: RegistrationOffice) -> None:
    if not may_administer(user=user, office=office):
        raise CertificationError(_("You do not administer this registration office."))


def is_registrar_certificate(certificate: Certificate) -> bool:
    return certificate.level.track.code == REGISTRAR_TRACK


def _date(value, today) -> datetime.date:
    if value > today:
        raise CertificationError(_("The date cannot be in the future."))
    return value


@transaction.atomic
def in_post_add(
    *, actor, office: RegistrationOffice, number: str, since: datetime.date, note: str = ""
) -> InPostRecord:
    """Record that the holder of certificate ``number`` is in post at ``office`` since
    ``since``. Refused for another office's administrator, one's own certificate, a
    certificate that is not a registrar's or not in force, or one already in post."""
    _require_administrator(actor, office)
    today = timezone.localdate()
    certificate = (
        Certificate.objects.select_related("level__track", "holder", "body")
        .filter(number=(number or "").strip())
        .first()
    )
    if certificate is None:
        raise CertificationError(_("There is no certificate with this number."))
    if not is_registrar_certificate(certificate):
        raise CertificationError(_("This is not a technology-contract registrar's certificate."))
    if certificate.holder_id is not None and certificate.holder_id == actor.pk:
        raise CertificationError(_("You cannot mark yourself in post; another administrator must."))
    if certificate.effective_status(today) != Certificate.Status.VALID:
        raise CertificationError(_("This certificate is not in force."))
    since = _date(since, today)
    current = InPostRecord.objects.filter(
        certificate=certificate, status=InPostRecord.Status.IN_POST
    ).first()
    if current is not None:
        raise CertificationError(
            _("This registrar is already in post at %(office)s.") % {"office": current.office}
        )
    record = InPostRecord.objects.create(
        office=office, certificate=certificate, since=since, note=note, recorded_by=actor
    )
    audit_append(
        actor=actor,
        action="registrar.in_post",
        obj=record,
        data={"office": office.pk, "certificate": certificate.number, "since": since.isoformat()},
    )
    return record


@transaction.atomic
def in_post_end(*, actor, record_id: int, until: datetime.date, note: str = "") -> InPostRecord:
    """The registrar left the post on ``until``; only the office's administrators say so."""
    record = (
        InPostRecord.objects.select_for_update()
        .select_related("office", "certificate")
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise CertificationError(_("There is no such in-post record."))
    _require_administrator(actor, record.office)
    if record.status != InPostRecord.Status.IN_POST:
        raise CertificationError(_("This registrar is no longer in post."))
    until = _date(until, timezone.localdate())
    if until < record.since:
        raise CertificationError(_("The post cannot end before it began."))
    record.status, record.until = InPostRecord.Status.LEFT, until
    if note:
        record.note = note
    record.save(update_fields=["status", "until", "note", "updated_at"])
    audit_append(
        actor=actor,
        action="registrar.left",
        obj=record,
        data={
            "office": record.office_id,
            "certificate": record.certificate.number,
            "until": until.isoformat(),
        },
    )
    return record


@transaction.atomic
def check_record(
    *, actor, record_id: int, checked_on: datetime.date, outcome: str, finding: str
) -> FollowUpCheck:
    """A follow-up check (抽查) of an in-post record, by the office's administrators or the
    national administrators; nobody checks their own post."""
    record = (
        InPostRecord.objects.select_related("office", "certificate").filter(pk=record_id).first()
    )
    if record is None:
        raise CertificationError(_("There is no such in-post record."))
    if not (
        may_administer(user=actor, office=record.office) or user_has_role(actor, Role.ADMINISTRATOR)
    ):
        raise CertificationError(_("You do not administer this registration office."))
    if record.certificate.holder_id == actor.pk:
        raise CertificationError(_("Nobody checks their own post."))
    if outcome not in FollowUpCheck.Outcome.values:
        raise CertificationError(_("Choose the outcome of the check."))
    finding = (finding or "").strip()
    if not finding:
        raise CertificationError(_("Say what the check found."))
    checked_on = _date(checked_on, timezone.localdate())
    check = FollowUpCheck.objects.create(
        record=record, checked_on=checked_on, checker=actor, outcome=outcome, finding=finding
    )
    audit_append(
        actor=actor,
        action="registrar.checked",
        obj=check,
        data={"record": record.pk, "outcome": outcome, "checked_on": checked_on.isoformat()},
    )
    return check
