"""The question bank and exams in the Wagtail admin, each base seeing only its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms import api as cms_api

from .admin_forms import BlueprintPanel, ExamForm, QuestionForm
from .models import Exam, Question
from .permissions import BaseScopedPermissionPolicy, staff_base_ids
from .selectors import exam_standard_warnings


class InstanceScopeMixin:
    """Refuse an object of another base, which the snippet views do not check themselves."""

    def get_object(self, *args, **kwargs):
        # Wagtail's History and Usage views call ``get_object()`` with no arguments, the edit
        # views with a queryset: pass on whatever came.
        instance = super().get_object(*args, **kwargs)
        policy = policy_registry.get_by_type(type(instance))
        if not policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "delete", "view"], instance
        ):
            raise PermissionDenied
        return instance


def _scoped(view_class):
    return type(f"BaseScoped{view_class.__name__}", (InstanceScopeMixin, view_class), {})


def _own_bases(view, objects):
    allowed = staff_base_ids(view.request.user)
    return objects if allowed is None else objects.filter(base_id__in=allowed)


class ScopedChooserMixin:
    """A chooser listing, choosing and creating only objects of the user's own bases."""

    def get_object_list(self):
        return _own_bases(self, super().get_object_list())


class ScopedChosenMixin:
    def get_object(self, pk):
        if not _own_bases(self, self.model_class.objects.filter(pk=pk)).exists():
            raise PermissionDenied
        return super().get_object(pk)


class ScopedChosenMultipleMixin:
    def get_objects(self, pks):
        return _own_bases(self, super().get_objects(pks))


class ScopedCreationMixin:
    """The viewset's own admin form (bases limited to the user's, its checks per type)."""

    def get_creation_form_class(self):
        viewset = VIEWSETS[self.model_class]
        return viewset.edit_handler.bind_to_model(self.model_class).get_form_class()

    def get_creation_form_kwargs(self):
        return {**super().get_creation_form_kwargs(), "for_user": self.request.user}


class BaseScopedChooserViewSet(chooser_views.SnippetChooserViewSet):
    choose_view_class = type(
        "BaseScopedChooseView",
        (ScopedChooserMixin, ScopedCreationMixin, chooser_views.ChooseView),
        {},
    )
    choose_results_view_class = type(
        "BaseScopedChooseResultsView",
        (ScopedChooserMixin, ScopedCreationMixin, chooser_views.ChooseResultsView),
        {},
    )
    chosen_view_class = type(
        "BaseScopedChosenView", (ScopedChosenMixin, chooser_views.SnippetChosenView), {}
    )
    chosen_multiple_view_class = type(
        "BaseScopedChosenMultipleView",
        (ScopedChosenMultipleMixin, chooser_views.SnippetChosenMultipleView),
        {},
    )
    create_view_class = type(
        "BaseScopedCreateView", (ScopedCreationMixin, chooser_views.SnippetCreateView), {}
    )


class BaseScopedViewSet(SnippetViewSet):
    chooser_viewset_class = BaseScopedChooserViewSet
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


VIEWSETS = {Question: QuestionViewSet, Exam: ExamViewSet}


def _own_bases_log_entries(user, queryset):
    """Site history: question and exam entries only of the user's own bases' objects (entries
    of deleted ones, whose base is gone with them, only for those who see every base)."""
    from django.contrib.contenttypes.models import ContentType

    allowed = staff_base_ids(user)
    if allowed is None:
        return queryset
    for model in (Question, Exam):
        content_type = ContentType.objects.get_for_model(model)
        queryset = queryset.exclude(content_type=content_type) | queryset.filter(
            content_type=content_type,
            object_id__in=cms_api.object_ids_as_text(model.objects.filter(base_id__in=allowed)),
        )
    return queryset


cms_api.log_entry_scope_register(_own_bases_log_entries)


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
