"""The signed Open Badges 3.0 credential of a certificate."""

import datetime
import functools
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from certification.credentials import keys, vc
from certification.credentials.status import status_list_method
from certification.issuing.models import Certificate
from certification.issuing.statement import MODULES_EN, MODULES_ZH, criteria_narrative
from certification.links import credential_url
from portal.accounts.identity import identity_number

# The days printed on a certificate (发证日期, 有效期至) are days in China: the credential's
# dates say so with +08:00, so "valid until" ends when the printed day ends there.
PRINTED_TIME_ZONE = ZoneInfo("Asia/Shanghai")
SYLLABUS = (
    "国家技术转移专业人员能力等级培训大纲（2020） "
    "National capability-level training syllabus for technology transfer professionals (2020)"
)


@functools.lru_cache(maxsize=512)
def _reversed(name: str, args: tuple, urlconf, prefix: str, base: str) -> str:
    return base.rstrip("/") + reverse(name, args=list(args), urlconf=urlconf)


def _public_url(name: str, *args) -> str:
    """``absolute_url(reverse(name, args))`` for addresses every credential of a level or body
    repeats, resolved once per process (and URL configuration, script prefix, base URL)."""
    return _reversed(name, args, get_urlconf(), get_script_prefix(), settings.PORTAL_BASE_URL)


def printed_day_end(day: datetime.date) -> datetime.datetime:
    """23:59:59 of a printed day, Beijing time: the last second a certificate is valid."""
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=PRINTED_TIME_ZONE)


def _beijing(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(PRINTED_TIME_ZONE).replace(microsecond=0)


def syllabus_alignments(requirements: dict) -> tuple[vc.Alignment, ...]:
    """The achievement's alignment to the four modules of the national syllabus, with the hours
    the level asked for in each where the certificate kept them."""
    hours = (requirements or {}).get("hours") or {}
    overview = _public_url("certification_overview")
    alignments = []
    for code, name in MODULES_ZH.items():
        english = MODULES_EN[code]
        description = ""
        if code in hours:
            description = f"本等级要求{hours[code]}学时。{hours[code]} training hours required."
        alignments.append(
            vc.Alignment(
                name=f"{name} {english[:1].upper()}{english[1:]}",
                url=f"{overview}#module-{code}",
                code=code,
                description=description,
                framework=SYLLABUS,
            )
        )
    return tuple(alignments)


def id_number_salt(certificate: Certificate) -> str:
    """The public salt of the holder's ID-number hash: fixed per certificate (so signing again
    gives the same document) and not the e-mail hash's salt."""
    digest = hashlib.sha256(b"identity number\x00" + certificate.recipient_salt.encode())
    return digest.hexdigest()[:32]


def level_badge_url(level_code: str) -> str:
    return _public_url("credential_level_badge", level_code)


def certificate_credential(certificate: Certificate, *, subject_id: str = "") -> dict:
    """The signed Open Badges 3.0 credential; the same input always gives the same document.

    With ``subject_id`` (the holder's DID, proven by a wallet's key proof) the copy names it as
    ``credentialSubject.id``: the credential a wallet receives (certification/wallet)."""
    status_list = certificate.status_list
    signing_key = status_list.signing_key
    level = certificate.level
    issued_at = certificate.created_at
    valid_until = printed_day_end(certificate.valid_until) if certificate.valid_until else None
    awarded_at = _beijing(issued_at)
    if certificate.held_since and certificate.held_since < awarded_at.date():
        # A renewal: the level was first awarded on the day it has been held since.
        awarded_at = datetime.datetime.combine(
            certificate.held_since, datetime.time(0, 0), tzinfo=PRINTED_TIME_ZONE
        )
    id_number = identity_number(certificate.holder) or ""
    level_en = certificate.level_name_en
    description = (
        f"{certificate.body_name}颁发的{certificate.level_name}证书，编号{certificate.number}。"
    )
    if level_en:
        description += (
            f" {level_en} certificate no. {certificate.number}, issued by {certificate.body_name}."
        )
    data = vc.BadgeData(
        credential_id=credential_url(certificate.number),
        issuer_public_key=bytes(signing_key.public_key),
        issuer_id=status_list.issuer_did,
        issuer_name=certificate.body_name,
        issuer_url=_public_url("certification_body", certificate.body.code),
        achievement_id=_public_url("certification_level", level.code),
        achievement_name=certificate.level_name,
        achievement_description=level.description or certificate.level_name,
        criteria_narrative=criteria_narrative(
            certificate.requirements,
            level_name=certificate.level_name,
            level_name_en=level_en,
        ),
        recipient_email=certificate.holder.email,
        recipient_salt=certificate.recipient_salt,
        certificate_number=certificate.number,
        valid_from=_beijing(issued_at),
        valid_until=valid_until,
        status_list_credential=_public_url(
            "api_status_list", status_list.body.code, status_list.number
        ),
        status_list_index=certificate.status_index,
        name=f"{certificate.level_name} {certificate.number}",
        description=description,
        awarded_at=awarded_at,
        image_url=level_badge_url(level.code),
        image_caption=certificate.level_name,
        alignments=syllabus_alignments(certificate.requirements),
        recipient_id_number=id_number,
        recipient_id_salt=id_number_salt(certificate) if id_number else "",
        subject_id=subject_id,
    )
    return vc.sign(
        vc.open_badge_credential(data),
        private_key=keys.private_key(signing_key),
        created=issued_at.astimezone(datetime.UTC).replace(microsecond=0),
        method=status_list_method(status_list),
    )
