import hashlib
import json
from datetime import datetime

import pytest
from pyld import jsonld

from certification.credentials import vc

from .builders import CREATED, ISSUER, STATUS_LIST_URL, badge_data

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"


def test_the_credential_is_an_open_badge_3_credential_by_the_issuer_did():
    credential = vc.open_badge_credential(badge_data(123))
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == vc.did_key(ISSUER.public)
    assert credential["issuer"]["name"] == "广东省技术转移培训基地"
    assert credential["validFrom"] == "2026-03-01T08:00:00Z"
    assert credential["validUntil"] == "2099-03-01T08:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["licenseNumber"] == "GD-J-2026-000123"
    assert subject["achievement"]["name"] == "初级技术经纪人"
    assert subject["achievement"]["criteria"]["narrative"].startswith("完成")
    assert credential["credentialStatus"] == {
        "id": f"{STATUS_LIST_URL}#123",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "123",
        "statusListCredential": STATUS_LIST_URL,
    }


def test_the_recipient_email_appears_only_as_a_salted_hash():
    credential = vc.open_badge_credential(badge_data(7))
    text = json.dumps(credential, ensure_ascii=False).lower()
    assert "li.wei7" not in text and "example.cn" not in text
    (identity,) = credential["credentialSubject"]["identifier"]
    salt = identity["salt"]
    expected = hashlib.sha256(("li.wei7@example.cn" + salt).encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${expected}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }
    assert vc.identity_hash("  LI.WEI7@example.CN ", salt) == identity["identityHash"]


def test_without_valid_until_or_name_the_credential_still_has_a_name_and_no_expiry():
    credential = vc.open_badge_credential(badge_data(5, valid_until=None, name=""))
    assert "validUntil" not in credential
    assert credential["name"] == "初级技术经纪人 GD-J-2026-000005"


