"""The administrators' base evaluation pages under /oversight/evaluations/.

Administrators only (the MFA middleware has already asked for the second factor, as
``/oversight/`` is one of the protected paths). The views stay thin: figures come from
``selectors``, saving and grading from ``services`` and ``rules``.
"""

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

import cms.api
from portal.accounts.roles import Role, user_has_role
from portal.accounts.spreadsheets import xlsx_bytes

from . import selectors, services
from .forms import EvaluationForm
from .rules import CRITERIA, Grade, current_rule, grade_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR = 2000


def administrator_required(view):
    """Administrators only: a visitor is sent to sign in, anyone else is refused."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not user_has_role(request.user, Role.ADMINISTRATOR):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _last_year() -> int:
    return timezone.localdate().year + 1


def _checked_year(year: int) -> int:
    if not FIRST_YEAR <= year <= _last_year():
        raise Http404
    return year


def _base_or_404(base_id: int):
    base = cms.api.training_base_get(page_id=base_id)
    if base is None:
        raise Http404
    return base


@require_GET
@administrator_required
def evaluation_list(request):
    year = timezone.localdate().year
    raw = request.GET.get("year", "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= _last_year():
            year = int(raw)
        else:
            messages.error(
                request,
                _("“%(year)s” is not a year between %(first)s and %(last)s; showing %(shown)s.")
                % {"year": raw[:20], "first": FIRST_YEAR, "last": _last_year(), "shown": year},
            )
    rows = selectors.year_overview(year=year)
    counts = dict.fromkeys(Grade.values, 0)
    for row in rows:
        if row.grade:
            counts[row.grade] += 1
    return render(
        request,
        "portal/oversight/list.html",
        {
            "section": "list",
            "year": year,
            "rows": rows,
            "evaluated": sum(counts.values()),
            "grade_counts": [(Grade(g).label, counts[g]) for g in Grade.values],
            "years": range(_last_year(), FIRST_YEAR - 1, -1)[:12],
        },
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def evaluation_form(request, base_id: int, year: int):
    _checked_year(year)
    base = _base_or_404(base_id)
    rule = current_rule()
    existing = selectors.evaluation_get(base_id=base_id, year=year)
    if request.method == "POST":
        form = EvaluationForm(request.POST, rule=rule)
        if form.is_valid():
            try:
                services.evaluation_save(
                    base_id=base_id,
                    year=year,
                    scores={c.key: form.cleaned_data[f"{c.key}_score"] for c in rule.criteria},
                    comments={c.key: form.cleaned_data[f"{c.key}_comment"] for c in rule.criteria},
                    overall_comment=form.cleaned_data["overall_comment"],
                    actor=request.user,
                    published=form.cleaned_data["published"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(
                    request,
                    _("The %(year)s evaluation of %(base)s is saved.")
                    % {"year": year, "base": base.name},
                )
                return redirect("oversight_evaluation_history", base_id=base_id)
        if form.errors:
            messages.error(request, _("Nothing was saved. Correct the marked fields."))
    else:
        form = EvaluationForm(initial=EvaluationForm.initial_from(existing), rule=rule)
    preview = None
    if existing is not None and request.method == "GET":
        preview = grade_for(
            {c.key: getattr(existing, f"{c.key}_score") for c in rule.criteria}, rule
        )
    return render(
        request,
        "portal/oversight/form.html",
        {
            "base": base,
            "year": year,
            "form": form,
            "rule": rule,
            "existing": existing,
            "preview": preview,
            "figures": selectors.base_figures(base_id=base_id, year=year),
            "assessment": selectors.self_assessment_get(base_id=base_id, year=year),
        },
    )


@require_GET
@administrator_required
def evaluation_history(request, base_id: int):
    base = _base_or_404(base_id)
    revisions = selectors.evaluation_history(base_id=base_id)
    return render(
        request,
        "portal/oversight/history.html",
        {
            "base": base,
            "revisions": revisions,
            "this_year": timezone.localdate().year,
            "criteria": list(CRITERIA.items()),
        },
    )


# The report goes to the authorities in Chinese whatever the reader's language.
GRADE_NAMES_ZH = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}

EXPORT_HEADERS = [
    ("基地", 30),
    ("基地代码", 12),
    ("省份", 10),
    ("年度", 8),
    ("配套建设", 10),
    ("培训组织", 10),
    ("培训绩效", 10),
    ("创新做法", 10),
    ("总分", 8),
    ("等级", 8),
    ("培训班", 8),
    ("学员", 8),
    ("学时", 10),
    ("考试通过率(%)", 14),
    ("发证数", 8),
    ("师资", 8),
    ("教材", 8),
    ("综合评语", 40),
    ("考核人", 16),
    ("考核时间", 18),
]


@require_GET
@administrator_required
def evaluation_export(request, year: int):
    _checked_year(year)
    content = _export_workbook(selectors.year_results(year=year))
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"base-evaluations-{year}.xlsx",
        content_type=XLSX,
    )


def _export_workbook(evaluations) -> bytes:
    with translation.override("zh-hans"):
        return xlsx_bytes(
            sheet_title="基地考核", headers=EXPORT_HEADERS, rows=map(_export_row, evaluations)
        )


def _export_row(e) -> list:
    from portal.accounts.provinces import Province

    figures = e.figures or {}
    province = e.base.province
    return [
        e.base.title,
        e.base.short_code,
        str(Province(province).label) if province in Province.values else province,
        e.year,
        float(e.facilities_score),
        float(e.organisation_score),
        float(e.results_score),
        float(e.innovation_score),
        float(e.total),
        GRADE_NAMES_ZH.get(e.grade, e.grade),
        figures.get("classes"),
        figures.get("trainees"),
        float(figures["hours"]) if figures.get("hours") else 0,
        float(figures["pass_rate"]) if figures.get("pass_rate") else None,
        figures.get("certificates"),
        figures.get("faculty"),
        figures.get("textbooks"),
        e.overall_comment,
        e.evaluated_by.real_name or e.evaluated_by.email,
        timezone.localtime(e.evaluated_at).replace(tzinfo=None, microsecond=0),
    ]
