"""Reads: the dashboard's figures and charts for a period, province, base and level.

Everything here reads the precomputed tables (``models``) and the latest snapshot, with a fixed
number of queries whatever the amount of learning and certification data behind them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from certification.api import GoalPoint, GoalProgress
from portal.accounts.provinces import Province

from .charts import Chart, Series, bars_svg, line_svg
from .models import CurrentFigures, MonthFigures, Snapshot

MONTH_MEASURES = (
    "people_certified",
    "certificates_issued",
    "enrolments",
    "hours",
    "attempts",
    "passes",
)
CURRENT_MEASURES = ("valid_certificates", "applications_waiting")


@dataclass(frozen=True)
class Filters:
    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the last month
    province: str = ""
    base_id: int | None = None
    level: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str
    detail: str = ""


@dataclass
class Dashboard:
    snapshot: Snapshot | None
    filters: Filters
    figures: list[Figure]
    by_level: list[tuple[str, int, int]]  # label, people certified in the period, valid now
    charts: list[Chart]
    goals: list[GoalProgress]

    def chart(self, key: str) -> Chart | None:
        return next((chart for chart in self.charts if chart.key == key), None)


def snapshot_latest() -> Snapshot | None:
    return Snapshot.objects.order_by("-refreshed_at").first()


def _scoped(queryset, filters: Filters, base_ids):
    if filters.province:
        queryset = queryset.filter(province=filters.province)
    if filters.base_id is not None:
        queryset = queryset.filter(base_id=filters.base_id)
    if base_ids is not None:
        queryset = queryset.filter(base_id__in=base_ids)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    return queryset


def _sums(measures):
    return {name: Sum(name) for name in measures}


def _grouped(queryset, field: str, measures) -> dict:
    return {
        row[field]: {name: row[name] or 0 for name in measures}
        for row in queryset.values(field).annotate(**_sums(measures)).order_by()
    }


def goals_from(snapshot: Snapshot | None) -> list[GoalProgress]:
    """The goals' progress as it was computed at the last refresh."""
    goals = []
    for data in snapshot.goals if snapshot else []:
        values = dict(data)
        for name in ("start_date", "deadline", "as_of", "rate_since", "verdict_on"):
            if values.get(name):
                values[name] = datetime.date.fromisoformat(values[name])
        values["series"] = tuple(
            GoalPoint(day=datetime.date.fromisoformat(day), people=people)
            for day, people in data["series"]
        )
        goals.append(GoalProgress(**values))
    return goals


def _percent(part, whole) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def dashboard(
    filters: Filters, *, snapshot: Snapshot | None, base_ids=None, with_goals: bool = True
) -> Dashboard:
    """The figures and charts for ``filters`` from ``snapshot``'s refresh; ``base_ids`` limits
    everything to those bases."""
    level_labels = dict(snapshot.levels) if snapshot else {}
    base_names = dict(snapshot.bases) if snapshot else {}
    months = _scoped(MonthFigures.objects.filter(month__lte=filters.end), filters, base_ids)
    current = _scoped(CurrentFigures.objects.all(), filters, base_ids)
    in_period = months.filter(month__gte=filters.start)

    by_month_level = list(
        months.values("month", "level").annotate(people=Sum("people_certified")).order_by("month")
    )
    by_province = _grouped(in_period, "province", MONTH_MEASURES)
    by_base = _grouped(in_period, "base_id", MONTH_MEASURES)
    now_by_level = _grouped(current, "level", CURRENT_MEASURES)
    now_by_province = _grouped(current, "province", CURRENT_MEASURES)
    now_by_base = _grouped(current, "base_id", CURRENT_MEASURES)

    totals = defaultdict(Decimal)
    for row in by_base.values():
        for name, value in row.items():
            totals[name] += value
    for row in now_by_level.values():
        for name, value in row.items():
            totals[name] += value
    people_by_level = defaultdict(int)
    for row in by_month_level:
        if row["month"] >= filters.start:
            people_by_level[row["level"]] += row["people"] or 0

    def level_label(code):
        return level_labels.get(code) or code or _("Other")

    levels = [code for code in level_labels if code in people_by_level or code in now_by_level]
    levels += sorted(
        code for code in set(people_by_level) | set(now_by_level) if code not in levels
    )
    by_level = [
        (
            level_label(code),
            people_by_level.get(code, 0),
            now_by_level.get(code, {}).get("valid_certificates", 0),
        )
        for code in levels
    ]
    figures = [
        Figure("people", _("People certified"), f"{int(totals['people_certified']):,}"),
        Figure("certificates", _("Certificates issued"), f"{int(totals['certificates_issued']):,}"),
        Figure(
            "valid",
            _("Valid certificates"),
            f"{int(totals['valid_certificates']):,}",
            _("today"),
        ),
        Figure("enrolled", _("Trainees enrolled"), f"{int(totals['enrolments']):,}"),
        Figure("hours", _("Training hours delivered"), f"{totals['hours']:,.1f}"),
        Figure(
            "pass_rate",
            _("Exam pass rate"),
            _percent(totals["passes"], totals["attempts"]),
            _("%(passes)s of %(attempts)s attempts")
            % {"passes": f"{int(totals['passes']):,}", "attempts": f"{int(totals['attempts']):,}"},
        ),
        Figure(
            "waiting",
            _("Applications waiting"),
            f"{int(totals['applications_waiting']):,}",
            _("today"),
        ),
    ]

    charts = []
    goals = goals_from(snapshot) if with_goals else []
    for goal in goals:
        charts.append(_goal_chart(goal))
    charts.append(_cumulative_chart(filters, by_month_level, levels, level_label))

    def province_label(code):
        return Province(code).label if code in Province.values else _("Not given")

    def base_label(base_id):
        if base_id is None:
            return _("No training base")
        return base_names.get(str(base_id)) or _("Training base %(id)s") % {"id": base_id}

    charts.append(
        _breakdown_chart(
            key="provinces",
            title=_("People certified by province"),
            description=_("People certified in the period, by the province they gave."),
            heading=_("Province"),
            rows=by_province,
            now=now_by_province,
            label=province_label,
        )
    )
    if base_ids is None or len(base_ids) > 1:
        charts.append(
            _breakdown_chart(
                key="bases",
                title=_("People certified by training base"),
                description=_("People certified in the period, by the base they trained at."),
                heading=_("Training base"),
                rows=by_base,
                now=now_by_base,
                label=base_label,
            )
        )
    charts.append(
        _breakdown_chart(
            key="levels",
            title=_("People certified by level"),
            description=_("People certified in the period, by level; the table adds the rest."),
            heading=_("Level"),
            rows=_grouped(in_period, "level", MONTH_MEASURES),
            now=now_by_level,
            label=level_label,
            keep_order=levels,
        )
    )
    return Dashboard(
        snapshot=snapshot,
        filters=filters,
        figures=figures,
        by_level=by_level,
        charts=charts,
        goals=goals,
    )


