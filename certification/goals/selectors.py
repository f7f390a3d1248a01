"""Reads: how many people count towards a goal, month by month, and where the trend leads.

What counts (see ``docs/decisions/0006-goals-and-registry.md``):

- people, not certificates: every count is of distinct holders;
- certificates of the goal's levels, plus every level of the goal's tracks; a certificate
  still being issued (``pending``) never counts;
- a provincial goal counts holders whose profile names the province;
- "ever certified": a person counts from the day their first qualifying certificate was
  issued, and keeps counting whatever happens to it later (expiry, revocation, renewal);
- "holding a valid certificate": a person counts on a day when at least one qualifying
  certificate was in force that day: issued by then, not past its ``valid_until``, not yet
  revoked or superseded.

Counts are totals on a day, not increases since the goal's start: the 2020 goal counts every
broker certified by 2020, including those certified before the plan was issued. The start
date is where the monthly series begins.

Every function here runs a fixed number of queries, whatever the number of certificates:
the series is aggregated in the database (``TruncMonth`` for first certificates; one
conditional ``COUNT(DISTINCT …)`` per day for validity, which is a state people enter and
leave and so cannot be summed month by month).
"""

import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from certification.dates import add_months
from certification.goals.models import Goal
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel


@dataclass(frozen=True)
class GoalPoint:
    """The goal's count of people on one day (a month end, or today)."""

    day: datetime.date
    people: int


@dataclass(frozen=True)
class GoalProgress:
    """How far a goal is from its target, and where the recent rate takes it.

    ``verdict`` is ``met``, ``on_track`` or ``behind``. ``verdict_on`` is the day the target
    was reached (met), or the day the recent rate reaches it (on track, behind; None when the
    count is not growing). After the deadline, a goal not met by then is ``behind`` for good;
    ``people_at_deadline`` is then the count on the deadline itself.
    """

    goal_id: int
    name: str
    source: str
    target: int
    measure: str
    province: str  # a GB/T 2260 code, or "" for a national goal
    start_date: datetime.date
    deadline: datetime.date
    as_of: datetime.date
    people: int
    series: tuple[GoalPoint, ...]
    rate_per_month: float  # people per month over the last twelve months; may be negative
    rate_since: datetime.date
    people_at_deadline: int  # projected, or counted once the deadline has passed
    verdict: str
    verdict_on: datetime.date | None
    deadline_passed: bool

    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"

    @property
    def share(self) -> float:
        """The count as a fraction of the target (above 1 once exceeded)."""
        return self.people / self.target if self.target else 0.0

    @property
    def percent(self) -> int:
        return int(self.share * 100)

    @property
    def bar_percent(self) -> int:
        """How much of a progress bar the count fills (0 to 100)."""
        return max(0, min(100, self.percent))

    @property
    def bar_value(self) -> int:
        """The count as a progress bar's value: within 0 and the target."""
        return max(0, min(self.target, self.people))

    @property
    def gained_in_window(self) -> int:
        """People counted today minus those counted twelve months ago (the recent rate's basis)."""
        return round(self.rate_per_month * RATE_WINDOW_MONTHS)

    @property
    def figures(self) -> dict[str, str]:
        """The counts written with thousands separated by commas, as the dashboard's figures
        are (10,000), whatever the language's own grouping."""
        return {
            "people": f"{self.people:,}",
            "target": f"{self.target:,}",
            "at_deadline": f"{self.people_at_deadline:,}",
            "gained": f"{self.gained_in_window:,}",
        }

    @property
    def verdict_label(self) -> str:
        labels = {
            self.MET: pgettext("goal verdict", "met"),
            self.ON_TRACK: pgettext("goal verdict", "on track"),
            self.BEHIND: (
                pgettext("goal verdict", "missed")
                if self.deadline_passed
                else pgettext("goal verdict", "behind")
            ),
        }
        return str(labels[self.verdict])

    @property
    def summary(self) -> str:
        """One sentence a person can read: the verdict with its date and figures."""
        values = {
            "people": self.people,
            "target": self.target,
            "percent": self.percent,
            "deadline": self.deadline.isoformat(),
            "day": self.verdict_on.isoformat() if self.verdict_on else "",
            "projected": self.people_at_deadline,
        }
        if self.verdict == self.MET:
            if self.deadline_passed and self.people < self.people_at_deadline:
                # Counted by validity, some have lapsed since: the deadline's count is the one.
                return (
                    _(
                        "Met: %(projected)s of %(target)s people on the deadline %(deadline)s "
                        "(%(people)s today)."
                    )
                    % values
                )
            if self.verdict_on is None:
                return _("Met: %(people)s of %(target)s people.") % values
            return _("Met on %(day)s: %(people)s of %(target)s people.") % values
        if self.verdict == self.ON_TRACK:
            return (
                _(
                    "On track: %(people)s of %(target)s people (%(percent)s%%); at the recent "
                    "rate the target is reached on %(day)s, before the deadline %(deadline)s."
                )
                % values
            )
        if self.deadline_passed:
            if self.people >= self.target and self.verdict_on:
                return (
                    _(
                        "Missed: %(projected)s of %(target)s people by the deadline "
                        "%(deadline)s; the target was reached later, on %(day)s."
                    )
                    % values
                )
            if self.verdict_on:
                return (
                    _(
                        "Missed: %(projected)s of %(target)s people by the deadline "
                        "%(deadline)s; at the recent rate the target is reached on %(day)s."
                    )
                    % values
                )
            return (
                _("Missed: %(projected)s of %(target)s people by the deadline %(deadline)s.")
                % values
            )
        if self.verdict_on:
            return (
                _(
                    "Behind: %(people)s of %(target)s people (%(percent)s%%); at the recent rate "
                    "%(projected)s by the deadline %(deadline)s, and the target on %(day)s."
                )
                % values
            )
        return (
            _(
                "Behind: %(people)s of %(target)s people (%(percent)s%%), and the count has not "
                "grown over the last twelve months."
            )
            % values
        )


