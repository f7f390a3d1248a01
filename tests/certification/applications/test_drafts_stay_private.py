"""A draft is the applicant's own until they send it: certifiers see nothing of it before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.applications.services import application_create, evidence_add
from certification.models import Evidence
from tests.certification.factories import certifier, certifying_body, level, qualify
from tests.factories import UserFactory, png_bytes, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    body = certifying_body("GD")
    person = UserFactory(real_name="草稿人", phone="13900000000")
    qualify(person)
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    evidence = evidence_add(
        application_id=application.pk,
        actor=person,
        kind=Evidence.Kind.DIPLOMA,
        upload=SimpleUploadedFile("学历证书.png", png_bytes()),
    )
    return body, person, application, evidence


def test_a_certifier_cannot_open_a_draft_never_submitted_nor_its_evidence(client, draft):
    body, person, application, evidence = draft
    sign_in(client, certifier(body))

    page = client.get(reverse("certify_application", args=[application.pk]))
    assert page.status_code == 404
    download = client.get(reverse("evidence_download", args=[application.pk, evidence.pk]))
    assert download.status_code == 404
    for status in ("all", "draft"):
        queue = client.get(reverse("certify_queue"), {"status": status}).content.decode()
        assert "草稿人" not in queue
        assert person.email not in queue


def test_the_applicant_still_reads_their_own_draft_evidence(client, draft):
    _, person, application, evidence = draft
    sign_in(client, person)

    download = client.get(reverse("evidence_download", args=[application.pk, evidence.pk]))
    assert download.status_code == 200
