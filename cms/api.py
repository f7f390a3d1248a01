"""What other apps may use of ``cms``: plain functions returning plain data."""

from dataclasses import dataclass

from .models import TrainingBasePage, TrainingBaseWorkspace
from .taxonomy import Accreditation, Level, ModuleCategory

__all__ = [
    "Accreditation",
    "Level",
    "ModuleCategory",
    "TrainingBase",
    "training_base_get",
    "training_bases_for_editor",
]


@dataclass(frozen=True)
class TrainingBase:
    page_id: int
    name: str
    short_code: str
    province: str
    city: str
    url: str


def _to_data(page: TrainingBasePage) -> TrainingBase:
    return TrainingBase(
        page_id=page.pk,
        name=page.title,
        short_code=page.short_code,
        province=page.province,
        city=page.city,
        url=page.url or "",
    )


def training_base_get(*, page_id: int) -> TrainingBase | None:
    """The training base with this page id, or None."""
    page = TrainingBasePage.objects.filter(pk=page_id).first()
    return _to_data(page) if page else None


def training_bases_for_editor(*, user_id: int) -> list[TrainingBase]:
    """The bases whose editors group the user belongs to."""
    workspaces = TrainingBaseWorkspace.objects.filter(editors__user__pk=user_id).select_related(
        "base"
    )
    return [_to_data(w.base) for w in workspaces]
