"""The certification app's public face: the only module other apps import.

Plain functions with keyword arguments, returning plain data from ``data.py``.
"""

import datetime

from .data import GoalPoint, GoalProgress
from .selectors_goals import goals_progress as _goals_progress

__all__ = ["GoalPoint", "GoalProgress", "goals_progress"]


def goals_progress(*, today: datetime.date | None = None) -> list[GoalProgress]:
    """Every goal's count, monthly series, projection and verdict, soonest deadline first."""
    return _goals_progress(today=today)


def certificates_issued_count(*, base_id: int, year: int) -> int:
    """Certificates first awarded in ``year`` by the certifying bodies of the training base
    (re-issues that supersede an earlier certificate and unfinished issues are not counted)."""
    from .models import Certificate

    return (
        Certificate.objects.filter(body__training_base_id=base_id, issued_on__year=year)
        .exclude(status=Certificate.Status.PENDING)
        .filter(supersedes__isnull=True)
        .count()
    )


__all__ += ["certificates_issued_count"]
