"""Forms of the question bank and exams in the Wagtail admin.

A question's options and answer are edited as plain fields (option A to F, tick the correct
ones, or pick true or false), the same shape as the XLSX import, and stored as the model's
``options`` and ``correct`` lists. The model's own check (``validate_question_content``)
stays the single judge of what is valid; its messages are shown on these fields.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import Panel

from cms.models import TrainingBasePage
from cms.taxonomy import ModuleCategory

from .models.exams import OBJECTIVE_TYPES, QuestionType
from .permissions import staff_base_ids
from .question_io import OPTION_KEYS, options_from_texts
from .selectors import bank_counts, exam_standard_warnings


class BaseScopedForm(WagtailAdminModelForm):
    """Offers only the bases the editor works at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "base" in self.fields and self.for_user is not None:
            allowed = staff_base_ids(self.for_user)
            bases = TrainingBasePage.objects.order_by("title")
            if allowed is not None:
                bases = bases.filter(pk__in=allowed)
            self.fields["base"].queryset = bases
            if bases.count() == 1 and not self.initial.get("base"):
                self.initial["base"] = bases.first().pk


def _option_field(key: str) -> forms.CharField:
    return forms.CharField(
        label=_("Option %(key)s") % {"key": key}, required=False, max_length=2000, strip=True
    )


OPTION_FIELDS = [f"option_{key.lower()}" for key in OPTION_KEYS]


class QuestionForm(BaseScopedForm):
    option_a = _option_field("A")
    option_b = _option_field("B")
    option_c = _option_field("C")
    option_d = _option_field("D")
    option_e = _option_field("E")
    option_f = _option_field("F")
    answer_keys = forms.MultipleChoiceField(
        label=_("Correct options"),
        choices=[(key, key) for key in OPTION_KEYS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For single and multiple choice: tick the correct option or options."),
    )
    answer_true_false = forms.ChoiceField(
        label=_("The statement is"),
        choices=[("T", _("True")), ("F", _("False"))],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("For true-or-false questions."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question = self.instance
        if question.pk is None:
            return
        if question.type == QuestionType.TRUE_FALSE:
            self.initial["answer_true_false"] = (question.correct or [""])[0]
            return
        # Options are shown as A, B, C... in their stored order, as the export writes them.
        renamed = {}
        shown = zip(question.options or [], OPTION_KEYS, OPTION_FIELDS, strict=False)
        for option, key, name in shown:
            self.initial[name] = option.get("text", "")
            renamed[option.get("key")] = key
        self.initial["answer_keys"] = [renamed[k] for k in question.correct or [] if k in renamed]

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        question = self.instance
        question.options, question.correct = [], []
        if kind in OBJECTIVE_TYPES - {QuestionType.TRUE_FALSE}:
            options, gap = options_from_texts([data.get(name, "") for name in OPTION_FIELDS])
            if gap:
                self.add_error(
                    f"option_{gap.lower()}",
                    _("Fill in the options from A on without gaps (%(key)s is empty).")
                    % {"key": gap},
                )
            # With a gap, the message above is the one to read: keep the model's check quiet.
            question.options = [o for o in options if o["text"]] if gap else options
            question.correct = list(data.get("answer_keys") or [])
        elif kind == QuestionType.TRUE_FALSE:
            answer = data.get("answer_true_false")
            question.correct = [answer] if answer else []
        return data

    def add_error(self, field, error):
        # The model's check names its own fields; show each message on the field that edits it.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            true_false = self.cleaned_data.get("type") == QuestionType.TRUE_FALSE
            moved = {
                "options": "option_a",
                "correct": "answer_true_false" if true_false else "answer_keys",
            }
            error = ValidationError(
                {moved.get(name, name): messages for name, messages in error.error_dict.items()}
            )
        super().add_error(field, error)


# -- an exam's blueprint as a table of counts (组卷表) ---------------------------------------------

BLUEPRINT_CELLS = [(qtype, category) for qtype in QuestionType for category in ModuleCategory]


def draw_field_name(qtype: str, category: str) -> str:
    return f"draw_{qtype}__{category}"


def blueprint_counts(rows) -> dict[tuple[str, str], int]:
    """How many questions of each (type, module) a blueprint draws, whatever their difficulty."""
    counts = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and isinstance(row.get("count"), int):
            cell = (row.get("type"), row.get("category"))
            counts[cell] = counts.get(cell, 0) + row["count"]
    return counts


class ExamFormBase(BaseScopedForm):
    """The blueprint is written as a count per question type and module. A cell left as it was
    keeps its stored rows (with any difficulty they name); a changed cell becomes one row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.blueprint_errors = []
        self.stored_counts = blueprint_counts(self.instance.blueprint)
        for (qtype, category), count in self.stored_counts.items():
            name = draw_field_name(qtype, category)
            if name in self.fields:
                self.initial[name] = count
        self.available = None
        if self.instance.pk:
            self.available = bank_counts(
                base_id=self.instance.base_id, level=self.instance.level_id
            )

    def blueprint_table(self):
        """Rows of the table the panel draws: a type, then per module its field and, for a
        saved exam, how many active questions the bank has for it."""
        rows = []
        for qtype in QuestionType:
            cells = []
            for category in ModuleCategory:
                available = None
                if self.available is not None:
                    available = self.available.get((qtype.value, category.value), 0)
                cells.append((self[draw_field_name(qtype, category)], available))
            rows.append((qtype.label, cells))
        return rows

    def standard_warnings(self) -> list[str]:
        """The certifying bodies whose exam standard this exam (as typed) misses, and why. A
        warning only: the exam can still be saved."""
        return exam_standard_warnings(exam=self.instance)

    def clean(self):
        data = super().clean()
        stored = self.instance.blueprint if isinstance(self.instance.blueprint, list) else []
        rows = []
        for qtype, category in BLUEPRINT_CELLS:
            count = data.get(draw_field_name(qtype, category)) or 0
            if not count:
                continue
            if count == self.stored_counts.get((qtype, category)):
                rows += [
                    row
                    for row in stored
                    if isinstance(row, dict) and row.get("type") == qtype
                    if row.get("category") == category
                ]
            else:
                rows.append({"type": qtype.value, "category": category.value, "count": count})
        self.instance.blueprint = rows
        return data

    def add_error(self, field, error):
        # The model names the blueprint as a whole: its messages go above the table.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            messages = error.error_dict.pop("blueprint", None)
            if messages:
                self.blueprint_errors = [m for e in messages for m in e.messages]
                super().add_error(None, messages)
            if not error.error_dict:
                return
        super().add_error(field, error)


def _draw_field(qtype, category) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{qtype.label} · {category.label}",
        required=False,
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"min": 0, "max": 500, "class": "blueprint-count"}),
    )


ExamForm = type(ExamFormBase)(
    "ExamForm",
    (ExamFormBase,),
    {
        "__module__": __name__,
        **{draw_field_name(t, c): _draw_field(t, c) for t, c in BLUEPRINT_CELLS},
    },
)


class BlueprintPanel(Panel):
    """The blueprint's table of counts: question types down, modules across."""

    def get_form_options(self):
        return {"fields": [draw_field_name(t, c) for t, c in BLUEPRINT_CELLS]}

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/blueprint_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["rows"] = self.form.blueprint_table()
            context["modules"] = [category.label for category in ModuleCategory]
            context["errors"] = self.form.blueprint_errors
            context["standard_warnings"] = self.form.standard_warnings()
            return context
