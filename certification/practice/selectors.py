"""Reads: a person's practice records, and what their confirmed ones add up to."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from certification.access import certifier_body_ids, is_filing_officer
from certification.dates import add_months
from certification.practice.models import PracticeRecord


@dataclass
class PracticeSummary:
    """Confirmed projects of one person: how many, their total amount, the named kinds done."""

    projects: int = 0
    amount: Decimal = Decimal("0")
    kinds: set = field(default_factory=set)


def practice_summaries(
    *, user_ids, since: datetime.date | None = None, until: datetime.date | None = None
) -> dict[int, PracticeSummary]:
    """Confirmed projects per person that ended between ``since`` and ``until`` (inclusive,
    either open), in one query."""
    rows = PracticeRecord.objects.filter(
        owner_id__in=list(user_ids), status=PracticeRecord.Status.CONFIRMED
    )
    if since:
        rows = rows.filter(ended_on__gte=since)
    if until:
        rows = rows.filter(ended_on__lte=until)
    result = defaultdict(PracticeSummary)
    for owner_id, kind, amount in rows.values_list("owner_id", "kind", "amount"):
        summary = result[owner_id]
        summary.projects += 1
        summary.amount += amount or Decimal("0")
        if kind in PracticeRecord.NAMED_KINDS:
            summary.kinds.add(kind)
    return result


def practice_since(level, today: datetime.date | None = None) -> datetime.date | None:
    """The earliest end date a project may have to count for ``level`` (None: any)."""
    if not level.practice_within_years:
        return None
    today = today or timezone.localdate()
    try:
        return add_months(today, -12 * level.practice_within_years)
    except OverflowError:
        return None


def practice_records_of(*, user_id: int):
    return PracticeRecord.objects.filter(owner_id=user_id).prefetch_related("proofs")


def may_see_practice(user, record: PracticeRecord) -> bool:
    """The owner, a certifier of the body asked to review it, or a filing officer."""
    if not getattr(user, "is_authenticated", False):
        return False
    if record.owner_id == user.pk:
        return True
    bodies = certifier_body_ids(user)
    if bodies is None:
        return True
    if record.body_id and record.body_id in bodies:
        return True
    return is_filing_officer(user) and bool(bodies)
