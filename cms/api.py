"""What other apps may use of ``cms``: plain functions returning plain data."""

from dataclasses import dataclass

from .admin_scope import log_entry_scope_register, object_ids_as_text
from .fonts import (
    cjk_font_path,
    cjk_serif_font_path,
    font_has_glyph,
    reportlab_cjk_font,
    reportlab_cjk_serif_font,
)
from .models import TrainingBasePage, TrainingBaseWorkspace
from .services import training_base_editor_add as _editor_add
from .services import training_base_faculty_add as _faculty_add
from .taxonomy import Accreditation, Level, ModuleCategory, SeededLevels

__all__ = [
    "Accreditation",
    "Level",
    "SeededLevels",
    "ModuleCategory",
    "TrainingBase",
    "cjk_font_path",
    "log_entry_scope_register",
    "object_ids_as_text",
    "reportlab_cjk_font",
    "training_base_editor_add",
    "training_base_faculty_add",
    "training_base_ids_for_staff",
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


def training_base_editor_add(*, page_id: int, user) -> None:
    """Make ``user`` an editor of the training base with this page id."""
    _editor_add(base=TrainingBasePage.objects.get(pk=page_id), user=user)


def training_base_faculty_add(*, page_id: int, user) -> None:
    """Make ``user`` a teacher of the training base with this page id."""
    _faculty_add(base=TrainingBasePage.objects.get(pk=page_id), user=user)


def training_base_ids_for_staff(*, user_id: int, role: str = "any") -> set[int]:
    """Page ids of the bases where the user is an editor (``role="editor"``), a teacher
    (``"faculty"``) or either (``"any"``)."""
    from django.db.models import Q

    by_role = {
        "editor": Q(editors__user__pk=user_id),
        "faculty": Q(faculty__user__pk=user_id),
    }
    condition = by_role.get(role) or (by_role["editor"] | by_role["faculty"])
    return set(TrainingBaseWorkspace.objects.filter(condition).values_list("base_id", flat=True))


def training_base_faculty_user_ids(*, page_id: int) -> set[int]:
    """Ids of the active accounts in the base's faculty group."""
    from django.contrib.auth import get_user_model

    return set(
        get_user_model()
        .objects.filter(is_active=True, groups__training_base_faculty_workspace__base_id=page_id)
        .values_list("pk", flat=True)
    )


def base_ids_for_pages(*, page_ids) -> dict[int, int]:
    """The training base each page lies under, by page id; pages outside every base are left
    out (two queries, whatever the number of pages)."""
    from wagtail.models import Page

    bases = dict(TrainingBasePage.objects.values_list("path", "pk"))
    if not bases:
        return {}
    depth = TrainingBasePage.objects.values_list("depth", flat=True).first()
    found = {}
    for page_id, path in Page.objects.filter(pk__in=set(page_ids)).values_list("pk", "path"):
        base = bases.get(path[: depth * Page.steplen])
        if base is not None:
            found[page_id] = base
    return found


__all__ += ["base_ids_for_pages"]


@dataclass(frozen=True)
class BaseCatalogueCounts:
    faculty: int
    textbooks: int


def training_bases_all() -> list[TrainingBase]:
    """Every training base, by title (one query)."""
    return [_to_data(page) for page in TrainingBasePage.objects.order_by("title", "pk")]


def base_catalogue_counts(*, page_id: int) -> BaseCatalogueCounts:
    """How many live faculty members and textbooks the base publishes today (three queries)."""
    from .models import FacultyMemberPage, TextbookPage

    base = TrainingBasePage.objects.filter(pk=page_id).only("path", "depth").first()
    if base is None:
        return BaseCatalogueCounts(faculty=0, textbooks=0)
    return BaseCatalogueCounts(
        faculty=FacultyMemberPage.objects.live().descendant_of(base).count(),
        textbooks=TextbookPage.objects.live().descendant_of(base).count(),
    )


__all__ += ["cjk_serif_font_path", "font_has_glyph", "reportlab_cjk_serif_font"]
__all__ += ["BaseCatalogueCounts", "base_catalogue_counts", "training_bases_all"]


# -- the national faculty pool (portal/faculty) -----------------------------------------------

from .faculty_pool import (  # noqa: E402
    FacultyCard,
    FacultyProfile,
    faculty_page_base_id,
    faculty_pool_page,
    faculty_pool_specialties,
    faculty_profile,
)

__all__ += [
    "FacultyCard",
    "FacultyProfile",
    "faculty_page_base_id",
    "faculty_pool_page",
    "faculty_pool_specialties",
    "faculty_profile",
]


def training_base_create(**fields) -> TrainingBase:
    """Create and publish a training base with its sections, editors group and collection
    (keyword arguments as ``cms.services.training_base_create``)."""
    from .services import training_base_create as _create

    return _to_data(_create(**fields))


def training_base_editor_ids(*, page_id: int) -> set[int]:
    """Ids of the active accounts in the base's editors group."""
    from django.contrib.auth import get_user_model

    return set(
        get_user_model()
        .objects.filter(is_active=True, groups__training_base_workspace__base_id=page_id)
        .values_list("pk", flat=True)
    )


from .base_facts import BasePublicFact, base_public_facts_register  # noqa: E402

__all__ += [
    "BasePublicFact",
    "base_public_facts_register",
    "training_base_create",
    "training_base_editor_ids",
]
