"""Applying to become a training base and the administrators' review: the approved base gets
its pages, editors group, collection and first editor, who is e-mailed a link to the admin;
refusals (deciding one's own application, reading another's, hand-made posts, bad files)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from wagtail.models import GroupPagePermission

from certification.audit.models import AuditEntry
from cms.models import (
    FacultyIndexPage,
    NewsIndexPage,
    TextbookIndexPage,
    TrainingBasePage,
    TrainingBaseWorkspace,
)
from portal.accounts.roles import Role, user_has_role
from portal.oversight.applications import services
from portal.oversight.models import BaseAccreditation, BaseApplication
from tests.factories import UserFactory, base_index, training_base

from .helpers import application_post, fake_pdf, pdf, picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def applicant():
    base_index()
    return UserFactory(email="applicant@hnjz.example.org", real_name="陈申报")


@pytest.fixture
def chief():
    return UserFactory(roles=[Role.ADMINISTRATOR], real_name="主管乙")


def _apply(client, applicant, **changes):
    client.force_login(applicant)
    data = application_post(**changes)
    data["files"] = [pdf(), picture()]
    return client.post(reverse("base_application_new"), data)


def _submitted(applicant) -> BaseApplication:
    return services.application_submit(
        applicant=applicant,
        data={k: v for k, v in application_post().items() if k in services.FIELDS},
        uploads=[pdf()],
    )


def test_an_applicant_submits_with_sample_files_and_sees_the_status(client, applicant):
    response = _apply(client, applicant)
    application = BaseApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("base_application", args=[application.pk])
    assert application.status == "submitted"
    assert application.levels == ["junior_broker", "intermediate_broker"]
    assert sorted(f.content_type for f in application.files.all()) == [
        "application/pdf",
        "image/png",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "华南技术转移学院" in page and "submitted, awaiting review" in page
    # The files live in private storage and are served to the applicant by the checked view.
    stored = application.files.get(content_type="application/pdf")
    assert not stored.file.url.startswith(settings.MEDIA_URL)
    download = client.get(reverse("base_application_file", args=[application.pk, stored.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="base_application.submitted").count() == 1


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(client, applicant):
    client.force_login(applicant)
    data = application_post()
    data["files"] = [pdf(), fake_pdf()]
    response = client.post(reverse("base_application_new"), data)
    assert response.status_code == 200
    assert "virus.pdf" in response.content.decode()
    assert "Upload a JPEG, PNG or WebP picture, or a PDF document." in response.content.decode()
    assert not BaseApplication.objects.exists()


def test_an_application_without_samples_or_with_a_bad_code_is_refused(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("base_application_new"), application_post())
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = client.post(
        reverse("base_application_new"),
        {**application_post(short_code="gd hn!"), "files": [pdf()]},
    )
    assert "Use 2 to 16 capital letters" in response.content.decode()
    assert not BaseApplication.objects.exists()


def test_approval_builds_the_base_and_invites_the_applicant_as_first_editor(
    client, applicant, chief, django_capture_on_commit_callbacks
):
    application = _submitted(applicant)
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("oversight_base_application", args=[application.pk]),
            {"decision": "approve", "short_code": "GD-HNJZ", "comment": "材料齐全。"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == chief
    base = TrainingBasePage.objects.get(short_code="GD-HNJZ")
    assert application.base_id == base.pk
    assert base.live and base.title == "华南技术转移学院" and base.province == "44"
    # The same subtree, group and collection publishing a base by hand gives.
    sections = {type(p.specific) for p in base.get_children().live()}
    assert sections == {TextbookIndexPage, FacultyIndexPage, NewsIndexPage}
    workspace = TrainingBaseWorkspace.objects.get(base=base)
    assert GroupPagePermission.objects.filter(group=workspace.editors, page=base).exists()
    assert workspace.collection.name.endswith("(GD-HNJZ)")
    applicant.refresh_from_db()
    assert applicant.groups.filter(pk=workspace.editors.pk).exists()
    assert user_has_role(applicant, Role.BASE_EDITOR)
    accreditation = BaseAccreditation.objects.get(base=base)
    assert accreditation.ends_on.month == 12 and accreditation.ends_on.day == 31
    assert accreditation.ends_on.year == accreditation.starts_on.year + 1
    # The invitation, read back.
    [message] = mail.outbox
    assert message.to == ["applicant@hnjz.example.org"]
    assert "华南技术转移学院" in message.subject
    link = f"/admin/pages/{base.pk}/"
    assert any(line.strip().endswith(link) for line in message.body.splitlines())
    assert "材料齐全。" in message.body
    assert AuditEntry.objects.filter(
        action="base_application.approved", object_id=str(application.pk)
    ).exists()


def test_the_new_editor_reaches_their_base_in_the_admin(client, applicant, chief):
    application = _submitted(applicant)
    services.application_decide(
        application_id=application.pk, actor=chief, decision="approve", comment=""
    )
    client.force_login(applicant)
    base = TrainingBasePage.objects.get(short_code="GD-HNJZ")
    response = client.get(reverse("wagtailadmin_explore", args=[base.pk]))
    assert response.status_code == 200
    assert "华南技术转移学院" in response.content.decode()
    other = training_base("GD-OTHER")
    edit_other = client.get(reverse("wagtailadmin_pages:edit", args=[other.pk]))
    assert edit_other.status_code in (302, 403)


def test_return_needs_a_comment_and_the_applicant_resubmits_with_changes(
    client, applicant, chief, django_capture_on_commit_callbacks
):
    application = _submitted(applicant)
    client.force_login(chief)
    url = reverse("oversight_base_application", args=[application.pk])
    response = client.post(url, {"decision": "return", "comment": ""})
    assert "Say what must change" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "return", "comment": "请补充师资的职称证明。"})
    application.refresh_from_db()
    assert application.status == "returned"
    assert "请补充师资的职称证明。" in mail.outbox[-1].body

    client.force_login(applicant)
    page = client.get(reverse("base_application", args=[application.pk])).content.decode()
    assert "请补充师资的职称证明。" in page
    data = application_post(faculty="王教授，教授，技术评估（证书附后）")
    data["files"] = [picture("title-certificate.png")]
    data["note"] = "已补充证书。"
    response = client.post(reverse("base_application", args=[application.pk]), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert "证书附后" in application.faculty
    assert application.files.count() == 2


def test_nobody_decides_their_own_application(client, chief):
    base_index()
    application = _submitted(chief)
    client.force_login(chief)
    url = reverse("oversight_base_application", args=[application.pk])
    page = client.get(url).content.decode()
    assert "This is your own application" in page
    assert 'name="decision"' not in page
    response = client.post(url, {"decision": "approve", "short_code": "GD-HNJZ"})
    assert "You cannot review your own application." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not TrainingBasePage.objects.filter(short_code="GD-HNJZ").exists()


def test_an_applicant_cannot_reach_the_review_or_another_application(client, applicant):
    mine = _submitted(applicant)
    other = _submitted(UserFactory(email="other@example.org"))
    client.force_login(applicant)
    assert client.get(reverse("base_application", args=[other.pk])).status_code == 404
    file_id = other.files.first().pk
    assert client.get(reverse("base_application_file", args=[other.pk, file_id])).status_code == 404
    # The file of another application through one's own application's address.
    assert client.get(reverse("base_application_file", args=[mine.pk, file_id])).status_code == 404
    review = reverse("oversight_base_application", args=[mine.pk])
    assert client.post(review, {"decision": "approve"}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == "submitted"


def test_a_hand_made_post_cannot_edit_a_submitted_or_decided_application(client, applicant, chief):
    application = _submitted(applicant)
    client.force_login(applicant)
    data = {**application_post(institution="改过的名字"), "files": [pdf()]}
    response = client.post(reverse("base_application", args=[application.pk]), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.institution == "华南技术转移学院"
    services.application_decide(
        application_id=application.pk, actor=chief, decision="reject", comment="不符合条件。"
    )
    client.force_login(chief)
    response = client.post(
        reverse("oversight_base_application", args=[application.pk]), {"decision": "approve"}
    )
    assert "only a submitted one can be decided" in response.content.decode()
    assert not TrainingBasePage.objects.filter(short_code="GD-HNJZ").exists()


def test_a_code_already_taken_is_reported_and_nothing_is_created(client, applicant, chief):
    training_base("GD-HNJZ")
    application = _submitted(applicant)
    client.force_login(chief)
    response = client.post(
        reverse("oversight_base_application", args=[application.pk]),
        {"decision": "approve", "short_code": "GD-HNJZ"},
    )
    assert "Another training base already uses this code." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    assert TrainingBasePage.objects.filter(short_code="GD-HNJZ").count() == 1
    response = client.post(
        reverse("oversight_base_application", args=[application.pk]),
        {"decision": "approve", "short_code": "GD-HNJZ2"},
    )
    assert response.status_code == 302
    assert TrainingBasePage.objects.filter(short_code="GD-HNJZ2").exists()


def test_an_unknown_decision_is_refused(client, applicant, chief):
    application = _submitted(applicant)
    client.force_login(chief)
    response = client.post(
        reverse("oversight_base_application", args=[application.pk]), {"decision": "approve!"}
    )
    assert response.status_code == 200
    assert re.search(r"Select a valid choice", response.content.decode())
    application.refresh_from_db()
    assert application.status == "submitted"


def test_one_open_application_per_person(client, applicant, chief):
    first = _submitted(applicant)
    response = _apply(client, applicant, short_code="GD-TWO")
    assert response.status_code == 200
    assert "You already have an application under review" in response.content.decode()
    assert BaseApplication.objects.count() == 1
    services.application_decide(
        application_id=first.pk, actor=chief, decision="reject", comment="不符合条件。"
    )
    assert _apply(client, applicant, short_code="GD-TWO").status_code == 302
    assert BaseApplication.objects.count() == 2


def test_a_comment_leaves_the_application_waiting_and_a_rejection_is_mailed(
    client, applicant, chief, django_capture_on_commit_callbacks
):
    application = _submitted(applicant)
    client.force_login(chief)
    url = reverse("oversight_base_application", args=[application.pk])
    response = client.post(url, {"decision": "comment", "comment": "实践基地协议请再核实。"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted" and not mail.outbox
    client.force_login(applicant)
    page = client.get(reverse("base_application", args=[application.pk])).content.decode()
    assert "实践基地协议请再核实。" in page
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "comment": "不具备开班条件。"})
    application.refresh_from_db()
    assert application.status == "rejected" and application.base is None
    [message] = mail.outbox
    assert message.to == [applicant.email]
    assert "不具备开班条件。" in message.body
    assert f"/base-applications/{application.pk}/" in message.body
    assert not TrainingBasePage.objects.filter(short_code="GD-HNJZ").exists()
