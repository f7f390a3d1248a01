"""Registration offices' pages: their administrators keep the in-post records and record
follow-up checks; national administrators see certified vs in post. Thin: the rules are in
services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certification.errors import CertificationError
from certification.registrars.forms import CheckForm, EndForm, InPostForm
from certification.registrars.models import RegistrationOffice
from certification.registrars.selectors import (
    office_records,
    offices_of,
    registrar_figures,
    scope_of,
)
from certification.registrars.services import (
    check_record,
    in_post_add,
    in_post_end,
    may_administer,
)
from certification.workspace import form_errors
from portal.accounts.roles import Role, user_has_role

FORMS = {"add": InPostForm, "end": EndForm, "check": CheckForm}


@login_required
def registrars_overview(request):
    """Administrators: registrar certificates held vs in post, national and per province, and
    every office; an office's administrators: their offices."""
    national = user_has_role(request.user, Role.ADMINISTRATOR)
    offices = list(RegistrationOffice.objects.all()) if national else offices_of(user=request.user)
    if not national and not offices:
        raise PermissionDenied
    figures = registrar_figures() if national else []
    return render(
        request,
        "certification/registrars/overview.html",
        {"offices": offices, "figures": figures, "national": national},
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_page(request, pk):
    office = get_object_or_404(RegistrationOffice, pk=pk)
    administers = may_administer(user=request.user, office=office)
    if not (administers or user_has_role(request.user, Role.ADMINISTRATOR)):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action")
        form_class = FORMS.get(action)
        if form_class is None:
            messages.error(request, _("Unknown action."))
            return redirect("registration_office", pk=office.pk)
        form = form_class(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return redirect("registration_office", pk=office.pk)
        data = form.cleaned_data
        try:
            if action == "add":
                in_post_add(
                    actor=request.user,
                    office=office,
                    number=data["number"],
                    since=data["since"],
                    note=data["note"],
                )
                messages.success(request, _("Recorded as in post."))
            elif action == "end":
                _own_record(office, data["record"])
                in_post_end(
                    actor=request.user,
                    record_id=data["record"],
                    until=data["until"],
                    note=data["note"],
                )
                messages.success(request, _("Recorded as having left the post."))
            else:
                _own_record(office, data["record"])
                check_record(
                    actor=request.user,
                    record_id=data["record"],
                    checked_on=data["checked_on"],
                    outcome=data["outcome"],
                    finding=data["finding"],
                )
                messages.success(request, _("The check is recorded."))
        except CertificationError as error:
            messages.error(request, str(error))
        return redirect("registration_office", pk=office.pk)
    records = list(office_records(office=office))
    for record in records:
        record.scope = scope_of(record.certificate)
    return render(
        request,
        "certification/registrars/office.html",
        {
            "office": office,
            "records": records,
            "administers": administers,
            "add_form": InPostForm(),
            "outcomes": CheckForm.base_fields["outcome"].choices,
        },
    )


def _own_record(office, record_id) -> None:
    """A record posted to this office's page must be this office's."""
    if not office.records.filter(pk=record_id).exists():
        raise CertificationError(_("There is no such in-post record."))
