"""Goals in the Wagtail admin, with each goal's progress in the list."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from certification.goals.models import Goal
from certification.goals.services import goal_counted_levels_check


class GoalForm(WagtailAdminModelForm):
    """A goal must name what counts; the model checks the target and the dates."""

    def clean(self):
        cleaned = super().clean()
        message = goal_counted_levels_check(
            tracks=cleaned.get("tracks"), levels=cleaned.get("levels")
        )
        if message:
            self.add_error("levels", message)
        return cleaned


def _goal_progress(goal: Goal) -> str:
    from certification.goals.selectors import goal_progress

    return goal_progress(goal).summary


class GoalViewSet(SnippetViewSet):
    model = Goal
    icon = "crosshairs"
    menu_label = _("Goals")
    list_display = [
        "name",
        "target",
        Column("scope", label=_("scope"), accessor="scope_label"),
        "deadline",
        Column("progress", label=_("progress"), accessor=_goal_progress),
    ]
    list_filter = ["measure", "province"]
    search_fields = ["name", "source"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("name"), FieldPanel("source"), FieldPanel("target")],
                heading=_("Goal"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("tracks", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("levels", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("measure"),
                    FieldPanel("province"),
                ],
                heading=_("What counts"),
            ),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("deadline")]),
        ],
        base_form_class=GoalForm,
    )
