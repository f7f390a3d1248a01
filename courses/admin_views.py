"""Wagtail admin pages to import a base's question bank from XLSX and export it to XLSX."""

from django import forms
from django.contrib import messages
from django.core.validators import FileExtensionValidator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.admin.auth import require_admin_access

from cms.models import TrainingBasePage
from cms.taxonomy import Level, ModuleCategory
from portal.accounts.converters import record_id

from .models import Question, QuestionType
from .models.exams import Difficulty
from .permissions import staff_base_ids
from .question_io import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    XLSX_CONTENT_TYPE,
    QuestionFileError,
    parse_questions_xlsx,
    questions_import,
    questions_to_xlsx,
)

TEMPLATE = "courses/admin/questions_import.html"
ERRORS_SHOWN = 500  # more than this and the report says how many it left out

# The listing's filters that the export understands: GET name -> accepted values (a callable
# for the levels, which are data).
EXPORT_FILTERS = {
    "type": QuestionType.values,
    "level": Level.codes,
    "category": ModuleCategory.values,
    "status": Question.Status.values,
    "difficulty": [str(value) for value in Difficulty.values],
}


def _bases_for(user):
    bases = TrainingBasePage.objects.order_by("title")
    allowed = staff_base_ids(user)
    return bases if allowed is None else bases.filter(pk__in=allowed)


class QuestionImportForm(forms.Form):
    base = forms.ModelChoiceField(
        label=capfirst(gettext_lazy("training base")),
        queryset=TrainingBasePage.objects.none(),
        help_text=gettext_lazy("The questions are added to this base's bank."),
    )
    file = forms.FileField(
        label=gettext_lazy("XLSX file"),
        validators=[
            FileExtensionValidator(
                ["xlsx"], message=gettext_lazy("Choose an Excel workbook (.xlsx) file.")
            )
        ],
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bases = _bases_for(user)
        self.fields["base"].queryset = bases
        if len(bases) == 1:
            self.fields["base"].initial = bases[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


def _forbidden(request, message):
    return TemplateResponse(request, TEMPLATE, {"denied": message}, status=403)


@require_admin_access
@require_http_methods(["GET", "POST"])
def questions_import_view(request):
    """Upload an XLSX file into one base: every row checked, all imported or none."""
    if not request.user.has_perm("courses.add_question"):
        return _forbidden(request, _("You do not have permission to import questions."))
    form = QuestionImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors = []
    if request.method == "POST" and form.is_valid():
        base = form.cleaned_data["base"]
        try:
            rows, errors = parse_questions_xlsx(form.cleaned_data["file"], base)
        except QuestionFileError as error:
            form.add_error("file", str(error))
        else:
            if not errors:
                created = questions_import(base=base, rows=rows)
                messages.success(
                    request,
                    _("%(count)s questions imported into %(base)s.")
                    % {"count": len(created), "base": base.title},
                )
                return redirect(reverse("wagtailsnippets_courses_question:list"))
    context = {
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_left_out": max(0, len(errors) - ERRORS_SHOWN),
        "columns": [header for _key, header in COLUMNS],
        "max_rows": MAX_ROWS,
        "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
        "export_url": reverse("courses_questions_export"),
        "can_export": request.user.has_perm("courses.view_question"),
    }
    return TemplateResponse(request, TEMPLATE, context)


# The largest primary key a page can have (a 32-bit integer column on PostgreSQL).
MAX_PAGE_ID = 2**31 - 1


@require_admin_access
@require_GET
def questions_export_view(request):
    """The questions the user may see, filtered like the admin listing, as an XLSX file."""
    if not request.user.has_perm("courses.view_question"):
        return _forbidden(request, _("You do not have permission to export questions."))
    questions = Question.objects.all()
    allowed = staff_base_ids(request.user)
    if allowed is not None:
        questions = questions.filter(base_id__in=allowed)
    for name, accepted in EXPORT_FILTERS.items():
        accepted = accepted() if callable(accepted) else accepted
        values = [value for value in request.GET.getlist(name) if value in accepted]
        if values:
            questions = questions.filter(**{f"{name}__in": values})
    # A value that cannot be a page's number ("²", thirty digits, or past the 32-bit page ids,
    # which an ``__in`` lookup does not range-check) is ignored like other unknown filters.
    bases = [
        number
        for number in map(record_id, request.GET.getlist("base"))
        if number is not None and number <= MAX_PAGE_ID
    ]
    if bases:
        questions = questions.filter(base_id__in=bases)
    search = request.GET.get("q", "").strip()
    if search:
        questions = questions.filter(stem__icontains=search)

    content = questions_to_xlsx(questions.order_by("pk"))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"questions-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
