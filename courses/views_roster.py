"""A class's roster for its base's staff, on screen and as XLSX.

Only what running the class needs. Name, organisation and progress go to everyone who may
open the roster (the base's staff, and administrators overseeing it). A trainee's e-mail and
phone go only to the staff of the base whose course it is, the people who run the class; the
province is not shown at all (nothing in running a class needs it). People invited but not
yet enrolled appear only as a count.
"""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import api as cms_api
from portal.accounts.spreadsheets import XlsxWriter

from .invitations import invitations_waiting
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
    contact = _runs_the_class(request.user, base)
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(course, data, contact=contact)
    return render(
        request,
        "courses/roster.html",
        {
            "course": course,
            "roster": data,
            "show_contact": contact,
            "invitations_waiting": invitations_waiting(course=course),
        },
    )


def _runs_the_class(user, base) -> bool:
    """Whether ``user`` is on the staff of the course's own base (an administrator as such
    is not: they oversee, and see the roster without contact details)."""
    if base is None or not user.is_authenticated:
        return False
    return base.pk in cms_api.training_base_ids_for_staff(user_id=user.pk, role="any")


# Column widths of the XLSX roster: without contact details, and with e-mail and phone.
XLSX_WIDTHS = (12, 28, 10, 8, 8, 8, 10, 8, 8, 12)
XLSX_WIDTHS_CONTACT = (12, 28, 16, *XLSX_WIDTHS[1:])


def _xlsx_response(course, data, *, contact: bool) -> HttpResponse:
    """The roster as XLSX. Every value goes through ``portal.accounts.spreadsheets``: what
    trainees typed (a name, an organisation) stays text, never a formula, and loses the control
    characters an XLSX file cannot hold."""
    book = XlsxWriter()
    try:
        book.add_sheet(_("Roster"), widths=XLSX_WIDTHS_CONTACT if contact else XLSX_WIDTHS)
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
                *([_("E-mail"), _("Phone")] if contact else []),
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
                    *([user.email, user.phone] if contact else []),
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
