"""Revocation lists in the W3C Bitstring Status List v1.0 format.

One bit per issued credential, bit 0 being the most significant bit of byte 0; a set bit means
revoked. The list is GZIP-compressed and multibase base64url-encoded ('u' prefix) into
``encodedList``. The spec's minimum of 131,072 bits (16 KiB) is herd privacy: a verifier
fetching the list learns nothing about which credential it is checking.
"""

import gzip
import zlib
from collections.abc import Iterable
from datetime import datetime

from .dates import xsd_datetime
from .keys import did_key
from .loader import CREDENTIALS_V2
from .multibase import from_multibase_base64url, multibase_base64url

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
) -> dict:
    """The unsigned BitstringStatusListCredential published at ``url``."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did_key(issuer_public_key),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bits(revoked_indexes, length),
        },
    }


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
