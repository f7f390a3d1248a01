"""The rules of certification, through the services people's clicks end up calling."""

import datetime
import hashlib
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from certification.applications.checklist import checklist as checklist_of
from certification.applications.services import (
    application_create,
    application_submit,
    application_update,
    evidence_add,
)
from certification.credentials import vc
from certification.credentials.did import body_did
from certification.credentials.status import status_list_current
from certification.errors import CertificationError
from certification.issuing import services as issuing_services
from certification.issuing.services import application_approve, certificate_complete
from certification.lifecycle.services import (
    certificate_revoke,
    certificates_expire_and_remind,
    certificates_file,
    continuing_education_report,
    continuing_education_review,
    renewal_apply,
)
from certification.models import Application, AuditEntry, Certificate, Evidence
from tests.certification.factories import (
    certifier,
    certifying_body,
    identity_on_record,
    issued_certificate,
    level,
    qualify,
    submitted_application,
)
from tests.factories import UserFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body)


def test_checklist_lists_what_is_missing_then_met(body):
    # Without an application, an exam counts if it meets an awarding body's standard.
    person = UserFactory()
    checklist = checklist_of(user_id=person.pk, level=level("junior_broker"))
    assert not checklist.met
    assert {item.key for item in checklist.missing} >= {"hours:general", "exam"}
    qualify(person)
    assert checklist_of(user_id=person.pk, level=level("junior_broker")).met


def test_the_rules_are_data_changing_a_level_changes_eligibility(body):
    person = UserFactory()
    qualify(person)
    junior = level("junior_broker")
    junior.hours_practice = 40
    junior.save()
    result = checklist_of(user_id=person.pk, level=junior)
    assert [item.key for item in result.missing] == ["hours:practice"]


def test_exam_must_be_recent_enough(body):
    person = UserFactory()
    qualify(person, passed_at=timezone.now() - datetime.timedelta(days=800))
    result = checklist_of(user_id=person.pk, level=level("junior_broker"))
    assert [item.key for item in result.missing] == ["exam"]


def test_submitting_without_the_prerequisite_is_refused_and_nothing_changes():
    national = certifying_body("CN", kind="national", levels=("intermediate_broker",))
    person = UserFactory()
    qualify(person, "intermediate_broker")
    application = application_create(
        applicant=person, level=level("intermediate_broker"), body=national
    )
    with pytest.raises(CertificationError, match="Prerequisite level|先修|前置"):
        application_submit(application_id=application.pk, actor=person)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_approval_numbers_certificates_gap_free_in_the_configured_format(body, reviewer):
    year = timezone.localdate().year
    numbers = [issued_certificate(UserFactory(), body, reviewer).number for _ in range(3)]
    assert numbers == [f"GD-J-{year}-{n:06d}" for n in (1, 2, 3)]


def test_a_refused_approval_gives_its_number_back(body, reviewer):
    first = submitted_application(UserFactory(), body)
    second = submitted_application(UserFactory(), body)
    # The first applicant's exam result is withdrawn after submission: approval must fail.
    from courses.models import Attempt

    Attempt.objects.filter(user=first.applicant).update(passed=False)
    with pytest.raises(CertificationError):
        application_approve(application_id=first.pk, actor=reviewer)
    certificate = application_approve(application_id=second.pk, actor=reviewer)
    assert certificate.sequence == 1
    assert Certificate.objects.count() == 1


def test_double_approval_is_refused_with_a_clear_message(body, reviewer):
    application = submitted_application(UserFactory(), body)
    application_approve(application_id=application.pk, actor=reviewer)
    with pytest.raises(CertificationError, match="already approved|已"):
        application_approve(application_id=application.pk, actor=reviewer)
    assert Certificate.objects.count() == 1


def test_a_certifier_of_another_body_cannot_decide(body):
    application = submitted_application(UserFactory(), body)
    stranger = certifier(certifying_body("SH"))
    with pytest.raises(CertificationError):
        application_approve(application_id=application.pk, actor=stranger)
    assert not Certificate.objects.exists()


def test_issuing_stores_pdf_and_a_credential_that_verifies(body, reviewer):
    certificate = issued_certificate(UserFactory(real_name="欧阳明"), body, reviewer)
    assert certificate.status == Certificate.Status.VALID
    assert certificate.application.status == Application.Status.ISSUED
    data = certificate.pdf.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert vc.verify(certificate.credential).verified
    # Issued by the body's did:web, signed by the key its DID document lists (issue 16).
    assert certificate.credential["issuer"]["id"] == body_did(body)
    assert body_did(body).startswith("did:web:") and body_did(body).endswith(":bodies:GD")
    assert certificate.credential["proof"][0]["verificationMethod"] == (
        certificate.credential["issuer"]["id"]
        + "#"
        + vc.did_key(bytes(certificate.status_list.signing_key.public_key))[len("did:key:") :]
    )
    assert "欧阳明" not in str(certificate.credential)  # the recipient is only a salted hash
    assert certificate.holder.email not in str(certificate.credential)
    assert any(
        "Your certificate" in m.subject or certificate.number in m.subject for m in mail.outbox
    )


