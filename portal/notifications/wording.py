"""The words of each kind of notification, made in the active language from its params.

Lines are sentences; a link never sits inside one: it goes on a line of its own under its
label, so mail apps and the site both show an address that works."""

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Kind


@dataclass(frozen=True)
class Wording:
    title: str
    lines: list[str]
    link_label: str


def _when(value: str) -> str:
    moment = parse_datetime(value or "")
    if moment is None:
        return value or ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _date(value: str) -> str:
    day = parse_date(value or "")
    return formats.date_format(day, "DATE_FORMAT") if day else (value or "")


def wording(kind: str, params: dict) -> Wording:
    """What to say about a notification of ``kind`` with ``params``."""
    p = params or {}
    if kind == Kind.ENROLLED:
        return Wording(
            _("You are enrolled in %(course)s") % {"course": p.get("course", "")},
            [
                _(
                    "Your place in %(course)s is confirmed. The course page has the lessons "
                    "and the class dates."
                )
                % {"course": p.get("course", "")}
            ],
            _("Open the course:"),
        )
    if kind == Kind.CLASS_TOMORROW:
        return Wording(
            _("Class tomorrow: %(lesson)s") % {"lesson": p.get("lesson", "")},
            [
                _("%(lesson)s of %(course)s starts %(when)s.")
                % {
                    "lesson": p.get("lesson", ""),
                    "course": p.get("course", ""),
                    "when": _when(p.get("starts", "")),
                },
                _("Place: %(place)s") % {"place": p.get("place", "")},
            ],
            _("The lesson's page:"),
        )
    if kind == Kind.EXAM_GRADED:
        values = {
            "exam": p.get("exam", ""),
            "score": p.get("score", ""),
            "max": p.get("max_score", ""),
        }
        if p.get("passed"):
            title = _("Exam passed: %(exam)s") % values
            line = _("You scored %(score)s of %(max)s in %(exam)s and passed.") % values
        else:
            title = _("Exam result: %(exam)s") % values
            line = _("You scored %(score)s of %(max)s in %(exam)s; this is not a pass.") % values
        return Wording(title, [line], _("See your result:"))
    if kind == Kind.APPLICATION_DECIDED:
        values = {"level": p.get("level", ""), "reason": p.get("reason", "")}
        if p.get("outcome") == "rejected":
            return Wording(
                _("Application not approved: %(level)s") % values,
                [_("Reason: %(reason)s") % values],
                _("Your application:"),
            )
        return Wording(
            _("Changes needed: %(level)s") % values,
            [
                _("Please change your application and submit it again."),
                _("Reviewer's note: %(reason)s") % values,
            ],
            _("Your application:"),
        )
    if kind == Kind.CERTIFICATE_ISSUED:
        values = {"number": p.get("number", ""), "level": p.get("level", "")}
        return Wording(
            _("Your certificate %(number)s is ready") % values,
            [
                _(
                    "Your %(level)s certificate has been issued. Download it, and its signed "
                    "digital credential, from My certificates."
                )
                % values
            ],
            _("Anyone can check it at this address:"),
        )
    if kind == Kind.CERTIFICATE_EXPIRING:
        values = {
            "number": p.get("number", ""),
            "level": p.get("level", ""),
            "date": _date(p.get("valid_until", "")),
            "days": int(p.get("days") or 0),
        }
        return Wording(
            _("Certificate %(number)s expires on %(date)s") % values,
            [
                _(
                    "Your %(level)s certificate expires in %(days)d days. With enough "
                    "continuing-education hours you can renew it from My certificates."
                )
                % values
            ],
            _("My certificates:"),
        )
    if kind == Kind.ANSWERS_TO_GRADE:
        values = {"answers": int(p.get("answers") or 0), "attempts": int(p.get("attempts") or 0)}
        return Wording(
            ngettext(
                "%(answers)d new written answer to grade",
                "%(answers)d new written answers to grade",
                values["answers"],
            )
            % values,
            [
                ngettext(
                    "Handed in with %(attempts)d exam attempt since this notice was first "
                    "sent. The grading queue lists every answer still waiting.",
                    "Handed in with %(attempts)d exam attempts since this notice was first "
                    "sent. The grading queue lists every answer still waiting.",
                    values["attempts"],
                )
                % values
            ],
            _("The grading queue:"),
        )
    return Wording(str(kind), [], _("Open:"))
