"""A base's editors and their evaluation, under /my-base/: each year's grade with the figures
and the rule it was graded by, and the self-assessment they send before it is graded. Only
their own bases: another base's address answers 404, as if it did not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

import cms.api
from portal.accounts.roles import Role, user_has_role

from ..accreditation import accreditation_in_force
from ..files import file_response
from ..models import BaseEvaluation, SelfAssessmentFile
from ..rules import current_rule
from . import selectors, services
from .forms import SelfAssessmentForm


def _own_base(request, base_id: int):
    if base_id not in services.editor_base_ids(request.user):
        raise Http404
    base = cms.api.training_base_get(page_id=base_id)
    if base is None:
        raise Http404
    return base


@require_GET
@login_required
def my_bases(request):
    ids = services.editor_base_ids(request.user)
    bases = [b for b in cms.api.training_bases_all() if b.page_id in ids]
    if len(bases) == 1:
        return redirect("my_base_evaluation", base_id=bases[0].page_id)
    return render(request, "portal/oversight/my_base/list.html", {"bases": bases})


@require_GET
@login_required
def base_evaluation(request, base_id: int):
    base = _own_base(request, base_id)
    open_years = services.open_years()
    accreditation = selectors.accreditation_of(base_id=base_id)
    return render(
        request,
        "portal/oversight/my_base/evaluation.html",
        {
            "base": base,
            "years": selectors.base_years(base_id=base_id, open_years=open_years),
            "open_years": open_years,
            "accreditation": accreditation,
            "accreditation_in_force": accreditation and accreditation_in_force(accreditation),
            "current_rule": current_rule(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def self_assessment(request, base_id: int, year: int):
    base = _own_base(request, base_id)
    existing = selectors.assessment_get(base_id=base_id, year=year)
    graded = BaseEvaluation.objects.filter(base_id=base_id, year=year).exists()
    closed = graded or year not in services.open_years()
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.self_assessment_submit(
                    base_id=base_id,
                    year=year,
                    actor=request.user,
                    texts=form.cleaned_data,
                    summary=form.cleaned_data["summary"],
                    uploads=form.cleaned_data["files"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, problems in error.message_dict.items():
                        for problem in problems:
                            form.add_error(field if field in form.fields else None, problem)
                else:
                    for problem in error.messages:
                        form.add_error(None, problem)
            else:
                messages.success(
                    request,
                    _("The %(year)s self-assessment is sent to the administrators.")
                    % {"year": year},
                )
                return redirect("my_base_evaluation", base_id=base_id)
        messages.error(request, _("Nothing was sent. Correct the marked fields."))
    else:
        form = SelfAssessmentForm(initial=SelfAssessmentForm.initial_from(existing))
    return render(
        request,
        "portal/oversight/my_base/self_assessment.html",
        {
            "base": base,
            "year": year,
            "form": form,
            "existing": existing,
            "closed": closed,
            "graded": graded,
        },
    )


@require_GET
@login_required
def evidence_file(request, file_id: int):
    row = SelfAssessmentFile.objects.select_related("assessment").filter(pk=file_id).first()
    if row is None:
        raise Http404
    administrator = user_has_role(request.user, Role.ADMINISTRATOR)
    if not administrator and row.assessment.base_id not in services.editor_base_ids(request.user):
        raise Http404
    return file_response(row)
