"""The certifier checks identity: the review screen shows the document beside the name to print
and the photo; a level that requires the check is approved only with an explicit confirmation
and an identity on record; the document image reaches only those who may decide."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from certification.applications.services import application_approve_first
from certification.audit.models import AuditEntry
from certification.errors import CertificationError
from certification.issuing.bulk import bulk_issue_start, bulk_precheck
from certification.issuing.models import BulkIssue, Certificate
from certification.issuing.services import application_approve
from certification.models import Application, CertificationLevel
from portal.accounts.identity import identity_hash, identity_record
from tests.certification.factories import (
    certifier,
    certifying_body,
    level,
    submitted_application,
)
from tests.factories import UserFactory, password_only_login, png_bytes, sign_in

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"  # the example of GB 11643-1999 itself
REFUSED_WITHOUT_CHECK = r"(需要核验身份|requires an identity check)"


def _requires_check(code="junior_broker"):
    CertificationLevel.objects.filter(code=code).update(requires_identity_check=True)


def _with_identity(person, number=NUMBER):
    identity_record(
        person,
        kind="resident_id",
        number=number,
        document=SimpleUploadedFile("sfz.png", png_bytes((320, 200), (30, 90, 160))),
    )
    return person


@pytest.fixture
def world():
    _requires_check()
    body = certifying_body("GD")
    reviewer = certifier(body, real_name="审核员甲")
    person = _with_identity(UserFactory(real_name="王小明"))
    person.photo.save("me.png", ContentFile(png_bytes((90, 120), (200, 180, 160))))
    application = submitted_application(person, body)
    return {"body": body, "reviewer": reviewer, "person": person, "application": application}


def _approve(client, application, **extra):
    return client.post(
        reverse("certify_application", args=[application.pk]),
        {"action": "approve", "confirmed": "yes", **extra},
        follow=True,
    )


def test_intermediate_and_senior_levels_require_the_check_by_default():
    required = set(
        CertificationLevel.objects.filter(requires_identity_check=True).values_list(
            "code", flat=True
        )
    )
    assert required == {"intermediate_broker", "senior_manager"}


def test_the_review_screen_shows_document_photo_name_kind_and_masked_number(client, world):
    sign_in(client, world["reviewer"])
    application = world["application"]
    html = client.get(reverse("certify_application", args=[application.pk])).content.decode()

    document_url = reverse("certify_identity_document", args=[application.pk])
    photo_url = reverse("certify_applicant_photo", args=[application.pk])
    assert f'src="{document_url}"' in html and f'src="{photo_url}"' in html
    assert "王小明" in html
    assert "1101**********002X" in html
    assert re.search(r"(居民身份证|[Rr]esident ID)", html)
    assert NUMBER not in html
    assert 'name="identity_checked"' in html

    document = client.get(document_url)
    assert document.status_code == 200
    assert document["Content-Type"] in ("image/png", "image/jpeg", "image/webp")
    assert document["Cache-Control"] == "private, no-store"
    assert client.get(photo_url).status_code == 200


def test_approving_without_the_confirmation_is_refused_and_changes_nothing(client, world):
    sign_in(client, world["reviewer"])
    application = world["application"]
    entries = AuditEntry.objects.count()

    page = _approve(client, application).content.decode()

    assert re.search(REFUSED_WITHOUT_CHECK, page)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.identity_checked_by is None
    assert not Certificate.objects.filter(application=application).exists()
    assert AuditEntry.objects.count() == entries


def test_a_hand_made_confirmation_other_than_the_checkbox_counts_for_nothing(client, world):
    sign_in(client, world["reviewer"])
    application = world["application"]
    for value in ("1", "true", "yes", ""):
        _approve(client, application, identity_checked=value)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Certificate.objects.filter(application=application).exists()


def test_without_an_identity_on_record_approval_is_refused_even_with_the_box_ticked(client):
    _requires_check()
    body = certifying_body("GD")
    reviewer = certifier(body)
    application = submitted_application(UserFactory(real_name="无证人"), body)
    sign_in(client, reviewer)

    html = client.get(reverse("certify_application", args=[application.pk])).content.decode()
    assert "data-no-identity" in html
    page = _approve(client, application, identity_checked="on").content.decode()

    assert re.search(r"(没有登记实名信息|no real-name details on record)", page)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Certificate.objects.filter(application=application).exists()
    document = client.get(reverse("certify_identity_document", args=[application.pk]))
    assert document.status_code == 404


def test_approving_with_the_confirmation_records_who_checked_and_the_hash(client, world):
    sign_in(client, world["reviewer"])
    application = world["application"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        _approve(client, application, identity_checked="on")

    application.refresh_from_db()
    assert application.status in (Application.Status.APPROVED, Application.Status.ISSUED)
    assert application.identity_checked_by == world["reviewer"]
    assert application.identity_checked_at is not None
    certificate = Certificate.objects.get(application=application)
    assert certificate.holder_id_hash == identity_hash(NUMBER)
    entry = AuditEntry.objects.get(action="application.identity_checked")
    assert entry.actor_id == world["reviewer"].pk
    assert NUMBER not in str(entry.data) and "002X" not in str(entry.data)
    html = client.get(reverse("certify_application", args=[application.pk])).content.decode()
    assert "data-identity-checked" in html and "审核员甲" in html


def test_a_level_without_the_requirement_is_approved_as_before(client):
    body = certifying_body("GD")
    reviewer = certifier(body)
    application = submitted_application(UserFactory(), body)
    sign_in(client, reviewer)
    _approve(client, application)
    application.refresh_from_db()
    assert application.status in (Application.Status.APPROVED, Application.Status.ISSUED)
    assert Certificate.objects.get(application=application).holder_id_hash == ""


def test_the_service_refuses_too_whoever_calls_it(world):
    application, reviewer = world["application"], world["reviewer"]
    with pytest.raises(CertificationError, match=REFUSED_WITHOUT_CHECK):
        application_approve(application_id=application.pk, actor=reviewer)
    certificate = application_approve(
        application_id=application.pk, actor=reviewer, identity_checked=True, enqueue=False
    )
    assert certificate.holder_id_hash == identity_hash(NUMBER)


def test_with_two_approvers_both_must_confirm_the_check(world):
    CertificationLevel.objects.filter(code="junior_broker").update(approvers_required=2)
    application, body = world["application"], world["body"]
    first, second = world["reviewer"], certifier(body)
    with pytest.raises(CertificationError, match=REFUSED_WITHOUT_CHECK):
        application_approve_first(application_id=application.pk, actor=first)
    application_approve_first(application_id=application.pk, actor=first, identity_checked=True)
    with pytest.raises(CertificationError, match=REFUSED_WITHOUT_CHECK):
        application_approve(application_id=application.pk, actor=second)
    certificate = application_approve(
        application_id=application.pk, actor=second, identity_checked=True, enqueue=False
    )
    application.refresh_from_db()
    assert application.identity_checked_by == second
    assert certificate.holder_id_hash == identity_hash(NUMBER)


def test_a_class_run_does_not_approve_a_level_that_requires_the_check(world):
    application, reviewer = world["application"], world["reviewer"]
    # The pre-check names the reason, and a run that would issue nobody does not start.
    [candidate] = bulk_precheck(body=world["body"], course_id=application.course_id, actor=reviewer)
    assert candidate.left_out and re.search(r"(身份|identity check)", " ".join(candidate.reasons))
    with pytest.raises(CertificationError), TestCase.captureOnCommitCallbacks(execute=True):
        bulk_issue_start(
            body=world["body"], course_id=application.course_id, actor=reviewer, title="班级"
        )
    assert not BulkIssue.objects.exists()
    assert not Certificate.objects.filter(application=application).exists()


# -- who may see the document image ------------------------------------------------------------


def _document(client, application):
    return client.get(reverse("certify_identity_document", args=[application.pk]))


def test_another_bodys_certifier_cannot_read_the_document_or_photo(client, world):
    other = certifying_body("BJ")
    sign_in(client, certifier(other))
    application = world["application"]
    assert _document(client, application).status_code == 404
    photo = client.get(reverse("certify_applicant_photo", args=[application.pk]))
    assert photo.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = _document(client, world["application"])
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_applicant_and_other_trainees_are_refused(client, world):
    for person in (world["person"], UserFactory()):
        client.force_login(person)
        assert _document(client, world["application"]).status_code in (403, 404)


def test_a_certifier_who_is_the_applicant_cannot_open_it_as_reviewer(client, world):
    world["body"].certifiers.add(world["person"])
    world["person"].groups.add(*world["reviewer"].groups.all())
    client.force_login(world["person"])
    assert _document(client, world["application"]).status_code == 404


def test_a_certifier_signed_in_without_the_second_factor_is_refused(client, world):
    password_only_login(client, world["reviewer"])
    response = _document(client, world["application"])
    assert response.status_code == 302
    assert (
        reverse("certify_identity_document", args=[world["application"].pk])
        not in (response["Location"].split("?")[0])
    )


def test_once_decided_the_document_is_no_longer_served(client, world):
    application, reviewer = world["application"], world["reviewer"]
    application_approve(
        application_id=application.pk, actor=reviewer, identity_checked=True, enqueue=False
    )
    sign_in(client, reviewer)
    assert _document(client, application).status_code == 404


def test_the_level_rule_is_the_seeded_default_for_intermediate(world):
    assert level("intermediate_broker").requires_identity_check
