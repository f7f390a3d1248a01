"""Builders shared by the credential tests: one issuer key, realistic Chinese badge data."""

import dataclasses
from datetime import UTC, datetime, timedelta

from certification.credentials import vc

ISSUER = vc.keypair_generate()
STATUS_LIST_URL = "https://portal.example/api/v1/status-lists/gd/1"
CREATED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
MODULES = tuple(
    vc.Alignment(
        name=name,
        url=f"https://portal.example/certification/syllabus/#{code}",
        code=code,
        framework="国家技术转移专业人员能力等级培训大纲（2020）",
    )
    for code, name in (
        ("general", "公共知识"),
        ("policy", "政策法规"),
        ("practice", "实务技能"),
        ("advanced", "能力提升"),
    )
)
# A made-up resident ID number with a correct GB 11643 check digit (Beijing, 1949-12-31).
ID_NUMBER = "11010519491231002X"


def badge_data(n: int = 123, **changes) -> vc.BadgeData:
    number = f"GD-J-2026-{n:06d}"
    data = vc.BadgeData(
        credential_id=f"https://portal.example/api/v1/certificates/{number}/credential",
        issuer_public_key=ISSUER.public,
        issuer_name="广东省技术转移培训基地",
        issuer_url="https://portal.example/bodies/gd/",
        achievement_id="https://portal.example/levels/junior",
        achievement_name="初级技术经纪人",
        achievement_description="具备技术转移基础知识与实务能力。",
        criteria_narrative="完成 48 学时培训并通过统一考试。",
        recipient_email=f"Li.Wei{n}@Example.cn",
        recipient_salt=f"{n:032x}",
        certificate_number=number,
        valid_from=datetime(2026, 3, 1, 8, tzinfo=UTC),
        valid_until=datetime(2099, 3, 1, 8, tzinfo=UTC),
        status_list_credential=STATUS_LIST_URL,
        status_list_index=n,
        name=f"初级技术经纪人证书 {number}",
        description="广东省技术转移培训基地颁发的初级技术经纪人证书。",
        awarded_at=datetime(2026, 3, 1, 8, tzinfo=UTC),
        image_url="https://portal.example/certification/levels/junior/badge.png",
        image_caption="初级技术经纪人",
        alignments=MODULES,
    )
    return dataclasses.replace(data, **changes)


def signed_credential(n: int = 123, **changes) -> dict:
    credential = vc.open_badge_credential(badge_data(n, **changes))
    return vc.sign(credential, private_key=ISSUER.private, created=CREATED)


def signed_status_list(revoked=(), *, key=ISSUER, valid_from=None, valid_until=...) -> dict:
    """A list signed now and good for two days, unless told otherwise (None: undated)."""
    valid_from = valid_from or datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    if valid_until is ...:
        valid_until = valid_from + timedelta(hours=48)
    status_list = vc.status_list_credential(
        url=STATUS_LIST_URL,
        issuer_public_key=key.public,
        revoked_indexes=revoked,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return vc.sign(status_list, private_key=key.private, created=CREATED)


def flip_one_character(text: str) -> str:
    """A one-character change in the middle, staying inside base58's alphabet."""
    position = len(text) // 2
    return text[:position] + ("2" if text[position] != "2" else "3") + text[position + 1 :]