def _goal_chart(goal: GoalProgress) -> Chart:
    series = [Series(_("People counted"), [(p.day, p.people) for p in goal.series])]
    if not goal.deadline_passed and goal.deadline > goal.as_of:
        series.append(
            Series(
                _("Projection at the recent rate"),
                [(goal.as_of, goal.people), (goal.deadline, goal.people_at_deadline)],
                dashed=True,
            )
        )
    title = goal.name
    description = goal.summary
    return Chart(
        key=f"goal-{goal.goal_id}",
        title=title,
        description=description,
        headers=[(_("Day"), 12), (_("People counted"), 16), (_("Target"), 12)],
        rows=[[p.day.isoformat(), p.people, goal.target] for p in goal.series],
        svg=line_svg(
            title=title,
            description=description,
            series=series,
            targets=[(goal.target, _("Target %(target)s") % {"target": f"{goal.target:,}"})],
            markers=[(goal.deadline, _("Deadline"))],
        ),
    )


def _cumulative_chart(filters: Filters, by_month_level, levels, level_label) -> Chart:
    running = defaultdict(int)
    per_month = defaultdict(lambda: defaultdict(int))
    for row in by_month_level:
        if row["month"] < filters.start:
            running[row["level"]] += row["people"] or 0
        else:
            per_month[row["month"]][row["level"]] += row["people"] or 0
    rows, points = [], defaultdict(list)
    month = filters.start
    while month <= filters.end:
        for code, people in per_month.get(month, {}).items():
            running[code] += people
        total = sum(running.values())
        rows.append([month.strftime("%Y-%m"), *(running[code] for code in levels), total])
        for code in levels:
            points[code].append((month, running[code]))
        points[""].append((month, total))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    title = _("People certified, cumulative")
    description = _("Everyone certified up to each month, by level, from %(start)s to %(end)s.") % {
        "start": filters.start.strftime("%Y-%m"),
        "end": filters.end.strftime("%Y-%m"),
    }
    series = [Series(level_label(code), points[code]) for code in levels]
    if len(levels) != 1:
        series.append(Series(_("All levels"), points[""]))
    return Chart(
        key="cumulative",
        title=title,
        description=description,
        headers=[(_("Month"), 10), *((level_label(code), 18) for code in levels), (_("Total"), 10)],
        rows=rows,
        svg=line_svg(title=title, description=description, series=series),
    )


def _breakdown_chart(
    *, key, title, description, heading, rows, now, label, keep_order=None
) -> Chart:
    names = set(rows) | set(now)
    if keep_order is not None:
        order = [name for name in keep_order if name in names]
        order += sorted((name for name in names if name not in order), key=str)
    else:
        order = sorted(
            names,
            key=lambda name: (-(rows.get(name, {}).get("people_certified", 0)), str(label(name))),
        )
    table = []
    for name in order:
        month = rows.get(name, {})
        state = now.get(name, {})
        attempts, passes = month.get("attempts", 0), month.get("passes", 0)
        table.append(
            [
                str(label(name)),
                month.get("people_certified", 0),
                month.get("certificates_issued", 0),
                state.get("valid_certificates", 0),
                month.get("enrolments", 0),
                float(month.get("hours", 0)),
                attempts,
                passes,
                round(passes * 100 / attempts, 1) if attempts else None,
                state.get("applications_waiting", 0),
            ]
        )
    bars = [(row[0], row[1]) for row in table if row[1]]
    return Chart(
        key=key,
        title=title,
        description=description,
        headers=[
            (heading, 24),
            (_("People certified"), 14),
            (_("Certificates issued"), 14),
            (_("Valid certificates today"), 14),
            (_("Trainees enrolled"), 14),
            (_("Training hours"), 14),
            (_("Exam attempts"), 12),
            (_("Passed"), 10),
            (_("Pass rate (%)"), 12),
            (_("Applications waiting"), 14),
        ],
        rows=table,
        svg=bars_svg(title=title, description=description, bars=bars),
    )


def month_range_default(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last ten calendar years up to this month."""
    return datetime.date(today.year - 9, 1, 1), today.replace(day=1)
