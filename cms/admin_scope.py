"""The Wagtail admin narrowed to what a base's people may see, where Wagtail itself does not.

Wagtail decides some admin pages by model permission alone: site history shows every log entry
of a model one may change, an image or document bulk-action page names every item whose id is
in its address, the admin API lists every image and document, and a snippet chooser's "create"
address fails on a POST when the chooser has no creation form. This module narrows each of
those once, at start-up (``install``), and lets higher apps add their own log-entry scope
(``log_entry_scope_register``) without ``cms`` knowing their models.
"""

from collections.abc import Callable

from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import Http404

_log_entry_scopes: list[Callable] = []
_installed = False

# Actions that let a person see an image or a document in the admin.
_MEDIA_ACTIONS = ["add", "change", "delete", "choose"]


def log_entry_scope_register(scope: Callable) -> None:
    """``scope(user, queryset)`` narrows a queryset of model log entries to those ``user`` may
    see; every registered scope applies to site history, its filters and its exports."""
    if scope not in _log_entry_scopes:
        _log_entry_scopes.append(scope)


def object_ids_as_text(queryset):
    """The primary keys of ``queryset`` as text, for matching a log entry's ``object_id``."""
    return queryset.annotate(_pk_text=Cast("pk", CharField())).values("_pk_text")


def visible_media(user, model):
    """The images or documents ``user`` may see: those of the collections where the user holds
    any image or document permission (every one for a superuser)."""
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(model)
    return policy.instances_user_has_any_permission_for(user, _MEDIA_ACTIONS)


def _media_log_scope(user, queryset):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    for model in (get_image_model(), get_document_model()):
        content_type = ContentType.objects.get_for_model(model)
        queryset = queryset.exclude(
            content_type=content_type,
        ) | queryset.filter(
            content_type=content_type,
            object_id__in=object_ids_as_text(visible_media(user, model)),
        )
    return queryset


def page_chooser_scope(pages, request):
    """The page chooser (a link in rich text, a related page) lists every page of the site to
    anyone who may open it, drafts and restricted pages of other bases included. Outside the
    subtrees where the person holds a page permission, only what the public site shows: live
    pages without a view restriction. Someone who may edit every page sees them all."""
    from django.db.models import Q
    from wagtail.models import GroupPagePermission

    user = request.user
    if user.is_superuser:
        return pages
    roots = (
        GroupPagePermission.objects.filter(group__user=user)
        .values_list("page__path", flat=True)
        .distinct()
    )
    own = Q(pk__in=[])
    for path in roots:
        own |= Q(path__startswith=path)
    return pages.filter(own | Q(pk__in=pages.model.objects.live().public().values("pk")))


def _install_log_entries() -> None:
    from wagtail.models.audit_log import ModelLogEntryManager

    original = ModelLogEntryManager.viewable_by_user

    def viewable_by_user(self, user):
        queryset = original(self, user)
        if user.is_superuser:
            return queryset
        for scope in _log_entry_scopes:
            queryset = scope(user, queryset)
        return queryset

    ModelLogEntryManager.viewable_by_user = viewable_by_user


def _install_bulk_actions() -> None:
    from wagtail.documents.views.bulk_actions.document_bulk_action import DocumentBulkAction
    from wagtail.images.views.bulk_actions.image_bulk_action import ImageBulkAction

    for action_class in (ImageBulkAction, DocumentBulkAction):
        original = action_class.get_actionable_objects

        def get_actionable_objects(self, _original=original):
            # Items the user may not even see are left out, not named as "no permission".
            objects, extra = _original(self)
            visible = set(visible_media(self.request.user, self.model).values_list("pk", flat=True))
            objects = [item for item in objects if item.pk in visible]
            extra["items_with_no_access"] = [
                item for item in extra.get("items_with_no_access", []) if item.pk in visible
            ]
            return objects, extra

        action_class.get_actionable_objects = get_actionable_objects


def _install_chooser_create() -> None:
    from wagtail.admin.views.generic.chooser import CreateViewMixin

    original = CreateViewMixin.dispatch

    def dispatch(self, request, *args, **kwargs):
        # A chooser without a creation form offers no "create" tab: its address is not found,
        # where Wagtail would fail on ``None.is_valid()``.
        if self.get_creation_form_class() is None:
            raise Http404
        return original(self, request, *args, **kwargs)

    CreateViewMixin.dispatch = dispatch


def _install_csv_export() -> None:
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from portal.accounts.spreadsheets import csv_safe

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: csv_safe(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    SpreadsheetExportMixin.write_csv_row = write_csv_row


def _install_admin_api() -> None:
    from wagtail.documents import get_document_model
    from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
    from wagtail.images import get_image_model
    from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

    for endpoint_class, model in (
        (ImagesAdminAPIViewSet, get_image_model()),
        (DocumentsAdminAPIViewSet, get_document_model()),
    ):

        def get_queryset(self, _class=endpoint_class, _model=model):
            # Listing, detail and "find" of the admin API: only what the user may see.
            queryset = super(_class, self).get_queryset()
            return queryset.filter(pk__in=visible_media(self.request.user, _model).values("pk"))

        endpoint_class.get_queryset = get_queryset


def install() -> None:
    """Narrow the admin once (called from ``cms.wagtail_hooks``)."""
    global _installed
    if _installed:
        return
    _installed = True
    log_entry_scope_register(_media_log_scope)
    _install_log_entries()
    _install_bulk_actions()
    _install_chooser_create()
    _install_csv_export()
    _install_admin_api()
