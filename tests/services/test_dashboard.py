"""The management side on real PostgreSQL, Redis and a Celery worker: a change reaches the
dashboard through the worker by itself, and two administrators saving the same base's first
evaluation at once both succeed."""

import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

from portal.dashboard import services as dashboard_services
from portal.dashboard.models import CurrentFigures, Snapshot
from portal.oversight import services as oversight_services
from portal.oversight.models import BaseEvaluation
from tests import factories
from tests.certification.factories import certifying_body, submitted_application
from tests.services.together import run_together

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@override_settings(PORTAL_DASHBOARD_REFRESH_DELAY=1)
def test_a_change_reaches_the_dashboard_through_the_worker(workers):
    workers.start()
    cache.delete(dashboard_services.QUEUED_KEY)
    first = dashboard_services.dashboard_refresh()
    assert not dashboard_services.dashboard_is_dirty()
    base = factories.training_base("GD-S", "44")
    body = certifying_body("GS", training_base=base)

    # A trainee submits an application: committed for real, so the signal goes out.
    submitted_application(factories.UserFactory(province="44"), body, base=base)
    assert dashboard_services.dashboard_is_dirty()

    # Wait for a refresh that has seen the application: a refresh that started before the
    # commit is newer than `first` but does not count.
    deadline = time.monotonic() + 60
    waiting = 0
    while time.monotonic() < deadline:
        latest = Snapshot.objects.order_by("-refreshed_at").first()
        if latest and latest.refreshed_at > first.refreshed_at:
            waiting = sum(CurrentFigures.objects.values_list("applications_waiting", flat=True))
            if waiting == 1 and not dashboard_services.dashboard_is_dirty():
                break
        time.sleep(0.3)
    else:
        pytest.fail(f"the worker did not bring the application to the dashboard ({waiting=})")
    assert not dashboard_services.dashboard_is_dirty()
    assert cache.get(dashboard_services.QUEUED_KEY) is None


def test_two_administrators_saving_a_first_evaluation_at_once_both_succeed():
    base = factories.training_base("GD-E", "44")
    chiefs = [factories.UserFactory(roles=["Administrator"]) for _ in range(4)]
    scores = {
        "facilities": Decimal("20"),
        "organisation": Decimal("20"),
        "results": Decimal("25"),
        "innovation": Decimal("15"),
    }

    outcomes = run_together(
        len(chiefs),
        lambda i: (
            oversight_services.evaluation_save(
                base_id=base.pk,
                year=2025,
                scores=scores,
                comments={},
                overall_comment="",
                actor=chiefs[i],
            ).year
        ),
    )
    assert outcomes == [("ok", 2025)] * len(chiefs), outcomes
    evaluation = BaseEvaluation.objects.get(base_id=base.pk, year=2025)
    assert sorted(evaluation.revisions.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_a_report_is_built_by_the_worker_with_its_progress(workers):
    from openpyxl import load_workbook

    from portal.reports import services as report_services
    from portal.reports.models import ReportJob

    workers.start()
    for code in ("GD-R", "BJ-R", "SH-R"):
        factories.training_base(code, "44", slug=code.lower())
    chief = factories.UserFactory(roles=["Administrator"])
    job = report_services.report_job_create(
        user=chief,
        kind="training",
        parameters={"date_from": "2025-01-01", "date_to": "2025-12-31"},
        language="zh-hans",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ReportJob.Status.DONE, ReportJob.Status.FAILED):
            break
        time.sleep(0.3)
    assert job.status == ReportJob.Status.DONE, job.error
    assert job.progress_total and job.progress_done == job.progress_total
    with job.file.open("rb") as handle:
        sheet = load_workbook(handle).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len([name for name in names if name]) >= 3
