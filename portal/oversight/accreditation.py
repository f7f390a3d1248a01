"""The accreditation period of a base, and what its public page says of it.

Approval of the base's application starts the period; it first runs to the end of the year
after the approval, so the base has a full year of classes before its first evaluation. Each
annual evaluation graded pass (合格) or better carries the end to 31 December of the year after
the one evaluated; a fail carries nothing, so the period lapses at its end unless a later year
is graded pass. The end is worked out again from the evaluations whenever one is saved, so a
re-grade from pass to fail takes back the extension it gave. See decision 0024.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

import cms.api

from .models import BaseAccreditation, BaseEvaluation
from .rules import GRADE_ORDER, Grade

RENEWING_GRADES = [str(g) for g in GRADE_ORDER[: GRADE_ORDER.index(Grade.PASS) + 1]]


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def accreditation_start(*, base_id: int, today: datetime.date) -> BaseAccreditation:
    """The period the approval of an application starts (once per base)."""
    first_end = _year_end(today.year + 1)
    accreditation, _created = BaseAccreditation.objects.get_or_create(
        base_id=base_id,
        defaults={"starts_on": today, "first_ends_on": first_end, "ends_on": first_end},
    )
    return accreditation


def accreditation_refresh(*, base_id: int) -> BaseAccreditation | None:
    """Work the end of the base's period out again from its evaluations (None when the base
    has no period: bases accredited before applications were taken online)."""
    accreditation = BaseAccreditation.objects.select_for_update().filter(base_id=base_id).first()
    if accreditation is None:
        return None
    renewed = BaseEvaluation.objects.filter(
        base_id=base_id, grade__in=RENEWING_GRADES, year__gte=accreditation.starts_on.year
    ).values_list("year", flat=True)
    ends_on = max([accreditation.first_ends_on, *(_year_end(y + 1) for y in renewed)])
    if ends_on != accreditation.ends_on:
        accreditation.ends_on = ends_on
        accreditation.save(update_fields=["ends_on", "updated_at"])
    return accreditation


def accreditation_in_force(accreditation: BaseAccreditation, today=None) -> bool:
    today = today or timezone.localdate()
    return accreditation.starts_on <= today <= accreditation.ends_on


def base_public_facts(page_id: int) -> list:
    """What the base's public page shows: its accreditation period, and the grades the
    administrators chose to publish (newest year first)."""
    facts = []
    accreditation = BaseAccreditation.objects.filter(base_id=page_id).first()
    if accreditation is not None:
        period = f"{accreditation.starts_on:%Y-%m-%d} – {accreditation.ends_on:%Y-%m-%d}"
        if not accreditation_in_force(accreditation):
            period = _("%(period)s (lapsed)") % {"period": period}
        facts.append(
            cms.api.BasePublicFact(key="accreditation", label=_("Accredited"), value=period)
        )
    for year, grade in (
        BaseEvaluation.objects.filter(base_id=page_id, published=True)
        .order_by("-year")
        .values_list("year", "grade")[:5]
    ):
        facts.append(
            cms.api.BasePublicFact(
                key=f"grade-{year}",
                label=_("Annual evaluation %(year)s") % {"year": year},
                value=str(Grade(grade).label),
            )
        )
    return facts
