"""/me/data/: everything the portal holds about me, and nothing about anyone else."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.certification.factories import certifier, certifying_body, issued_certificate, level
from tests.factories import UserFactory, png_bytes, sign_in

pytestmark = pytest.mark.django_db


def ended_application(user, body, note="被驳回的申请", colour=(200, 30, 30)):
    """An application that ended without a certificate, with one evidence file."""
    from certification.applications.models import Application, Evidence

    application = Application.objects.create(
        applicant=user,
        level=level(),
        body=body,
        status=Application.Status.REJECTED,
        printed_name=user.real_name,
        experience_years=Decimal("2"),
        experience_note=note,
    )
    evidence = Evidence(
        application=application,
        kind=Evidence.Kind.WORK_PROOF,
        original_name="proof.png",
        content_type="image/png",
        size=10,
    )
    evidence.file.save("proof.png", ContentFile(png_bytes(colour=colour)), save=False)
    evidence.save()
    return application, evidence


def two_people():
    """Alice holds a certificate, a rejected application with evidence, a photo, a registry
    listing and an invitation; Bob has records in the same course, his own application and
    an invitation."""
    from certification.registry.models import RegistryListing
    from courses.models import (
        Attempt,
        Enrolment,
        EnrolmentInvitation,
        LessonCredit,
        LessonPage,
    )

    body = certifying_body()
    actor = certifier(body)
    alice = UserFactory(
        email="alice@example.org",
        real_name="张爱丽",
        phone="138-1111-2222",
        organisation="甲大学",
    )
    alice.photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    alice.save()
    certificate = issued_certificate(alice, body, actor)
    rejected, evidence = ended_application(alice, body)
    RegistryListing.objects.create(user=alice, listed=True, organisation="甲大学公开")

    bob = UserFactory(email="bob@example.org", real_name="李博博", phone="139-9999-0000")
    course_page = Enrolment.objects.get(user=alice).course
    bob_enrolment = Enrolment.objects.create(user=bob, course=course_page)
    lesson = LessonPage.objects.descendant_of(course_page).specific().first()
    LessonCredit.objects.create(
        enrolment=bob_enrolment,
        lesson=lesson,
        hours=Decimal("1"),
        category=lesson.get_parent().specific.category,
        method=LessonCredit.Method.ATTENDANCE,
    )
    exam = Attempt.objects.get(user=alice).exam
    Attempt.objects.create(
        exam=exam,
        user=bob,
        number=1,
        status=Attempt.Status.FINAL,
        deadline=timezone.now(),
        score=Decimal("31"),
        max_score=Decimal("100"),
        passed=False,
    )
    _, bob_evidence = ended_application(bob, body, note="博博的经历", colour=(10, 90, 200))
    for person in (alice, bob):
        EnrolmentInvitation.objects.create(
            course=course_page,
            email=person.email,
            user=person,
            expires_at=timezone.now() + timezone.timedelta(days=7),
        )
    return {
        "alice": alice,
        "bob": bob,
        "certificate": certificate,
        "rejected": rejected,
        "evidence": evidence,
        "bob_evidence": bob_evidence,
        "course": course_page,
    }


def download(client, url=None):
    response = client.post(url or reverse("my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive, json.loads(archive.read("my-data.json"))


def test_export_holds_my_records_and_files(client):
    w = two_people()
    sign_in(client, w["alice"])
    page = client.get(reverse("my_data"))
    assert page.status_code == 200
    assert reverse("my_data") in client.get(reverse("account_profile")).content.decode()

    archive, data = download(client)
    assert data["account"]["email"] == "alice@example.org"
    assert data["account"]["phone"] == "138-1111-2222"
    assert [e["course"] for e in data["enrolments"]] == [w["course"].title]
    assert data["enrolments"][0]["lesson_credits"]
    assert data["exam_attempts"][0]["score"] == "90.0"
    assert [c["number"] for c in data["certificates"]] == [w["certificate"].number]
    rejected = next(a for a in data["applications"] if a["id"] == w["rejected"].pk)
    assert rejected["evidence"][0]["file_name"] == "proof.png"
    assert data["registry_listing"]["organisation"] == "甲大学公开"
    assert [i["email"] for i in data["invitations"]] == ["alice@example.org"]

    names = archive.namelist()
    pdf_name = f"certificates/{w['certificate'].number}.pdf"
    assert pdf_name in names
    assert archive.read(pdf_name) == storages["private"].open(w["certificate"].pdf.name).read()
    assert archive.read(pdf_name).startswith(b"%PDF")
    evidence_names = [n for n in names if n.startswith("evidence/")]
    assert len(evidence_names) == 1
    assert archive.read(evidence_names[0]) == w["evidence"].file.open("rb").read()
    assert any(n.startswith("photo.") for n in names)


def test_export_holds_nothing_of_another_person_and_no_answer_keys(client):
    w = two_people()
    sign_in(client, w["alice"])
    archive, data = download(client)
    text = archive.read("my-data.json").decode()
    for foreign in ("bob@example.org", "李博博", "139-9999-0000", "博博的经历", "31.0"):
        assert foreign not in text
    assert len(data["enrolments"]) == 1 and len(data["exam_attempts"]) == 1
    bob_file = w["bob_evidence"].file.open("rb").read()
    assert all(archive.read(n) != bob_file for n in archive.namelist() if n != "my-data.json")
    # Scores, never the answer keys.
    assert '"correct"' not in text and "reference_answer" not in text


def test_another_persons_data_cannot_be_asked_for(client):
    w = two_people()
    # The address names nobody; whatever is added to it, the signed-in person gets their own.
    assert reverse("my_data") == "/me/data/"
    sign_in(client, w["bob"])
    url = f"{reverse('my_data')}?user={w['alice'].pk}&user_id={w['alice'].pk}"
    archive, data = download(client, url)
    assert data["account"]["email"] == "bob@example.org"
    assert "alice@example.org" not in archive.read("my-data.json").decode()
    assert data["certificates"] == []


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for method in (client.get, client.post):
        response = method(reverse("my_data"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_export_holds_my_notifications_and_choices_only(client):
    from portal.notifications.models import Kind, Notification, NotificationSettings

    w = two_people()
    Notification.objects.create(
        user=w["alice"], kind=Kind.CERTIFICATE_ISSUED, key="a", params={"number": "A-1"}
    )
    Notification.objects.create(
        user=w["bob"], kind=Kind.EXAM_GRADED, key="b", params={"exam": "博博的考试"}
    )
    NotificationSettings.objects.create(user=w["alice"], language="en", emails_off=["expiry"])
    sign_in(client, w["alice"])
    _archive, data = download(client)
    details = [n["details"] for n in data["notifications"]]
    assert {"number": "A-1"} in details
    assert {"number": w["certificate"].number, "level": w["certificate"].level_name} in details
    assert data["notification_settings"]["emails_not_wanted"] == ["expiry"]
    assert "博博的考试" not in json.dumps(data, ensure_ascii=False)
