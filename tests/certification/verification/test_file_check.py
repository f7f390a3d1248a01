"""Checking a file someone holds (certification/verification/upload.py): a certificate PDF by
its fingerprint, a credential by its signature and the issuing body's key."""

import copy
import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.credentials import vc
from certification.lifecycle.services import certificate_revoke
from certification.verification.upload import Outcome, file_verdict
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def certificate(body):
    return issued_certificate(UserFactory(real_name="张三丰"), body, certifier(body))


def _file(content: bytes, name="file.bin"):
    return SimpleUploadedFile(name, content)


def _pdf_bytes(certificate) -> bytes:
    certificate.pdf.open("rb")
    try:
        return certificate.pdf.read()
    finally:
        certificate.pdf.close()


def test_the_issued_pdf_is_recognised_with_its_record(certificate):
    verdict = file_verdict(_file(_pdf_bytes(certificate), "certificate.pdf"))
    assert (verdict.kind, verdict.outcome) == ("pdf", Outcome.FOUND)
    assert verdict.certificate.number == certificate.number
    assert verdict.certificate.status == "valid"
    assert verdict.certificate.holder_name_masked == "张*丰"


def test_a_pdf_changed_by_one_byte_is_not_ours(certificate):
    data = bytearray(_pdf_bytes(certificate))
    data[len(data) // 2] ^= 0x01
    verdict = file_verdict(_file(bytes(data), "certificate.pdf"))
    assert (verdict.kind, verdict.outcome) == ("pdf", Outcome.UNKNOWN_FILE)
    assert verdict.certificate is None


def test_a_revoked_certificates_pdf_says_revoked(certificate, body):
    certificate_revoke(
        certificate_id=certificate.pk,
        actor=certifier(body, email="second@example.org"),
        reason="内部说明",
    )
    verdict = file_verdict(_file(_pdf_bytes(certificate), "certificate.pdf"))
    assert verdict.outcome == Outcome.FOUND
    assert verdict.certificate.status == "revoked"


def test_the_issued_credential_is_recognised(certificate):
    data = json.dumps(certificate.credential, ensure_ascii=False).encode()
    verdict = file_verdict(_file(data, "credential.json"))
    assert (verdict.kind, verdict.outcome) == ("credential", Outcome.FOUND)
    assert verdict.certificate.number == certificate.number


def test_an_edited_credential_is_refused_as_altered(certificate):
    forged = copy.deepcopy(certificate.credential)
    forged["validUntil"] = "2099-12-31T23:59:59+08:00"
    verdict = file_verdict(_file(json.dumps(forged).encode(), "credential.json"))
    assert verdict.outcome == Outcome.ALTERED
    assert verdict.certificate is None


def test_a_look_alike_signed_with_another_key_is_not_ours(certificate):
    forged = copy.deepcopy(certificate.credential)
    forged.pop("proof")
    keypair = vc.keypair_generate()
    forged["issuer"] = dict(forged["issuer"], id=vc.did_key(keypair.public))
    signed = vc.sign(
        forged, private_key=keypair.private, created=datetime.datetime.now(datetime.UTC)
    )
    assert vc.verify(signed).verified  # a perfectly good signature, by the wrong key
    verdict = file_verdict(_file(json.dumps(signed).encode(), "credential.json"))
    assert verdict.outcome == Outcome.NOT_OURS
    assert verdict.certificate is None


@pytest.mark.parametrize(
    "content",
    [b"", b"hello", b"\xff\xfe\x00", b"[1, 2, 3]", b'{"a": 1}', b"[" * 100_000, b" " * 300_000],
)
def test_anything_else_is_unreadable_and_never_an_error(content):
    verdict = file_verdict(_file(content))
    assert verdict.outcome == Outcome.UNREADABLE
    assert verdict.certificate is None


# The page at /verify/file/, through real requests.


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def test_the_lookup_page_leads_to_the_file_check(client):
    from django.urls import reverse

    page = client.get(reverse("verify_lookup")).content.decode()
    assert reverse("verify_file") in page


def test_uploading_the_pdf_shows_genuine_and_valid_with_its_number(client, certificate):
    from django.urls import reverse

    client.cookies["django_language"] = "en"
    upload = _file(_pdf_bytes(certificate), "certificate.pdf")
    response = client.post(reverse("verify_file"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="found"' in page and 'data-status="valid"' in page
    assert "Genuine and valid" in page
    assert certificate.number in page and "张*丰" in page and "张三丰" not in page


def test_uploading_an_edited_credential_says_not_confirmed_in_chinese(client, certificate):
    from django.urls import reverse

    forged = copy.deepcopy(certificate.credential)
    forged["credentialSubject"]["licenseNumber"] = "GD-J-2026-999999"
    upload = _file(json.dumps(forged).encode(), "credential.json")
    page = client.post(reverse("verify_file"), {"file": upload}).content.decode()
    assert 'data-outcome="altered"' in page
    assert "未能确认" in page
    assert certificate.number not in page


def test_posting_no_file_says_so_and_changes_nothing(client):
    from django.urls import reverse

    client.cookies["django_language"] = "en"
    response = client.post(reverse("verify_file"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_file_checks_count_against_the_verification_rate_limit(client, certificate, settings):
    from django.urls import reverse

    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 2
    data = _pdf_bytes(certificate)
    codes = [
        client.post(reverse("verify_file"), {"file": _file(data, "c.pdf")}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
