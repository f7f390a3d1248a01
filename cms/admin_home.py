"""A base editor's start in the Wagtail admin: their base's pages and one-click "new ..." actions.

The admin's own dashboard counts every page of the site and lists nothing an editor of one base
works on. This panel names each base the person edits, offers "new news item", "new textbook",
"new course" (whatever the base's sections accept) opening the create form under the right
parent, and lists the base's pages edited last.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

RECENT_PAGES = 8

# The actions an editor uses most come first; other page types follow in tree order.
_ACTION_ORDER = ["newspage", "textbookpage", "coursepage", "facultymemberpage"]


@dataclass
class QuickAction:
    label: str
    url: str
    model_name: str


@dataclass
class RecentPage:
    title: str
    type_name: str
    edit_url: str
    live: bool
    has_draft: bool
    updated_at: object


@dataclass
class BaseDesk:
    title: str
    explore_url: str
    actions: list
    recent: list


def _actions(base, user) -> list[QuickAction]:
    actions = []
    for section in base.get_children().specific():
        if not section.permissions_for_user(user).can_add_subpage():
            continue
        for model in section.specific_class.creatable_subpage_models():
            if not model.can_create_at(section):
                continue
            meta = model._meta
            actions.append(
                QuickAction(
                    label=_("New %(type)s") % {"type": meta.verbose_name},
                    url=reverse(
                        "wagtailadmin_pages:add",
                        args=(meta.app_label, meta.model_name, section.pk),
                    ),
                    model_name=meta.model_name,
                )
            )

    def rank(action):
        name = action.model_name
        return _ACTION_ORDER.index(name) if name in _ACTION_ORDER else len(_ACTION_ORDER)

    return sorted(actions, key=rank)


def _recent(base) -> list[RecentPage]:
    from wagtail.models import Page

    pages = (
        Page.objects.descendant_of(base)
        .exclude(latest_revision_created_at=None)
        .order_by("-latest_revision_created_at", "-pk")
        .specific()[:RECENT_PAGES]
    )
    return [
        RecentPage(
            title=page.get_admin_display_title(),
            type_name=page._meta.verbose_name,
            edit_url=reverse("wagtailadmin_pages:edit", args=(page.pk,)),
            live=page.live,
            has_draft=page.has_unpublished_changes,
            updated_at=page.latest_revision_created_at,
        )
        for page in pages
    ]


def base_desks(user) -> list[BaseDesk]:
    """The bases ``user`` edits, each with its quick actions and its pages edited last."""
    from .models import TrainingBasePage

    if not user.is_authenticated or user.is_superuser:
        return []
    bases = TrainingBasePage.objects.filter(workspace__editors__user=user).order_by("title")
    return [
        BaseDesk(
            title=base.title,
            explore_url=reverse("wagtailadmin_explore", args=(base.pk,)),
            actions=_actions(base, user),
            recent=_recent(base),
        )
        for base in bases
    ]


class BaseEditorPanel(Component):
    """The dashboard panel; shown only to someone who edits a base."""

    name = "base_editor_desk"
    order = 50
    template_name = "cms/admin/base_editor_panel.html"

    def __init__(self, desks):
        self.desks = desks

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["desks"] = self.desks
        return context


def homepage_panels(request, panels) -> None:
    """``construct_homepage_panels``: a base editor's desk first, above Wagtail's own panels."""
    desks = base_desks(request.user)
    if desks:
        panels.insert(0, BaseEditorPanel(desks))


def publish_first(menu_items, request, context) -> None:
    """``construct_page_action_menu``: for someone who may publish, "Publish" is the button
    itself rather than an entry of its drop-down (submitting for review stays there)."""
    for index, item in enumerate(menu_items):
        if item.name == "action-publish" and index:
            menu_items.insert(0, menu_items.pop(index))
            return
