"""The grading rule of the annual base evaluation, in one place administrators can read.

The defaults below may be replaced with the ``PORTAL_EVALUATION_RULE`` setting, e.g.
``{"criteria": {"facilities": {"maximum": 20, "floor": 12}}, "thresholds": {"excellent": 92}}``.
Each evaluation keeps a copy of the rule it was graded by, so a later change of the rule never
re-grades a year already evaluated. See docs/decisions/0007-base-evaluation.md.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class Grade(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("evaluation grade", "excellent")
    GOOD = "good", pgettext_lazy("evaluation grade", "good")
    PASS = "pass", pgettext_lazy("evaluation grade", "pass")
    FAIL = "fail", pgettext_lazy("evaluation grade", "fail")


# Best first: the order in which thresholds are tried and a cap is applied.
GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]

CRITERIA = {
    "facilities": gettext_lazy("Facilities"),
    "organisation": gettext_lazy("Training organisation"),
    "results": gettext_lazy("Training results"),
    "innovation": gettext_lazy("Innovation"),
}

DEFAULT_RULE = {
    "criteria": {
        "facilities": {"maximum": 25, "floor": 15},
        "organisation": {"maximum": 25, "floor": 15},
        "results": {"maximum": 30, "floor": 18},
        "innovation": {"maximum": 20, "floor": 12},
    },
    # The lowest total that earns each grade; below the last one the grade is "fail".
    "thresholds": {"excellent": 90, "good": 75, "pass": 60},
    # One criterion below its floor holds the grade at this one at best.
    "floor_cap": "pass",
}


@dataclass(frozen=True)
class Criterion:
    key: str
    maximum: Decimal
    floor: Decimal

    @property
    def label(self) -> str:
        return str(CRITERIA[self.key])


@dataclass(frozen=True)
class GradingRule:
    criteria: tuple[Criterion, ...]
    thresholds: tuple[tuple[str, Decimal], ...]
    floor_cap: str

    @property
    def maximum_total(self) -> Decimal:
        return sum((c.maximum for c in self.criteria), Decimal("0"))

    def threshold_rows(self) -> list[tuple[str, Decimal]]:
        """(grade label, lowest total) for the page that shows the rule."""
        return [(Grade(grade).label, minimum) for grade, minimum in self.thresholds]

    @property
    def floor_cap_label(self) -> str:
        return Grade(self.floor_cap).label

    def as_json(self) -> dict:
        return {
            "criteria": {
                c.key: {"maximum": str(c.maximum), "floor": str(c.floor)} for c in self.criteria
            },
            "thresholds": {grade: str(minimum) for grade, minimum in self.thresholds},
            "floor_cap": self.floor_cap,
        }


def current_rule() -> GradingRule:
    """The rule in force: the defaults, with whatever ``PORTAL_EVALUATION_RULE`` replaces."""
    override = getattr(settings, "PORTAL_EVALUATION_RULE", None) or {}
    criteria = []
    for key in CRITERIA:
        values = {
            **DEFAULT_RULE["criteria"][key],
            **override.get("criteria", {}).get(key, {}),
        }
        criteria.append(
            Criterion(key=key, maximum=Decimal(values["maximum"]), floor=Decimal(values["floor"]))
        )
    thresholds = {**DEFAULT_RULE["thresholds"], **override.get("thresholds", {})}
    return GradingRule(
        criteria=tuple(criteria),
        thresholds=tuple(
            (grade, Decimal(thresholds[grade])) for grade in GRADE_ORDER if grade in thresholds
        ),
        floor_cap=override.get("floor_cap", DEFAULT_RULE["floor_cap"]),
    )


def score_problem(criterion: Criterion, raw) -> tuple[Decimal | None, str | None]:
    """The score as a number, or the message that says what is wrong with it."""
    if raw is None or str(raw).strip() == "":
        return None, _("Give a score for %(criterion)s.") % {"criterion": criterion.label}
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return None, _("The %(criterion)s score must be a number, such as 18 or 18.5.") % {
            "criterion": criterion.label
        }
    if value < 0:
        return None, _("The %(criterion)s score cannot be negative.") % {
            "criterion": criterion.label
        }
    if value > criterion.maximum:
        return None, _("The %(criterion)s score can be at most %(maximum)s.") % {
            "criterion": criterion.label,
            "maximum": criterion.maximum,
        }
    if value != value.quantize(Decimal("0.1")):
        return None, _("Give the %(criterion)s score with at most one decimal place.") % {
            "criterion": criterion.label
        }
    return value, None


def grade_for(scores: dict[str, Decimal], rule: GradingRule) -> tuple[Decimal, str, bool]:
    """(total, grade, whether a criterion below its floor held the grade down)."""
    total = sum((scores[c.key] for c in rule.criteria), Decimal("0"))
    grade = Grade.FAIL
    for candidate, minimum in rule.thresholds:
        if total >= minimum:
            grade = candidate
            break
    below_floor = any(scores[c.key] < c.floor for c in rule.criteria)
    capped = below_floor and GRADE_ORDER.index(grade) < GRADE_ORDER.index(rule.floor_cap)
    if capped:
        grade = rule.floor_cap
    return total, str(grade), capped


def rule_from_json(data: dict) -> GradingRule:
    """The rule an evaluation stored (``GradingRule.as_json``), to show what it was graded by."""
    criteria = tuple(
        Criterion(key=key, maximum=Decimal(values["maximum"]), floor=Decimal(values["floor"]))
        for key, values in (data.get("criteria") or {}).items()
        if key in CRITERIA
    )
    thresholds = data.get("thresholds") or {}
    return GradingRule(
        criteria=criteria,
        thresholds=tuple(
            (str(grade), Decimal(thresholds[grade])) for grade in GRADE_ORDER if grade in thresholds
        ),
        floor_cap=data.get("floor_cap") or DEFAULT_RULE["floor_cap"],
    )
