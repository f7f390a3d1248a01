"""The certifier's workspace, as a certifier sees it: queue, decisions, certificates, filing."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from certification.applications.services import (
    application_create,
    application_submit,
    evidence_add,
    review_start,
)
from certification.issuing import services as issuing_services
from certification.lifecycle.services import continuing_education_report
from certification.models import (
    Application,
    AuditEntry,
    Certificate,
    CertificationLevel,
    ContinuingEducation,
    Evidence,
)
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    level,
    qualify,
    submitted_application,
)
from tests.factories import UserFactory, png_bytes, sign_in, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English, so the assertions read the English messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body, real_name="审核员甲")


@pytest.fixture
def other_body():
    return certifying_body("SH")


@pytest.fixture
def issue():
    """Issue a certificate the whole way (the factory runs the after-commit work)."""

    def make(person, body, actor):
        certificate = issued_certificate(person, body, actor)
        assert certificate.status == Certificate.Status.VALID
        return certificate

    return make


def content(response) -> str:
    return response.content.decode()


# -- who may enter ---------------------------------------------------------------------------


CERTIFY_URLS = [
    ("certify_queue", ()),
    ("certify_application", (1,)),
    ("certify_certificates", ()),
    ("certify_certificate", ("GD-J-2026-000001",)),
    ("certify_bulk_new", ()),
    ("certify_bulk_run", (1,)),
    ("certify_bulk_progress", (1,)),
    ("certify_filing", ()),
    ("certify_filing_export", ()),
    ("certify_continuing_education", ()),
]


@pytest.mark.parametrize("name,args", CERTIFY_URLS)
def test_a_trainee_is_refused_and_a_visitor_is_sent_to_sign_in(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory(roles=["Trainee"]))
    assert client.get(url).status_code == 403


def test_the_desk_has_a_sub_navigation_without_filing_for_a_base_certifier(client, reviewer):
    sign_in(client, reviewer)
    page = content(client.get(reverse("certify_queue")))
    for name in ("certify_queue", "certify_certificates", "certify_bulk_new"):
        assert f'href="{reverse(name)}"' in page
    assert f'href="{reverse("certify_continuing_education")}"' in page
    assert f'href="{reverse("certify_filing")}"' not in page
    assert "certification/certify.css" in page


def test_pages_are_chinese_first(reviewer):
    from django.test import Client

    chinese = Client()
    sign_in(chinese, reviewer)
    page = content(chinese.get(reverse("certify_queue")))
    assert 'lang="zh-Hans"' in page


# -- the queue -------------------------------------------------------------------------------


def test_queue_shows_only_the_own_bodys_applications(client, body, other_body, reviewer):
    mine = submitted_application(UserFactory(real_name="本机构申请人"), body)
    theirs = submitted_application(UserFactory(real_name="外机构申请人"), other_body)
    sign_in(client, reviewer)
    page = content(client.get(reverse("certify_queue")))
    assert "本机构申请人" in page
    assert "外机构申请人" not in page
    assert reverse("certify_application", args=[mine.pk]) in page
    # Asking for the other body by id changes nothing: it is not one of the choices.
    page = content(client.get(reverse("certify_queue") + f"?body={other_body.pk}&status=all"))
    assert "外机构申请人" not in page
    for url in (
        reverse("certify_application", args=[theirs.pk]),
        reverse("certify_application", args=[999999]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "approve", "confirmed": "yes"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Application.Status.SUBMITTED


def test_queue_filters_by_status_and_search_and_counts_each_status(client, body, reviewer):
    first = submitted_application(UserFactory(real_name="王小明", email="wxm@example.org"), body)
    submitted_application(UserFactory(real_name="李四"), body)
    review_start(application_id=first.pk, actor=reviewer)
    sign_in(client, reviewer)
    page = content(client.get(reverse("certify_queue")))
    assert "王小明" in page and "李四" in page
    assert 'data-status-count="awaiting">2<' in page
    assert 'data-status-count="review">1<' in page
    assert 'data-status-count="submitted">1<' in page
    page = content(client.get(reverse("certify_queue") + "?status=review"))
    assert "王小明" in page and "李四" not in page
    page = content(client.get(reverse("certify_queue") + "?q=wxm@"))
    assert "王小明" in page and "李四" not in page
    page = content(client.get(reverse("certify_queue") + "?status=rejected"))
    assert "王小明" not in page and "No applications match." in page


def test_queue_reports_a_bad_filter_instead_of_failing(client, body, reviewer):
    submitted_application(UserFactory(real_name="王小明"), body)
    sign_in(client, reviewer)
    response = client.get(reverse("certify_queue") + "?status=nonsense&level=abc&page=zz")
    assert response.status_code == 200
    assert "王小明" in content(response)
    assert "Select a valid choice" in content(response)


def test_queue_reads_a_fixed_number_of_queries_however_long_it_is(client, body, reviewer):
    for n in range(2):
        submitted_application(UserFactory(real_name=f"甲{n}"), body)
    sign_in(client, reviewer)
    url = reverse("certify_queue") + "?status=all"
    client.get(url)  # the first request fills the site cache; count the ones after it
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        submitted_application(UserFactory(real_name=f"乙{n}"), body)
    with CaptureQueriesContext(connection) as many:
        page = content(client.get(url))
    assert "乙3" in page
    assert len(many) == len(few)


# -- deciding --------------------------------------------------------------------------------


def test_application_page_shows_details_checklists_evidence_and_history(client, body, reviewer):
    person = UserFactory(real_name="张三", phone="13800000000")
    qualify(person)
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    evidence = evidence_add(
        application_id=application.pk,
        actor=person,
        kind=Evidence.Kind.DIPLOMA,
        upload=SimpleUploadedFile("学历证书.png", png_bytes()),
    )
    application_submit(application_id=application.pk, actor=person)
    sign_in(client, reviewer)
    page = content(client.get(reverse("certify_application", args=[application.pk])))
    assert "张三" in page and "13800000000" in page
    assert reverse("evidence_download", args=[application.pk, evidence.pk]) in page
    assert "学历证书.png" in page
    assert "Requirements today" in page and "Requirements at submission" in page
    assert 'data-check="exam"' in page
    assert "All requirements are met today." in page
    assert 'data-action="application.submitted"' in page
    assert 'value="approve"' in page and 'value="reject"' in page


def test_approving_issues_exactly_one_certificate_and_a_second_click_is_explained(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    application = submitted_application(UserFactory(real_name="赵六"), body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "confirmed": "yes"})
    assert response.status_code == 302 and response["Location"] == url
    certificate = Certificate.objects.get(application=application)
    assert certificate.status == Certificate.Status.VALID
    page = content(client.get(url))
    assert f"Certificate {certificate.number} is being issued" in page
    assert reverse("certify_certificate", args=[certificate.number]) in page

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"action": "approve", "confirmed": "yes"}, follow=True)
    assert again.status_code == 200
    assert "already approved" in content(again)
    assert Certificate.objects.filter(application=application).count() == 1
    assert AuditEntry.objects.filter(action="application.approved").count() == 1


def test_start_review_then_return_with_a_reason(client, body, reviewer):
    application = submitted_application(UserFactory(), body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    client.post(url, {"action": "start"})
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    response = client.post(
        url, {"action": "return", "return-reason": "请补充工作证明"}, follow=True
    )
    assert "returned to the applicant" in content(response)
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert application.decision_reason == "请补充工作证明"


@pytest.mark.parametrize("action", ["return", "reject"])
def test_returning_or_rejecting_without_a_reason_changes_nothing(client, body, reviewer, action):
    application = submitted_application(UserFactory(), body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    audit_before = AuditEntry.objects.count()
    response = client.post(url, {"action": action, f"{action}-reason": "   "})
    assert response.status_code == 200
    assert "Give a reason; the applicant will read it." in content(response)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.decision_reason == ""
    assert AuditEntry.objects.count() == audit_before


def test_rejecting_with_a_reason_and_a_late_approval_is_refused(client, body, reviewer):
    application = submitted_application(UserFactory(), body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    client.post(url, {"action": "reject", "confirmed": "yes", "reject-reason": "材料不实"})
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    response = client.post(url, {"action": "approve", "confirmed": "yes"}, follow=True)
    assert "there is nothing to decide" in content(response)
    assert not Certificate.objects.exists()


def test_a_certificate_whose_pdf_failed_shows_the_error_and_can_be_tried_again(
    client, body, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    application = submitted_application(UserFactory(), body)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(issuing_services, "certificate_pdf", broken)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "approve", "confirmed": "yes"})
    certificate = Certificate.objects.get(application=application)
    assert certificate.status == Certificate.Status.PENDING
    page = content(client.get(url))
    assert "The certificate PDF could not be made yet." in page
    assert "disk full" in page

    monkeypatch.undo()
    response = client.post(url, {"action": "retry"}, follow=True)
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert "could not be made" not in content(response)
    assert Certificate.objects.count() == 1


# -- certificates ----------------------------------------------------------------------------


def test_certificates_search_and_another_bodys_certificate_is_hidden(
    client, body, other_body, reviewer, issue
):
    mine = issue(UserFactory(real_name="钱七"), body, reviewer)
    theirs = issue(UserFactory(real_name="孙八"), other_body, certifier(other_body))
    sign_in(client, reviewer)
    page = content(client.get(reverse("certify_certificates")))
    assert mine.number in page and theirs.number not in page
    page = content(client.get(reverse("certify_certificates") + "?q=钱七&status=valid"))
    assert mine.number in page
    page = content(client.get(reverse("certify_certificates") + "?status=revoked"))
    assert mine.number not in page
    assert client.get(reverse("certify_certificate", args=[theirs.number])).status_code == 404
    response = client.post(
        reverse("certify_certificate", args=[theirs.number]),
        {"action": "revoke", "confirmed": "yes", "reason": "x"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Certificate.Status.VALID


def test_certificate_page_shows_snapshot_hash_and_public_links(client, body, reviewer, issue):
    certificate = issue(UserFactory(real_name="周九"), body, reviewer)
    sign_in(client, reviewer)
    page = content(client.get(reverse("certify_certificate", args=[certificate.number])))
    assert certificate.pdf_sha256 in page
    assert reverse("certificate_verify", args=[certificate.number]) in page
    assert reverse("api_certificate", args=[certificate.number]) in page
    assert 'data-status="valid"' in page
    assert 'data-action="certificate.issued"' in page


def test_revoking_needs_a_reason_then_revokes(client, body, reviewer, issue):
    certificate = issue(UserFactory(), body, reviewer)
    sign_in(client, reviewer)
    url = reverse("certify_certificate", args=[certificate.number])
    response = client.post(
        url, {"action": "revoke", "confirmed": "yes", "code": "misconduct", "reason": ""}
    )
    assert response.status_code == 200
    assert "Write an internal note" in content(response)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID

    response = client.post(
        url,
        {"action": "revoke", "confirmed": "yes", "code": "misconduct", "reason": "证明材料不实"},
        follow=True,
    )
    assert f"Certificate {certificate.number} is revoked." in content(response)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revocation_code == "misconduct"
    assert certificate.revocation_reason == "证明材料不实"
    assert certificate.revoked_by == reviewer
    assert 'name="reason"' not in content(client.get(url))  # nothing left to revoke

    again = client.post(
        url,
        {"action": "revoke", "confirmed": "yes", "code": "other", "reason": "再次"},
        follow=True,
    )
    assert "already revoked" in content(again)


# -- an administrator ------------------------------------------------------------------------


def test_an_administrator_sees_every_body(client, body, other_body):
    submitted_application(UserFactory(real_name="本机构申请人"), body)
    submitted_application(UserFactory(real_name="外机构申请人"), other_body)
    chief = with_totp(UserFactory(roles=["Administrator"]))
    sign_in(client, chief)
    page = content(client.get(reverse("certify_queue")))
    assert "本机构申请人" in page and "外机构申请人" in page
    assert f'href="{reverse("certify_filing")}"' in page


# -- continuing education --------------------------------------------------------------------


def _activity(holder, body, title):
    return continuing_education_report(
        holder=holder,
        body=body,
        title=title,
        provider="某协会",
        completed_on=datetime.date(2026, 1, 10),
        hours=8,
    )


def test_continuing_education_is_approved_or_rejected_with_a_reason(
    client, body, other_body, reviewer
):
    holder = UserFactory(real_name="吴十")
    first = _activity(holder, body, "技术评估研修班")
    second = _activity(holder, body, "专利运营讲座")
    elsewhere = _activity(holder, other_body, "外地培训")
    sign_in(client, reviewer)
    url = reverse("certify_continuing_education")
    page = content(client.get(url))
    assert "技术评估研修班" in page and "专利运营讲座" in page
    assert "外地培训" not in page

    response = client.post(
        url, {"activity": first.pk, "decision": "reject", "note": " "}, follow=True
    )
    assert "Give a reason; the holder will read it." in content(response)
    first.refresh_from_db()
    assert first.status == ContinuingEducation.Status.PENDING

    client.post(url, {"activity": first.pk, "decision": "reject", "note": "与专业无关"})
    client.post(url, {"activity": second.pk, "decision": "approve"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ContinuingEducation.Status.REJECTED
    assert first.review_note == "与专业无关"
    assert second.status == ContinuingEducation.Status.APPROVED

    again = client.post(url, {"activity": second.pk, "decision": "approve"}, follow=True)
    assert "already been reviewed" in content(again)
    response = client.post(url, {"activity": elsewhere.pk, "decision": "approve"})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == ContinuingEducation.Status.PENDING


# -- filing ----------------------------------------------------------------------------------


@pytest.fixture
def filed_level():
    """Junior certificates numbered and filed centrally, so a provincial body's need filing."""
    CertificationLevel.objects.filter(code="junior_broker").update(central_filing=True)


