"""What the public, applicants and holders see and can do, through real requests."""

import hashlib
import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from certification.applications.services import application_create, application_submit
from certification.credentials import vc
from certification.issuing.services import application_approve
from certification.lifecycle.services import certificate_revoke, continuing_education_report
from certification.links import verify_url
from certification.models import Application, Certificate
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    level,
    qualify,
)
from tests.factories import UserFactory, png_bytes, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def certificate(body):
    return issued_certificate(UserFactory(real_name="张三丰"), body, certifier(body))


def test_verify_page_shows_masked_name_level_body_dates_and_pdf_hash(client, certificate):
    response = client.get(reverse("certificate_verify", args=[certificate.number]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "张*丰" in page and "张三丰" not in page
    assert certificate.level_name in page and certificate.body_name in page
    assert hashlib.sha256(certificate.pdf.read()).hexdigest() in page
    assert 'data-status="valid"' in page


def test_unknown_number_is_a_plain_not_found(client, certificate):
    response = client.get(reverse("certificate_verify", args=["GD-J-2026-999999"]))
    assert response.status_code == 404
    assert certificate.number not in response.content.decode()
    api = client.get(reverse("api_certificate", args=["nope"]))
    assert api.status_code == 404 and api.json() == {"error": "not_found"}


def test_api_gives_the_same_facts_as_json(client, certificate):
    data = client.get(reverse("api_certificate", args=[certificate.number])).json()
    assert data["number"] == certificate.number
    assert data["holder"] == "张*丰"
    assert data["status"] == "valid"
    assert data["pdf_sha256"] == certificate.pdf_sha256
    assert data["links"]["verify"].endswith(f"/verify/{certificate.number}/")


def test_credential_and_status_list_are_served_and_verify(client, certificate):
    credential = client.get(reverse("api_certificate_credential", args=[certificate.number]))
    assert credential["Content-Type"] == "application/ld+json"
    document = json.loads(credential.content)
    assert vc.verify(document).verified
    status_url = document["credentialStatus"]["statusListCredential"]
    path = status_url.split("://", 1)[1].split("/", 1)[1]
    status_list = client.get("/" + path).json()
    assert vc.verify(status_list).verified
    assert vc.status_bit(status_list, int(document["credentialStatus"]["statusListIndex"])) is False


def test_revocation_shows_at_once_on_page_api_and_status_list(client, certificate, body):
    reviewer = body.certifiers.first()
    certificate_revoke(
        certificate_id=certificate.pk, actor=reviewer, code="misconduct", reason="冒用他人培训记录"
    )
    page = client.get(reverse("certificate_verify", args=[certificate.number])).content.decode()
    # The public reads the code's label; the certifier's note stays internal.
    assert 'data-status="revoked"' in page and "经查存在违规或弄虚作假" in page
    assert "冒用他人培训记录" not in page
    data = client.get(reverse("api_certificate", args=[certificate.number])).json()
    assert data["status"] == "revoked" and data["revocation_code"] == "misconduct"
    assert data["revocation_reason"] == "经查存在违规或弄虚作假"
    status_list = client.get(
        reverse("api_status_list", args=[body.code, certificate.status_list.number])
    ).json()
    assert vc.status_bit(status_list, certificate.status_index) is True


def test_verification_is_rate_limited_per_client(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 3
    url = reverse("api_certificate", args=[certificate.number])
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get(url, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def test_holder_downloads_the_stored_pdf_and_credential(client, certificate):
    sign_in(client, certificate.holder)
    page = client.get(reverse("my_certificates")).content.decode()
    assert certificate.number in page and verify_url(certificate.number) in page
    pdf = client.get(reverse("certificate_pdf", args=[certificate.number]))
    assert b"".join(pdf.streaming_content) == certificate.pdf.read()
    credential = client.get(reverse("certificate_credential", args=[certificate.number]))
    assert json.loads(credential.content) == certificate.credential


def test_nobody_else_downloads_someone_elses_certificate(client, certificate):
    sign_in(client, UserFactory())
    assert client.get(reverse("certificate_pdf", args=[certificate.number])).status_code == 404


def test_a_revoked_certificate_is_no_longer_handed_out_with_a_clear_message(
    client, certificate, body
):
    certificate_revoke(
        certificate_id=certificate.pk, actor=body.certifiers.first(), reason="资格撤销"
    )
    sign_in(client, certificate.holder)
    response = client.get(reverse("certificate_pdf", args=[certificate.number]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_certificates")
    # The holder reads the public label ("revoked by the issuing body"), not the note.
    assert "由发证机构撤销" in response.content.decode()
    assert "资格撤销" not in response.content.decode()
    assert "application/pdf" not in response["Content-Type"]


def test_applying_shows_the_checklist_then_submits(client, body):
    person = UserFactory()
    sign_in(client, person)
    page = client.get(reverse("application_new"), {"level": "junior_broker"}).content.decode()
    assert 'data-check="exam"' in page and "check-missing" in page
    response = client.post(reverse("application_new"), {"level": "junior_broker", "body": body.pk})
    application = Application.objects.get(applicant=person)
    assert response["Location"] == reverse("application_detail", args=[application.pk])
    refused = client.post(
        reverse("application_detail", args=[application.pk]), {"action": "submit"}, follow=True
    )
    assert "check-missing" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    qualify(person)
    client.post(reverse("application_detail", args=[application.pk]), {"action": "submit"})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.checklist["met"] is True


def test_evidence_upload_is_checked_and_served_only_to_the_right_people(client, body):
    person = UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    sign_in(client, person)
    url = reverse("application_detail", args=[application.pk])
    bad = client.post(
        url,
        {"action": "upload", "kind": "diploma", "file": SimpleUploadedFile("x.png", b"nope")},
    )
    assert bad.status_code == 200 and "PDF" in bad.content.decode()
    assert not application.evidence.exists()
    client.post(
        url,
        {
            "action": "upload",
            "kind": "diploma",
            "file": SimpleUploadedFile("diploma.png", png_bytes()),
        },
    )
    evidence = application.evidence.get()
    assert evidence.content_type == "image/png"
    download = reverse("evidence_download", args=[application.pk, evidence.pk])
    assert client.get(download).status_code == 200
    client.logout()
    sign_in(client, UserFactory())
    assert client.get(download).status_code == 404
    client.logout()
    reviewer = certifier(body)
    sign_in(client, reviewer)
    # A draft never submitted is the applicant's own (issue 13): the body sees it once sent.
    assert client.get(download).status_code == 404
    qualify(person)
    application_submit(application_id=application.pk, actor=person)
    assert client.get(download).status_code == 200
    client.logout()
    sign_in(client, certifier(certifying_body("SH")))
    assert client.get(download).status_code == 404


def test_holder_sees_renewal_progress_and_reports_external_hours(client, certificate):
    sign_in(client, certificate.holder)
    page = client.get(reverse("my_certificates")).content.decode()
    assert 'aria-valuenow="0"' in page
    response = client.post(
        reverse("continuing_education"),
        {
            "body": certificate.body_id,
            "title": "成果转化研修",
            "provider": "某研究院",
            "completed_on": "2099-01-01",
            "hours": "8",
        },
    )
    assert response.status_code == 200  # a future date is refused
    assert not certificate.holder.continuing_education.exists()
    client.post(
        reverse("continuing_education"),
        {
            "body": certificate.body_id,
            "title": "成果转化研修",
            "provider": "某研究院",
            "completed_on": certificate.issued_on.isoformat(),
            "hours": "8",
        },
    )
    assert certificate.holder.continuing_education.get().status == "pending"


def test_level_page_marks_seeded_figures_as_illustrative(client):
    page = client.get(reverse("certification_level", args=["junior_broker"])).content.decode()
    assert "message-warning" in page
    junior = level("junior_broker")
    junior.values_are_defaults = False
    junior.save()
    page = client.get(reverse("certification_level", args=["junior_broker"])).content.decode()
    assert "message-warning" not in page


def test_pending_certificate_is_not_public(client, body):
    from tests.certification.factories import submitted_application

    application = submitted_application(UserFactory(), body)
    certificate = application_approve(
        application_id=application.pk, actor=certifier(body)
    )  # the issuing task waits for the commit that never comes in this test
    assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.PENDING
    assert client.get(reverse("certificate_verify", args=[certificate.number])).status_code == 404


def test_continuing_education_evidence_is_private(client, certificate, body):
    activity = continuing_education_report(
        holder=certificate.holder,
        body=body,
        title="专利运营实务",
        provider="某协会",
        completed_on=certificate.issued_on,
        hours=6,
        upload=SimpleUploadedFile("attendance.png", png_bytes()),
    )
    url = reverse("continuing_education_evidence", args=[activity.pk])
    sign_in(client, UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    sign_in(client, body.certifiers.first())
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    # The picture as stored: re-encoded without metadata (portal.accounts.images), same pixels.
    served = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(served)) as got, Image.open(io.BytesIO(png_bytes())) as sent:
        assert got.format == "PNG" and got.tobytes() == sent.tobytes()


def test_the_qr_code_on_the_stored_pdf_opens_the_verification_page(client, certificate, tmp_path):
    from tests.certification.issuing.pdf.test_certificate_pdf import qr_texts, rendered

    (url,) = qr_texts(rendered(certificate.pdf.read(), tmp_path))
    assert url == verify_url(certificate.number)
    response = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 200
    assert 'data-status="valid"' in response.content.decode()
