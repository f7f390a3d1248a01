"""The learning record as a signed 1EdTech CLR 2.0 ``ClrCredential`` (issue 16, item 5)."""

import copy
import json

import pytest
from django.urls import reverse

from certification.credentials import vc
from certification.transcripts.services import CLR_V2, transcript_credential
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.certification.wallet.helpers import verify_here, verify_independently
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def national():
    return certifying_body("CN", kind="national", levels=(), images=False)


@pytest.fixture
def holder(national):
    body = certifying_body("GD")
    user = UserFactory(real_name="李伟")
    certificate = issued_certificate(user, body, certifier(body))
    return user, certificate


def test_the_transcript_is_a_signed_clr_with_courses_hours_exams_and_certificates(national, holder):
    user, certificate = holder
    clr = transcript_credential(user=user)
    assert clr["@context"][1] == CLR_V2
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert verify_here(clr).verified
    assert vc.undefined_terms(clr) == []
    subject = clr["credentialSubject"]
    kinds = [a["achievementType"] for a in subject["achievement"]]
    assert kinds == ["Course", "Assessment"]
    course = subject["verifiableCredential"][0]["credentialSubject"]
    assert len(course["result"]) == 4
    assert subject["verifiableCredential"][-1] == certificate.credential
    result = verify_independently(clr)
    assert result["verified"], result["errors"]


def test_a_changed_hour_in_the_transcript_fails_independent_verification(national, holder):
    user, _certificate = holder
    clr = transcript_credential(user=user)
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["result"][0][
        "value"
    ] = "99.0"
    assert not verify_here(tampered).verified
    assert not verify_independently(tampered)["verified"]


def test_the_learner_downloads_the_record_from_my_learning(client, national):
    user = UserFactory(real_name="张三")
    url = reverse("transcript_clr")
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(user)
    assert url in client.get(reverse("my_learning")).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Content-Disposition"].startswith('attachment; filename="learning-record-')
    assert "no-cache" in response["Cache-Control"]
    clr = json.loads(response.content)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["credentialSubject"]["achievement"] == []  # nothing studied yet, and says so
    assert "张三" in clr["name"]
    assert verify_here(clr).verified


def test_without_a_signing_body_the_learner_is_told_and_nothing_breaks(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("transcript_clr"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_learning")
    assert "暂时无法生成带签名的学习记录" in response.content.decode()