def _compact_leaves(value, values: list, types: list, in_type=False) -> None:
    """Every scalar of a compact document outside @context, type names apart."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                _compact_leaves(item, values, types, key == "type")
    elif isinstance(value, list):
        for item in value:
            _compact_leaves(item, values, types, in_type)
    else:
        (types if in_type else values).append(value)


def _expanded_leaves(value, values: list, types: list, keys: list) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.append(key)
            if key in ("@id", "@value"):
                values.append(item)
            elif key == "@type" and "@value" in value:
                pass  # a literal's datatype, not a node type
            elif key == "@type":
                types.extend(item)
            else:
                _expanded_leaves(item, values, types, keys)
    elif isinstance(value, list):
        for item in value:
            _expanded_leaves(item, values, types, keys)


def _matches(compact, expanded) -> bool:
    """Equal, or a vocabulary term (``assertionMethod``) and the IRI it expanded to."""
    return compact == expanded or (
        isinstance(compact, str) and str(expanded).endswith(("#" + compact, "/" + compact))
    )


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_expansion_keeps_every_property_so_the_signature_covers_all_it_shows(signed):
    credential = vc.open_badge_credential(badge_data(42))
    if signed:
        credential = vc.sign(credential, private_key=ISSUER.private, created=CREATED)
    dropped = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    expanded = processor.expand(credential, {"documentLoader": vc.document_loader})
    compact_values, compact_types = [], []
    _compact_leaves(credential, compact_values, compact_types)
    expanded_values, expanded_types, keys = [], [], []
    _expanded_leaves(expanded, expanded_values, expanded_types, keys)

    assert dropped == []
    assert len(expanded_types) == len(compact_types)
    assert len(expanded_values) == len(compact_values)
    unmatched = list(expanded_values)
    for value in compact_values:
        match = next(item for item in unmatched if _matches(value, item))
        unmatched.remove(match)
    assert all(key.startswith(("@", "https://", "http://")) for key in keys)
    assert not [key for key in keys + expanded_types if key.startswith(ISSUER_DEPENDENT)]
    assert vc.undefined_terms(credential) == []


def test_undefined_terms_and_relative_iris_are_reported():
    credential = vc.open_badge_credential(badge_data(1))
    credential["credentialSubject"]["favouriteColour"] = "blue"
    credential["credentialSubject"]["achievement"]["id"] = "relative/path"
    problems = vc.undefined_terms(credential)
    assert "undefined term: 'favouriteColour'" in problems
    assert "value dropped: 'blue'" in problems
    assert "value dropped: 'relative/path'" in problems


def test_signing_refuses_a_credential_with_an_undefined_term():
    credential = vc.open_badge_credential(badge_data(1))
    credential["credentialSubject"]["favouriteColour"] = "blue"
    with pytest.raises(vc.CanonicalizationError, match="favouriteColour"):
        vc.sign(credential, private_key=ISSUER.private, created=CREATED)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credential_id", "/api/v1/certificates/1"),
        ("issuer_url", "portal.example"),
        ("achievement_id", "https://portal.example/has space"),
        ("status_list_credential", "ftp://portal.example/list"),
        ("status_list_credential", "https://portal.example/list#frag"),
        ("issuer_name", "  "),
        ("certificate_number", ""),
        ("recipient_salt", ""),
        ("status_list_index", -1),
        ("status_list_index", True),
    ],
)
def test_bad_badge_data_is_refused_with_the_field_named(field, value):
    with pytest.raises(ValueError, match=field):
        vc.open_badge_credential(badge_data(1, **{field: value}))


def test_naive_or_backwards_dates_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        vc.open_badge_credential(badge_data(1, valid_from=datetime(2026, 1, 1)))
    data = badge_data(1)
    with pytest.raises(ValueError, match="after"):
        vc.open_badge_credential(badge_data(1, valid_until=data.valid_from))


def test_dates_keep_the_offset_of_the_day_they_stand_for():
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo("Asia/Shanghai")
    credential = vc.open_badge_credential(
        badge_data(
            9,
            valid_from=datetime(2026, 3, 1, 16, 5, 7, 123456, tzinfo=beijing),
            awarded_at=datetime(2026, 3, 1, 16, 5, 7, tzinfo=beijing),
            valid_until=datetime(2029, 2, 28, 23, 59, 59, tzinfo=beijing),
        )
    )
    assert credential["validFrom"] == "2026-03-01T16:05:07+08:00"
    assert credential["awardedDate"] == "2026-03-01T16:05:07+08:00"
    assert credential["validUntil"] == "2029-02-28T23:59:59+08:00"


def test_the_wallet_fields_are_filled():
    credential = vc.open_badge_credential(badge_data(3))
    assert credential["description"].startswith("广东省")
    assert credential["image"] == {
        "id": "https://portal.example/certification/levels/junior/badge.png",
        "type": "Image",
        "caption": "初级技术经纪人",
    }
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["image"] == credential["image"]
    assert [a["targetCode"] for a in achievement["alignment"]] == [
        "general",
        "policy",
        "practice",
        "advanced",
    ]
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert credential["credentialSchema"][0]["type"] == "JsonSchema"


def test_an_id_number_goes_in_only_hashed_and_needs_a_salt():
    from .builders import ID_NUMBER

    with pytest.raises(ValueError, match="recipient_id_salt"):
        vc.open_badge_credential(badge_data(4, recipient_id_number=ID_NUMBER))
    data = badge_data(4, recipient_id_number=ID_NUMBER, recipient_id_salt="s" * 32)
    assert ID_NUMBER not in repr(data)
    credential = vc.open_badge_credential(data)
    assert ID_NUMBER not in json.dumps(credential)
    identity = credential["credentialSubject"]["identifier"][1]
    assert identity["identityType"] == "nationalIdentityNumber"
    assert identity["identityHash"] == vc.id_number_hash(ID_NUMBER.lower(), "s" * 32)


def test_relative_image_and_alignment_urls_are_refused():
    with pytest.raises(ValueError, match="image_url"):
        vc.open_badge_credential(badge_data(2, image_url="/badge.png"))
    with pytest.raises(ValueError, match="alignment"):
        vc.open_badge_credential(
            badge_data(2, alignments=(vc.Alignment(name="公共知识", url="#general"),))
        )
