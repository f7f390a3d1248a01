"""The national dashboard (administrators) and each training base's dashboard (its editors),
under /oversight/dashboard/, with every chart's data as CSV and XLSX and its image as SVG.

The pages read only the precomputed figures (``selectors``); when the figures changed and no
Celery worker is there to recompute them (the embedded default), the page recomputes them
first.
"""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from certification import api as certification_api
from cms import api as cms_api
from courses import api as courses_api
from portal.accounts.roles import Role, user_has_role
from portal.accounts.spreadsheets import csv_bytes, xlsx_bytes

from . import selectors, services
from .charts import Chart
from .forms import FilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv", "xlsx", "svg"}


def _snapshot():
    """The latest figures, recomputed first when there are none yet, or when they changed and
    no worker will recompute them."""
    snapshot = selectors.snapshot_latest()
    if snapshot is None or (settings.CELERY_TASK_ALWAYS_EAGER and services.dashboard_is_dirty()):
        snapshot = services.dashboard_refresh()
    return snapshot


def _is_administrator(user) -> bool:
    return user_has_role(user, Role.ADMINISTRATOR)


def administrator_only(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not _is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def base_staff_only(view):
    """Administrators, and the editors of the training base in the URL."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, base_id, *args, **kwargs):
        base = cms_api.training_base_get(page_id=base_id)
        if base is None:
            raise Http404
        if not _is_administrator(
            request.user
        ) and base_id not in cms_api.training_base_ids_for_staff(
            user_id=request.user.pk, role="editor"
        ):
            raise PermissionDenied
        return view(request, base, *args, **kwargs)

    return wrapped


def _national(request):
    snapshot = _snapshot()
    bases = sorted(((int(pk), name) for pk, name in snapshot.bases.items()), key=lambda b: b[1])
    return snapshot, FilterForm(request.GET, bases=bases, levels=snapshot.levels)


def _base(request):
    snapshot = _snapshot()
    return snapshot, FilterForm(request.GET, levels=snapshot.levels)


def _valid_filters(form: FilterForm):
    return form.filters() if form.is_valid() else None


def _render(request, *, template_context, form, status=200):
    return render(
        request,
        "portal/dashboard/dashboard.html",
        {**template_context, "form": form},
        status=status,
    )


@require_GET
@administrator_only
def national(request):
    snapshot, form = _national(request)
    filters = _valid_filters(form)
    context = {"scope": "national", "snapshot": snapshot, "query": form.query_string()}
    context["section"] = "dashboard"
    context["registrars"] = certification_api.registrar_figures()[0]
    context["stale"] = services.dashboard_is_dirty()
    if filters is None:
        return _render(request, template_context=context, form=form, status=400)
    board = selectors.dashboard(filters, snapshot=snapshot)
    return _render(request, template_context={**context, "board": board}, form=form)


@require_GET
@administrator_only
def national_chart(request, key, fmt):
    snapshot, form = _national(request)
    filters = _valid_filters(form)
    if filters is None:
        return _bad_filters(form)
    board = selectors.dashboard(filters, snapshot=snapshot)
    return _download(board.chart(key), fmt, prefix="national")


@require_GET
@login_required
def base_landing(request):
    """An editor's way in: straight to their base's dashboard, or a choice of their bases."""
    ids = cms_api.training_base_ids_for_staff(user_id=request.user.pk, role="editor")
    if _is_administrator(request.user):
        ids = {base.page_id for base in cms_api.training_bases_all()}
    if not ids:
        raise PermissionDenied
    if len(ids) == 1:
        return redirect("dashboard_base", base_id=next(iter(ids)))
    bases = [base for base in cms_api.training_bases_all() if base.page_id in ids]
    return render(request, "portal/dashboard/bases.html", {"bases": bases})


@require_GET
@base_staff_only
def base(request, base):
    snapshot, form = _base(request)
    filters = _valid_filters(form)
    context = {"scope": "base", "base": base, "snapshot": snapshot, "query": form.query_string()}
    context["stale"] = services.dashboard_is_dirty()
    if filters is None:
        return _render(request, template_context=context, form=form, status=400)
    board = selectors.dashboard(
        filters, snapshot=snapshot, base_ids={base.page_id}, with_goals=False
    )
    board.charts.append(_classes_chart(base))
    return _render(request, template_context={**context, "board": board}, form=form)


@require_GET
@base_staff_only
def base_chart(request, base, key, fmt):
    snapshot, form = _base(request)
    filters = _valid_filters(form)
    if filters is None:
        return _bad_filters(form)
    if key == "classes":
        chart = _classes_chart(base)
    else:
        board = selectors.dashboard(
            filters, snapshot=snapshot, base_ids={base.page_id}, with_goals=False
        )
        chart = board.chart(key)
    return _download(chart, fmt, prefix=f"base-{base.short_code or base.page_id}")


def _classes_chart(base) -> Chart:
    levels = cms_api.Level.labels()

    def rate(value):
        return round(value * 100, 1) if value is not None else None

    rows = [
        [
            report.title,
            report.class_name,
            str(levels.get(report.level, report.level)),
            report.start_date.isoformat(),
            report.end_date.isoformat(),
            report.enrolled,
            report.completed,
            report.withdrawn,
            float(report.hours),
            rate(report.attendance_rate),
            report.attempts,
            report.passes,
            rate(report.pass_rate),
        ]
        for report in courses_api.class_reports(base_id=base.page_id)
    ]
    return Chart(
        key="classes",
        title=_("Classes"),
        description=_(
            "Every class of %(base)s with its trainees, hours, attendance and exam results."
        )
        % {"base": base.name},
        headers=[
            (_("Course"), 30),
            (_("Class"), 18),
            (_("Level"), 18),
            (_("Starts"), 12),
            (_("Ends"), 12),
            (_("Enrolled"), 10),
            (_("Completed"), 10),
            (_("Withdrawn"), 10),
            (_("Hours credited"), 12),
            (_("Attendance (%)"), 12),
            (_("Exam attempts"), 12),
            (_("Passed"), 10),
            (_("Pass rate (%)"), 12),
        ],
        rows=rows,
    )


def _bad_filters(form) -> HttpResponse:
    errors = [str(error) for errors in form.errors.values() for error in errors]
    return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")


def _download(chart: Chart | None, fmt: str, *, prefix: str) -> HttpResponse:
    if chart is None or fmt not in FORMATS or (fmt == "svg" and not chart.svg):
        raise Http404
    name = f"{prefix}-{chart.key}.{fmt}"
    if fmt == "svg":
        response = HttpResponse(chart.svg, content_type="image/svg+xml; charset=utf-8")
    elif fmt == "csv":
        headers = [title for title, _width in chart.headers]
        response = HttpResponse(
            csv_bytes(headers=headers, rows=chart.rows), content_type="text/csv; charset=utf-8"
        )
    else:
        body = xlsx_bytes(sheet_title=chart.title, headers=chart.headers, rows=chart.rows)
        response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
