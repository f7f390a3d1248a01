"""Status lists (Bitstring Status List): a certificate's bit, signing and serving the list.

A list started since issue 16 is issued by the body's did:web (``issuer_did``), like the
credentials whose bits it holds, and signed by the key it was started with (named by its id in
the DID document, which keeps listing it after a rotation); a list from before keeps its
did:key issuer, so the credentials in it keep verifying.

A signed list states a short validity (``validUntil``, ``PORTAL_STATUS_LIST_VALID_HOURS`` after
signing). Beat signs every list again once less than ``PORTAL_STATUS_LIST_RENEW_HOURS`` is
left (``status_lists_renew``), and serving a list that has passed its ``validUntil`` (beat
stopped) signs it afresh first, so what is published is always current; verifiers, ours
included, refuse a list past its ``validUntil``: a copy kept from before a revocation cannot
make the revoked certificate look good for longer than the window.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.credentials import did, keys, vc
from certification.credentials.models import StatusList
from certification.credentials.vc.dates import parse_xsd_datetime
from certification.errors import CertificationError
from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.links import status_list_url
from certification.recognition.models import Award

logger = logging.getLogger(__name__)


def status_bits_allocate(*, body: CertifyingBody, count: int = 1) -> list[tuple[StatusList, int]]:
    """Fresh bits in the body's current status list, signed by the body's active key; a new
    list is started when one fills up."""
    try:
        key = keys.signing_key_active(body=body)
    except keys.KeyUnavailable as exc:
        raise CertificationError(
            _("%(body)s has no signing key yet; an administrator must create one.")
            % {"body": body.name}
        ) from exc
    issuer = did.body_did(body)
    bits = []
    while len(bits) < count:
        status_list = (
            StatusList.objects.select_for_update(of=("self",))
            .filter(body=body, signing_key=key, issuer_did=issuer)
            .order_by("-number")
            .first()
        )
        if status_list is None or status_list.next_index >= StatusList.LENGTH:
            last = StatusList.objects.filter(body=body).order_by("-number").first()
            status_list = StatusList.objects.create(
                body=body,
                signing_key=key,
                issuer_did=issuer,
                number=(last.number + 1) if last else 1,
            )
            status_list = StatusList.objects.select_for_update(of=("self",)).get(pk=status_list.pk)
        start = status_list.next_index
        take = min(count - len(bits), StatusList.LENGTH - start)
        bits.extend((status_list, index) for index in range(start, start + take))
        status_list.next_index = start + take
        status_list.save(update_fields=["next_index"])
    return bits


def status_list_sign(status_list: StatusList) -> dict:
    """Rebuild and sign the list from the certificates and awards it covers; stored on the row."""
    revoked = list(
        Certificate.objects.filter(
            status_list=status_list, status=Certificate.Status.REVOKED
        ).values_list("status_index", flat=True)
    ) + list(
        Award.objects.filter(status_list=status_list, status=Award.Status.REVOKED).values_list(
            "status_index", flat=True
        )
    )
    key = status_list.signing_key
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    document = vc.status_list_credential(
        url=status_list_url(status_list),
        issuer_public_key=bytes(key.public_key),
        revoked_indexes=list(revoked),
        length=StatusList.LENGTH,
        valid_from=now,
        valid_until=now + datetime.timedelta(hours=settings.PORTAL_STATUS_LIST_VALID_HOURS),
        issuer_id=status_list.issuer_did,
    )
    signed = vc.sign(
        document,
        private_key=keys.private_key(key),
        created=now,
        method=status_list_method(status_list),
    )
    status_list.credential = signed
    status_list.save(update_fields=["credential", "updated_at"])
    return signed


def status_list_method(status_list: StatusList) -> str:
    """The verification method signing the list and its credentials: the key in the body's
    did:web document, or the key's did:key for a list from before did:web."""
    public = bytes(status_list.signing_key.public_key)
    if not status_list.issuer_did:
        return vc.verification_method(public)
    return vc.key_id(status_list.issuer_did, public)


