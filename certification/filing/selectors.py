"""Reads: who may be filed, a person's filing, and the figures a yearly evaluation measures."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from certification.filing.models import TalentEvaluation, TalentFiling
from certification.issuing.models import Certificate
from certification.lifecycle.models import ContinuingEducation
from certification.practice.selectors import practice_summaries
from courses import api as courses_api


def filing_certificate(*, user_id: int, today: datetime.date | None = None):
    """The person's highest certificate in force of a level filed by the national body."""
    today = today or timezone.localdate()
    return (
        Certificate.objects.filter(
            holder_id=user_id, status=Certificate.Status.VALID, level__central_filing=True
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("level")
        .order_by("-level__rank", "-issued_on", "-pk")
        .first()
    )


def filing_of(*, user_id: int) -> TalentFiling | None:
    return TalentFiling.objects.filter(person_id=user_id).select_related("certificate").first()


def latest_evaluation(*, filing_id: int) -> TalentEvaluation | None:
    return TalentEvaluation.objects.filter(filing_id=filing_id).order_by("-year").first()


def year_end(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day the year is measured to: its last day, or today while it is running."""
    today = today or timezone.localdate()
    return min(datetime.date(year, 12, 31), today)


def certificate_in_force_on(*, user_id: int, day: datetime.date) -> bool:
    """Whether the person held a certificate of a filed level in force on ``day``."""
    end_of_day = datetime.datetime.combine(
        day, datetime.time.max, tzinfo=timezone.get_current_timezone()
    )
    return (
        Certificate.objects.filter(
            holder_id=user_id, level__central_filing=True, issued_on__lte=day
        )
        .exclude(status=Certificate.Status.PENDING)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .filter(~Q(status=Certificate.Status.REVOKED) | Q(revoked_at__gt=end_of_day))
        .exists()
    )


def evaluation_figures(*, user_id: int, year: int, today: datetime.date | None = None) -> dict:
    """What the rule grades: confirmed projects that ended in the year and their amount,
    continuing-education hours completed in the year (approved external activities and
    courses completed on the portal), and the certificate's standing at the year's end."""
    start, end = datetime.date(year, 1, 1), year_end(year, today)
    summary = practice_summaries(user_ids=[user_id], since=start, until=end).get(user_id)
    external = ContinuingEducation.objects.filter(
        holder_id=user_id,
        status=ContinuingEducation.Status.APPROVED,
        completed_on__gte=start,
        completed_on__lte=end,
    ).aggregate(total=Sum("hours"))["total"] or Decimal("0")
    courses = sum(
        (
            c.hours
            for c in courses_api.course_completions(user_id=user_id)
            if c.completed_at and start <= timezone.localdate(c.completed_at) <= end
        ),
        Decimal("0"),
    )
    return {
        "projects": summary.projects if summary else 0,
        "amount": str(summary.amount if summary else Decimal("0")),
        "hours": str(external + courses),
        "hours_external": str(external),
        "hours_courses": str(courses),
        "certificate_in_force": certificate_in_force_on(user_id=user_id, day=end),
        "measured_to": end.isoformat(),
    }
