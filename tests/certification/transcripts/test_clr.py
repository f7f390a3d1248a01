"""The learning record as a signed 1EdTech CLR 2.0 ``ClrCredential`` (issue 16, item 5)."""

import copy

import pytest

from certification.credentials import vc
from certification.transcripts.services import CLR_V2, transcript_credential
from tests.certification.credentials.vc.test_independent import verify_in_node
from tests.certification.factories import certifier, certifying_body, issued_certificate
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
    assert vc.verify(clr).verified
    assert vc.undefined_terms(clr) == []
    subject = clr["credentialSubject"]
    kinds = [a["achievementType"] for a in subject["achievement"]]
    assert kinds == ["Course", "Assessment"]
    course = subject["verifiableCredential"][0]["credentialSubject"]
    assert len(course["result"]) == 4
    assert subject["verifiableCredential"][-1] == certificate.credential
    result = verify_in_node(clr)
    assert result["verified"], result["errors"]


def test_a_changed_hour_in_the_transcript_fails_independent_verification(national, holder):
    user, _certificate = holder
    clr = transcript_credential(user=user)
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["result"][0][
        "value"
    ] = "99.0"
    assert not vc.verify(tampered).verified
    assert not verify_in_node(tampered)["verified"]