DAYS_PER_MONTH = 365.2425 / 12
RATE_WINDOW_MONTHS = 12
# Days per validity query: keeps each statement well inside every database's limits while the
# number of queries stays a function of the goal's length, never of the amount of data.
DAYS_PER_QUERY = 120


def goals_progress(*, today: datetime.date | None = None) -> list[GoalProgress]:
    """Progress of every goal, soonest deadline first."""
    today = today or timezone.localdate()
    return [goal_progress(goal, today=today) for goal in Goal.objects.order_by("deadline", "pk")]


def goal_progress(goal: Goal, *, today: datetime.date | None = None) -> GoalProgress:
    """Count, monthly series, recent rate, projection and verdict of one goal on ``today``."""
    today = today or timezone.localdate()
    series_days = [*_month_ends(goal.start_date, today), today]
    rate_since = add_months(today, -RATE_WINDOW_MONTHS)
    deadline_passed = goal.deadline < today
    extra_days = [rate_since, *([goal.deadline] if deadline_passed else [])]
    counter = _EverCounter(goal) if goal.measure == Goal.Measure.EVER else _ValidCounter(goal)
    counts = counter.counts(series_days=series_days, extra_days=extra_days)

    series = tuple(GoalPoint(day=day, people=counts[day]) for day in series_days)
    people = counts[today]
    rate = (people - counts[rate_since]) / RATE_WINDOW_MONTHS

    if deadline_passed:
        at_deadline = counts[goal.deadline]
    else:
        months_left = (goal.deadline - today).days / DAYS_PER_MONTH
        at_deadline = max(0, math.floor(people + rate * months_left))

    reference = min(today, goal.deadline)
    if counts[reference] >= goal.target:
        verdict = GoalProgress.MET
        verdict_on = counter.met_on(target=goal.target, until=reference, series=series)
    else:
        if people >= goal.target:  # reached, but only after the deadline
            verdict_on = counter.met_on(target=goal.target, until=today, series=series)
        else:
            verdict_on = _projected_day(today=today, people=people, target=goal.target, rate=rate)
        on_track = not deadline_passed and at_deadline >= goal.target
        verdict = GoalProgress.ON_TRACK if on_track else GoalProgress.BEHIND

    return GoalProgress(
        goal_id=goal.pk,
        name=goal.name,
        source=goal.source,
        target=goal.target,
        measure=goal.measure,
        province=goal.province,
        start_date=goal.start_date,
        deadline=goal.deadline,
        as_of=today,
        people=people,
        series=series,
        rate_per_month=rate,
        rate_since=rate_since,
        people_at_deadline=at_deadline,
        verdict=verdict,
        verdict_on=verdict_on,
        deadline_passed=deadline_passed,
    )


# -- dates -----------------------------------------------------------------------------------


