"""The checklist a certifier decides on: hours, exam, prerequisite, experience, renewal."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.applications.models import Application, Evidence
from certification.dates import add_months
from certification.issuing.models import Certificate
from certification.levels.display import localized_name
from certification.levels.models import CertificationLevel, CertifyingBody
from certification.levels.selectors import level_exam_standards
from certification.lifecycle.selectors import renewal_progress
from certification.practice.models import PracticeRecord
from certification.practice.selectors import PracticeSummary, practice_since, practice_summaries
from certification.wording import list_separator
from cms.api import ModuleCategory
from courses import api as courses_api


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


def _hours(value) -> str:
    return f"{Decimal(value or 0):.1f}"


def _hours_items(*, level: CertificationLevel, earned) -> list[CheckItem]:
    labels = dict(ModuleCategory.choices)
    items = []
    for category, required in level.hours_required().items():
        if not required:
            continue
        actual = earned.get(category, Decimal("0"))
        items.append(
            CheckItem(
                key=f"hours:{category}",
                label=_("Training hours: %(module)s") % {"module": labels[category]},
                required=_("%(hours)s h") % {"hours": _hours(required)},
                actual=_("%(hours)s h") % {"hours": _hours(actual)},
                met=actual >= required,
                hint="" if actual >= required else _("Complete more lessons in this module."),
            )
        )
    return items


def _shortfalls(exam_pass, standard) -> list[str]:
    """Why a pass does not meet ``standard``, judged on the paper and rules it was sat under."""
    return standard.problems(
        questions_by_module=exam_pass.questions_by_module,
        pass_mark=exam_pass.pass_mark,
        time_limit_minutes=exam_pass.time_limit_minutes,
        attempts=exam_pass.attempt_number,
    )


def _meets(exam_pass, standard) -> bool:
    return not _shortfalls(exam_pass, standard)


def _exam_item(
    *,
    level: CertificationLevel,
    passes,
    today: datetime.date,
    standards: list,
    body_name: str = "",
) -> CheckItem:
    """The exam row: a pass counts only if its paper meets an exam standard in ``standards``
    (the application's body's, or without an application any awarding body's)."""
    cutoff = None
    if level.exam_valid_months:
        try:
            cutoff = add_months(today, -level.exam_valid_months)
        except OverflowError:  # further back than the calendar goes: any pass counts
            cutoff = None
    recent = [p for p in passes if cutoff is None or timezone.localdate(p.passed_at) >= cutoff]
    counting = [p for p in recent if any(_meets(p, s) for s in standards)]
    if level.exam_valid_months:
        required = _("Passed within the last %(months)d months") % {
            "months": level.exam_valid_months
        }
    else:
        required = _("Passed")
    if body_name:
        required += list_separator() + _("the exam meets the exam standard of %(body)s") % {
            "body": body_name
        }
    else:
        required += list_separator() + _("the exam meets a certifying body's exam standard")
    hint = ""
    if counting:
        actual = _("Passed on %(date)s (%(percent)s%%)") % {
            "date": timezone.localdate(counting[0].passed_at).isoformat(),
            "percent": f"{counting[0].percent:.0f}",
        }
    elif not standards:
        if body_name:
            actual = _("%(body)s has not set an exam standard for this level") % {"body": body_name}
        else:
            actual = _("No certifying body has set an exam standard for this level")
        if recent:
            actual = _("Passed on %(date)s, but it does not count: %(why)s") % {
                "date": timezone.localdate(recent[0].passed_at).isoformat(),
                "why": actual,
            }
        hint = _("No exam counts until the certifying body sets an exam standard for the level.")
    elif recent:
        problems = _shortfalls(recent[0], standards[0])
        actual = _(
            "Passed on %(date)s, but it does not count: the exam does not meet the exam "
            "standard (%(problems)s)"
        ) % {
            "date": timezone.localdate(recent[0].passed_at).isoformat(),
            "problems": list_separator().join(problems),
        }
        hint = _("Pass an exam that meets the certifying body's exam standard.")
    elif passes:
        actual = _("Last passed on %(date)s, too long ago") % {
            "date": timezone.localdate(passes[0].passed_at).isoformat()
        }
    else:
        actual = _("Not passed yet")
    return CheckItem(
        key="exam",
        label=_("Exam of the level"),
        required=required,
        actual=actual,
        met=bool(counting),
        hint="" if counting else (hint or _("Pass the level's exam at a training base.")),
    )


def _minutes_text(minutes: int) -> str:
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _minutes_item(*, minutes: int) -> CheckItem:
    """Not a rule: the active time the person spent in credited online lessons, so the certifier
    can weigh the hours credited against time actually spent."""
    return CheckItem(
        key="learning_minutes",
        label=_("Active time in online lessons"),
        required=_("Shown for the certifier's review"),
        actual=_minutes_text(minutes),
        met=True,
    )


def prerequisite_certificates(*, user_ids, level: CertificationLevel) -> dict[int, Certificate]:
    """Each person's longest-held current certificate of ``level``, in one query."""
    today = timezone.localdate()
    held = {}
    for certificate in (
        Certificate.objects.filter(
            holder_id__in=list(user_ids), level=level, status=Certificate.Status.VALID
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-held_since", "-pk")
    ):
        held[certificate.holder_id] = certificate  # the earliest comes last and wins
    return held


def _prerequisite_item(*, level: CertificationLevel, held: Certificate | None, today) -> CheckItem:
    prerequisite = level.prerequisite
    months = level.prerequisite_held_months
    if months:
        required = _("%(level)s, held for at least %(months)d months") % {
            "level": localized_name(prerequisite),
            "months": months,
        }
    else:
        required = _("A valid %(level)s certificate") % {"level": localized_name(prerequisite)}
    if held is None:
        actual, met = _("No valid certificate of that level"), False
    else:
        try:
            held_long_enough = add_months(held.held_since, months) <= today
        except OverflowError:  # beyond the calendar: never long enough
            held_long_enough = False
        actual = _("%(number)s, held since %(date)s") % {
            "number": held.number,
            "date": held.held_since.isoformat(),
        }
        met = held_long_enough
    return CheckItem(
        key="prerequisite",
        label=_("Prerequisite level"),
        required=required,
        actual=actual,
        met=met,
        hint="" if met else _("Hold the level below first."),
    )


def _experience_item(
    *, level: CertificationLevel, application: Application | None, has_proof: bool
) -> CheckItem:
    years = application.experience_years if application else Decimal("0")
    met = years >= level.experience_years and has_proof
    actual = _("%(years)s years stated") % {"years": f"{years:g}"}
    actual += list_separator() + (
        _("proof uploaded") if has_proof else _("no proof of work uploaded")
    )
    return CheckItem(
        key="experience",
        label=_("Work experience"),
        required=_("%(years)d years, with proof of work") % {"years": level.experience_years},
        actual=actual,
        met=met,
        hint="" if met else _("State your years of experience and upload proof of work."),
    )


def _amount(value) -> str:
    return f"¥{Decimal(value or 0):,.2f}"


def _practice_items(*, level: CertificationLevel, summary: PracticeSummary) -> list[CheckItem]:
    """The level's practice requirements (项目实绩), counted from confirmed records only."""
    within = ""
    if level.practice_within_years:
        within = list_separator() + _("ended within the last %(years)d years") % {
            "years": level.practice_within_years
        }
    hint = _("Record your projects and have them confirmed by the counterpart or a certifier.")
    items = []
    if level.practice_min_projects:
        met = summary.projects >= level.practice_min_projects
        items.append(
            CheckItem(
                key="practice:projects",
                label=_("Confirmed practice projects"),
                required=_("At least %(count)d") % {"count": level.practice_min_projects} + within,
                actual=_("%(count)d confirmed") % {"count": summary.projects},
                met=met,
                hint="" if met else hint,
            )
        )
    if level.practice_min_amount:
        met = summary.amount >= level.practice_min_amount
        items.append(
            CheckItem(
                key="practice:amount",
                label=_("Contract amount of confirmed projects"),
                required=_("At least %(amount)s") % {"amount": _amount(level.practice_min_amount)}
                + within,
                actual=_amount(summary.amount),
                met=met,
                hint="" if met else hint,
            )
        )
    if level.practice_min_kinds:
        met = len(summary.kinds) >= level.practice_min_kinds
        done = [
            str(PracticeRecord.Kind(kind).label)
            for kind in PracticeRecord.NAMED_KINDS
            if kind in summary.kinds
        ]
        items.append(
            CheckItem(
                key="practice:kinds",
                label=_("Kinds of technology-transfer service"),
                required=_("At least %(count)d different kinds")
                % {"count": level.practice_min_kinds}
                + within,
                actual=list_separator().join(done) if done else _("None confirmed"),
                met=met,
                hint="" if met else hint,
            )
        )
    return items


def _renewal_items(*, application: Application) -> list[CheckItem]:
    certificate = application.renews
    progress = renewal_progress(certificate=certificate)
    status = certificate.effective_status()
    renewable = status in (Certificate.Status.VALID, Certificate.Status.EXPIRED)
    return [
        CheckItem(
            key="renewable",
            label=_("Certificate to renew"),
            required=_("Valid or expired, not revoked"),
            actual=f"{certificate.number}: {Certificate.Status(status).label}",
            met=renewable,
        ),
        CheckItem(
            key="continuing_education",
            label=_("Continuing-education hours"),
            required=_("%(hours)s h") % {"hours": _hours(progress.hours_required)},
            actual=_("%(hours)s h") % {"hours": _hours(progress.hours_total)},
            met=progress.enough,
            hint=""
            if progress.enough
            else _("Complete courses on the portal or report approved external activities."),
        ),
    ]


def checklist(
    *,
    user_id: int,
    level: CertificationLevel,
    application: Application | None = None,
    today: datetime.date | None = None,
) -> Checklist:
    """Every rule of ``level`` and whether the person meets it, computed from the rules' data."""
    return checklists(level=level, people=[(user_id, application)], today=today)[0]


def checklists(
    *,
    level: CertificationLevel,
    people: list[tuple[int, Application | None]],
    today: datetime.date | None = None,
) -> list[Checklist]:
    """``checklist`` for many (person, application) pairs of one level, in a few queries
    whatever their number: what a bulk run re-checks before it approves a whole class."""
    today = today or timezone.localdate()
    renewals = {id(a) for _user_id, a in people if a is not None and a.renews_id}
    user_ids = [user_id for user_id, a in people if id(a) not in renewals]
    course_level = level.course_level_id
    earned = courses_api.hours_by_module_for(user_ids=user_ids, level=course_level)
    passes = held = standards = {}
    awarding, body_names = [], {}
    if level.exam_required:
        passes = courses_api.exams_passed_for(user_ids=user_ids, level=course_level)
        standards = level_exam_standards(level=level)
        if any(a is None for _user_id, a in people):
            awarding = [
                standards[pk]
                for pk in level.bodies.filter(is_active=True).values_list("pk", flat=True)
                if pk in standards
            ]
        unset = {a.body_id for _user_id, a in people if a is not None} - set(standards)
        if unset:
            body_names = dict(CertifyingBody.objects.filter(pk__in=unset).values_list("pk", "name"))
    minutes = {}
    with_hours = any(level.hours_required().values())
    if with_hours:
        minutes = courses_api.learning_minutes_for(user_ids=user_ids, level=course_level)
    if level.prerequisite_id:
        held = prerequisite_certificates(user_ids=user_ids, level=level.prerequisite)
    with_proof = set()
    if level.experience_years:
        application_ids = [a.pk for _user_id, a in people if a is not None and a.pk]
        with_proof = set(
            Evidence.objects.filter(
                application_id__in=application_ids, kind=Evidence.Kind.WORK_PROOF
            ).values_list("application_id", flat=True)
        )
    practice = {}
    if level.practice_required:
        practice = practice_summaries(user_ids=user_ids, since=practice_since(level, today))
    result = []
    for user_id, application in people:
        if id(application) in renewals:
            result.append(Checklist(items=tuple(_renewal_items(application=application))))
            continue
        items = _hours_items(level=level, earned=earned[user_id])
        if with_hours:
            items.append(_minutes_item(minutes=minutes.get(user_id, 0)))
        if level.exam_required:
            if application is None:
                mine, body_name = awarding, ""
            elif application.body_id in standards:
                mine = [standards[application.body_id]]
                body_name = mine[0].body_name
            else:
                mine, body_name = [], body_names.get(application.body_id, "")
            items.append(
                _exam_item(
                    level=level,
                    passes=passes[user_id],
                    today=today,
                    standards=mine,
                    body_name=body_name,
                )
            )
        if level.prerequisite_id:
            items.append(_prerequisite_item(level=level, held=held.get(user_id), today=today))
        if level.experience_years:
            has_proof = application is not None and application.pk in with_proof
            items.append(
                _experience_item(level=level, application=application, has_proof=has_proof)
            )
        if level.practice_required:
            items.extend(
                _practice_items(level=level, summary=practice.get(user_id) or PracticeSummary())
            )
        result.append(Checklist(items=tuple(items)))
    return result


def unmet(result) -> str:
    missing = "; ".join(item.label for item in result.missing)
    return _("The applicant no longer meets: %(missing)s.") % {"missing": missing}
