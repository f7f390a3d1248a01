"""Check a holder: does a full name or an ID number match a certificate, yes or no.

A relying party (an employer) types a certificate number with the holder's full name or ID
number and learns only "matches" or "does not match". The name is compared with the name
printed on the certificate, the ID number with the keyed hash of the number the certifier
checked (``Certificate.holder_id_hash``), never with the account as it is today. Nothing else
is said: not which part differed, not the name, not the number.

Guessing is slow: besides the per-address limit of verification, every check of a certificate
counts against that certificate, whatever address it comes from (``holder_check_allowed``).
"""

import enum
import hashlib
import hmac
import unicodedata

from django.conf import settings

from certification.issuing.models import Certificate
from portal.accounts.ratelimit import allow

# Checks of one certificate are counted per hour, from all addresses together
# (settings.PORTAL_HOLDER_CHECKS_PER_CERTIFICATE_PER_HOUR, 10 by default).
CHECK_PERIOD = 3600
NAME_MAX_LENGTH = 60
ID_NUMBER_MAX_LENGTH = 40


class Answer(enum.StrEnum):
    MATCH = "match"
    NO_MATCH = "no_match"
    # Revoked, expired or superseded: there is no valid certificate to match a holder against.
    NOT_VALID = "not_valid"
    NOT_FOUND = "not_found"


def name_normalised(value: str) -> str:
    """NFC, runs of whitespace (full-width spaces too) as one space, no case: "Li  Wei" and
    "li wei" are the same name; 张三 and 张三 typed with combining marks are the same too."""
    return " ".join(unicodedata.normalize("NFC", value or "").split()).casefold()


def id_number_normalised(value: str) -> str:
    """No whitespace, capital letters (a resident ID's check character x is X)."""
    return "".join((value or "").split()).upper()


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


def _id_number_hash(number: str) -> str:
    from portal.accounts.identity import identity_hash

    return identity_hash(number)


def checks_per_certificate() -> int:
    return settings.PORTAL_HOLDER_CHECKS_PER_CERTIFICATE_PER_HOUR


def holder_check_allowed(request, *, number: str) -> bool:
    """Count one check of the certificate ``number`` (from any address); False once over."""
    digest = hashlib.sha256(number.encode("utf-8")).hexdigest()[:32]
    return allow(
        request,
        scope=f"holder-check:{digest}",
        limit=checks_per_certificate(),
        period=CHECK_PERIOD,
        per_client=False,
    )


def holder_certificate(*, number: str) -> Certificate | None:
    """The issued certificate with this number (its printed name, hash and status), or None."""
    return (
        Certificate.objects.exclude(status=Certificate.Status.PENDING)
        .filter(number=number)
        .only("number", "printed_name", "holder_id_hash", "status", "valid_until")
        .order_by()
        .first()
    )


def holder_matches(
    certificate: Certificate | None, *, name: str = "", id_number: str = ""
) -> Answer:
    """Whether every part given (a full name, an ID number, or both) matches the certificate.

    A part left empty is not compared; with neither given nothing matches. An ID number never
    matches a certificate issued without a checked identity."""
    if certificate is None:
        return Answer.NOT_FOUND
    if certificate.effective_status() != Certificate.Status.VALID:
        return Answer.NOT_VALID
    name, id_number = name_normalised(name), id_number_normalised(id_number)
    if not name and not id_number:
        return Answer.NO_MATCH
    matched = True
    if name:
        matched &= _same(name, name_normalised(certificate.printed_name))
    if id_number:
        stored = certificate.holder_id_hash
        # Hashed even when nothing is stored, so the answer takes as long either way.
        matched &= _same(_id_number_hash(id_number), stored) and bool(stored)
    return Answer.MATCH if matched else Answer.NO_MATCH
