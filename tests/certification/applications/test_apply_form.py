"""The one application form (issue 14, item 4): details, evidence and submit in one post.
Whatever part is refused, what was typed stays on the page and the files already attached stay
attached; a hand-made post cannot skip a rule."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from certification.applications.models import Application, Evidence
from certification.applications.services import application_create
from tests.certification.factories import certifier, certifying_body, level, qualify
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PAGE = b"<html><script>alert(1)</script></html>"
NOTE = "在华南技术转移中心做了三年技术经纪，促成十二项专利许可。"


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def draft(person, body) -> Application:
    return application_create(applicant=person, level=level("junior_broker"), body=body)


def post(client, application, action="submit", file=None, **fields):
    data = {
        "action": action,
        "printed_name": "李明",
        "experience_years": "3.5",
        "experience_note": NOTE,
        "kind": "work" if file else "",
        **fields,
    }
    if file is not None:
        data["file"] = file
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("application_detail", args=[application.pk]), data)


def pdf(name="合同.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_one_post_saves_details_attaches_the_file_and_submits(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    response = post(english, application, file=pdf())
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.experience_years == Decimal("3.5")
    assert application.experience_note == NOTE
    assert [e.original_name for e in application.evidence.all()] == ["合同.pdf"]


def test_the_certifier_sees_the_years_the_note_and_the_file(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    post(english, application, file=pdf())
    reviewer = certifier(body)
    english.logout()
    sign_in(english, reviewer)
    page = english.get(reverse("certify_application", args=[application.pk])).content.decode()
    assert "3.5" in page and NOTE in page and "合同.pdf" in page


def test_refused_submit_keeps_what_was_typed_and_the_file(english, body):
    """Not eligible yet: the details and the file are kept, the page says what is missing."""
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    sign_in(english, person)
    response = post(english, application, file=pdf())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not yet eligible" in page
    assert NOTE in page and 'value="3.5"' in page
    assert "合同.pdf" in page
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.experience_note == NOTE
    assert application.evidence.count() == 1


def test_a_refused_file_keeps_the_typed_details_and_submits_nothing(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    disguised = SimpleUploadedFile("scan.pdf", PAGE, content_type="application/pdf")
    response = post(english, application, file=disguised)
    assert response.status_code == 200
    page = response.content.decode()
    assert NOTE in page and 'value="3.5"' in page
    assert "Nothing was submitted" in page
    assert response.context["evidence_form"].errors
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert not Evidence.objects.exists()
    assert application.experience_note == NOTE  # the good part is kept


def test_refused_details_keep_the_typing_and_the_good_file(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    response = post(english, application, file=pdf(), experience_years="-4")
    assert response.status_code == 200
    page = response.content.decode()
    assert NOTE in page and 'value="-4"' in page
    assert "合同.pdf" in page  # attached, and listed for the next try
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.experience_note == ""
    assert application.evidence.count() == 1


def test_a_file_without_its_kind_is_refused(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    response = post(english, application, file=pdf(), kind="")
    assert response.status_code == 200
    assert "kind of evidence" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert not Evidence.objects.exists()


def test_the_refusal_is_in_chinese_by_default(client, body):
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    sign_in(client, person)
    page = post(client, application).content.decode()
    assert "尚不符合" in page or "还缺" in page
    assert NOTE in page


def test_a_hand_made_submit_with_a_bad_name_submits_nothing(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    response = post(english, application, printed_name="李\u200b明")
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_hand_made_submit_without_details_still_meets_the_rules(english, body):
    """A script posting only "submit" gets the service's checks: an empty name is refused."""
    person = UserFactory(real_name="")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    with TestCase.captureOnCommitCallbacks(execute=True):
        english.post(reverse("application_detail", args=[application.pk]), {"action": "submit"})
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_nobody_posts_to_someone_elses_application(english, body):
    owner = UserFactory(real_name="李明")
    qualify(owner)
    application = draft(owner, body)
    sign_in(english, UserFactory())
    response = post(english, application, file=pdf())
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.experience_note == ""
    assert not Evidence.objects.exists()


def test_a_submitted_application_cannot_be_changed_by_a_post(english, body):
    person = UserFactory(real_name="李明")
    qualify(person)
    application = draft(person, body)
    sign_in(english, person)
    post(english, application)
    response = post(english, application, experience_note="改过", file=pdf())
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.experience_note == NOTE
    assert not Evidence.objects.exists()


def test_remove_keeps_the_typed_details(english, body):
    person = UserFactory(real_name="李明")
    application = draft(person, body)
    sign_in(english, person)
    post(english, application, action="save", file=pdf())
    evidence = Evidence.objects.get()
    response = post(english, application, action="", remove_evidence=str(evidence.pk))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.experience_note == NOTE
    assert not Evidence.objects.exists()