def test_completing_twice_changes_nothing(body, reviewer):
    certificate = issued_certificate(UserFactory(), body, reviewer)
    before = (certificate.pdf.name, certificate.pdf_sha256, certificate.credential)
    again = certificate_complete(certificate_id=certificate.pk)
    assert (again.pdf.name, again.pdf_sha256, again.credential) == before
    assert AuditEntry.objects.filter(action="certificate.issued").count() == 1


def test_later_changes_to_name_or_body_never_alter_an_issued_certificate(body, reviewer):
    person = UserFactory(real_name="原名")
    certificate = issued_certificate(person, body, reviewer)
    stored = certificate.pdf.read()
    person.real_name = "新名"
    person.save()
    body.name = "改名后的机构"
    body.save()
    certificate.refresh_from_db()
    assert certificate.pdf.read() == stored
    assert certificate.printed_name == "原名"


def test_a_crashed_render_leaves_a_pending_certificate_that_resumes(
    body, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    application = submitted_application(UserFactory(), body)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(issuing_services, "certificate_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        application_approve(application_id=application.pk, actor=reviewer)
    certificate = Certificate.objects.get(application=application)
    assert certificate.status == Certificate.Status.PENDING
    assert "disk full" in certificate.issue_error
    monkeypatch.undo()
    certificate_complete(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert certificate.issue_error == ""
    assert Certificate.objects.count() == 1


def test_revocation_needs_a_reason_and_shows_in_the_status_list(body, reviewer):
    certificate = issued_certificate(UserFactory(), body, reviewer)
    with pytest.raises(CertificationError):
        certificate_revoke(certificate_id=certificate.pk, actor=reviewer, reason=" ")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    certificate_revoke(certificate_id=certificate.pk, actor=reviewer, reason="证明材料不实")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    status_list = status_list_current(body_code="GD", number=1)
    assert vc.verify(status_list).verified
    assert vc.status_bit(status_list, certificate.status_index) is True
    with pytest.raises(CertificationError, match="already revoked|已"):
        certificate_revoke(certificate_id=certificate.pk, actor=reviewer, reason="x")


def test_intermediate_certificates_are_numbered_and_filed_by_the_national_body(
    django_capture_on_commit_callbacks,
):
    national = certifying_body("CN", kind="national", levels=("intermediate_broker",))
    provincial = certifying_body(
        "GD", kind="provincial", levels=("junior_broker", "intermediate_broker")
    )
    officer = certifier(national)
    local = certifier(provincial)
    person = UserFactory()
    junior = issued_certificate(person, provincial, local)
    Certificate.objects.filter(pk=junior.pk).update(
        held_since=timezone.localdate() - datetime.timedelta(days=800)
    )
    qualify(person, "intermediate_broker")
    application = application_create(
        applicant=person, level=level("intermediate_broker"), body=provincial
    )
    application_update(
        application_id=application.pk,
        actor=person,
        printed_name="某人",
        experience_years=3,
        experience_note="三年技术转移工作",
    )
    evidence_add(
        application_id=application.pk,
        actor=person,
        kind=Evidence.Kind.WORK_PROOF,
        upload=SimpleUploadedFile("proof.png", png_bytes()),
    )
    application_submit(application_id=application.pk, actor=person)
    identity_on_record(person)  # the level requires the certifier to check identity
    with django_capture_on_commit_callbacks(execute=True):
        certificate = application_approve(
            application_id=application.pk, actor=local, identity_checked=True
        )
    certificate.refresh_from_db()
    assert certificate.number.startswith(f"CN-M-{timezone.localdate().year}-")
    assert certificate.filing_status == Certificate.Filing.PENDING
    with pytest.raises(CertificationError):
        certificates_file(certificate_ids=[certificate.pk], actor=local, reference="x")
    assert (
        certificates_file(
            certificate_ids=[certificate.pk], actor=officer, reference="备案〔2026〕1号"
        )
        == 1
    )
    certificate.refresh_from_db()
    assert certificate.filing_status == Certificate.Filing.FILED


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.pdf", b"", "empty|空"),
        ("fake.png", b"this is not a picture", "JPEG|图片"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n", "damaged|损坏"),
        ("script.pdf", b"<script>alert(1)</script>", "JPEG|图片"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_stored(body, name, content, message):
    person = UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    with pytest.raises(CertificationError, match=message):
        evidence_add(
            application_id=application.pk,
            actor=person,
            kind="diploma",
            upload=SimpleUploadedFile(name, content),
        )
    assert not Evidence.objects.exists()


def test_oversized_evidence_is_refused(body, settings):
    settings.PORTAL_EVIDENCE_MAX_BYTES = 1000
    person = UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    with pytest.raises(CertificationError, match="too large|过大"):
        evidence_add(
            application_id=application.pk,
            actor=person,
            kind="diploma",
            upload=SimpleUploadedFile("big.png", png_bytes((400, 400))),
        )


def test_expiry_sweep_and_reminders_are_sent_once(
    body, reviewer, django_capture_on_commit_callbacks
):
    certificate = issued_certificate(UserFactory(), body, reviewer)
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=today + datetime.timedelta(days=50)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = certificates_expire_and_remind(today=today)
        second = certificates_expire_and_remind(today=today)
    assert first["reminded_60"] == 1 and second["reminded_60"] == 0
    assert len(mail.outbox) == 1
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=today - datetime.timedelta(days=1)
    )
    assert certificates_expire_and_remind(today=today)["expired"] == 1
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.EXPIRED


def test_renewal_with_enough_hours_supersedes_the_old_certificate(
    body, reviewer, django_capture_on_commit_callbacks
):
    person = UserFactory()
    old = issued_certificate(person, body, reviewer)
    with pytest.raises(CertificationError, match="Continuing|继续教育"):
        renewal_apply(certificate_id=old.pk, actor=person)
    activity = continuing_education_report(
        holder=person,
        body=body,
        title="技术转移高级研修班",
        provider="某大学",
        completed_on=timezone.localdate(),
        hours=30,
    )
    continuing_education_review(activity_id=activity.pk, actor=reviewer, approve=True)
    renewal = renewal_apply(certificate_id=old.pk, actor=person)
    with django_capture_on_commit_callbacks(execute=True):
        new = application_approve(application_id=renewal.pk, actor=reviewer)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == Certificate.Status.VALID
    assert old.status == Certificate.Status.SUPERSEDED
    assert old.superseded_by == new
    assert new.held_since == old.held_since
    assert new.number != old.number


def test_audit_chain_verifies_and_names_the_first_tampered_entry(body, reviewer):
    issued_certificate(UserFactory(), body, reviewer)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
    victim = AuditEntry.objects.order_by("pk")[1]
    AuditEntry.objects.filter(pk=victim.pk).update(data={"reason": "edited"})
    with pytest.raises(CommandError, match=f"entry {victim.pk}"):
        call_command("audit_verify")


def test_audit_entries_cannot_be_changed_or_deleted_through_the_model(body, reviewer):
    issued_certificate(UserFactory(), body, reviewer)
    entry = AuditEntry.objects.first()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_system_check_fails_in_production_for_a_body_without_a_key(settings):
    from certification.checks import signing_keys_check

    certifying_body("XX", key=False)
    settings.DEBUG = False
    errors = signing_keys_check()
    assert [e.id for e in errors] == ["certification.E001"]
    settings.PORTAL_SIGNING_KEY_SECRET = "another secret"
    certifying_body("YY")
    settings.PORTAL_SIGNING_KEY_SECRET = "rotated away"
    assert {e.obj.code for e in signing_keys_check()} == {"XX", "YY"}


def test_private_keys_are_not_stored_in_clear(body):
    from certification.credentials.keys import private_key

    key = body.keys.get()
    raw = private_key(key)
    assert raw.hex() not in key.private_key_sealed
    assert raw not in key.private_key_sealed.encode()


def test_the_holders_photo_is_frozen_into_the_certificate(body, reviewer):
    from pypdf import PdfReader

    with_photo = UserFactory()
    with_photo.photo.save("me.png", SimpleUploadedFile("me.png", png_bytes((1200, 1600))))
    without = UserFactory()
    pictured = issued_certificate(with_photo, body, reviewer)
    plain = issued_certificate(without, body, reviewer)

    def images(certificate):
        return len(PdfReader(io.BytesIO(certificate.pdf.read())).pages[0].images)

    assert images(pictured) == images(plain) + 1
    assert pictured.photo.name.endswith(".jpg")
    with_photo.photo.delete()
    pictured.refresh_from_db()
    assert pictured.photo.read()[:2] == b"\xff\xd8"  # the snapshot outlives the profile photo
