"""Writes to the content tree's surroundings: each training base's editors and media."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from .models import TrainingBasePage, TrainingBaseWorkspace

# What a base's editors may do on their own subtree. Deleting is left to administrators so
# that a mistake cannot take a base's published history with it.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
EDITOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


def _editors_group_name(base: TrainingBasePage) -> str:
    # Named by page id: a later base that reuses a code never inherits an old group. Names are
    # data shown to administrators as they are, hence Chinese (see cms 0008 for older ones).
    return f"基地 {base.pk} 编辑（{base.short_code}）"


def _faculty_group_name(base: TrainingBasePage) -> str:
    return f"基地 {base.pk} 师资（{base.short_code}）"


@transaction.atomic
def training_base_workspace_ensure(*, base: TrainingBasePage) -> TrainingBaseWorkspace:
    """Give a base its editors group and collection, once. Safe to call on every publish."""
    base = TrainingBasePage.objects.select_for_update().get(pk=base.pk)
    existing = TrainingBaseWorkspace.objects.filter(base=base).first()
    if existing:
        if existing.faculty_id is None:
            existing.faculty = _faculty_group_create(base, existing.collection)
            existing.save(update_fields=["faculty"])
        return existing

    editors = Group.objects.create(name=_editors_group_name(base))
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=editors,
            page=base,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )

    # Lock the root so two bases published at once do not race for the same tree position.
    root = Collection.objects.select_for_update().get(depth=1)
    collection = root.add_child(name=f"{base.title} ({base.short_code})")
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=editors,
            collection=collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    return TrainingBaseWorkspace.objects.create(
        base=base,
        editors=editors,
        faculty=_faculty_group_create(base, collection),
        collection=collection,
    )


def _faculty_group_create(base: TrainingBasePage, collection: Collection) -> Group:
    faculty = Group.objects.create(name=_faculty_group_name(base))
    faculty.permissions.add(_permission("wagtailadmin", "access_admin"))
    for app_label, codename in (
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "choose_document"),
    ):
        GroupCollectionPermission.objects.create(
            group=faculty, collection=collection, permission=_permission(app_label, codename)
        )
    return faculty


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def training_base_editor_add(*, base: TrainingBasePage, user) -> None:
    """Make ``user`` an editor of ``base``."""
    workspace = training_base_workspace_ensure(base=base)
    user.groups.add(workspace.editors)


def training_base_faculty_add(*, base: TrainingBasePage, user) -> None:
    """Make ``user`` a teacher of ``base``."""
    workspace = training_base_workspace_ensure(base=base)
    user.groups.add(workspace.faculty)


# The sections every base publishes under its page, as the demo and the admin build them.
BASE_SECTIONS = (
    ("textbooks", "教材", "TextbookIndexPage"),
    ("faculty", "师资", "FacultyIndexPage"),
    ("news", "基地动态", "NewsIndexPage"),
)


@transaction.atomic
def training_base_create(
    *,
    title: str,
    short_code: str,
    province: str,
    city: str,
    accreditation: str,
    accredited_year: int | None = None,
    summary: str = "",
    contact_person: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    website: str = "",
) -> TrainingBasePage:
    """Create and publish a base under the bases index with its textbook, faculty and news
    sections. Publishing is what gives it its editors group and collection
    (``signals.on_page_published``), exactly as when an administrator publishes one by hand.
    A bad or taken code raises ``ValidationError`` and creates nothing."""
    from . import models as cms_models
    from .models import TrainingBaseIndexPage

    index = TrainingBaseIndexPage.objects.select_for_update().first()
    if index is None:
        raise ValidationError("There is no training base index page to put the base under.")
    code = short_code.strip().upper()
    if TrainingBasePage.objects.filter(short_code=code).exists():
        raise ValidationError({"short_code": _("Another training base already uses this code.")})
    base = TrainingBasePage(
        title=title,
        slug=code.lower(),
        short_code=code,
        province=province,
        city=city,
        accreditation=accreditation,
        accredited_year=accredited_year,
        summary=summary[:300],
        contact_person=contact_person[:50],
        contact_phone=contact_phone[:30],
        contact_email=contact_email,
        website=website,
    )
    index.add_child(instance=base)
    base.save_revision().publish()
    for slug, section_title, model_name in BASE_SECTIONS:
        section = getattr(cms_models, model_name)(title=section_title, slug=slug)
        base.add_child(instance=section)
        section.save_revision().publish()
    training_base_workspace_ensure(base=base)
    base.refresh_from_db()
    return base
