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
