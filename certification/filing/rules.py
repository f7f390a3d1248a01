"""The yearly evaluation of filed talent (对备案技术转移人才开展评价): a visible rule, as data.

Points for the year evaluated, out of 100:

| criterion | points | at most |
|---|---|---|
| confirmed practice projects that ended in the year | 15 each | 45 |
| their total contract amount | 5 per ¥100,000 | 15 |
| continuing-education hours completed in the year | 1 per hour | 30 |
| certificate in force on the last day of the year | 10 | 10 |

Grade by total: ≥ 85 excellent (优秀), ≥ 70 good (良好), ≥ 50 pass (合格), otherwise fail (不合格).
Caps: without a confirmed project in the year the grade is pass at best; without a certificate in
force at the year's end the grade is fail. ``PORTAL_TALENT_EVALUATION_RULE`` may replace any part.
Each evaluation keeps a copy of the rule it was graded by.
"""

import copy
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

DEFAULT_RULE = {
    "project_points": 15,
    "project_max": 45,
    "amount_step": 100000,
    "amount_points": 5,
    "amount_max": 15,
    "hour_points": 1,
    "hours_max": 30,
    "certificate_points": 10,
    "thresholds": {"excellent": 85, "good": 70, "pass": 50},
    "no_project_cap": "pass",
}

GRADES = ("excellent", "good", "pass", "fail")


def rule_in_force() -> dict:
    rule = copy.deepcopy(DEFAULT_RULE)
    override = getattr(settings, "PORTAL_TALENT_EVALUATION_RULE", None) or {}
    for key, value in override.items():
        if key == "thresholds":
            rule["thresholds"].update(value)
        else:
            rule[key] = value
    return rule


def _at_most(value: Decimal, limit) -> Decimal:
    return min(value, Decimal(str(limit)))


def grade_of(figures: dict, rule: dict) -> tuple[dict, Decimal, str, str]:
    """(scores per criterion, total, grade, why the grade was capped or "") for ``figures``:
    ``projects`` (int), ``amount`` and ``hours`` (decimal strings), ``certificate_in_force``."""
    projects = int(figures.get("projects", 0))
    amount = Decimal(str(figures.get("amount", "0")))
    hours = Decimal(str(figures.get("hours", "0")))
    in_force = bool(figures.get("certificate_in_force"))
    steps = (amount / Decimal(str(rule["amount_step"]))).to_integral_value(rounding="ROUND_FLOOR")
    scores = {
        "projects": _at_most(Decimal(projects * rule["project_points"]), rule["project_max"]),
        "amount": _at_most(steps * Decimal(str(rule["amount_points"])), rule["amount_max"]),
        "hours": _at_most(hours * Decimal(str(rule["hour_points"])), rule["hours_max"]),
        "certificate": Decimal(str(rule["certificate_points"])) if in_force else Decimal("0"),
    }
    scores = {k: v.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) for k, v in scores.items()}
    total = sum(scores.values(), Decimal("0"))
    thresholds = rule["thresholds"]
    grade = "fail"
    for name in ("excellent", "good", "pass"):
        if total >= Decimal(str(thresholds[name])):
            grade = name
            break
    capped = ""
    if not in_force:
        grade, capped = "fail", "certificate"
    elif projects == 0 and GRADES.index(grade) < GRADES.index(rule["no_project_cap"]):
        grade, capped = rule["no_project_cap"], "projects"
    return {k: str(v) for k, v in scores.items()}, total, grade, capped
