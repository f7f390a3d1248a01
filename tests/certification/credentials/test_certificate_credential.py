"""A certificate's signed credential as issued: dates in Beijing time, the holder's ID number
as a salted hash, the fields wallets use, and 1EdTech's OB 3.0 JSON schema."""

import datetime
import hashlib
import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from jsonschema import Draft201909Validator, FormatChecker

from certification.credentials import vc
from certification.credentials.badge_image import unbaked_credential
from certification.credentials.services import certificate_credential, id_number_salt
from certification.credentials.status import status_list_sign
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel
from portal.accounts.identity import identity_record
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

from .vc.builders import ID_NUMBER, signed_credential

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).with_name("ob_schema") / "ob_v3p0_achievementcredential_schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft201909Validator(SCHEMA, format_checker=FormatChecker())


def schema_errors(credential: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(credential)
    ]


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body)


@pytest.fixture
def certificate(body, reviewer):
    """One junior certificate issued the whole way (slow: the tests below share it)."""
    return issued_certificate(UserFactory(), body, reviewer)


def test_the_bundled_schema_is_1edtechs_and_catches_what_it_should():
    assert SCHEMA["title"] == "JSON Schema for the AchievementCredential class."
    Draft201909Validator.check_schema(SCHEMA)
    credential = signed_credential()
    assert schema_errors(credential) == []
    # the form credentials had before: a bare proof object; the schema wants an array
    earlier = {**credential, "proof": credential["proof"][0]}
    assert any(error.startswith("proof:") for error in schema_errors(earlier))
    broken = {**credential, "validFrom": "2026-03-01 08:00"}
    assert any("validFrom" in error for error in schema_errors(broken))


def test_an_issued_credential_passes_the_schema_with_beijing_dates_and_wallet_fields(
    certificate, client, settings
):
    credential = certificate.credential
    assert schema_errors(credential) == []
    assert vc.verify(credential).verified
    assert vc.undefined_terms(credential) == []

    # Optional fields wallets and displays use.
    assert credential["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "JsonSchema",
        }
    ]
    assert certificate.number in credential["description"]
    assert certificate.level_name in credential["description"]
    achievement = credential["credentialSubject"]["achievement"]
    assert credential["image"]["id"].endswith("/certification/levels/junior_broker/badge.png")
    assert achievement["image"] == credential["image"]
    names = [alignment["targetName"] for alignment in achievement["alignment"]]
    assert [name.split()[0] for name in names] == ["公共知识", "政策法规", "实务技能", "能力提升"]
    assert [a["targetCode"] for a in achievement["alignment"]] == [
        "general",
        "policy",
        "practice",
        "enhancement",
    ]
    assert all(a["targetUrl"].startswith("http") for a in achievement["alignment"])

    # Dates: Beijing time, validUntil the printed day's last second there.
    assert certificate.valid_until is not None
    assert credential["validUntil"] == f"{certificate.valid_until.isoformat()}T23:59:59+08:00"
    assert credential["validFrom"].endswith("+08:00")
    assert credential["validFrom"][:10] == certificate.issued_on.isoformat()
    assert credential["awardedDate"] == credential["validFrom"]
    valid_from = datetime.datetime.fromisoformat(credential["validFrom"])
    assert abs(valid_from - certificate.created_at) < datetime.timedelta(seconds=1)
    until = datetime.datetime.fromisoformat(credential["validUntil"]).astimezone(datetime.UTC)
    assert (until.date(), until.time()) == (certificate.valid_until, datetime.time(15, 59, 59))

    # No ID number recorded: only the e-mail identifier.
    identifiers = credential["credentialSubject"]["identifier"]
    assert [i["identityType"] for i in identifiers] == ["emailAddress"]

    # A renewal keeps the day the level was first awarded.
    held_since = certificate.issued_on - datetime.timedelta(days=800)
    certificate.held_since = held_since
    renewed = certificate_credential(certificate)
    assert renewed["awardedDate"] == f"{held_since.isoformat()}T00:00:00+08:00"
    assert schema_errors(renewed) == []

    # Every level's credential passes (the shape is the level's data, not code).
    for level in CertificationLevel.objects.all():
        certificate.level = level
        certificate.level_name = level.name
        certificate.level_name_en = level.name_en
        assert schema_errors(certificate_credential(certificate)) == [], level.code


def test_a_credential_signed_before_in_the_earlier_form_keeps_verifying(certificate):
    """UTC ``…T23:59:59Z`` dates and a bare proof object, as credentials were signed before."""
    from certification.credentials import keys

    unsigned = {key: value for key, value in certificate.credential.items() if key != "proof"}
    unsigned["validUntil"] = f"{certificate.valid_until.isoformat()}T23:59:59Z"
    unsigned["validFrom"] = "2026-01-05T02:00:00Z"
    signing_key = certificate.status_list.signing_key
    earlier = vc.sign(
        unsigned,
        private_key=keys.private_key(signing_key),
        created=datetime.datetime(2026, 1, 5, 2, tzinfo=datetime.UTC),
    )
    earlier["proof"] = earlier["proof"][0]
    assert vc.verify(earlier).verified


def test_a_recorded_id_number_is_carried_as_a_salted_hash_only(body, reviewer):
    holder = UserFactory()
    identity_record(holder, kind="resident_id", number=ID_NUMBER.lower())
    certificate = issued_certificate(holder, body, reviewer)
    credential = certificate.credential
    text = json.dumps(credential, ensure_ascii=False).upper()
    assert ID_NUMBER not in text
    assert ID_NUMBER[:4] + "*" not in text  # not even the masked form
    email, number = credential["credentialSubject"]["identifier"]
    assert email["identityType"] == "emailAddress"
    salt = number["salt"]
    assert salt == id_number_salt(certificate) and salt != email["salt"] and len(salt) == 32
    expected = hashlib.sha256((ID_NUMBER + salt).encode()).hexdigest()
    assert number == {
        "type": "IdentityObject",
        "identityHash": f"sha256${expected}",
        "identityType": "nationalIdentityNumber",
        "hashed": True,
        "salt": salt,
    }
    assert vc.id_number_hash(f" {ID_NUMBER.lower()} ", salt) == number["identityHash"]
    assert vc.id_number_hash("110105194912310037", salt) != number["identityHash"]
    assert schema_errors(credential) == []
    assert vc.verify(credential).verified
    # The same certificate signed again says the same thing.
    assert certificate_credential(certificate) == credential


def test_the_level_badge_and_the_baked_certificate_badge(certificate, client):
    response = client.get("/certification/levels/junior_broker/badge.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert client.get("/certification/levels/no_such_level/badge.png").status_code == 404
    baked = client.get(f"/api/v1/certificates/{certificate.number}/badge.png")
    assert baked.status_code == 200 and baked["Content-Type"] == "image/png"
    assert unbaked_credential(baked.content) == certificate.credential
    assert b"iTXtopenbadgecredential\x00\x00\x00" in baked.content  # uncompressed, no language
    missing = client.get("/api/v1/certificates/GD-J-1900-000001/badge.png")
    assert missing.status_code == 404 and missing.json() == {"error": "not_found"}
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.PENDING)
    assert client.get(f"/api/v1/certificates/{certificate.number}/badge.png").status_code == 404


def test_certificates_check_reports_a_status_list_past_its_valid_until(certificate, settings):
    status_list_sign(certificate.status_list)
    call_command("certificates_check")  # fresh: fine
    later = timezone.now() + datetime.timedelta(hours=settings.PORTAL_STATUS_LIST_VALID_HOURS + 1)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        pytest.raises(CommandError, match="past its validUntil"),
    ):
        call_command("certificates_check")
