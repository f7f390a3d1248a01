"""Writes: recompute the dashboard's figures from the other apps' records.

A refresh replaces every figure in one transaction, so readers see either the old set or the
new one, never a mix. It runs from Celery (beat, and a short while after the events that change
the figures) and, in the embedded default without a worker, when the dashboard is opened after
a change.
"""

import dataclasses
import datetime
import time
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from certification import api as certification_api
from cms import api as cms_api
from courses import api as courses_api

from .models import CurrentFigures, MonthFigures, Snapshot

DIRTY_KEY = "portal:dashboard:dirty"
QUEUED_KEY = "portal:dashboard:queued"


def dashboard_mark_dirty() -> None:
    """Remember that the figures changed since the last refresh."""
    cache.set(DIRTY_KEY, time.time(), None)


def dashboard_is_dirty() -> bool:
    return cache.get(DIRTY_KEY) is not None


def planner_statistics_refresh() -> None:
    """On SQLite, refresh the statistics its query planner reads (``ANALYZE``, sampled).

    Without them SQLite guesses, and for the certificates grouped here it guessed an index on
    the level (a handful of values) where the holder's was wanted: 37 s instead of 0.4 s at
    3,000 people. PostgreSQL keeps its own statistics (autovacuum; ``seed_demo`` analyses)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")


def dashboard_refresh(*, today: datetime.date | None = None) -> Snapshot:
    """Recompute every figure, the goals' progress included; returns the new snapshot."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    # Changes from here on are not in this refresh: they mark the figures dirty again.
    cache.delete(DIRTY_KEY)
    planner_statistics_refresh()
    training = courses_api.training_months()
    certification = certification_api.certification_figures(today=today)
    goals = certification_api.goals_progress(today=today)
    bases = {str(base.page_id): base.name for base in cms_api.training_bases_all()}

    months = defaultdict(dict)
    for row in training:
        figures = months[(row.month, row.province, row.base_id, row.level)]
        figures.update(
            enrolments=row.enrolments, hours=row.hours, attempts=row.attempts, passes=row.passes
        )
    for row in certification.months:
        figures = months[(row.month, row.province, row.base_id, row.level)]
        figures.update(people_certified=row.people, certificates_issued=row.certificates)
    month_rows = [
        MonthFigures(month=month, province=province, base_id=base_id, level=level, **figures)
        for (month, province, base_id, level), figures in months.items()
    ]
    current_rows = [
        CurrentFigures(
            province=row.province,
            base_id=row.base_id,
            level=row.level,
            valid_certificates=row.valid,
            applications_waiting=row.waiting,
        )
        for row in certification.now
    ]
    with transaction.atomic():
        MonthFigures.objects.all().delete()
        CurrentFigures.objects.all().delete()
        MonthFigures.objects.bulk_create(month_rows, batch_size=2000)
        CurrentFigures.objects.bulk_create(current_rows, batch_size=2000)
        Snapshot.objects.all().delete()
        snapshot = Snapshot.objects.create(
            refreshed_at=timezone.now(),
            as_of=today,
            seconds=time.perf_counter() - started,
            goals=[_goal_json(goal) for goal in goals],
            bases=bases,
            levels=certification.level_labels,
        )
    return snapshot


def _goal_json(goal) -> dict:
    def plain(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        return value

    data = {key: plain(value) for key, value in dataclasses.asdict(goal).items()}
    data["series"] = [[point.day.isoformat(), point.people] for point in goal.series]
    return data
