"""Staff pages for enrolling a whole class from a roster file. Thin: the rules are in imports.py.

Uploading shows a preview and writes nothing. The checked rows wait in the session under a
random token; confirming takes them from there (once) and applies them. Row data is never
posted back by the browser.
"""

import secrets
import time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import imports, invitations
from .models import CoursePage
from .permissions import require_staff_of
from .services import LearningError

SESSION_KEY = "courses_roster_imports"
PENDING_MAX_AGE = 60 * 60  # seconds a preview may wait for its confirmation
PENDING_MAX = 3  # previews kept per session; older ones are dropped


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _course_for_staff(request, course_id) -> CoursePage:
    course = get_object_or_404(CoursePage, pk=course_id)
    base = course.training_base
    require_staff_of(request.user, base.pk if base else None)
    return course


def _pending_store(request, course: CoursePage, rows) -> str:
    now = time.time()
    pending = {
        token: entry
        for token, entry in request.session.get(SESSION_KEY, {}).items()
        if now - entry.get("created", 0) < PENDING_MAX_AGE
    }
    token = secrets.token_urlsafe(24)
    pending[token] = {
        "course_id": course.pk,
        "user_id": request.user.pk,
        "created": now,
        "rows": [row.as_stored() for row in rows],
    }
    newest = sorted(pending, key=lambda key: pending[key]["created"])[-PENDING_MAX:]
    request.session[SESSION_KEY] = {key: pending[key] for key in newest}
    return token


def _pending_take(request, course: CoursePage, token) -> list | None:
    """The rows stored under ``token`` for this course and person, removed so they apply once."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(token, None) if isinstance(token, str) and token else None
    request.session[SESSION_KEY] = pending
    if (
        entry is None
        or entry.get("course_id") != course.pk
        or entry.get("user_id") != request.user.pk
        or time.time() - entry.get("created", 0) >= PENDING_MAX_AGE
    ):
        return None
    return [imports.RosterRow.from_stored(row) for row in entry.get("rows", [])]


@login_required
def roster_import(request, course_id):
    course = _course_for_staff(request, course_id)
    preview = None
    token = ""
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            rows, errors = imports.parse_roster_file(form.cleaned_data["file"])
            if errors:
                preview = imports.RosterPreview(rows=[], errors=errors)
            else:
                preview = imports.roster_preview(course=course, rows=rows)
                if preview.can_confirm:
                    token = _pending_store(request, course, rows)
            form = RosterUploadForm()  # a file input cannot keep its file; start afresh
    else:
        form = RosterUploadForm()
    return render(
        request,
        "courses/roster_import.html",
        {"course": course, "form": form, "preview": preview, "token": token},
    )


@login_required
@require_POST
def roster_import_confirm(request, course_id):
    course = _course_for_staff(request, course_id)
    again = redirect("courses:roster_import", course_id=course.pk)
    rows = _pending_take(request, course, request.POST.get("token"))
    if rows is None:
        messages.error(
            request,
            _(
                "This preview has expired or has already been imported. "
                "Upload the file again to import it."
            ),
        )
        return again
    try:
        result = imports.roster_import_apply(
            course=course,
            rows=rows,
            by=request.user,
            accept_url=lambda token: request.build_absolute_uri(
                reverse("courses:invitation", args=(token,))
            ),
        )
    except LearningError as error:
        messages.error(request, str(error))
        return again
    messages.success(
        request,
        _(
            "Import complete. Invited: %(invited)d; already invited: %(already_invited)d; "
            "already enrolled: %(already)d. Each person invited has been sent an e-mail and "
            "is enrolled once they accept."
        )
        % {
            "invited": result.invited,
            "already_invited": result.already_invited,
            "already": result.already,
        },
    )
    if course.live and course.url:
        return redirect(course.url)
    return again


# -- the invited person's side ---------------------------------------------------------------


def _invitation_or_404(request, token):
    """The invitation if it is addressed to the signed-in account. Anyone else, and any made-up
    token, gets the same 404: a token says nothing about whom it was sent to."""
    try:
        return invitations.invitation_for(user=request.user, token=token)
    except invitations.InvitationNotFound:
        raise Http404 from None


@login_required
def invitation(request, token):
    found = _invitation_or_404(request, token)
    return render(
        request,
        "courses/invitation.html",
        {
            "invitation": found,
            "course": found.course,
            "base": found.course.training_base,
            "is_open": found.is_open(),
        },
    )


@login_required
@require_POST
def invitation_accept(request, token):
    _invitation_or_404(request, token)
    try:
        enrolment = invitations.invitation_accept(user=request.user, token=token)
    except invitations.InvitationNotFound:
        raise Http404 from None
    except LearningError as error:
        messages.error(request, str(error))
        return redirect("my_learning")
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": enrolment.course})
    course = enrolment.course
    return redirect(course.url if course.live and course.url else "my_learning")


@login_required
@require_POST
def invitation_decline(request, token):
    _invitation_or_404(request, token)
    try:
        invitations.invitation_decline(user=request.user, token=token)
    except invitations.InvitationNotFound:
        raise Http404 from None
    except LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation declined. The base will not be told who you are."))
    return redirect("my_learning")
