"""Talent filing: the holder's page, the national officers' review and the yearly evaluation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certification.access import is_filing_officer, is_own
from certification.errors import CertificationError
from certification.filing.exports import evaluations_xlsx
from certification.filing.forms import EvaluationRunForm, FilingDecisionForm, FilingSubmitForm
from certification.filing.models import TalentEvaluation, TalentFiling
from certification.filing.rules import rule_in_force
from certification.filing.selectors import filing_certificate, filing_of
from certification.filing.services import (
    evaluation_year_problem,
    evaluations_run,
    filing_decide,
    filing_review_start,
    filing_submit,
)
from certification.practice.models import PracticeRecord
from certification.practice.selectors import PracticeSummary, practice_summaries
from certification.workspace import certifier_required, form_errors, page_of, render_section


@login_required
@require_http_methods(["GET", "POST"])
def my_filing(request):
    user = request.user
    filing = filing_of(user_id=user.pk)
    certificate = filing_certificate(user_id=user.pk)
    initial = {"organisation": user.organisation}
    if filing:
        initial = {
            "organisation": filing.organisation,
            "specialties": filing.specialties,
            "statement": filing.statement,
        }
    form = FilingSubmitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            filing_submit(person=user, **form.cleaned_data)
        except CertificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your filing has been submitted to the national body."))
            return redirect("my_filing")
    evaluations = filing.evaluations.order_by("-year") if filing else []
    return render(
        request,
        "certification/filing/my_filing.html",
        {
            "filing": filing,
            "certificate": certificate,
            "form": form,
            "can_submit": certificate is not None
            and (filing is None or filing.status == TalentFiling.Status.RETURNED),
            "evaluations": evaluations,
            "rule": rule_in_force(),
            "confirmed_projects": PracticeRecord.objects.filter(
                owner=user, status=PracticeRecord.Status.CONFIRMED
            ).count(),
        },
    )


def _decide(request, form) -> None:
    data = form.cleaned_data
    filing = get_object_or_404(TalentFiling, pk=data["filing"])
    try:
        if data["action"] == FilingDecisionForm.START:
            filing_review_start(filing_id=filing.pk, actor=request.user)
            messages.success(request, _("Taken for review."))
        else:
            filing = filing_decide(
                filing_id=filing.pk,
                actor=request.user,
                file=data["action"] == FilingDecisionForm.FILE,
                comment=data["comment"],
                reference=data["reference"],
            )
            messages.success(
                request,
                _("%(name)s: %(status)s")
                % {
                    "name": filing.person.real_name or filing.person.email,
                    "status": filing.get_status_display(),
                },
            )
    except CertificationError as error:
        messages.error(request, str(error))


@certifier_required
@require_http_methods(["GET", "POST"])
def talent_filing(request, *, bodies):
    if not is_filing_officer(request.user):
        raise PermissionDenied
    run_form = EvaluationRunForm()
    if request.method == "POST":
        if request.POST.get("action") == "evaluate":
            run_form = EvaluationRunForm(request.POST)
            if run_form.is_valid():
                year = run_form.cleaned_data["year"]
                try:
                    counts = evaluations_run(year=year, actor=request.user)
                except CertificationError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(
                        request,
                        _("%(count)d filed people evaluated for %(year)d.")
                        % {"count": counts["evaluated"], "year": year},
                    )
                    if counts["skipped_own"]:
                        messages.warning(
                            request, _("You were left out: another officer evaluates you.")
                        )
                    return redirect(f"{request.path}?year={year}")
            form_errors(request, run_form)
            return redirect(request.path)
        form = FilingDecisionForm(request.POST)
        if form.is_valid():
            _decide(request, form)
        else:
            form_errors(request, form)
        return redirect(request.get_full_path())
    status = request.GET.get("status") or ""
    if status not in TalentFiling.Status.values:
        status = ""
    filings = TalentFiling.objects.select_related("person", "certificate").order_by(
        "submitted_at", "pk"
    )
    if status:
        filings = filings.filter(status=status)
    else:
        filings = filings.filter(
            status__in=[TalentFiling.Status.SUBMITTED, TalentFiling.Status.REVIEW]
        )
    page = page_of(request, filings)
    practice = practice_summaries(user_ids=[filing.person_id for filing in page])
    for filing in page:
        filing.own = is_own(request.user, filing.person_id)
        filing.practice = practice.get(filing.person_id) or PracticeSummary()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        year = timezone.localdate().year - 1
    evaluations = (
        TalentEvaluation.objects.filter(year=year)
        .select_related("filing__person", "filing__certificate")
        .order_by("-total", "pk")
    )
    return render_section(
        request,
        "talent_filing.html",
        {
            "filings": page,
            "status": status,
            "statuses": TalentFiling.Status.choices,
            "run_form": run_form,
            "year": year,
            "evaluations": evaluations,
            "rule": rule_in_force(),
            "filed_total": TalentFiling.objects.filter(status=TalentFiling.Status.FILED).count(),
        },
        "talent_filing",
    )


@certifier_required
@require_GET
def talent_evaluations_export(request, *, bodies):
    """The year's evaluations as XLSX for the authorities (national officers only)."""
    if not is_filing_officer(request.user):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    problem = evaluation_year_problem(year)
    if problem:
        messages.error(request, problem)
        return redirect("certify_talent_filing")
    response = HttpResponse(
        evaluations_xlsx(year=year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="talent-evaluations-{year}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
