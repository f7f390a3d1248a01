"""The name printed on a certificate follows the one rule for names (portal/accounts/names.py),
whoever sends it: the application form, a hand-made POST or a direct service call. What reaches
the PDF, its metadata and the public API is then free of invisible and direction characters."""

import io
import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from certification.applications.models import Application
from certification.applications.services import (
    application_create,
    application_submit,
    application_update,
)
from certification.errors import CertificationError
from certification.issuing.services import application_approve
from tests.certification.factories import certifier, certifying_body, level, qualify
from tests.factories import UserFactory, sign_in
from tests.requirements import missing

pytestmark = pytest.mark.django_db

BAD_NAMES = ["李\u200b明", "\u202e明李", "李明\u2066", "\ufeff李明"]
INVISIBLE = ("\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e")


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def draft(person, body) -> Application:
    return application_create(applicant=person, level=level("junior_broker"), body=body)


def save(client, application, printed_name):
    return client.post(
        reverse("application_detail", args=[application.pk]),
        {
            "action": "save",
            "printed_name": printed_name,
            "experience_years": "2",
            "experience_note": "改过的说明",
        },
    )


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_hand_made_post_of_the_form_is_refused_and_changes_nothing(english, body, name):
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    sign_in(english, person)
    response = save(english, application, name)
    assert response.status_code == 200
    page = response.content.decode()
    assert "invisible or control characters" in page
    application.refresh_from_db()
    assert application.printed_name == "李明"
    assert application.experience_note == ""


def test_the_refusal_is_in_chinese_by_default(client, body):
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    sign_in(client, person)
    response = save(client, application, "\u202e明李")
    assert "不可见字符或控制字符" in response.content.decode()
    application.refresh_from_db()
    assert application.printed_name == "李明"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_direct_service_call_is_refused(body, name):
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    with pytest.raises(CertificationError, match="invisible or control|控制字符"):
        application_update(
            application_id=application.pk,
            actor=person,
            printed_name=name,
            experience_years="1",
            experience_note="",
        )
    application.refresh_from_db()
    assert application.printed_name == "李明"

    other = UserFactory(real_name="王五")
    with pytest.raises(CertificationError, match="invisible or control|控制字符"):
        application_create(
            applicant=other, level=level("junior_broker"), body=body, printed_name=name
        )
    assert not Application.objects.filter(applicant=other).exists()


def test_a_name_saved_before_the_rule_is_refused_at_submission(body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    Application.objects.filter(pk=application.pk).update(printed_name="李\u202e明")
    with pytest.raises(CertificationError, match="invisible or control|控制字符"):
        application_submit(application_id=application.pk, actor=person)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_an_account_name_that_breaks_the_rule_is_not_copied_into_a_new_application(body):
    person = UserFactory(real_name="李明")
    type(person).objects.filter(pk=person.pk).update(real_name="李\u200b明")
    person.refresh_from_db()
    assert draft(person, body).printed_name == ""


def test_the_printed_name_is_kept_nfc_and_tidied(english, body):
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    sign_in(english, person)
    assert save(english, application, "  Zoe\u0308\u3000 Li ").status_code == 302
    application.refresh_from_db()
    assert application.printed_name == "Zoë Li"


def test_the_pdf_its_metadata_and_the_api_never_carry_the_characters(client, body, tmp_path):
    binary = shutil.which("pdftotext")
    if binary is None:
        missing("pdftotext (poppler-utils) is not installed; cannot read the certificate back")
    person = UserFactory(real_name="阿依古丽·买买提")
    qualify(person)
    application = draft(person, body)
    sign_in(client, person)
    for name in BAD_NAMES:
        assert save(client, application, name).status_code == 200
    with pytest.raises(CertificationError):
        application_update(
            application_id=application.pk,
            actor=person,
            printed_name="阿依古丽\u202e·买买提",
            experience_years="1",
            experience_note="",
        )
    application_submit(application_id=application.pk, actor=person)
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate = application_approve(application_id=application.pk, actor=certifier(body))
    certificate.refresh_from_db()
    assert certificate.printed_name == "阿依古丽·买买提"

    data = certificate.pdf.read()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        [binary, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert "阿依古丽·买买提" in "".join(text.split())
    metadata = " ".join(
        str(value) for value in (PdfReader(io.BytesIO(data)).metadata or {}).values()
    )
    api = client.get(reverse("api_certificate", args=[certificate.number])).content.decode()
    for character in INVISIBLE:
        assert character not in text
        assert character not in metadata
        assert character not in api
