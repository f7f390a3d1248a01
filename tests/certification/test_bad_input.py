"""Bad input from applicants, holders, certifiers and administrators: a clear message in the
user's language, and nothing changed. No server errors, no half-written records, no lost
work."""

import datetime

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from certification.applications.checklist import checklist
from certification.applications.services import application_create, evidence_add
from certification.dates import add_months
from certification.errors import CertificationError
from certification.issuing.bulk import BulkIssueUnderWay, bulk_issue_dispatch, bulk_issue_start
from certification.issuing.services import application_approve
from certification.lifecycle.forms import ContinuingEducationForm
from certification.lifecycle.services import continuing_education_report
from certification.models import (
    Application,
    AuditEntry,
    BulkIssue,
    BulkIssueItem,
    Certificate,
    CertificationLevel,
    ContinuingEducation,
    Evidence,
    NumberSequence,
)
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    level,
    submitted_application,
)
from tests.factories import UserFactory, png_bytes, sign_in

pytestmark = pytest.mark.django_db

LONG_EXTENSION = "a." + "p" * 120
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def body():
    return certifying_body("GD")


def enter(client, user):
    """Sign in, and read the sign-in's own message so only the page's messages remain."""
    sign_in(client, user)
    client.get(reverse("my_certificates"))


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# -- 1. starting an application ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.5", "²", "", "9" * 30])
def test_starting_with_a_body_that_is_not_a_number_is_a_message(client, body, value):
    person = UserFactory()
    enter(client, person)
    response = client.post(reverse("application_new"), {"level": "junior_broker", "body": value})
    assert response.status_code == 200
    assert "Choose a level and a certifying body." in texts(response)
    assert not Application.objects.filter(applicant=person).exists()


@pytest.mark.parametrize("value", ["\x00", "junior\x00broker", "x" * 500])
def test_a_level_no_level_could_have_shows_the_page_with_a_message(client, body, value):
    person = UserFactory()
    enter(client, person)
    page = client.get(reverse("application_new"), {"level": value})
    assert page.status_code == 200
    assert page.context["chosen"] is None
    if value.strip("\x00"):  # a query string's NULs are dropped before any view reads it
        assert "There is no such level to apply for. Choose one from the list." in texts(page)
    response = client.post(reverse("application_new"), {"level": value, "body": body.pk})
    assert response.status_code == 200
    assert "Choose a level and a certifying body." in texts(response)
    assert not Application.objects.filter(applicant=person).exists()


def test_no_level_chosen_yet_is_no_message(client, body):
    enter(client, UserFactory())
    page = client.get(reverse("application_new"))
    assert page.status_code == 200 and texts(page) == []


# -- 2. removing evidence ----------------------------------------------------------------------


def _draft_with_a_diploma(person, body):
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    evidence = evidence_add(
        application_id=application.pk,
        actor=person,
        kind="diploma",
        upload=SimpleUploadedFile("diploma.png", png_bytes()),
    )
    return application, evidence


@pytest.mark.parametrize("value", ["abc", "", "1.5", "²", "\x00", "9" * 30, None])
def test_removing_evidence_that_is_not_a_number_is_a_message(client, body, value):
    person = UserFactory()
    application, evidence = _draft_with_a_diploma(person, body)
    enter(client, person)
    data = {"action": "remove"}
    if value is not None:
        data["evidence"] = value
    response = client.post(reverse("application_detail", args=[application.pk]), data)
    assert response.status_code == 302
    assert "That file was not found. It may have been removed already." in texts(response)
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_removing_someone_elses_evidence_is_the_same_message(client, body):
    owner, other = UserFactory(), UserFactory()
    _theirs, evidence = _draft_with_a_diploma(owner, body)
    mine = application_create(applicant=other, level=level("junior_broker"), body=body)
    enter(client, other)
    response = client.post(
        reverse("application_detail", args=[mine.pk]),
        {"action": "remove", "evidence": str(evidence.pk)},
    )
    assert "That file was not found. It may have been removed already." in texts(response)
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_removing_own_evidence_still_works(client, body):
    person = UserFactory()
    application, evidence = _draft_with_a_diploma(person, body)
    enter(client, person)
    response = client.post(
        reverse("application_detail", args=[application.pk]),
        {"action": "remove", "evidence": str(evidence.pk)},
    )
    assert "The file has been removed." in texts(response)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


# -- 3. validity years -------------------------------------------------------------------------


