"""Applying to become a training base (any signed-in person) and reviewing the applications
(administrators). Thin: the forms parse, ``services`` decide, ``selectors`` read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.roles import Role, user_has_role

from ..files import file_response
from ..models import BaseApplication
from ..views import administrator_required
from . import selectors, services
from .forms import ApplicationForm, ResubmitNoteForm, ReviewForm


def _errors_into(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def _application_data(form) -> dict:
    return {field: form.cleaned_data[field] for field in services.FIELDS}


def _readable(request, application_id: int) -> BaseApplication:
    application = selectors.application_for(
        application_id=application_id,
        user=request.user,
        reviewer=user_has_role(request.user, Role.ADMINISTRATOR),
    )
    if application is None:
        raise Http404
    return application


@require_GET
@login_required
def application_list(request):
    return render(
        request,
        "portal/oversight/applications/mine.html",
        {"applications": selectors.applications_of(user_id=request.user.pk)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def application_new(request):
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                application = services.application_submit(
                    applicant=request.user,
                    data=_application_data(form),
                    uploads=form.cleaned_data["files"],
                )
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(
                    request,
                    _("Your application is submitted. The administrators will review it."),
                )
                return redirect("base_application", application_id=application.pk)
        messages.error(request, _("Nothing was submitted. Correct the marked fields."))
    else:
        form = ApplicationForm(
            initial={
                "contact_name": request.user.real_name,
                "contact_email": request.user.email,
            }
        )
    return render(request, "portal/oversight/applications/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def application_detail(request, application_id: int):
    application = _readable(request, application_id)
    is_applicant = application.applicant_id == request.user.pk
    form = note_form = None
    if is_applicant and application.editable:
        if request.method == "POST":
            form = ApplicationForm(request.POST, request.FILES, files_required=False)
            note_form = ResubmitNoteForm(request.POST)
            if form.is_valid() and note_form.is_valid():
                try:
                    services.application_resubmit(
                        application_id=application.pk,
                        applicant=request.user,
                        data=_application_data(form),
                        uploads=form.cleaned_data["files"],
                        note=note_form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    _errors_into(form, error)
                else:
                    messages.success(request, _("Your changes are submitted for review again."))
                    return redirect("base_application", application_id=application.pk)
            messages.error(request, _("Nothing was submitted. Correct the marked fields."))
        else:
            form = ApplicationForm(
                initial=ApplicationForm.initial_from(application), files_required=False
            )
            note_form = ResubmitNoteForm()
    elif request.method == "POST":
        messages.error(request, _("This application is not waiting for your changes."))
        return redirect("base_application", application_id=application.pk)
    return render(
        request,
        "portal/oversight/applications/detail.html",
        {
            "application": application,
            "is_applicant": is_applicant,
            "form": form,
            "note_form": note_form,
            "events": application.events.select_related("author"),
            "files": application.files.all(),
            "levels": _level_labels(application.levels),
            "accreditation_label": _accreditation_label(application.accreditation),
        },
    )


@require_GET
@login_required
def application_file(request, application_id: int, file_id: int):
    application = _readable(request, application_id)
    row = application.files.filter(pk=file_id).first()
    if row is None:
        raise Http404
    return file_response(row)


@require_GET
@administrator_required
def review_queue(request):
    status = request.GET.get("status", BaseApplication.Status.SUBMITTED)
    if status not in BaseApplication.Status.values and status != "all":
        status = BaseApplication.Status.SUBMITTED
    return render(
        request,
        "portal/oversight/applications/queue.html",
        {
            "section": "applications",
            "status": status,
            "statuses": BaseApplication.Status.choices,
            "applications": selectors.application_queue(status=None if status == "all" else status),
        },
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def review(request, application_id: int):
    application = _readable(request, application_id)
    own = application.applicant_id == request.user.pk
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                if decision == "comment":
                    services.application_comment(
                        application_id=application.pk,
                        actor=request.user,
                        comment=form.cleaned_data["comment"],
                    )
                else:
                    services.application_decide(
                        application_id=application.pk,
                        actor=request.user,
                        decision=decision,
                        comment=form.cleaned_data["comment"],
                        short_code=form.cleaned_data["short_code"],
                    )
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("Recorded: %(what)s.") % {"what": _label(form)})
                return redirect("oversight_base_application", application_id=application.pk)
        messages.error(request, _("Nothing was recorded. Correct the marked fields."))
    else:
        form = ReviewForm(initial={"short_code": application.short_code, "decision": "comment"})
    return render(
        request,
        "portal/oversight/applications/review.html",
        {
            "section": "applications",
            "application": application,
            "own": own,
            "form": form,
            "events": application.events.select_related("author"),
            "files": application.files.all(),
            "levels": _level_labels(application.levels),
            "accreditation_label": _accreditation_label(application.accreditation),
        },
    )


def _accreditation_label(value: str) -> str:
    import cms.api

    return str(dict(cms.api.Accreditation.choices).get(value, value))


def _label(form) -> str:
    return str(dict(form.fields["decision"].choices)[form.cleaned_data["decision"]])


def _level_labels(codes) -> list[str]:
    from .forms import level_choices

    labels = dict(level_choices())
    return [str(labels.get(code, code)) for code in codes]
