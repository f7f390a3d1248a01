"""Plain data the certification app hands to its views and to other apps."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


@dataclass(frozen=True)
class CheckItem:
    """One requirement of a level and whether the person meets it."""

    key: str
    label: str
    required: str
    actual: str
    met: bool
    hint: str = ""


@dataclass(frozen=True)
class Checklist:
    items: tuple[CheckItem, ...]

    @property
    def met(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def missing(self) -> tuple[CheckItem, ...]:
        return tuple(item for item in self.items if not item.met)

    def as_json(self) -> dict:
        return {
            "met": self.met,
            "items": [
                {
                    "key": i.key,
                    "label": i.label,
                    "required": i.required,
                    "actual": i.actual,
                    "met": i.met,
                }
                for i in self.items
            ],
        }


@dataclass(frozen=True)
class RenewalProgress:
    certificate_id: int
    hours_required: Decimal
    hours_from_courses: Decimal
    hours_external: Decimal
    since: datetime.date

    @property
    def hours_total(self) -> Decimal:
        return self.hours_from_courses + self.hours_external

    @property
    def enough(self) -> bool:
        return self.hours_total >= self.hours_required

    @property
    def percent(self) -> int:
        if not self.hours_required:
            return 100
        return min(100, int(self.hours_total * 100 / self.hours_required))


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone may learn about a certificate from its number."""

    number: str
    holder_name_masked: str
    level: str
    level_en: str
    track: str
    body: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    status: str
    status_label: str
    revoked_at: datetime.datetime | None = None
    revocation_reason: str = ""
    superseded_by: str = ""
    pdf_sha256: str = ""
    filing_status: str = ""
    links: dict = field(default_factory=dict)


# -- goals -----------------------------------------------------------------------------------


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


# -- the public registry ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryEntry:
    """What the public registry shows of one listed person. No account e-mail or phone."""

    name: str
    province: str
    province_label: str
    level: str
    certificate_number: str
    organisation: str
    specialties: tuple[str, ...]
    public_contact: str


# -- the management dashboard ----------------------------------------------------------------


@dataclass(frozen=True)
class CertificationMonth:
    """Certificates issued in one month, for one province, training base and level.

    ``people`` counts holders whose first certificate of the level this was (renewals,
    re-issues and a second certificate of a level held before do not add people)."""

    month: datetime.date  # its first day
    province: str
    base_id: int | None
    level: str
    people: int
    certificates: int


@dataclass(frozen=True)
class CertificationNow:
    """Certificates in force and applications awaiting a decision, on the day they are read."""

    province: str
    base_id: int | None
    level: str
    valid: int
    waiting: int


@dataclass(frozen=True)
class CertificationFigures:
    months: tuple[CertificationMonth, ...]
    now: tuple[CertificationNow, ...]
    level_labels: dict  # level key -> name, lowest rank first
