"""Claiming imported certificates: by an e-mail or phone the account has confirmed, or by a
certifier's review of a request. Claiming links the imported person (all their certificates)
to the account; nobody can claim a record already claimed, and nobody reviews their own request.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import is_own, may_certify
from certification.audit.chain import audit_append_many
from certification.errors import CertificationError
from certification.imports.models import ClaimRequest, ImportedHolder
from certification.issuing.models import Certificate
from portal.accounts.phone import phone_normalised


@dataclass(frozen=True)
class ClaimableRecord:
    """An unclaimed imported person whose contact matches one the account confirmed."""

    holder_id: int
    name: str
    matched_by: str  # "email" or "phone"
    certificates: tuple[Certificate, ...]


def confirmed_contacts(user) -> tuple[set[str], str]:
    """The account's verified e-mail addresses and its confirmed phone ("" if none)."""
    from allauth.account.models import EmailAddress

    emails = {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    phone = ""
    if user.phone_is_confirmed:
        phone = phone_normalised(user.phone)
    return emails, phone


def _matching(user):
    emails, phone = confirmed_contacts(user)
    match = Q(pk__in=[])
    if emails:
        match |= Q(email__in=emails)
    if phone:
        match |= Q(phone=phone)
    return ImportedHolder.objects.filter(match, claimed_by__isnull=True), emails, phone


def claimable_records(*, user) -> list[ClaimableRecord]:
    """Imported people the account may claim now, with their certificates."""
    holders, emails, _phone = _matching(user)
    records = []
    for holder in holders.prefetch_related("certificates").order_by("pk"):
        records.append(
            ClaimableRecord(
                holder_id=holder.pk,
                name=holder.name,
                matched_by="email" if holder.email and holder.email in emails else "phone",
                certificates=tuple(
                    sorted(holder.certificates.all(), key=lambda c: (c.issued_on, c.pk))
                ),
            )
        )
    return records


@transaction.atomic
def imported_holder_claim(*, user, holder_id: int) -> list[Certificate]:
    """Link the imported person ``holder_id`` to ``user``, whose confirmed contact matches."""
    holders, _emails, _phone = _matching(user)
    holder = (
        ImportedHolder.objects.select_for_update(of=("self",))
        .filter(pk__in=holders.values("pk"), pk=holder_id)
        .first()
    )
    if holder is None or holder.claimed_by_id is not None:
        raise CertificationError(
            _(
                "This record cannot be claimed with your account: it names an e-mail or phone "
                "your account has not confirmed, or it was claimed already."
            )
        )
    return _link(holder=holder, user=user, actor=user, how="contact")


def _link(*, holder: ImportedHolder, user, actor, how: str) -> list[Certificate]:
    holder.claimed_by = user
    holder.claimed_at = timezone.now()
    holder.save(update_fields=["claimed_by", "claimed_at"])
    certificates = list(holder.certificates.filter(holder__isnull=True).order_by("pk"))
    Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(holder=user)
    audit_append_many(
        actor=actor,
        entries=[
            ("certificate.claimed", certificate, {"holder": user.pk, "by": how})
            for certificate in certificates
        ],
    )
    return certificates


def claim_request_create(*, user, number: str, note: str = "") -> ClaimRequest:
    """Ask a certifier to link the imported certificate ``number`` to ``user``."""
    certificate = (
        Certificate.objects.filter(number=number.strip(), origin=Certificate.Origin.IMPORTED)
        .select_related("imported_holder")
        .first()
    )
    if certificate is None:
        raise CertificationError(
            _("No imported certificate has the number %(number)s.") % {"number": number[:40]}
        )
    if certificate.holder_id == user.pk:
        raise CertificationError(_("This certificate is already in your certificates."))
    if certificate.holder_id is not None:
        raise CertificationError(
            _("This certificate has been claimed by another account. Contact %(body)s.")
            % {"body": certificate.body_name}
        )
    if ClaimRequest.objects.filter(
        certificate=certificate, user=user, status=ClaimRequest.Status.PENDING
    ).exists():
        raise CertificationError(
            _("You have already asked for this certificate; wait for the review.")
        )
    with transaction.atomic():
        request = ClaimRequest.objects.create(certificate=certificate, user=user, note=note[:1000])
        audit_append_many(
            actor=user,
            entries=[("claim.requested", certificate, {"request": request.pk})],
            public=False,
        )
    return request


@transaction.atomic
def claim_request_decide(*, actor, request_id: int, approve: bool) -> ClaimRequest:
    """A certifier of the certificate's body approves or refuses a claim request."""
    request = (
        ClaimRequest.objects.select_for_update(of=("self",))
        .select_related("certificate", "user")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not may_certify(actor, request.certificate.body_id):
        raise CertificationError(_("There is no such claim for you to review."))
    if is_own(actor, request.user_id):
        raise CertificationError(_("You cannot decide on your own claim. Another certifier must."))
    if request.status != ClaimRequest.Status.PENDING:
        raise CertificationError(_("This claim has already been decided."))
    certificate = request.certificate
    if approve:
        holder = ImportedHolder.objects.select_for_update(of=("self",)).get(
            pk=certificate.imported_holder_id
        )
        if holder.claimed_by_id is not None:
            raise CertificationError(
                _("This record has already been claimed by an account; refuse this request.")
            )
        _link(holder=holder, user=request.user, actor=actor, how="review")
    request.status = ClaimRequest.Status.APPROVED if approve else ClaimRequest.Status.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    if not approve:
        audit_append_many(
            actor=actor,
            entries=[("claim.refused", certificate, {"request": request.pk})],
            public=False,
        )
    return request
