"""The Open Badges 3.0 ``OpenBadgeCredential`` for one certificate (VC Data Model 2.0 form).

Choices worth knowing (see the OB 3.0 spec, section "Data Model"):

* The recipient is identified by a salted hash of their email (``IdentityObject`` with
  ``hashed: true``), never the address itself: the credential is public, the address is not. The
  address is trimmed and lower-cased first so that "Li.Wei@Example.cn " still matches.
* The certificate number goes in ``credentialSubject.licenseNumber``, the AchievementSubject
  property OB 3.0 defines for "the license number that was issued with this credential".
* ``achievementType`` is ``Certification``, OB's term for a time-limited, revocable, renewable
  credential awarded by an authoritative body. How it was earned (training hours, an exam where
  the level has one, experience) is said only in ``criteria.narrative``, built from the level's
  requirements kept on the certificate at issue (``certification.statement``).
* Every URL that becomes an RDF IRI must be an absolute IRI: JSON-LD silently drops relative ones,
  and the signature would then not cover them.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from .dates import xsd_datetime
from .keys import did_key
from .loader import CREDENTIALS_V2, OPEN_BADGES_V3
from .status import STATUS_PURPOSE

ACHIEVEMENT_TYPE = "Certification"
_ABSOLUTE_URL = re.compile(
    r'https?://[^\s<>"{}|^`\\\x00-\x1f\x7f/?#]+[^\s<>"{}|^`\\\x00-\x1f\x7f]*'
)


@dataclass(frozen=True)
class BadgeData:
    credential_id: str
    issuer_public_key: bytes
    issuer_name: str
    issuer_url: str
    achievement_id: str
    achievement_name: str
    achievement_description: str
    criteria_narrative: str
    recipient_email: str
    recipient_salt: str
    certificate_number: str
    valid_from: datetime
    valid_until: datetime | None
    status_list_credential: str
    status_list_index: int
    name: str = ""


def identity_hash(email: str, salt: str) -> str:
    """OB's IdentityHash of an email address: ``sha256$`` + hex SHA-256 of address + salt."""
    normalized = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()


def open_badge_credential(data: BadgeData) -> dict:
    """The unsigned credential; ValueError names the first field that cannot go in it."""
    _check(data)
    credential = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": data.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": data.name or f"{data.achievement_name} {data.certificate_number}",
        "issuer": {
            "id": did_key(data.issuer_public_key),
            "type": ["Profile"],
            "name": data.issuer_name,
            "url": data.issuer_url,
        },
        "validFrom": xsd_datetime(data.valid_from),
    }
    if data.valid_until is not None:
        credential["validUntil"] = xsd_datetime(data.valid_until)
    credential["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(data.recipient_email, data.recipient_salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": data.recipient_salt,
            }
        ],
        "licenseNumber": data.certificate_number,
        "achievement": {
            "id": data.achievement_id,
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": data.achievement_name,
            "description": data.achievement_description,
            "criteria": {"narrative": data.criteria_narrative},
        },
    }
    credential["credentialStatus"] = {
        "id": f"{data.status_list_credential}#{data.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(data.status_list_index),
        "statusListCredential": data.status_list_credential,
    }
    return credential


def _check(data: BadgeData) -> None:
    for field in ("credential_id", "issuer_url", "achievement_id", "status_list_credential"):
        value = getattr(data, field)
        if not isinstance(value, str) or not _ABSOLUTE_URL.fullmatch(value):
            raise ValueError(f"{field} must be an absolute http(s) URL, not {value!r}")
    if "#" in data.status_list_credential:
        raise ValueError("status_list_credential must not have a fragment")
    for field in ("issuer_name", "achievement_name", "certificate_number", "recipient_email"):
        if not str(getattr(data, field)).strip():
            raise ValueError(f"{field} must not be empty")
    if not data.recipient_salt:
        raise ValueError("recipient_salt must not be empty: unsalted email hashes are guessable")
    index = data.status_list_index
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"status_list_index must be a non-negative integer, not {index!r}")
    xsd_datetime(data.valid_from)  # refuses naive datetimes before they are compared
    if data.valid_until is not None:
        xsd_datetime(data.valid_until)
        if data.valid_until <= data.valid_from:
            raise ValueError("valid_until must be after valid_from")
