"""A class's roster for its base's staff, on screen and as XLSX."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.provinces import Province
from portal.accounts.spreadsheets import XlsxWriter

from .models import CoursePage
from .permissions import require_staff_of
from .selectors import class_roster

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def roster(request, course_id):
    course = get_object_or_404(CoursePage, pk=course_id)
    base = course.training_base
    require_staff_of(request.user, base.pk if base else None)
    data = class_roster(course=course)
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(course, data)
    return render(request, "courses/roster.html", {"course": course, "roster": data})


def _province(code):
    return str(Province(code).label) if code in Province.values else ""


# Column widths of the XLSX roster, A to M.
XLSX_WIDTHS = (12, 28, 16, 10, 28, 10, 8, 8, 8, 10, 8, 8, 12)


def _xlsx_response(course, data) -> HttpResponse:
    """The roster as XLSX. Every value goes through ``portal.accounts.spreadsheets``: what
    trainees typed (a name, an organisation) stays text, never a formula, and loses the control
    characters an XLSX file cannot hold."""
    book = XlsxWriter()
    try:
        book.add_sheet(_("Roster"), widths=XLSX_WIDTHS)
        book.append([course.title, course.class_name])
        book.append(
            [
                _("Enrolled"),
                data.enrolled,
                _("Completed"),
                data.completed,
                _("Pass rate"),
                f"{data.pass_rate}%" if data.pass_rate is not None else "—",
            ]
        )
        book.append(
            [
                _("Name"),
                _("E-mail"),
                _("Phone"),
                _("Province"),
                _("Organisation"),
                _("Status"),
                _("Hours"),
                _("Of"),
                _("Attempts"),
                _("Best score"),
                _("Out of"),
                _("Passed"),
                _("Minutes active"),
            ],
            bold=True,
        )
        for row in data.rows:
            user = row.enrolment.user
            book.append(
                [
                    user.real_name,
                    user.email,
                    user.phone,
                    _province(user.province),
                    user.organisation,
                    str(row.enrolment.get_status_display()),
                    float(row.credited_hours),
                    float(data.total_hours),
                    row.attempts,
                    float(row.best_score) if row.best_score is not None else None,
                    float(row.max_score) if row.max_score is not None else None,
                    "" if row.passed is None else (_("yes") if row.passed else _("no")),
                    row.active_minutes,
                ]
            )
        out = io.BytesIO()
        book.save(out)
    except Exception:
        book.discard()
        raise
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="roster-{course.pk}-{stamp}.xlsx"'
    return response