@pytest.mark.parametrize("years", [0, 51, 32767])
def test_a_level_cannot_be_saved_with_a_validity_no_certificate_could_have(years):
    junior = level("junior_broker")
    junior.validity_years = years
    with pytest.raises(ValidationError) as refused:
        junior.full_clean()
    assert "validity_years" in refused.value.message_dict


@pytest.mark.parametrize("field", ["exam_valid_months", "prerequisite_held_months"])
def test_a_level_period_in_months_is_no_longer_than_the_longest_validity(field):
    junior = level("junior_broker")
    setattr(junior, field, 601)
    with pytest.raises(ValidationError) as refused:
        junior.full_clean()
    assert field in refused.value.message_dict
    setattr(junior, field, 600)
    junior.full_clean()


@pytest.mark.parametrize("years", [None, 1, 3, 50])
def test_a_level_keeps_a_sensible_validity(years):
    junior = level("junior_broker")
    junior.validity_years = years
    junior.full_clean()


def test_an_approval_at_a_level_valid_past_the_year_9999_is_refused_and_changes_nothing(
    client, body, django_capture_on_commit_callbacks
):
    application = submitted_application(UserFactory(), body)
    CertificationLevel.objects.filter(code="junior_broker").update(validity_years=32767)
    audit_before = AuditEntry.objects.count()
    enter(client, certifier(body))
    url = reverse("certify_application", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "confirmed": "yes"})
    assert response.status_code == 302
    (message,) = texts(response)
    assert "32767" in message and "administrator" in message
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Certificate.objects.exists()
    assert not NumberSequence.objects.filter(last__gt=0).exists()
    assert AuditEntry.objects.count() == audit_before


def test_the_service_refuses_such_an_approval_with_a_certification_error(body):
    application = submitted_application(UserFactory(), body)
    CertificationLevel.objects.filter(code="junior_broker").update(validity_years=32767)
    with pytest.raises(CertificationError):
        application_approve(application_id=application.pk, actor=certifier(body))
    assert not Certificate.objects.exists()


def test_add_months_refuses_dates_beyond_the_calendar_without_a_value_error():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 3, 31), -1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(9999, 12, 1), 0) == datetime.date(9999, 12, 1)
    with pytest.raises(OverflowError):
        add_months(datetime.date(2026, 1, 1), 12 * 32767)
    with pytest.raises(OverflowError):
        add_months(datetime.date(2026, 1, 1), -32767)


def test_a_checklist_with_month_rules_beyond_the_calendar_still_answers(body):
    person = UserFactory()
    application = submitted_application(person, body)
    CertificationLevel.objects.filter(code="junior_broker").update(exam_valid_months=32767)
    result = checklist(user_id=person.pk, level=level("junior_broker"), application=application)
    assert result.met  # an exam passed at any time in the calendar counts


# -- 4. uploads with a very long extension ---------------------------------------------------


def test_evidence_with_a_very_long_extension_is_stored_under_a_safe_name(client, body):
    person = UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    enter(client, person)
    response = client.post(
        reverse("application_detail", args=[application.pk]),
        {"action": "upload", "kind": "diploma", "file": SimpleUploadedFile(LONG_EXTENSION, PDF)},
    )
    assert response.status_code == 302
    evidence = application.evidence.get()
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf") and len(evidence.file.name) <= 100
    assert evidence.original_name == LONG_EXTENSION
    assert evidence.file.read() == PDF


def test_evidence_is_stored_with_the_extension_of_its_content(body):
    person = UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    evidence = evidence_add(
        application_id=application.pk,
        actor=person,
        kind="diploma",
        upload=SimpleUploadedFile("diploma.html", png_bytes()),
    )
    assert evidence.file.name.endswith(".png")
    assert evidence.original_name == "diploma.html"


def test_continuing_education_evidence_with_a_very_long_extension_is_stored(client, body):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    enter(client, certificate.holder)
    response = client.post(
        reverse("continuing_education"),
        {
            "body": body.pk,
            "title": "成果转化研修",
            "provider": "某研究院",
            "completed_on": timezone.localdate().isoformat(),
            "hours": "8",
            "evidence": SimpleUploadedFile(LONG_EXTENSION, PDF),
        },
    )
    assert response.status_code == 302
    activity = ContinuingEducation.objects.get(holder=certificate.holder)
    assert activity.evidence.name.endswith(".pdf") and len(activity.evidence.name) <= 100
    assert activity.evidence.read() == PDF


# -- 5. starting a bulk run twice --------------------------------------------------------------


def _class_of(body, size=2):
    applications = [submitted_application(UserFactory(), body) for _ in range(size)]
    course_id = applications[0].course_id
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(course_id=course_id)
    return course_id


