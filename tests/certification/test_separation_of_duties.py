"""Nobody decides on their own record, and a level may ask for two different people.

Found on the demo: the certifier applied for a junior certificate and approved it themself.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from certification.applications.services import (
    application_approve_first,
    application_decline,
    application_submit,
    review_start,
)
from certification.errors import CertificationError
from certification.issuing.services import application_approve
from certification.lifecycle.services import (
    certificate_revoke,
    certificates_file,
    continuing_education_report,
    continuing_education_review,
)
from certification.models import (
    Application,
    AuditEntry,
    BulkIssue,
    BulkIssueItem,
    Certificate,
    CertificationLevel,
    ContinuingEducation,
)
from portal.accounts.models import OutgoingMail
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    level,
    submitted_application,
)
from tests.factories import UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body, real_name="审核员甲")


@pytest.fixture
def colleague(body):
    return certifier(body, real_name="审核员乙")


def actions(application) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="application", object_id=str(application.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def two_approvers(code="junior_broker") -> CertificationLevel:
    rules = level(code)
    rules.approvers_required = 2
    rules.save(update_fields=["approvers_required"])
    return rules


# -- one's own application -------------------------------------------------------------------


def test_a_certifier_cannot_start_approve_return_or_reject_their_own_application(
    body, reviewer, colleague
):
    own = submitted_application(reviewer, body)
    attempts = [
        lambda: review_start(application_id=own.pk, actor=reviewer),
        lambda: application_approve(application_id=own.pk, actor=reviewer),
        lambda: application_decline(
            application_id=own.pk, actor=reviewer, reason="自己退回", final=False
        ),
        lambda: application_decline(
            application_id=own.pk, actor=reviewer, reason="自己驳回", final=True
        ),
    ]
    for attempt in attempts:
        with pytest.raises(CertificationError, match="own application|自己的申请"):
            attempt()
    own.refresh_from_db()
    assert own.status == Application.Status.SUBMITTED and own.reviewer is None
    assert not Certificate.objects.filter(application=own).exists()
    assert actions(own) == ["application.created", "application.submitted"]

    # Another certifier of the body decides it.
    certificate = application_approve(application_id=own.pk, actor=colleague)
    assert certificate.holder == reviewer
    approved = AuditEntry.objects.get(action="application.approved", object_id=str(own.pk))
    assert approved.actor == colleague


def test_administrators_are_subject_to_it_too(body, reviewer):
    administrator = with_totp(UserFactory(roles=["Administrator"]))
    own = submitted_application(administrator, body)
    with pytest.raises(CertificationError, match="own application|自己的申请"):
        application_approve(application_id=own.pk, actor=administrator)
    superuser = with_totp(UserFactory(is_superuser=True))
    theirs = submitted_application(superuser, body)
    with pytest.raises(CertificationError, match="own application|自己的申请"):
        review_start(application_id=theirs.pk, actor=superuser)
    assert not Certificate.objects.exists()


def test_hand_made_posts_on_ones_own_application_change_nothing(client, body, reviewer, colleague):
    own = submitted_application(reviewer, body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[own.pk])
    page = client.get(url).content.decode()
    assert "data-own-application" in page
    assert f"Waiting for another reviewer of {body.name}" in page
    for action in ("start", "approve", "return", "reject"):
        assert f'name="action" value="{action}"' not in page
    for data in (
        {"action": "start"},
        {"action": "approve", "confirmed": "yes"},
        {"action": "return", "return-reason": "请补充材料"},
        {"action": "reject", "confirmed": "yes", "reject-reason": "不符合条件"},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "You cannot decide on your own application" in response.content.decode()
    own.refresh_from_db()
    assert own.status == Application.Status.SUBMITTED
    assert not Certificate.objects.exists()
    assert actions(own) == ["application.created", "application.submitted"]


def test_the_queue_shows_ones_own_application_as_waiting_for_another_reviewer(
    client, body, reviewer
):
    own = submitted_application(reviewer, body)
    other = submitted_application(UserFactory(real_name="赵六"), body)
    sign_in(client, reviewer)
    page = client.get(reverse("certify_queue")).content.decode()
    row = page.split(f'data-application="{own.pk}"')[1].split("</tr>")[0]
    assert f"Your own application: waiting for another reviewer of {body.name}" in row
    other_row = page.split(f'data-application="{other.pk}"')[1].split("</tr>")[0]
    assert "waiting for another reviewer" not in other_row


def test_with_nobody_else_to_decide_the_page_says_it_waits(client, body, reviewer):
    own = submitted_application(reviewer, body)
    sign_in(client, reviewer)
    url = reverse("certify_application", args=[own.pk])
    assert "data-nobody-else" in client.get(url).content.decode()
    certifier(body)  # a second certifier of the body is added
    assert "data-nobody-else" not in client.get(url).content.decode()


# -- one's own certificate -------------------------------------------------------------------


def test_a_certifier_cannot_revoke_their_own_certificate(client, body, reviewer, colleague):
    certificate = issued_certificate(reviewer, body, colleague)
    with pytest.raises(CertificationError, match="your own certificate|自己的证书"):
        certificate_revoke(certificate_id=certificate.pk, actor=reviewer, reason="自撤")
    sign_in(client, reviewer)
    url = reverse("certify_certificate", args=[certificate.number])
    page = client.get(url).content.decode()
    assert "data-own-certificate" in page
    assert 'value="revoke"' not in page
    response = client.post(
        url,
        {"action": "revoke", "confirmed": "yes", "code": "other", "reason": "自撤"},
        follow=True,
    )
    assert "You cannot revoke your own certificate" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not AuditEntry.objects.filter(action="certificate.revoked").exists()
    certificate_revoke(certificate_id=certificate.pk, actor=colleague, reason="材料造假")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_a_filing_officer_cannot_file_their_own_certificate(client, body, reviewer):
    officer = with_totp(UserFactory(roles=["Administrator"]))
    other_officer = with_totp(UserFactory(roles=["Administrator"]))
    own = issued_certificate(officer, body, reviewer)
    someone = issued_certificate(UserFactory(), body, reviewer)
    Certificate.objects.filter(pk__in=[own.pk, someone.pk]).update(
        filing_status=Certificate.Filing.PENDING
    )
    with pytest.raises(CertificationError, match="your own certificate|自己的证书"):
        certificates_file(certificate_ids=[own.pk, someone.pk], actor=officer, reference="备2026-1")
    assert set(Certificate.objects.values_list("filing_status", flat=True)) == {"pending"}

    sign_in(client, officer)
    page = client.get(reverse("certify_filing")).content.decode()
    assert f'name="certificate" value="{someone.pk}"' in page
    assert f'name="certificate" value="{own.pk}"' not in page and "data-own-certificate" in page
    response = client.post(
        reverse("certify_filing"),
        {"certificate": [own.pk, someone.pk], "reference": "备2026-1"},
        follow=True,
    )
    assert "You cannot file your own certificate" in response.content.decode()
    assert not AuditEntry.objects.filter(action="certificate.filed").exists()

    assert (
        certificates_file(
            certificate_ids=[own.pk, someone.pk], actor=other_officer, reference="备2026-1"
        )
        == 2
    )


def test_a_certifier_cannot_review_their_own_continuing_education(
    client, body, reviewer, colleague
):
    activity = continuing_education_report(
        holder=reviewer,
        body=body,
        title="技术合同实务研修",
        provider="某协会",
        completed_on=datetime.date.today() - datetime.timedelta(days=3),
        hours=8,
    )
    with pytest.raises(CertificationError, match="your own continuing education|自己的继续教育"):
        continuing_education_review(activity_id=activity.pk, actor=reviewer, approve=True)
    sign_in(client, reviewer)
    url = reverse("certify_continuing_education")
    row = client.get(url).content.decode().split(f'data-activity="{activity.pk}"')[1]
    row = row.split("</tr>")[0]
    assert "data-own-activity" in row and 'value="approve"' not in row
    response = client.post(
        url, {"activity": activity.pk, "decision": "approve", "note": ""}, follow=True
    )
    assert "You cannot review your own continuing education" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == ContinuingEducation.Status.PENDING
    continuing_education_review(activity_id=activity.pk, actor=colleague, approve=True)
    activity.refresh_from_db()
    assert activity.status == ContinuingEducation.Status.APPROVED and activity.reviewer == colleague


def test_a_class_run_skips_the_starters_own_application(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    own = submitted_application(reviewer, body)
    others = [submitted_application(UserFactory(real_name=f"同学{n}"), body) for n in range(2)]
    Application.objects.filter(pk__in=[a.pk for a in others]).update(course_id=own.course_id)
    sign_in(client, reviewer)
    confirm = client.get(
        reverse("certify_bulk_new") + f"?body={body.pk}&course={own.course_id}"
    ).content.decode()
    assert "data-held-back" in confirm and "2 certificates will be issued;" in confirm
    assert f'data-candidate="{reviewer.pk}" data-outcome="left_out"' in confirm
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("certify_bulk_new"),
            {"body": body.pk, "course": own.course_id, "title": "第1期", "confirmed": "yes"},
        )
    run = BulkIssue.objects.get()
    assert run.total == 3
    failed = BulkIssueItem.objects.get(run=run, status=BulkIssueItem.Status.FAILED)
    assert failed.application_id == own.pk
    assert "person who started the run" in failed.error
    assert Certificate.objects.filter(application__in=others).count() == 2
    assert not Certificate.objects.filter(application=own).exists()
    own.refresh_from_db()
    assert own.status == Application.Status.SUBMITTED
    progress = client.get(reverse("certify_bulk_run", args=[run.pk])).content.decode()
    assert "person who started the run" in progress


# -- two people for a level that asks for it -------------------------------------------------


def test_the_seeded_senior_level_asks_for_two_approvers_and_the_others_for_one():
    assert level("senior_manager").approvers_required == 2
    assert level("junior_broker").approvers_required == 1
    assert level("intermediate_broker").approvers_required == 1


def test_a_two_approver_level_needs_two_different_people(client, body, reviewer, colleague):
    two_approvers()
    applicant = UserFactory(real_name="赵六")
    application = submitted_application(applicant, body)
    url = reverse("certify_application", args=[application.pk])

    # No way round the first approval: approving outright is refused.
    with pytest.raises(CertificationError, match="two certifiers|两位审核员"):
        application_approve(application_id=application.pk, actor=reviewer)

    sign_in(client, reviewer)
    page = client.get(url).content.decode()
    assert "data-two-approvers" in page and "Give the first approval" in page
    response = client.post(url, {"action": "approve", "confirmed": "yes"}, follow=True)
    assert "First approval recorded" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_CONFIRMATION
    assert application.first_approved_by == reviewer
    assert application.first_approved_at is not None
    assert not Certificate.objects.filter(application=application).exists()
    assert OutgoingMail.objects.filter(to=colleague.email, subject__contains="second").exists()
    assert not OutgoingMail.objects.filter(to=reviewer.email, subject__contains="second").exists()

    # The first approver cannot confirm their own approval, by the page or by hand.
    page = client.get(url).content.decode()
    assert "data-approval-refused" in page and "Confirm and issue" not in page
    response = client.post(url, {"action": "approve", "confirmed": "yes"}, follow=True)
    assert "You gave the first approval" in response.content.decode()
    with pytest.raises(CertificationError, match="You gave the first approval|您已作出第一次批准"):
        application_approve(application_id=application.pk, actor=reviewer)
    assert not Certificate.objects.filter(application=application).exists()

    # A different certifier of the body confirms, and that issues.
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, colleague)
    assert "Confirm and issue" in client.get(url).content.decode()
    response = client.post(url, {"action": "approve", "confirmed": "yes"}, follow=True)
    certificate = Certificate.objects.get(application=application)
    assert f"Certificate {certificate.number} is being issued" in response.content.decode()
    assert actions(application)[-2:] == ["application.first_approved", "application.approved"]
    first, second = AuditEntry.objects.filter(
        object_id=str(application.pk),
        action__in=["application.first_approved", "application.approved"],
    ).order_by("pk")
    assert first.actor == reviewer and second.actor == colleague
    assert second.data["first_approval"] == reviewer.real_name
    history = client.get(url).content.decode()
    assert "First approval (a second is needed)" in history


def test_the_applicant_can_be_neither_approver(body, reviewer, colleague):
    two_approvers()
    applicant = certifier(body, real_name="申请人兼审核员")
    application = submitted_application(applicant, body)
    with pytest.raises(CertificationError, match="own application|自己的申请"):
        application_approve_first(application_id=application.pk, actor=applicant)
    application_approve_first(application_id=application.pk, actor=reviewer)
    with pytest.raises(CertificationError, match="own application|自己的申请"):
        application_approve(application_id=application.pk, actor=applicant)
    with pytest.raises(CertificationError, match="already gave the first approval|作出第一次批准"):
        application_approve_first(application_id=application.pk, actor=colleague)
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_CONFIRMATION
    assert not Certificate.objects.filter(application=application).exists()
    application_approve(application_id=application.pk, actor=colleague)
    assert Certificate.objects.filter(application=application, holder=applicant).exists()


def test_the_second_certifier_declining_returns_it_and_the_first_approval_lapses(
    body, reviewer, colleague
):
    two_approvers()
    applicant = UserFactory()
    application = submitted_application(applicant, body)
    application_approve_first(application_id=application.pk, actor=reviewer)
    application_decline(
        application_id=application.pk, actor=colleague, reason="工作证明不清晰", final=False
    )
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert application.first_approved_by is None and application.first_approved_at is None
    returned = AuditEntry.objects.get(action="application.returned", object_id=str(application.pk))
    assert returned.actor == colleague
    assert returned.data == {"reason": "工作证明不清晰", "first_approval": reviewer.real_name}
    # Submitted again, it needs two approvals afresh.
    application_submit(application_id=application.pk, actor=applicant)
    with pytest.raises(CertificationError, match="two certifiers|两位审核员"):
        application_approve(application_id=application.pk, actor=colleague)


def test_a_class_run_does_not_bypass_two_approvals(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    two_approvers()
    applications = [submitted_application(UserFactory(), body) for _ in range(2)]
    course_id = applications[0].course_id
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(course_id=course_id)
    application_approve_first(application_id=applications[1].pk, actor=reviewer)
    sign_in(client, reviewer)
    confirm = client.get(
        reverse("certify_bulk_new") + f"?body={body.pk}&course={course_id}"
    ).content.decode()
    assert confirm.count('data-outcome="left_out"') == 2
    assert "approved by two certifiers" in confirm and "data-start" not in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certify_bulk_new"),
            {"body": body.pk, "course": course_id, "title": "高级", "confirmed": "yes"},
        )
    # A run that would issue nobody does not start: it is refused, with the reasons shown.
    assert "Nobody in this class can be issued now" in response.content.decode()
    assert not BulkIssue.objects.exists() and not BulkIssueItem.objects.exists()
    assert not Certificate.objects.exists()