def signed_until(credential: dict) -> datetime.datetime | None:
    """The ``validUntil`` of a signed list, or None for a list never signed or signed undated."""
    try:
        return parse_xsd_datetime(credential.get("validUntil"))
    except (AttributeError, TypeError, ValueError):
        return None


def _needs_signing(status_list: StatusList, *, margin: datetime.timedelta) -> bool:
    until = signed_until(status_list.credential or {})
    return until is None or until - margin <= timezone.now()


def _sign_if_needed(pk: int, *, margin: datetime.timedelta) -> StatusList:
    """Sign the list under its row lock unless someone else just did."""
    with transaction.atomic():
        status_list = (
            StatusList.objects.select_for_update(of=("self",))
            .select_related("signing_key", "body")
            .get(pk=pk)
        )
        if _needs_signing(status_list, margin=margin):
            status_list_sign(status_list)
    return status_list


def status_list_current(*, body_code: str, number: int) -> dict | None:
    """The signed status-list credential, signing it first if it never was or has expired."""
    status_list = (
        StatusList.objects.select_related("signing_key", "body")
        .filter(body__code=body_code, number=number)
        .first()
    )
    if status_list is None:
        return None
    if _needs_signing(status_list, margin=datetime.timedelta(0)):
        try:
            status_list = _sign_if_needed(status_list.pk, margin=datetime.timedelta(0))
        except keys.KeyUnavailable:
            if not status_list.credential:
                raise
            # The expired list is served as it is (verifiers will refuse it, rightly) rather
            # than an error; the failure is what certificates_check and the logs report.
            logger.error("Status list %s cannot be signed again", status_list.pk, exc_info=True)
    return status_list.credential


def status_lists_renew() -> int:
    """Sign again every list with less than ``PORTAL_STATUS_LIST_RENEW_HOURS`` left (or never
    signed with a ``validUntil``); beat runs it hourly. Safe to run twice. Returns how many
    were signed; a list whose key cannot be opened is logged and skipped, not fatal."""
    margin = datetime.timedelta(hours=settings.PORTAL_STATUS_LIST_RENEW_HOURS)
    renewed = 0
    for status_list in StatusList.objects.only("pk", "credential").order_by("pk").iterator():
        if not _needs_signing(status_list, margin=margin):
            continue
        try:
            _sign_if_needed(status_list.pk, margin=margin)
        except keys.KeyUnavailable:
            logger.error("Status list %s cannot be signed again", status_list.pk, exc_info=True)
            continue
        renewed += 1
    return renewed


@dataclass(frozen=True)
class SignedStatus:
    """What the published, signed status list says of one certificate.

    ``revoked`` is None when the list cannot be believed (``problem`` says why): the portal's
    own verifier holds its list to the rule outsiders apply."""

    revoked: bool | None
    valid_until: datetime.datetime | None = None
    problem: str = ""


def certificate_signed_status(certificate: Certificate) -> SignedStatus:
    """Check the certificate's signed credential against its current signed status list:
    the list's proof, issuer, URL and validity window (an expired list is refused), then the
    bit. The list is signed afresh first if it has expired and the key is at hand."""
    status_list = certificate.status_list
    try:
        document = status_list_current(body_code=status_list.body.code, number=status_list.number)
    except keys.KeyUnavailable:
        document = status_list.credential
    check = vc.credential_status(
        certificate.credential, document or {}, now=timezone.now(), resolve=did.resolve
    )
    return SignedStatus(
        revoked=check.revoked,
        valid_until=signed_until(document or {}),
        problem="; ".join(check.errors),
    )


def certificate_signed_status_of(*, number: str) -> SignedStatus | None:
    """:func:`certificate_signed_status` for the verification page, by certificate number;
    None for an unknown, unfinished or unsigned certificate."""
    certificate = (
        Certificate.objects.exclude(status=Certificate.Status.PENDING)
        .filter(number=number)
        .select_related("status_list__signing_key", "status_list__body")
        .first()
    )
    if certificate is None or not certificate.credential:
        return None
    return certificate_signed_status(certificate)