def _month_end(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


def _month_ends(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """Each month end from ``start``'s month up to, not including, ``today``."""
    days, day = [], _month_end(start)
    while day < today:
        days.append(day)
        day = _month_end(day + datetime.timedelta(days=1))
    return days


def _projected_day(*, today, people: int, target: int, rate: float) -> datetime.date | None:
    """The day the recent rate reaches ``target``; None when the count is not growing."""
    if rate <= 0:
        return None
    days = math.ceil((target - people) / rate * DAYS_PER_MONTH)
    try:
        return today + datetime.timedelta(days=days)
    except OverflowError:  # a trickle would take longer than the calendar lasts
        return None


def _start_of_next_day(day: datetime.date) -> datetime.datetime:
    """Midnight after ``day`` in the portal's time zone: revoked before it means not in force."""
    following = day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


# -- counting --------------------------------------------------------------------------------


def _person():
    """Who a certificate counts for: its holder's account, or, for an imported certificate no
    account has claimed, the imported person (negative ids, so the two never meet)."""
    return Coalesce(F("holder_id"), Value(0) - F("imported_holder_id"))


def _qualifying(goal: Goal) -> QuerySet:
    """Issued certificates of the levels that count for ``goal``, in any province."""
    levels = CertificationLevel.objects.filter(Q(goals=goal) | Q(track__goals=goal)).values("pk")
    return Certificate.objects.filter(level__in=levels).exclude(status=Certificate.Status.PENDING)


def _in_scope(goal: Goal) -> QuerySet:
    certificates = _qualifying(goal)
    if goal.province:
        certificates = certificates.filter(
            Q(holder__province=goal.province)
            | Q(holder__isnull=True, imported_holder__province=goal.province)
        )
    return certificates


class _EverCounter:
    """People count from their first qualifying certificate on, for good."""

    def __init__(self, goal: Goal):
        earlier = (
            _qualifying(goal)
            .annotate(person=_person())
            .filter(person=OuterRef("person"), issued_on__lt=OuterRef("issued_on"))
        )
        # Each person's first qualifying certificate(s): nobody has an earlier one. Two
        # issued the same day both pass, which the distinct counts below absorb.
        self.firsts = _in_scope(goal).annotate(person=_person()).filter(~Exists(earlier))
        self.monthly: list[tuple[datetime.date, int]] = []

    def counts(self, *, series_days, extra_days) -> dict[datetime.date, int]:
        last = max(series_days)
        firsts = self.firsts.filter(issued_on__lte=last)
        self.monthly = [
            (row["month"], row["people"])
            for row in firsts.annotate(month=TruncMonth("issued_on"))
            .values("month")
            .annotate(people=Count(_person(), distinct=True))
            .order_by("month")
        ]
        counts, total, index = {}, 0, 0
        for day in sorted(series_days):
            while index < len(self.monthly) and self.monthly[index][0] <= day:
                # A whole month is in when its first day is: the series days are month ends,
                # and the last one is today, after which nothing has been issued yet.
                total += self.monthly[index][1]
                index += 1
            counts[day] = total
        wanted = [day for day in extra_days if day not in counts]
        if wanted:
            totals = firsts.aggregate(
                **{
                    f"d{n}": Count(_person(), distinct=True, filter=Q(issued_on__lte=day))
                    for n, day in enumerate(wanted)
                }
            )
            counts.update({day: totals[f"d{n}"] for n, day in enumerate(wanted)})
        return counts

    def met_on(self, *, target: int, until: datetime.date, series) -> datetime.date | None:
        """The day the ``target``-th person got their first certificate."""
        total, crossing = 0, None
        for month, people in self.monthly:
            if total + people >= target:
                crossing = month
                break
            total += people
        if crossing is None:
            return None
        last = min(until, _month_end(crossing))
        days = (
            self.firsts.filter(issued_on__gte=crossing, issued_on__lte=last)
            .values("issued_on")
            .annotate(people=Count(_person(), distinct=True))
            .order_by("issued_on")
        )
        for row in days:
            total += row["people"]
            if total >= target:
                return row["issued_on"]
        return None


class _ValidCounter:
    """People count on the days a qualifying certificate of theirs is in force."""

    def __init__(self, goal: Goal):
        self.certificates = _in_scope(goal)

    @staticmethod
    def in_force_on(day: datetime.date) -> Q:
        after = _start_of_next_day(day)
        status = Certificate.Status
        return (
            Q(issued_on__lte=day)
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            & (
                Q(status__in=[status.VALID, status.EXPIRED])
                | Q(status=status.REVOKED, revoked_at__gte=after)
                | Q(status=status.SUPERSEDED, superseded_at__gte=after)
            )
        )

    def counts(self, *, series_days, extra_days) -> dict[datetime.date, int]:
        days = sorted(set(series_days) | set(extra_days))
        candidates = self.certificates.filter(issued_on__lte=max(days))
        counts = {}
        for first in range(0, len(days), DAYS_PER_QUERY):
            chunk = days[first : first + DAYS_PER_QUERY]
            totals = candidates.aggregate(
                **{
                    f"d{n}": Count(_person(), distinct=True, filter=self.in_force_on(day))
                    for n, day in enumerate(chunk)
                }
            )
            counts.update({day: totals[f"d{n}"] for n, day in enumerate(chunk)})
        return counts

    def met_on(self, *, target: int, until: datetime.date, series) -> datetime.date | None:
        """The first day of the latest unbroken run at or above ``target`` (series days only).

        Validity comes and goes, so this is "met since", to the month; when the series starts
        already above target it says so from its first day.
        """
        met = None
        for point in series:
            if point.day > until:
                break
            met = (met or point.day) if point.people >= target else None
        return met
