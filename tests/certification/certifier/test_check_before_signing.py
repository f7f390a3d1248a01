"""Check before signing: the preview of the certificate, evidence shown in the page, and a
confirmation naming the person, level and number before anything irreversible."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.applications.services import evidence_add
from certification.models import Application, AuditEntry, Certificate
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    submitted_application,
)
from tests.factories import UserFactory, png_bytes, sign_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body, real_name="审核员甲")


def test_the_review_page_shows_a_preview_marked_as_such_and_the_evidence_inline(
    client, body, reviewer
):
    application = submitted_application(UserFactory(real_name="李四"), body)
    # Evidence is added while the application is editable: return it, add, submit again.
    Application.objects.filter(pk=application.pk).update(status=Application.Status.DRAFT)
    picture = evidence_add(
        application_id=application.pk,
        actor=application.applicant,
        kind="work",
        upload=SimpleUploadedFile("proof.png", png_bytes((80, 60), (10, 120, 30)), "image/png"),
    )
    paper = evidence_add(
        application_id=application.pk,
        actor=application.applicant,
        kind="diploma",
        upload=SimpleUploadedFile("diploma.pdf", PDF, "application/pdf"),
    )
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SUBMITTED)
    sign_in(client, reviewer)
    page = client.get(reverse("certify_application", args=[application.pk])).content.decode()
    preview_url = reverse("certify_application_preview", args=[application.pk])
    assert f'<iframe class="preview-frame" src="{preview_url}"' in page
    image_url = reverse("certify_evidence_inline", args=[application.pk, picture.pk])
    pdf_url = reverse("certify_evidence_inline", args=[application.pk, paper.pk])
    assert f'<img class="evidence-image" src="{image_url}"' in page
    assert f'<iframe class="evidence-frame" src="{pdf_url}"' in page
    # Each requirement says what lies behind it: here, the portal's own exam records.
    assert 'data-evidence-for="exam"><span class="muted small">The portal' in page

    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "script-src" not in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview.content.startswith(b"%PDF")
    assert not Certificate.objects.exists()  # a preview is never a certificate

    shown = client.get(pdf_url)
    assert shown.status_code == 200 and shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content) == PDF


def test_preview_and_evidence_are_refused_to_other_bodies_and_trainees(client, body):
    application = submitted_application(UserFactory(), body)
    elsewhere = certifier(certifying_body("SH"))
    preview_url = reverse("certify_application_preview", args=[application.pk])
    sign_in(client, elsewhere)
    assert client.get(preview_url).status_code == 404
    client.logout()
    sign_in(client, application.applicant)
    assert client.get(preview_url).status_code == 403


def test_approve_asks_to_confirm_naming_person_level_and_number_and_a_bare_post_issues_nothing(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    application = submitted_application(UserFactory(real_name="王五"), body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Approve and issue this certificate?" in page
    assert "王五" in page and application.level.name in page
    year = application.submitted_at.year
    assert f"GD-J-{year}-000001" in page
    assert 'name="confirmed" value="yes"' in page
    assert not Certificate.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"action": "approve", "confirmed": "yes"})
    assert done.status_code == 302
    assert Certificate.objects.get().number == f"GD-J-{year}-000001"


def test_a_refused_approval_is_refused_before_the_confirmation(client, body):
    person = certifier(body, real_name="自己")
    application = submitted_application(person, body)
    sign_in(client, person)
    url = reverse("certify_application", args=[application.pk])
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "Approve and issue this certificate?" not in response.content.decode()
    assert not Certificate.objects.exists()


def test_reject_asks_to_confirm_and_keeps_the_reason(client, body, reviewer):
    application = submitted_application(UserFactory(), body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    response = client.post(url, {"action": "reject", "reject-reason": "材料不实"})
    assert response.status_code == 200 and "Reject this application?" in response.content.decode()
    assert 'value="材料不实"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    client.post(url, {"action": "reject", "reject-reason": "材料不实", "confirmed": "yes"})
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED


def test_revoke_asks_to_confirm_and_a_bare_post_revokes_nothing(client, body, reviewer):
    other = certifier(body)
    certificate = issued_certificate(UserFactory(real_name="钱七"), body, other)
    sign_in(client, reviewer)
    url = reverse("certify_certificate", args=[certificate.number])
    response = client.post(url, {"action": "revoke", "code": "misconduct", "reason": "证明不实"})
    page = response.content.decode()
    assert response.status_code == 200 and "Revoke this certificate?" in page
    assert certificate.number in page and "钱七" in page
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not AuditEntry.objects.filter(action="certificate.revoked").exists()
    client.post(
        url, {"action": "revoke", "code": "misconduct", "reason": "证明不实", "confirmed": "yes"}
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_the_certificate_page_links_its_pdf_shown_inline(client, body, reviewer):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    sign_in(client, reviewer)
    page = client.get(reverse("certify_certificate", args=[certificate.number])).content.decode()
    pdf_url = reverse("certify_certificate_pdf", args=[certificate.number])
    assert pdf_url in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == certificate.pdf.open("rb").read()
