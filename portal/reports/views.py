"""The reports pages under /oversight/reports/: ask for a report, follow it, download it.

For administrators and whoever holds ``portal.prepare_reports``. ``/oversight/`` is one of the
MFA-protected paths, so the middleware has asked administrators for their second factor; a
person who holds only the permission is held to the same rule here. A job is visible to the
person who asked for it (and to superusers); to anyone else it does not exist (404).
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.middleware import second_factor_refusal, user_needs_mfa

from . import selectors, services
from .forms import ReportForm
from .models import ReportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERMISSION = "portal.prepare_reports"


def reports_permission_required(view):
    """Signed in, holding the permission, and signed in with a second factor."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.has_perm(PERMISSION):
            raise PermissionDenied
        if not user_needs_mfa(user):  # the middleware has not checked this person
            refused = second_factor_refusal(
                request,
                _("Reports need two-factor sign-in. Set up an authenticator app to continue."),
            )
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    return wrapped


def _job_or_404(request, pk: int) -> ReportJob:
    job = selectors.report_job_visible(user=request.user, job_id=pk)
    if job is None:
        raise Http404
    return job


@require_http_methods(["GET", "POST"])
@reports_permission_required
def report_list(request):
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            job = services.report_job_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                parameters=form.parameters(),
                language=translation.get_language() or "zh-hans",
            )
            job.refresh_from_db()
            if job.status == ReportJob.Status.DONE:
                messages.success(request, _("Your report is ready to download."))
            elif job.status == ReportJob.Status.FAILED:
                messages.error(request, _("Your report could not be prepared; see why below."))
            else:
                messages.success(
                    request,
                    _("Your report is being prepared. This page shows when it is ready."),
                )
            return redirect("reports")
        messages.error(request, _("No report was prepared. Correct the marked fields."))
    else:
        form = ReportForm(initial={"kind": ReportJob.Kind.CERTIFICATES})
    jobs = selectors.report_jobs_for(user=request.user)
    for job in jobs:
        job.period = selectors.report_job_period(job)
    return render(
        request,
        "portal/reports/list.html",
        {
            "section": "reports",
            "form": form,
            "jobs": jobs,
            "polling": any(not job.finished for job in jobs),
            "keep_days": services.KEEP_FOR.days,
        },
    )


@require_GET
@reports_permission_required
def report_status(request, pk: int):
    job = _job_or_404(request, pk)
    response = JsonResponse(selectors.report_job_status(job))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@reports_permission_required
def report_download(request, pk: int):
    job = _job_or_404(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, OSError):
        messages.error(request, _("The file of this report is no longer there. Prepare it again."))
        return redirect("reports")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=selectors.report_job_download_name(job),
        content_type=XLSX,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@reports_permission_required
def report_delete(request, pk: int):
    job = _job_or_404(request, pk)
    services.report_job_delete(job=job)
    messages.success(request, _("The report is deleted."))
    return redirect("reports")
