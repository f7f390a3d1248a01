"""Re-issuing an imported record as a portal certificate (issue 17, item 1: "no PDF or
credential the portal did not make, unless the body chooses to re-issue"): once the holder has
claimed it, a certifier of the body makes it a numbered version with a PDF and a signed
credential; the record is superseded, not revoked; the person still counts once."""

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from certification.credentials.did import credential_verify
from certification.errors import CertificationError
from certification.goals.selectors import goal_progress
from certification.issuing.corrections import certificate_correct, correction_refusal
from certification.models import AuditEntry, Certificate, CertificationLevel, Goal, ImportedHolder
from portal.accounts.models import OutgoingMail
from tests.certification.factories import certifier, certifying_body
from tests.factories import UserFactory

from .test_imports import row, upload, xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
NUMBER = "GD-2018-0001"


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def body():
    return certifying_body("GD", levels=("junior_broker",), images=False)


@pytest.fixture
def reviewer(body):
    return certifier(body, real_name="审核员乙")


@pytest.fixture
def record(client, reviewer):
    client.force_login(reviewer)
    upload(client, xlsx(row(status="有效", valid_until=D(2099, 1, 1))))
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return Certificate.objects.get(number=NUMBER)


def claim(client, record):
    holder = UserFactory(email="lisi@example.com", real_name="李四")
    client.force_login(holder)
    client.post(
        reverse("my_claims"), {"action": "claim", "record": ImportedHolder.objects.get().pk}
    )
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    record.refresh_from_db()
    assert record.holder == holder
    return holder


def reissue(client, record, capture, **data):
    fields = {"printed_name": "李四", "photo": "keep", "reason": "持证人申请补发电子证书"}
    fields.update({"confirmed": "on", **data})
    form = {"action": "correct", **{f"correct-{k}": v for k, v in fields.items()}}
    with capture(execute=True):
        return client.post(reverse("certify_certificate", args=[record.number]), form)


def test_an_unclaimed_record_cannot_be_reissued(client, record, reviewer):
    with translation.override("en"):
        assert "claim it first" in correction_refusal(record, reviewer)
        with pytest.raises(CertificationError, match="claim it first"):
            certificate_correct(
                certificate_id=record.pk, actor=reviewer, printed_name="李四", reason="x"
            )
    client.force_login(reviewer)
    page = client.get(reverse("certify_certificate", args=[NUMBER])).content.decode()
    assert "data-reissue" not in page
    assert Certificate.objects.count() == 1


def test_a_claimed_record_is_reissued_with_a_pdf_and_a_credential(
    client, record, reviewer, django_capture_on_commit_callbacks
):
    holder = claim(client, record)
    goal = Goal.objects.create(
        name="2020 目标",
        source="测试",
        target=10,
        measure=Goal.Measure.EVER,
        start_date=D(2017, 1, 1),
        deadline=D(2030, 12, 31),
    )
    goal.levels.set(CertificationLevel.objects.filter(code="junior_broker"))
    before = goal_progress(goal).people

    client.force_login(reviewer)
    page = client.get(reverse("certify_certificate", args=[NUMBER])).content.decode()
    assert "data-reissue" in page and "Re-issue as a portal certificate" in page
    preview = client.get(reverse("certify_correction_preview", args=[NUMBER]))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"

    response = reissue(client, record, django_capture_on_commit_callbacks)
    new = Certificate.objects.get(corrects=record)
    assert response.status_code == 302
    assert new.number == f"{NUMBER}-V2" and new.origin == Certificate.Origin.PORTAL
    assert new.status == Certificate.Status.VALID and new.pdf and new.credential
    assert new.holder == holder and new.status_list_id is not None
    assert (new.issued_on, new.valid_until) == (record.issued_on, record.valid_until)
    assert credential_verify(new.credential).verified
    record.refresh_from_db()
    assert record.status == Certificate.Status.SUPERSEDED and record.superseded_by == new
    assert not record.revoked_at

    # The certificate claims no training or exam the portal did not see.
    with new.pdf.open("rb") as handle:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "经审核符合等级要求" in text and "学时" not in text and "考试" not in text

    entry = AuditEntry.objects.get(action="certificate.reissued")
    assert entry.actor == reviewer and entry.data["new_number"] == new.number
    assert OutgoingMail.objects.filter(to=holder.email, subject__contains="re-issued").exists()
    public = client.get(reverse("api_certificate", args=[NUMBER])).json()
    assert public["superseded_by"] == new.number
    assert client.get(reverse("api_certificate_credential", args=[new.number])).status_code == 200
    assert goal_progress(goal).people == before  # still one person

    # Once is enough: the record is replaced, and the holder cannot re-issue their own.
    with translation.override("en"), pytest.raises(CertificationError, match="replaced"):
        certificate_correct(
            certificate_id=record.pk, actor=reviewer, printed_name="李四", reason="again"
        )
    assert Certificate.objects.filter(corrects=record).count() == 1


def test_a_certifier_cannot_reissue_their_own_imported_record(client, body):
    own = certifier(body, real_name="李四", email="lisi@example.com")
    client.force_login(certifier(body))
    upload(client, xlsx(row(status="有效", valid_until=D(2099, 1, 1))))
    record = Certificate.objects.get(number=NUMBER)
    Certificate.objects.filter(pk=record.pk).update(holder=own)
    with translation.override("en"), pytest.raises(CertificationError, match="your own"):
        certificate_correct(certificate_id=record.pk, actor=own, printed_name="李四", reason="x")