@pytest.fixture
def national():
    return certifying_body("CN", kind="national", name="国家技术转移人才评价中心")


@pytest.fixture
def provincial():
    return certifying_body("GD", kind="provincial", name="广东省技术转移人才评价中心")


def test_filing_is_for_the_national_body_only(client, filed_level, national, provincial):
    local = certifier(provincial)
    sign_in(client, local)
    assert client.get(reverse("certify_filing")).status_code == 403
    assert client.get(reverse("certify_filing_export")).status_code == 403
    assert client.post(reverse("certify_filing"), {"reference": "x"}).status_code == 403


def test_the_national_officer_files_certificates_and_exports_them(
    client, filed_level, national, provincial, issue
):
    local = certifier(provincial)
    officer = certifier(national)
    first = issue(UserFactory(real_name="郑一", province="44"), provincial, local)
    second = issue(UserFactory(real_name="冯二", province="11"), provincial, local)
    assert first.number.startswith("CN-J-") and first.filing_status == Certificate.Filing.PENDING
    sign_in(client, officer)
    url = reverse("certify_filing")
    page = content(client.get(url))
    assert first.number in page and second.number in page
    assert f'name="certificate" value="{first.pk}"' in page

    response = client.post(url, {"certificate": [first.pk]}, follow=True)
    assert "Enter the filing reference." in content(response)
    response = client.post(url, {"reference": "备案〔2026〕1号"}, follow=True)
    assert "Select at least one certificate to file." in content(response)
    first.refresh_from_db()
    assert first.filing_status == Certificate.Filing.PENDING

    filing = {"certificate": [first.pk], "reference": "备案〔2026〕1号"}
    question = content(client.post(url, filing))  # irreversible: asked first, names it
    assert "data-confirm" in question and first.number in question and "郑一" in question
    first.refresh_from_db()
    assert first.filing_status == Certificate.Filing.PENDING

    response = client.post(url, {**filing, "confirmed": "yes"}, follow=True)
    assert "1 certificate marked as filed." in content(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.filing_status == Certificate.Filing.FILED
    assert first.filing_reference == "备案〔2026〕1号"
    assert first.filed_by == officer
    assert second.filing_status == Certificate.Filing.PENDING
    pending_page = content(client.get(url))
    assert f'name="certificate" value="{first.pk}"' not in pending_page
    assert f'name="certificate" value="{second.pk}"' in pending_page

    response = client.get(reverse("certify_filing_export") + "?filing=all")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "证书编号" and rows[0][-1] == "持证人所在省份"
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {first.number, second.number}
    filed = by_number[first.number]
    assert filed[1] == "郑一"
    assert filed[3] == "广东省技术转移人才评价中心"
    assert filed[4] == "国家技术转移人才评价中心"
    assert filed[5].date() == first.issued_on
    assert filed[7] != by_number[second.number][7]  # filed vs awaiting filing
    assert filed[8] is not None and filed[9] == "备案〔2026〕1号"
    assert filed[10] and by_number[second.number][10] and filed[10] != by_number[second.number][10]

    response = client.get(reverse("certify_filing_export"))  # awaiting filing by default
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [second.number]


def test_filing_filters_reject_a_bad_date_with_a_message(
    client, filed_level, national, provincial, issue
):
    certificate = issue(UserFactory(), provincial, certifier(provincial))
    sign_in(client, certifier(national))
    response = client.get(reverse("certify_filing") + "?issued_from=2026-13-45")
    assert response.status_code == 200
    assert "Enter a valid date." in content(response)
    assert certificate.number in content(response)  # the bad filter is ignored, not applied

    response = client.get(reverse("certify_filing_export") + "?issued_from=2026-13-45")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("certify_filing") + "?")
    page = content(client.get(response["Location"]))
    assert "Enter a valid date." in page

    start = certificate.issued_on + datetime.timedelta(days=1)
    response = client.get(reverse("certify_filing_export") + f"?issued_from={start}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1  # only the headers
