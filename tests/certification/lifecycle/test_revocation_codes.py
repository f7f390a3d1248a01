"""Revocation reasons are codes with a public label; the certifier's free-text note stays with
the certifiers: never on the verify page, in the API or in the holder's mail."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from certification.errors import CertificationError
from certification.issuing.models import Certificate
from certification.lifecycle.services import certificate_revoke
from portal.accounts.models import OutgoingMail
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.certification.verification.test_openapi import CERTIFICATE, check
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

NOTE = "经举报核实：持证人冒用他人培训记录，另涉及其健康状况说明"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body)


@pytest.fixture
def certificate(body, reviewer):
    return issued_certificate(UserFactory(real_name="张三丰"), body, reviewer)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def revoke_by_form(client, reviewer, certificate, **data):
    sign_in(client, reviewer)
    english(client)
    url = reverse("certify_certificate", args=[certificate.number])
    return client.post(url, {"action": "revoke", "confirmed": "yes", **data}, follow=True)


def test_the_public_reads_the_label_and_certifiers_the_note(client, reviewer, certificate):
    response = revoke_by_form(client, reviewer, certificate, code="misconduct", reason=NOTE)
    assert f"Certificate {certificate.number} is revoked." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert (certificate.revocation_code, certificate.revocation_reason) == ("misconduct", NOTE)
    # The certifier's page keeps both.
    own = client.get(reverse("certify_certificate", args=[certificate.number])).content.decode()
    assert NOTE in own and "Misconduct or fraud found" in own

    client.logout()
    page = client.get(reverse("certificate_verify", args=[certificate.number])).content.decode()
    assert 'data-status="revoked"' in page
    assert "经查存在违规或弄虚作假" in page and NOTE not in page
    english(client)
    page = client.get(reverse("certificate_verify", args=[certificate.number])).content.decode()
    assert "Misconduct or fraud found" in page and NOTE not in page

    response = client.get(reverse("api_certificate", args=[certificate.number]))
    data = check(response, 200, path=CERTIFICATE)
    assert data["revocation_code"] == "misconduct"
    assert data["revocation_reason"] == "Misconduct or fraud found"
    assert NOTE not in response.content.decode()


def test_the_holder_reads_the_label_in_the_mail_and_on_their_page(client, reviewer, certificate):
    with translation.override("zh-hans"):
        certificate_revoke(
            certificate_id=certificate.pk, actor=reviewer, code="holder_request", reason=NOTE
        )
    sent = OutgoingMail.objects.filter(
        to=certificate.holder.email, subject__contains=certificate.number
    )
    assert sent and all(NOTE not in m.body_text + m.body_html for m in sent)
    assert any("应持证人申请" in m.body_text for m in sent)
    sign_in(client, certificate.holder)
    page = client.get(reverse("my_certificates")).content.decode()
    assert "应持证人申请" in page and NOTE not in page
    response = client.get(reverse("certificate_pdf", args=[certificate.number]), follow=True)
    assert "应持证人申请" in response.content.decode()
    assert NOTE not in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": NOTE}, "Choose the reason for revoking from the list."),
        ({"code": "made-up", "reason": NOTE}, "Select a valid choice"),
        ({"code": "misconduct", "reason": "  "}, "Write an internal note"),
    ],
)
def test_a_revocation_without_a_code_or_a_note_is_refused(
    client, reviewer, certificate, data, message
):
    response = revoke_by_form(client, reviewer, certificate, **data)
    assert message in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert (certificate.revocation_code, certificate.revocation_reason) == ("", "")


def test_the_service_refuses_an_unknown_code(reviewer, certificate):
    with pytest.raises(CertificationError, match="reason for revoking|撤销原因"):
        certificate_revoke(
            certificate_id=certificate.pk, actor=reviewer, code="<script>", reason=NOTE
        )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_certificates_revoked_before_the_codes_say_revoked_by_the_issuing_body(
    client, reviewer, certificate
):
    certificate_revoke(certificate_id=certificate.pk, actor=reviewer, reason=NOTE)
    # As a certificate revoked before the migration: free text, no code.
    Certificate.objects.filter(pk=certificate.pk).update(revocation_code="")
    migration = importlib.import_module("certification.migrations.0013_revocation_codes")
    migration.code_existing_revocations(apps, None)
    certificate.refresh_from_db()
    assert certificate.revocation_code == "other"
    assert not Certificate.objects.filter(status="valid").exclude(revocation_code="").exists()
    english(client)
    page = client.get(reverse("certificate_verify", args=[certificate.number])).content.decode()
    assert "Revoked by the issuing body" in page and NOTE not in page
    data = client.get(reverse("api_certificate", args=[certificate.number])).json()
    assert data["revocation_code"] == "other"
    assert data["revocation_reason"] == "Revoked by the issuing body"


def test_a_valid_certificate_has_no_revocation_in_the_api(client, certificate):
    data = check(
        client.get(reverse("api_certificate", args=[certificate.number])), 200, path=CERTIFICATE
    )
    assert data["revocation_code"] is None and data["revocation_reason"] is None
