"""A class run that tells the truth first: everyone with each unmet requirement before the
start, and after it who received which number, with the class's PDFs and register."""

import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from certification.models import Application, AuditEntry, BulkIssue, Certificate
from courses.models import Attempt, Enrolment
from tests.certification.factories import (
    certifier,
    certifying_body,
    qualify,
    submitted_application,
)
from tests.factories import UserFactory, course, sign_in, training_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def base():
    return training_base(code="GZ-A", slug="gz-a", title="广州技术转移培训基地")


@pytest.fixture
def body(base):
    return certifying_body("GZ", training_base=base)


@pytest.fixture
def reviewer(body):
    return certifier(body, real_name="审核员甲")


@pytest.fixture
def klass(base):
    return course(base, slug="class-2026-1")


def member(klass, name, *, eligible=True):
    person = UserFactory(real_name=name)
    qualify(person)
    if not eligible:
        Attempt.objects.filter(user=person).update(passed=False)
    Enrolment.objects.create(user=person, course=klass, status=Enrolment.Status.COMPLETED)
    return person


def confirm_page(client, body, klass):
    url = reverse("certify_bulk_new") + f"?body={body.pk}&course={klass.pk}"
    return client.get(url).content.decode()


def start(client, body, klass, capture, **extra):
    data = {"body": body.pk, "course": klass.pk, "title": "2026年第1期", "confirmed": "yes"}
    with capture(execute=True):
        return client.post(reverse("certify_bulk_new"), {**data, **extra})


def test_a_base_class_is_issued_without_anyone_applying_and_the_ineligible_shown_first(
    client, body, reviewer, klass, django_capture_on_commit_callbacks
):
    first, second = member(klass, "陈一"), member(klass, "陈二")
    failing = member(klass, "陈三", eligible=False)
    sign_in(client, reviewer)
    listing = client.get(reverse("certify_bulk_new")).content.decode()
    assert f'data-base-class="{klass.pk}"' in listing and "广州技术转移培训基地" in listing

    page = confirm_page(client, body, klass)
    assert "Will be issued: 2 people" in page
    assert f'data-candidate="{failing.pk}" data-outcome="left_out"' in page
    assert "Left out: 1 person, and why" in page
    assert "Exam of the level: needs" in page  # each unmet requirement, as needed vs has
    assert "GZ-J-" in page and "000001 – " in page  # the range the run will take
    assert not Application.objects.exists()  # looking changes nothing

    response = start(client, body, klass, django_capture_on_commit_callbacks)
    run = BulkIssue.objects.get()
    assert response["Location"] == reverse("certify_bulk_run", args=[run.pk])
    issued = Certificate.objects.filter(status=Certificate.Status.VALID)
    assert set(issued.values_list("holder", flat=True)) == {first.pk, second.pk}
    assert not Application.objects.filter(applicant=failing).exists()
    entered = AuditEntry.objects.filter(action="application.entered_for_class")
    assert entered.count() == 2 and {e.actor for e in entered} == {reviewer}
    assert set(Application.objects.values_list("reviewer", flat=True)) == {reviewer.pk}

    page = client.get(response["Location"]).content.decode()
    # Told truthfully: the outcome when the run had finished, else that it is under way (here
    # the test's transaction runs the eager tasks only after the response).
    assert "2 certificates issued." in page or "Issuing 2 certificates" in page
    assert "has started" not in page
    for certificate in issued:
        assert f'data-issued="{certificate.number}"' in page and certificate.printed_name in page

    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("certify_bulk_zip", args=[run.pk])).content)
    )
    assert sorted(archive.namelist()) == sorted(f"{c.number}.pdf" for c in issued)
    for certificate in issued:
        assert archive.read(f"{certificate.number}.pdf") == certificate.pdf.open("rb").read()
    merged = PdfReader(io.BytesIO(client.get(reverse("certify_bulk_print", args=[run.pk])).content))
    assert len(merged.pages) == 2
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("certify_bulk_register", args=[run.pk])).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Certificate number"
    assert sorted(r[0] for r in rows[1:]) == sorted(c.number for c in issued)


def test_a_hand_made_post_without_the_confirmation_starts_nothing(
    client, body, reviewer, klass, django_capture_on_commit_callbacks
):
    member(klass, "周一")
    sign_in(client, reviewer)
    response = start(client, body, klass, django_capture_on_commit_callbacks, confirmed="")
    assert response.status_code == 200
    assert "Confirm the list below before starting the run." in response.content.decode()
    assert not BulkIssue.objects.exists() and not Application.objects.exists()


def test_a_class_where_nobody_can_be_issued_is_refused_before_it_starts(
    client, body, reviewer, klass, django_capture_on_commit_callbacks
):
    member(klass, "吴一", eligible=False)
    sign_in(client, reviewer)
    page = confirm_page(client, body, klass)
    assert "Nobody in this class can be issued now" in page and "data-start" not in page
    response = start(client, body, klass, django_capture_on_commit_callbacks)
    assert "Nobody in this class can be issued now" in response.content.decode()
    assert not BulkIssue.objects.exists() and not Certificate.objects.exists()


def test_a_certifier_in_the_class_is_left_out_of_their_own_run(
    client, body, reviewer, klass, django_capture_on_commit_callbacks
):
    member(klass, "郑一")
    Enrolment.objects.create(user=reviewer, course=klass, status=Enrolment.Status.COMPLETED)
    qualify(reviewer)
    sign_in(client, reviewer)
    page = confirm_page(client, body, klass)
    assert f'data-candidate="{reviewer.pk}" data-outcome="left_out"' in page
    start(client, body, klass, django_capture_on_commit_callbacks)
    assert not Certificate.objects.filter(holder=reviewer).exists()
    assert not Application.objects.filter(applicant=reviewer).exists()


def test_another_bodys_certifier_cannot_download_a_runs_files(
    client, body, reviewer, klass, django_capture_on_commit_callbacks
):
    member(klass, "冯一")
    sign_in(client, reviewer)
    start(client, body, klass, django_capture_on_commit_callbacks)
    run = BulkIssue.objects.get()
    client.logout()
    sign_in(client, certifier(certifying_body("SH")))
    for name in ("certify_bulk_zip", "certify_bulk_print", "certify_bulk_register"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404


def test_applications_of_a_class_that_fail_are_listed_before_start(client, body, reviewer, klass):
    people = [UserFactory(real_name=f"学员{n}") for n in range(2)]
    applications = [submitted_application(person, body) for person in people]
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(course=klass)
    Attempt.objects.filter(user=people[1]).update(passed=False)
    sign_in(client, reviewer)
    page = confirm_page(client, body, klass)
    assert f'data-candidate="{people[0].pk}" data-outcome="issue"' in page
    assert f'data-candidate="{people[1].pk}" data-outcome="left_out"' in page
    assert reverse("certify_application", args=[applications[1].pk]) in page
