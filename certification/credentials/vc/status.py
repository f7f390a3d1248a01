"""Revocation lists in the W3C Bitstring Status List v1.0 format.

One bit per issued credential, bit 0 being the most significant bit of byte 0; a set bit means
revoked. The list is GZIP-compressed and multibase base64url-encoded ('u' prefix) into
``encodedList``. The spec's minimum of 131,072 bits (16 KiB) is herd privacy: a verifier
fetching the list learns nothing about which credential it is checking.

A list is a signed snapshot, so an old copy still verifies. Each list therefore carries a short
``validUntil`` and is re-signed before it passes (``certification/credentials/status.py``);
:func:`credential_status` refuses a list past its ``validUntil``, or with none, so a copy kept
from before a revocation cannot be replayed to make the revoked credential look good.
"""

import gzip
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .dates import parse_xsd_datetime, xsd_datetime
from .keys import did_key
from .loader import CREDENTIALS_V2
from .multibase import from_multibase_base64url, multibase_base64url
from .proof import Resolver, issuer_id, verify

MIN_LENGTH = 131_072
STATUS_PURPOSE = "revocation"
# A decoded list larger than this is refused: a tiny gzip can inflate to gigabytes.
MAX_DECODED_BYTES = 16 * 1024 * 1024


def encode_bits(set_indexes: Iterable[int], length: int) -> str:
    """The ``encodedList`` value for a list of ``length`` bits with ``set_indexes`` set."""
    if length < MIN_LENGTH or length % 8:
        raise ValueError(f"a status list has at least {MIN_LENGTH} bits, a multiple of 8")
    bits = bytearray(length // 8)
    for index in set_indexes:
        if not 0 <= index < length:
            raise ValueError(f"status list index {index} is outside 0..{length - 1}")
        bits[index >> 3] |= 0x80 >> (index & 7)
    # mtime=0 keeps the output a function of the bits alone, so re-publishing is idempotent.
    return multibase_base64url(gzip.compress(bytes(bits), mtime=0))


def decode_bits(encoded_list: str) -> bytes:
    """The raw bitstring of an ``encodedList``; ValueError if it is not one."""
    compressed = from_multibase_base64url(encoded_list)
    try:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES + 1)
    except zlib.error as error:
        raise ValueError(f"encodedList is not GZIP data: {error}") from None
    if len(bits) > MAX_DECODED_BYTES:
        raise ValueError("encodedList is implausibly large")
    return bits


def status_list_credential(
    *,
    url: str,
    issuer_public_key: bytes,
    revoked_indexes: Iterable[int],
    length: int = MIN_LENGTH,
    valid_from: datetime,
    valid_until: datetime | None = None,
    issuer_id: str = "",
) -> dict:
    """The unsigned BitstringStatusListCredential published at ``url``.

    ``valid_until`` bounds how long this snapshot may be believed; without it a verifier
    (ours, at least) refuses the list. The issuer is ``issuer_id`` (the DID of the credentials
    the list covers, e.g. a did:web) or else the key's did:key."""
    document = {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id or did_key(issuer_public_key),
        "validFrom": xsd_datetime(valid_from),
    }
    if valid_until is not None:
        if valid_until <= valid_from:
            raise ValueError("a status list's valid_until must be after its valid_from")
        document["validUntil"] = xsd_datetime(valid_until)
    document["credentialSubject"] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": STATUS_PURPOSE,
        "encodedList": encode_bits(revoked_indexes, length),
    }
    return document


def status_bit(status_list_credential: dict, index: int) -> bool:
    """Whether bit ``index`` is set (the credential revoked); ValueError on a malformed list."""
    try:
        encoded = status_list_credential["credentialSubject"]["encodedList"]
    except (KeyError, TypeError):
        raise ValueError("not a status list credential: no credentialSubject.encodedList") from None
    bits = decode_bits(encoded)
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status list index {index} is outside the list")
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


# How far a verifier's clock may run ahead of the issuer's when a list has just been signed.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class StatusCheck:
    """Whether a credential is revoked, per a status list that was itself found trustworthy.

    ``revoked`` is None when the list could not be believed; ``errors`` then says why."""

    revoked: bool | None
    errors: tuple[str, ...] = ()


def credential_status(
    credential: dict, status_list: dict, *, now: datetime, resolve: Resolver | None = None
) -> StatusCheck:
    """The credential's revocation bit, read only from a list that is authentic and current.

    Refused: a list whose proof fails, signed by anyone but the credential's issuer, published
    at another URL than the credential names, for another purpose, not yet valid, or past its
    ``validUntil`` (or without one: such a list could be replayed forever). Never raises on
    malformed input. ``resolve`` finds the list's signing key, as in :func:`.proof.verify`."""
    errors = _list_errors(credential, status_list, now=now, resolve=resolve)
    if errors:
        return StatusCheck(None, tuple(errors))
    entry = credential["credentialStatus"]
    try:
        return StatusCheck(status_bit(status_list, int(entry["statusListIndex"])))
    except (KeyError, TypeError, ValueError) as error:
        return StatusCheck(None, (f"the status list cannot be read: {error}",))


def _list_errors(
    credential: dict, status_list: dict, *, now: datetime, resolve: Resolver | None
) -> list[str]:
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    entry = credential.get("credentialStatus") if isinstance(credential, dict) else None
    if not isinstance(entry, dict):
        return ["the credential has no credentialStatus"]
    if not isinstance(status_list, dict):
        return ["the status list is not a JSON object"]
    result = verify(status_list, resolve=resolve)
    if not result.verified:
        return [f"the status list's proof fails: {'; '.join(result.errors)}"]
    errors = []
    if issuer_id(status_list) != issuer_id(credential):
        errors.append("the status list was not issued by the credential's issuer")
    if status_list.get("id") != entry.get("statusListCredential"):
        errors.append("the status list is not the one the credential names")
    subject = status_list.get("credentialSubject")
    purpose = subject.get("statusPurpose") if isinstance(subject, dict) else None
    if purpose != entry.get("statusPurpose"):
        errors.append("the status list is for another status purpose")
    try:
        valid_from = parse_xsd_datetime(status_list.get("validFrom"))
        valid_until = parse_xsd_datetime(status_list.get("validUntil"))
    except (TypeError, ValueError):
        errors.append(
            "the status list has no validFrom/validUntil: an undated list could be an old copy"
        )
    else:
        if now + CLOCK_SKEW < valid_from:
            errors.append(f"the status list is not valid before {status_list['validFrom']}")
        if now > valid_until:
            errors.append(
                f"the status list expired at {status_list['validUntil']}; fetch a fresh one"
            )
    return errors
