"""Writes: defining a goal. Administrators usually do it in the admin, which checks the same."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from certification.goals.models import Goal
from certification.levels.models import CertificationLevel, Track


def goal_counted_levels_check(*, tracks, levels) -> str:
    """The message when a goal names no track and no level, else ``""``."""
    if not tracks and not levels:
        return _("Choose at least one level, or a track, that counts towards the goal.")
    return ""


@transaction.atomic
def goal_create(
    *,
    name: str,
    source: str,
    target: int,
    start_date: datetime.date,
    deadline: datetime.date,
    levels: list[CertificationLevel] = (),
    tracks: list[Track] = (),
    measure: str = Goal.Measure.EVER,
    province: str = "",
) -> Goal:
    """Check everything, then save the goal and what counts; raises ValidationError."""
    goal = Goal(
        name=name,
        source=source,
        target=target,
        start_date=start_date,
        deadline=deadline,
        measure=measure,
        province=province,
    )
    errors = {}
    try:
        goal.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    message = goal_counted_levels_check(tracks=list(tracks), levels=list(levels))
    if message:
        errors.setdefault("levels", []).append(message)
    if errors:
        raise ValidationError(errors)
    goal.save()
    goal.levels.set(levels)
    goal.tracks.set(tracks)
    return goal