def test_a_second_start_while_a_run_of_the_class_is_unfinished_is_refused(body):
    course_id = _class_of(body)
    reviewer = certifier(body)
    first = bulk_issue_start(body=body, course_id=course_id, actor=reviewer, title="一")
    assert first.status == BulkIssue.Status.RUNNING  # its work waits for the commit
    with pytest.raises(BulkIssueUnderWay) as refused:
        bulk_issue_start(body=body, course_id=course_id, actor=reviewer, title="一")
    assert refused.value.run == first
    assert BulkIssue.objects.count() == 1
    # Another class of the same body is not held up.
    other = submitted_application(UserFactory(), body)
    Application.objects.filter(pk=other.pk).update(course_id=None)
    second = bulk_issue_start(body=body, course_id=None, actor=reviewer, title="二")
    assert BulkIssue.objects.count() == 2 and second.course_id is None
    # Once the first run has finished, the class can be run again.
    BulkIssue.objects.filter(pk=first.pk).update(status=BulkIssue.Status.FINISHED)
    Application.objects.filter(course_id=course_id).update(status=Application.Status.SUBMITTED)
    third = bulk_issue_start(body=body, course_id=course_id, actor=reviewer, title="三")
    assert BulkIssue.objects.filter(course_id=course_id).count() == 2
    # Trying the first run's failures again would run the class twice at once: refused too.
    first.items.update(status=BulkIssueItem.Status.FAILED, error="照片缺失")
    with pytest.raises(BulkIssueUnderWay) as refused:
        bulk_issue_dispatch(run_id=first.pk, only_failed=True)
    assert refused.value.run == third
    first.refresh_from_db()
    assert first.status == BulkIssue.Status.FINISHED
    assert not first.items.exclude(status=BulkIssueItem.Status.FAILED).exists()


def test_a_second_click_on_start_leads_to_the_run_already_under_way(client, body):
    course_id = _class_of(body)
    enter(client, certifier(body))
    data = {"body": body.pk, "course": course_id, "title": "2026年第1期 发证", "confirmed": "yes"}
    first = client.post(reverse("certify_bulk_new"), data)
    run = BulkIssue.objects.get()
    assert first["Location"] == reverse("certify_bulk_run", args=[run.pk])
    again = client.post(reverse("certify_bulk_new"), data)
    assert again.status_code == 302
    assert again["Location"] == reverse("certify_bulk_run", args=[run.pk])
    assert any("already being issued" in text for text in texts(again))
    assert BulkIssue.objects.count() == 1


# -- 6. continuing-education dates -------------------------------------------------------------


@pytest.mark.parametrize(
    "completed_on", ["0001-01-01", "1999-12-31", "2099-01-01", "9999-12-31", "tomorrow"]
)
def test_continuing_education_dates_that_can_never_count_are_refused(client, body, completed_on):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    if completed_on == "tomorrow":
        completed_on = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    enter(client, certificate.holder)
    response = client.post(
        reverse("continuing_education"),
        {
            "body": body.pk,
            "title": "成果转化研修",
            "provider": "某研究院",
            "completed_on": completed_on,
            "hours": "8",
        },
    )
    assert response.status_code == 200
    assert "completed_on" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "成果转化研修"  # nothing is lost
    assert not ContinuingEducation.objects.exists()


def test_the_form_explains_the_range_in_the_users_language(body):
    form = ContinuingEducationForm(
        {
            "body": body.pk,
            "title": "t",
            "provider": "p",
            "completed_on": "0001-01-01",
            "hours": "8",
        },
        bodies=type(body).objects.all(),
    )
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["completed_on"] == [
            "The completion date cannot be before 2000-01-01: an earlier activity cannot "
            "count towards a renewal."
        ]


@pytest.mark.parametrize("completed_on", [datetime.date(1, 1, 1), datetime.date(1999, 12, 31)])
def test_the_service_refuses_dates_that_can_never_count(body, completed_on):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    with pytest.raises(CertificationError):
        continuing_education_report(
            holder=certificate.holder,
            body=body,
            title="t",
            provider="p",
            completed_on=completed_on,
            hours=8,
        )
    assert not ContinuingEducation.objects.exists()


def test_continuing_education_on_the_first_day_and_today_is_accepted(body):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    for day in (datetime.date(2000, 1, 1), timezone.localdate()):
        continuing_education_report(
            holder=certificate.holder, body=body, title="t", provider="p", completed_on=day, hours=8
        )
    assert ContinuingEducation.objects.count() == 2
