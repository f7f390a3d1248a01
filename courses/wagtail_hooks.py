"""The question bank and exams in the Wagtail admin, each base seeing only its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_forms import BlueprintPanel, ExamForm, QuestionForm
from .models import Exam, Question
from .permissions import BaseScopedPermissionPolicy, staff_base_ids
from .selectors import exam_standard_warnings


class InstanceScopeMixin:
    """Refuse an object of another base, which the snippet views do not check themselves."""

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        policy = policy_registry.get_by_type(type(instance))
        if not policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "delete", "view"], instance
        ):
            raise PermissionDenied
        return instance


def _scoped(view_class):
    return type(f"BaseScoped{view_class.__name__}", (InstanceScopeMixin, view_class), {})


class BaseScopedViewSet(SnippetViewSet):
    edit_view_class = _scoped(snippet_views.EditView)
    delete_view_class = _scoped(snippet_views.DeleteView)
    copy_view_class = _scoped(snippet_views.CopyView)
    history_view_class = _scoped(snippet_views.HistoryView)
    usage_view_class = _scoped(snippet_views.UsageView)
    inspect_view_class = _scoped(snippet_views.InspectView)

    def get_queryset(self, request):
        allowed = staff_base_ids(request.user)
        objects = self.model.objects.all()
        return objects if allowed is None else objects.filter(base_id__in=allowed)


class QuestionViewSet(BaseScopedViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["stem", "type", "level", "category", "difficulty", "status", "updated_at"]
    list_filter = ["type", "level", "category", "difficulty", "status", "base"]
    search_fields = ["stem", "explanation"]
    ordering = ["-updated_at"]
    panels = [
        FieldPanel("base"),
        FieldRowPanel([FieldPanel("type"), FieldPanel("status")]),
        FieldPanel("stem"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("option_a"), FieldPanel("option_b")]),
                FieldRowPanel([FieldPanel("option_c"), FieldPanel("option_d")]),
                FieldRowPanel([FieldPanel("option_e"), FieldPanel("option_f")]),
                FieldPanel("answer_keys"),
                FieldPanel("answer_true_false"),
            ],
            heading=_("Options and answer"),
        ),
        FieldPanel("reference_answer"),
        FieldPanel("explanation"),
        FieldRowPanel(
            [
                FieldPanel("level"),
                FieldPanel("category"),
                FieldPanel("difficulty"),
                FieldPanel("points"),
            ]
        ),
        FieldPanel("tags"),
    ]


class ExamViewSet(BaseScopedViewSet):
    model = Exam
    icon = "form"
    menu_label = _("Exams")
    list_display = ["title", "level", "opens_at", "closes_at", "is_published"]
    list_filter = ["level", "is_published", "base"]
    search_fields = ["title"]
    panels = [
        FieldPanel("base"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("course"), FieldPanel("eligibility")]),
        BlueprintPanel(heading=_("Blueprint")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel(
                    [
                        FieldPanel("time_limit_minutes"),
                        FieldPanel("pass_mark"),
                        FieldPanel("max_attempts"),
                    ]
                ),
                FieldRowPanel([FieldPanel("shuffle_options"), FieldPanel("allow_review")]),
            ],
            heading=_("Sitting"),
        ),
        FieldPanel("is_published"),
    ]


QuestionViewSet.edit_handler = ObjectList(QuestionViewSet.panels, base_form_class=QuestionForm)
ExamViewSet.edit_handler = ObjectList(ExamViewSet.panels, base_form_class=ExamForm)


class ExamsGroup(SnippetViewSetGroup):
    menu_label = _("Exams")
    menu_icon = "form"
    menu_order = 300
    items = (QuestionViewSet, ExamViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_of_missed_exam_standards(request, instance):
    """After an exam is saved: the certifying bodies whose standard it misses, as warnings."""
    if isinstance(instance, Exam):
        for warning in exam_standard_warnings(exam=instance):
            messages.warning(request, warning)


register_permission_policy(Question, BaseScopedPermissionPolicy(Question))
register_permission_policy(Exam, BaseScopedPermissionPolicy(Exam))
register_snippet(ExamsGroup)
from . import wagtail_hooks_io  # noqa: E402,F401
