"""Practice records: the contact's link works once and expires, disputes, nobody confirms their
own project, other people's records are refused, and the checklist counts confirmed ones."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification.applications.checklist import checklist
from certification.errors import CertificationError
from certification.models import AuditEntry, CertificationLevel, PracticeRecord
from certification.practice.services import (
    practice_confirm_by_link,
    practice_record_create,
    practice_review,
    practice_token,
)
from portal.accounts.models import OutgoingMail
from tests.certification.factories import certifier, certifying_body
from tests.factories import UserFactory, png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def trainee():
    return UserFactory(real_name="李学员", email="trainee@example.org")


def _data(**overrides):
    today = timezone.localdate()
    data = {
        "title": "高校专利许可给企业",
        "kind": PracticeRecord.Kind.TRANSACTION,
        "kind_other": "",
        "role": "技术经纪人",
        "counterparties": "华南大学；广州某科技公司",
        "contract_number": "2025440100001234",
        "amount": Decimal("350000.00"),
        "started_on": today - datetime.timedelta(days=200),
        "ended_on": today - datetime.timedelta(days=20),
        "outcome": "签订专利实施许可合同并完成登记",
        "method": PracticeRecord.Method.CONTACT,
        "contact_name": "王经理",
        "contact_organisation": "广州某科技公司",
        "contact_email": "wang@example.com",
        "body": None,
    }
    data.update(overrides)
    return data


def _record(owner, **overrides):
    return practice_record_create(owner=owner, data=_data(**overrides))


def _link_from_mail() -> str:
    mail = OutgoingMail.objects.filter(to="wang@example.com").latest("pk")
    return re.search(r"https?://\S+/practice/confirm/\S+/", mail.body_text).group(0)


def test_recording_sends_the_contact_a_link_that_shows_the_project(client, trainee):
    client.force_login(trainee)
    response = client.post(
        reverse("my_practice"),
        {
            **{k: v for k, v in _data().items() if v is not None},
            "proofs": SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    record = PracticeRecord.objects.get(owner=trainee)
    assert record.status == PracticeRecord.Status.PENDING
    assert record.proofs.count() == 1
    assert AuditEntry.objects.filter(action="practice.recorded", object_id=str(record.pk)).exists()
    link = _link_from_mail()
    client.logout()
    page = client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "高校专利许可给企业" in text and "2025440100001234" in text and "350,000.00" in text


def test_the_link_works_once(client, trainee):
    record = _record(trainee)
    url = reverse("practice_confirm", args=[practice_token(record)])
    response = client.post(url, {"decision": "confirm", "comment": ""})
    assert response.status_code == 200
    assert "You have confirmed the project" in response.content.decode()
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.CONFIRMED
    assert AuditEntry.objects.filter(action="practice.confirmed", object_id=str(record.pk)).exists()
    again = client.post(url, {"decision": "dispute", "comment": "不对"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.CONFIRMED


def test_the_link_expires(client, trainee, settings, monkeypatch):
    record = _record(trainee)
    token = practice_token(record)
    later = time_after(days=settings_days(settings) + 1)
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(reverse("practice_confirm", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    with pytest.raises(CertificationError):
        practice_confirm_by_link(token=token, confirm=True, comment="")
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.PENDING


def settings_days(settings) -> int:
    return getattr(settings, "PORTAL_PRACTICE_LINK_DAYS", 14)


def time_after(*, days: int) -> float:
    import time

    return time.time() + days * 86400


def test_a_tampered_or_replaced_link_is_refused(client, trainee):
    record = _record(trainee)
    old = practice_token(record)
    client.force_login(trainee)
    client.post(reverse("my_practice_action", args=[record.pk]), {"action": "resend"})
    client.logout()
    assert client.get(reverse("practice_confirm", args=[old])).status_code == 410
    assert client.get(reverse("practice_confirm", args=[old[:-2] + "xx"])).status_code == 410
    record.refresh_from_db()
    assert client.get(reverse("practice_confirm", args=[practice_token(record)])).status_code == 200


def test_dispute_needs_a_comment_and_the_trainee_reads_it(client, trainee):
    record = _record(trainee)
    url = reverse("practice_confirm", args=[practice_token(record)])
    empty = client.post(url, {"decision": "dispute", "comment": "  "})
    assert "Say what is wrong" in empty.content.decode()
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.PENDING
    client.post(url, {"decision": "dispute", "comment": "金额应为20万元"})
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.DISPUTED
    client.force_login(trainee)
    page = client.get(reverse("my_practice")).content.decode()
    assert "金额应为20万元" in page and "disputed by the contact" in page


def test_the_trainee_cannot_confirm_their_own_project_through_the_link(client, trainee):
    record = _record(trainee)
    url = reverse("practice_confirm", args=[practice_token(record)])
    client.force_login(trainee)
    assert client.get(url).status_code == 403
    response = client.post(url, {"decision": "confirm", "comment": ""})
    assert response.status_code == 403
    assert "cannot confirm your own project" in response.content.decode()
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.PENDING
    with pytest.raises(CertificationError):
        practice_confirm_by_link(
            token=practice_token(record), confirm=True, comment="", user=trainee
        )


def test_the_contact_cannot_be_the_trainee():
    trainee = UserFactory(email="me@example.org")
    with pytest.raises(CertificationError):
        _record(trainee, contact_email="ME@example.org")
    assert not PracticeRecord.objects.exists()


def test_someone_elses_record_and_proof_are_refused(client, trainee):
    record = practice_record_create(
        owner=trainee,
        data=_data(),
        uploads=[SimpleUploadedFile("c.png", png_bytes(), content_type="image/png")],
    )
    proof = record.proofs.get()
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("practice_proof", args=[record.pk, proof.pk])).status_code == 404
    response = client.post(reverse("my_practice_action", args=[record.pk]), {"action": "delete"})
    assert response.status_code == 404
    assert "高校专利许可给企业" not in client.get(reverse("my_practice")).content.decode()
    assert PracticeRecord.objects.filter(pk=record.pk).exists()
    client.force_login(trainee)
    assert client.get(reverse("practice_proof", args=[record.pk, proof.pk])).status_code == 200


def test_bad_input_is_explained_and_nothing_is_saved(client, trainee):
    client.force_login(trainee)
    data = {k: v for k, v in _data().items() if v is not None}
    data.update(ended_on="2020-01-01", started_on="2021-01-01", amount="-5", contact_email="")
    response = client.post(reverse("my_practice"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "cannot end before it started" in text
    assert "Needed when a contact confirms the project" in text
    assert not PracticeRecord.objects.exists()
    fake = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    data = {k: v for k, v in _data().items() if v is not None}
    response = client.post(reverse("my_practice"), {**data, "proofs": fake})
    assert "Upload a JPEG, PNG or WebP picture, or a PDF document." in response.content.decode()
    assert not PracticeRecord.objects.exists()


def test_a_certifier_reviews_but_never_their_own(client, trainee):
    body = certifying_body("GD", images=False, key=False, exam_standards=False)
    upload = SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
    record = practice_record_create(
        owner=trainee,
        data=_data(method=PracticeRecord.Method.CERTIFIER, body=body),
        uploads=[upload],
    )
    reviewer = certifier(body)
    other_body_certifier = certifier(certifying_body("BJ", images=False, key=False))
    with pytest.raises(CertificationError):
        practice_review(record_id=record.pk, actor=other_body_certifier, approve=True)
    self_record = practice_record_create(
        owner=reviewer,
        data=_data(method=PracticeRecord.Method.CERTIFIER, body=body, contact_email=""),
        uploads=[SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")],
    )
    with pytest.raises(CertificationError):
        practice_review(record_id=self_record.pk, actor=reviewer, approve=True)
    client.force_login(reviewer)
    page = client.get(reverse("certify_practice")).content.decode()
    assert "Your own record: another certifier reviews it." in page
    response = client.post(
        reverse("certify_practice"), {"record": record.pk, "decision": "reject", "comment": ""}
    )
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.PENDING
    client.post(reverse("certify_practice"), {"record": record.pk, "decision": "approve"})
    record.refresh_from_db()
    assert record.status == PracticeRecord.Status.CONFIRMED
    assert record.decided_by == reviewer
    assert response.status_code == 302


def _checklist_items(user, level):
    return {item.key: item for item in checklist(user_id=user.pk, level=level).items}


def test_checklist_shows_practice_requirements_met_or_not(trainee):
    level = CertificationLevel.objects.get(code="intermediate_broker")
    level.practice_min_projects = 2
    level.practice_min_amount = Decimal("500000")
    level.practice_min_kinds = 2
    level.save()
    first = _record(trainee)
    items = _checklist_items(trainee, level)
    assert not items["practice:projects"].met
    assert items["practice:projects"].actual == "0 confirmed"  # pending does not count
    practice_confirm_by_link(token=practice_token(first), confirm=True, comment="")
    second = _record(trainee, kind=PracticeRecord.Kind.EVALUATION, amount=Decimal("150000"))
    practice_confirm_by_link(token=practice_token(second), confirm=True, comment="")
    disputed = _record(trainee, amount=Decimal("9000000"))
    practice_confirm_by_link(token=practice_token(disputed), confirm=False, comment="不属实")
    items = _checklist_items(trainee, level)
    assert items["practice:projects"].met and items["practice:projects"].actual == "2 confirmed"
    assert items["practice:amount"].met and items["practice:amount"].actual == "¥500,000.00"
    assert items["practice:kinds"].met
    level.practice_min_amount = Decimal("600000")
    level.save()
    items = _checklist_items(trainee, level)
    assert not items["practice:amount"].met
    assert not checklist(user_id=trainee.pk, level=level).met


def test_levels_without_practice_requirements_show_no_practice_items(trainee):
    level = CertificationLevel.objects.get(code="intermediate_broker")
    assert not any(key.startswith("practice:") for key in _checklist_items(trainee, level))
