"""Builders shared by the credential tests: one issuer key, realistic Chinese badge data."""

import dataclasses
from datetime import UTC, datetime

from certification.credentials import vc

ISSUER = vc.keypair_generate()
STATUS_LIST_URL = "https://portal.example/api/v1/status-lists/gd/1"
CREATED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


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
    )
    return dataclasses.replace(data, **changes)


def signed_credential(n: int = 123, **changes) -> dict:
    credential = vc.open_badge_credential(badge_data(n, **changes))
    return vc.sign(credential, private_key=ISSUER.private, created=CREATED)


def signed_status_list(revoked=(), *, key=ISSUER) -> dict:
    status_list = vc.status_list_credential(
        url=STATUS_LIST_URL,
        issuer_public_key=key.public,
        revoked_indexes=revoked,
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return vc.sign(status_list, private_key=key.private, created=CREATED)


def flip_one_character(text: str) -> str:
    """A one-character change in the middle, staying inside base58's alphabet."""
    position = len(text) // 2
    return text[:position] + ("2" if text[position] != "2" else "3") + text[position + 1 :]
