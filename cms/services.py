"""Writes to the content tree's surroundings: each training base's editors and media."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
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
