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
* Where the holder has a recorded identity document number, a second ``IdentityObject`` carries
  it the same way (``identityType: nationalIdentityNumber``, one of OB 3.0's identifier types):
  a relying party who is shown the number can recompute the hash offline and match. The salt is
  public, so the hash only stops look-ups in precomputed tables; a resident ID number has few
  enough plausible values that a determined attacker with the credential can search them. See
  docs/decisions on why this was accepted.
* The optional fields wallets and displays use are filled: ``description``, ``awardedDate``,
  ``image`` (the level's badge, also on the achievement), ``credentialSchema`` naming 1EdTech's
  published JSON schema (type ``JsonSchema``, the VC 2.0 term, defined in the bundled
  context; an undefined type would fall into the issuer-dependent vocabulary), and the
  achievement's ``alignment`` to the syllabus modules.
* Dates are written with the offset of the day they stand for (``xsd_datetime_local``).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from .dates import xsd_datetime_local
from .keys import did_key
from .loader import CREDENTIALS_V2, OPEN_BADGES_V3
from .status import STATUS_PURPOSE

ACHIEVEMENT_TYPE = "Certification"
SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ID_NUMBER_IDENTITY_TYPE = "nationalIdentityNumber"
_ABSOLUTE_URL = re.compile(
    r'https?://[^\s<>"{}|^`\\\x00-\x1f\x7f/?#]+[^\s<>"{}|^`\\\x00-\x1f\x7f]*'
)


@dataclass(frozen=True)
class Alignment:
    """A node of a framework the achievement aligns to (here: a module of the syllabus)."""

    name: str
    url: str
    code: str = ""
    description: str = ""
    framework: str = ""


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
    description: str = ""
    awarded_at: datetime | None = None
    image_url: str = ""
    image_caption: str = ""
    alignments: tuple[Alignment, ...] = ()
    # The holder's identity document number, only to be hashed; never written out as is.
    recipient_id_number: str = ""
    recipient_id_salt: str = ""
    # The holder's DID, for a copy bound to a wallet's key (OpenID4VCI): credentialSubject.id.
    subject_id: str = ""
    # The issuer's DID when it is not the key's did:key (a did:web listing the key).
    issuer_id: str = ""

    def __repr__(self) -> str:  # the identity number must never reach a log
        return f"BadgeData({self.certificate_number!r})"


def identity_hash(email: str, salt: str) -> str:
    """OB's IdentityHash of an email address: ``sha256$`` + hex SHA-256 of address + salt."""
    normalized = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()


def id_number_hash(number: str, salt: str) -> str:
    """The IdentityHash of an identity document number: ``sha256$`` + hex SHA-256 of number +
    salt, the number without spaces and upper-cased first (a resident ID may end in x or X)."""
    normalized = "".join(number.split()).upper()
    return "sha256$" + hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()


def _image(url: str, caption: str) -> dict:
    image = {"id": url, "type": "Image"}
    if caption:
        image["caption"] = caption
    return image


def _alignment(alignment: Alignment) -> dict:
    node = {"type": ["Alignment"], "targetName": alignment.name, "targetUrl": alignment.url}
    if alignment.code:
        node["targetCode"] = alignment.code
    if alignment.description:
        node["targetDescription"] = alignment.description
    if alignment.framework:
        node["targetFramework"] = alignment.framework
    return node


def open_badge_credential(data: BadgeData) -> dict:
    """The unsigned credential; ValueError names the first field that cannot go in it."""
    _check(data)
    credential = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": data.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": data.name or f"{data.achievement_name} {data.certificate_number}",
        "issuer": {
            "id": data.issuer_id or did_key(data.issuer_public_key),
            "type": ["Profile"],
            "name": data.issuer_name,
            "url": data.issuer_url,
        },
    }
    if data.description:
        credential["description"] = data.description
    if data.image_url:
        credential["image"] = _image(data.image_url, data.image_caption)
    credential["validFrom"] = xsd_datetime_local(data.valid_from)
    if data.valid_until is not None:
        credential["validUntil"] = xsd_datetime_local(data.valid_until)
    if data.awarded_at is not None:
        credential["awardedDate"] = xsd_datetime_local(data.awarded_at)
    identifiers = [
        {
            "type": "IdentityObject",
            "identityHash": identity_hash(data.recipient_email, data.recipient_salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": data.recipient_salt,
        }
    ]
    if data.recipient_id_number:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": id_number_hash(data.recipient_id_number, data.recipient_id_salt),
                "identityType": ID_NUMBER_IDENTITY_TYPE,
                "hashed": True,
                "salt": data.recipient_id_salt,
            }
        )
    achievement = {
        "id": data.achievement_id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE,
        "name": data.achievement_name,
        "description": data.achievement_description,
        "criteria": {"narrative": data.criteria_narrative},
    }
    if data.image_url:
        achievement["image"] = _image(data.image_url, data.image_caption)
    if data.alignments:
        achievement["alignment"] = [_alignment(alignment) for alignment in data.alignments]
    subject = {"id": data.subject_id} if data.subject_id else {}
    credential["credentialSubject"] = {
        **subject,
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "licenseNumber": data.certificate_number,
        "achievement": achievement,
    }
    credential["credentialStatus"] = {
        "id": f"{data.status_list_credential}#{data.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(data.status_list_index),
        "statusListCredential": data.status_list_credential,
    }
    credential["credentialSchema"] = [{"id": SCHEMA_URL, "type": "JsonSchema"}]
    return credential


def _check(data: BadgeData) -> None:
    for field in ("credential_id", "issuer_url", "achievement_id", "status_list_credential"):
        value = getattr(data, field)
        if not isinstance(value, str) or not _ABSOLUTE_URL.fullmatch(value):
            raise ValueError(f"{field} must be an absolute http(s) URL, not {value!r}")
    urls = [("image_url", data.image_url)] if data.image_url else []
    urls += [("alignment url", alignment.url) for alignment in data.alignments]
    for field, value in urls:
        if not isinstance(value, str) or not _ABSOLUTE_URL.fullmatch(value):
            raise ValueError(f"{field} must be an absolute http(s) URL, not {value!r}")
    for alignment in data.alignments:
        if not alignment.name.strip():
            raise ValueError("an alignment must have a name")
    if data.issuer_id and not data.issuer_id.startswith("did:"):
        raise ValueError(f"issuer_id must be a DID, not {data.issuer_id!r}")
    if data.subject_id and not re.fullmatch(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]+", data.subject_id):
        raise ValueError(f"subject_id must be a DID, not {data.subject_id!r}")
    if data.recipient_id_number and not data.recipient_id_salt:
        raise ValueError("recipient_id_salt must not be empty when an ID number is hashed")
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
    xsd_datetime_local(data.valid_from)  # refuses naive datetimes before they are compared
    if data.awarded_at is not None:
        xsd_datetime_local(data.awarded_at)
    if data.valid_until is not None:
        xsd_datetime_local(data.valid_until)
        if data.valid_until <= data.valid_from:
            raise ValueError("valid_until must be after valid_from")
