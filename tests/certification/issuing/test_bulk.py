"""Issuing a whole class at once from the certifier's workspace, with its progress."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.issuing.bulk import bulk_issue_resume_stalled
from certification.issuing.services import application_approve
from certification.models import Application, BulkIssue, BulkIssueItem, Certificate
from courses.models import Attempt
from tests.certification.factories import certifier, certifying_body, submitted_application
from tests.factories import UserFactory, sign_in

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
    return certifier(body)


def a_class(body, size):
    """``size`` submitted applications, all from the same class."""
    people = [UserFactory(real_name=f"同学{n}") for n in range(size)]
    applications = [submitted_application(person, body) for person in people]
    course_id = applications[0].course_id
    assert course_id is not None
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(course_id=course_id)
    return course_id, people, applications


def start(client, body, course_id, capture, title="2026年第1期 发证"):
    with capture(execute=True):
        return client.post(
            reverse("certify_bulk_new"),
            {"body": body.pk, "course": course_id, "title": title, "confirmed": "yes"},
        )


def test_the_class_list_and_confirmation_count_the_candidates(client, body, reviewer):
    course_id, _people, applications = a_class(body, 3)
    Application.objects.filter(pk=applications[0].pk).update(status=Application.Status.RETURNED)
    sign_in(client, reviewer)
    page = client.get(reverse("certify_bulk_new")).content.decode()
    assert f"?body={body.pk}&amp;course={course_id}" in page
    confirm = client.get(reverse("certify_bulk_new") + f"?body={body.pk}&course={course_id}")
    text = confirm.content.decode()
    assert 'data-count="awaiting">2<' in text
    assert 'data-count="approved">0<' in text
    assert "2 certificates will be issued; this cannot be undone." in text


def test_one_post_issues_the_whole_class(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    course_id, _people, applications = a_class(body, 5)
    sign_in(client, reviewer)
    response = start(client, body, course_id, django_capture_on_commit_callbacks)
    run = BulkIssue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certify_bulk_run", args=[run.pk])
    run.refresh_from_db()
    assert run.status == BulkIssue.Status.FINISHED
    assert run.total == 5
    certificates = Certificate.objects.filter(application__in=applications)
    assert certificates.count() == 5
    assert set(certificates.values_list("status", flat=True)) == {Certificate.Status.VALID}

    progress = client.get(reverse("certify_bulk_progress", args=[run.pk])).json()
    assert progress == {
        "total": 5,
        "done": 5,
        "failed": 0,
        "queued": 0,
        "status": "finished",
        "failures": [],
    }
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'max="5"' in page and 'value="5"' in page
    assert "Finished." in page
    assert 'http-equiv="refresh"' not in page  # nothing left to wait for


def test_a_failure_is_listed_with_its_reason_and_retried_after_the_fix(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    course_id, people, applications = a_class(body, 5)
    Attempt.objects.filter(user=people[2]).update(passed=False)  # the exam pass is withdrawn
    sign_in(client, reviewer)
    start(client, body, course_id, django_capture_on_commit_callbacks)
    run = BulkIssue.objects.get()
    progress = client.get(reverse("certify_bulk_progress", args=[run.pk])).json()
    assert (progress["done"], progress["failed"], progress["status"]) == (4, 1, "finished")
    [failure] = progress["failures"]
    assert failure["application_id"] == applications[2].pk
    assert failure["name"] == "同学2"
    assert "no longer meets" in failure["error"]
    page = client.get(reverse("certify_bulk_run", args=[run.pk])).content.decode()
    assert "同学2" in page and "no longer meets" in page
    assert 'value="retry"' in page

    Attempt.objects.filter(user=people[2]).update(passed=True)
    response = client.post(reverse("certify_bulk_run", args=[run.pk]), {"action": "retry"})
    assert response.status_code == 302
    progress = client.get(reverse("certify_bulk_progress", args=[run.pk])).json()
    assert (progress["done"], progress["failed"], progress["status"]) == (5, 0, "finished")
    assert Certificate.objects.filter(application=applications[2]).count() == 1


def test_a_running_run_refreshes_itself(client, body, reviewer):
    course_id, _people, _applications = a_class(body, 2)
    sign_in(client, reviewer)
    client.post(
        reverse("certify_bulk_new"),
        {"body": body.pk, "course": course_id, "title": "t", "confirmed": "yes"},
    )
    run = BulkIssue.objects.get()  # the work waits for the commit that never comes in a test
    assert run.status == BulkIssue.Status.RUNNING
    page = client.get(reverse("certify_bulk_run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page
    assert reverse("certify_bulk_progress", args=[run.pk]) in page
    assert client.get(reverse("certify_bulk_progress", args=[run.pk])).json()["queued"] == 2


def test_another_bodys_class_and_run_are_hidden(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    other = certifying_body("SH")
    course_id, _people, _applications = a_class(other, 1)
    outsider = certifier(other)
    sign_in(client, outsider)
    start(client, other, course_id, django_capture_on_commit_callbacks)
    run = BulkIssue.objects.get()
    client.logout()
    sign_in(client, reviewer)
    assert f"body={other.pk}" not in client.get(reverse("certify_bulk_new")).content.decode()
    url = reverse("certify_bulk_new") + f"?body={other.pk}&course={course_id}"
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("certify_bulk_new"),
        {"body": other.pk, "course": course_id, "title": "x", "confirmed": "yes"},
    )
    assert response.status_code == 404
    assert client.get(reverse("certify_bulk_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("certify_bulk_progress", args=[run.pk])).status_code == 404
    assert BulkIssue.objects.count() == 1


def test_an_empty_class_is_explained(client, body, reviewer):
    sign_in(client, reviewer)
    response = client.post(
        reverse("certify_bulk_new"), {"body": body.pk, "course": "none", "title": "空"}
    )
    assert response.status_code == 200
    assert "This class has no applications ready to issue." in response.content.decode()
    assert not BulkIssue.objects.exists()


def _lost_run(client, body, course_id, minutes_ago):
    """A run whose chunks never reached a worker (lost with a dead one), idle for a while."""
    client.post(
        reverse("certify_bulk_new"),
        {"body": body.pk, "course": course_id, "title": "t", "confirmed": "yes"},
    )
    run = BulkIssue.objects.get()
    long_ago = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    BulkIssue.objects.filter(pk=run.pk).update(created_at=long_ago)
    BulkIssueItem.objects.filter(run=run).update(updated_at=long_ago)
    return run


def test_a_stalled_run_offers_resume_and_resuming_issues_each_once(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    course_id, _people, applications = a_class(body, 3)
    sign_in(client, reviewer)
    run = _lost_run(client, body, course_id, minutes_ago=5)
    page = client.get(reverse("certify_bulk_run", args=[run.pk])).content.decode()
    assert "Nothing has moved for 5 minutes" in page and 'value="resume"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certify_bulk_run", args=[run.pk]), {"action": "resume"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == BulkIssue.Status.FINISHED
    numbers = Certificate.objects.filter(application__in=applications).values_list(
        "number", flat=True
    )
    assert sorted(numbers) == [f"GD-J-{timezone.localdate().year}-00000{n}" for n in (1, 2, 3)]
    page = client.get(reverse("certify_bulk_run", args=[run.pk])).content.decode()
    assert 'value="resume"' not in page


def test_a_moving_run_is_not_resumed_from_the_page(client, body, reviewer):
    course_id, _people, _applications = a_class(body, 2)
    sign_in(client, reviewer)
    run = _lost_run(client, body, course_id, minutes_ago=0)
    page = client.get(reverse("certify_bulk_run", args=[run.pk])).content.decode()
    assert 'value="resume"' not in page
    response = client.post(
        reverse("certify_bulk_run", args=[run.pk]), {"action": "resume"}, follow=True
    )
    assert "This run is moving; there is nothing to resume." in response.content.decode()
    assert not Certificate.objects.exists()


def test_beat_resumes_runs_idle_for_ten_minutes_and_leaves_younger_ones(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    course_id, _people, applications = a_class(body, 2)
    sign_in(client, reviewer)
    run = _lost_run(client, body, course_id, minutes_ago=9)
    assert bulk_issue_resume_stalled() == []
    BulkIssueItem.objects.filter(run=run).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_issue_resume_stalled() == [run.pk]
    run.refresh_from_db()
    assert run.status == BulkIssue.Status.FINISHED
    assert (
        Certificate.objects.filter(
            application__in=applications, status=Certificate.Status.VALID
        ).count()
        == 2
    )


def test_a_chunk_delivered_again_finishes_what_the_first_delivery_approved(
    client, body, reviewer, django_capture_on_commit_callbacks
):
    # The first delivery approved the class and died before making the PDFs.
    course_id, _people, applications = a_class(body, 2)
    for application in applications:
        application_approve(application_id=application.pk, actor=reviewer, enqueue=False)
    pending = Certificate.objects.filter(status=Certificate.Status.PENDING)
    assert pending.count() == 2
    sign_in(client, reviewer)
    start(client, body, course_id, django_capture_on_commit_callbacks)
    run = BulkIssue.objects.get()
    assert (run.status, run.total) == (BulkIssue.Status.FINISHED, 2)
    assert not run.items.exclude(status=BulkIssueItem.Status.DONE).exists()
    certificates = Certificate.objects.filter(application__in=applications)
    assert certificates.count() == 2  # no second certificate, no second number
    assert set(certificates.values_list("status", flat=True)) == {Certificate.Status.VALID}
