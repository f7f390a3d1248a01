"""Practice records: the trainee's list and form, the contact's confirmation page, the
certifier's review queue, and proof downloads for those allowed. Thin: the rules are in
services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from certification.access import is_own
from certification.errors import CertificationError
from certification.files import private_file
from certification.practice.forms import ConfirmForm, PracticeRecordForm, ReviewForm
from certification.practice.models import PracticeProof, PracticeRecord
from certification.practice.selectors import may_see_practice, practice_records_of
from certification.practice.services import (
    link_days,
    practice_confirm_by_link,
    practice_from_token,
    practice_link_resend,
    practice_record_create,
    practice_record_delete,
    practice_review,
)
from certification.workspace import (
    certifier_required,
    form_errors,
    in_bodies,
    page_of,
    render_section,
)


@login_required
@require_http_methods(["GET", "POST"])
def my_practice(request):
    form = PracticeRecordForm()
    if request.method == "POST":
        form = PracticeRecordForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                record = practice_record_create(
                    owner=request.user,
                    data=form.cleaned_data,
                    uploads=form.cleaned_data.get("proofs") or [],
                )
            except CertificationError as error:
                form.add_error(None, str(error))
            else:
                if record.method == PracticeRecord.Method.CONTACT:
                    messages.success(
                        request,
                        _("Recorded. %(name)s has been sent a link to confirm it.")
                        % {"name": record.contact_name},
                    )
                else:
                    messages.success(request, _("Recorded. A certifier will review it."))
                return redirect("my_practice")
    return render(
        request,
        "certification/practice/my_practice.html",
        {"form": form, "records": practice_records_of(user_id=request.user.pk)},
    )


@login_required
@require_POST
def my_practice_action(request, pk):
    record = get_object_or_404(PracticeRecord, pk=pk, owner=request.user)
    action = request.POST.get("action")
    try:
        if action == "resend":
            practice_link_resend(record_id=record.pk, actor=request.user)
            messages.success(
                request,
                _("A new link has been sent to %(name)s; earlier links no longer work.")
                % {"name": record.contact_name},
            )
        elif action == "delete":
            practice_record_delete(record_id=record.pk, actor=request.user)
            messages.success(request, _("The project has been removed."))
        else:
            messages.error(request, _("Choose an action."))
    except CertificationError as error:
        messages.error(request, str(error))
    return redirect("my_practice")


@login_required
def practice_proof(request, pk, proof_id):
    """A proof file, for the owner, the reviewing body's certifiers and filing officers."""
    proof = get_object_or_404(PracticeProof.objects.select_related("record"), pk=proof_id)
    if proof.record_id != pk or not may_see_practice(request.user, proof.record):
        raise Http404
    return private_file(proof.file, filename=proof.original_name, content_type=proof.content_type)


@never_cache
@require_http_methods(["GET", "POST"])
def practice_confirm(request, token):
    """The contact's page: what the trainee states, confirm or dispute. No sign-in needed; the
    signed link is the contact's key, and it refuses the record's owner."""
    context = {"token": token, "days": link_days()}
    try:
        record = practice_from_token(token)
    except CertificationError as error:
        context["refusal"] = str(error)
        return render(request, "certification/practice/confirm.html", context, status=410)
    user = request.user if request.user.is_authenticated else None
    if user is not None and is_own(user, record.owner_id):
        context["refusal"] = _(
            "This link is for the contact at the counterpart. You cannot confirm your own project."
        )
        return render(request, "certification/practice/confirm.html", context, status=403)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["decision"] == ConfirmForm.CONFIRM
        try:
            record = practice_confirm_by_link(
                token=token, confirm=confirm, comment=form.cleaned_data["comment"], user=user
            )
        except CertificationError as error:
            form.add_error(None, str(error))
        else:
            context["done"] = record
            return render(request, "certification/practice/confirm.html", context)
    context.update({"record": record, "form": form})
    return render(request, "certification/practice/confirm.html", context)


@certifier_required
@require_http_methods(["GET", "POST"])
def practice_queue(request, *, bodies):
    records = in_bodies(
        PracticeRecord.objects.filter(method=PracticeRecord.Method.CERTIFIER).select_related(
            "owner", "body"
        ),
        bodies,
    )
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            record = get_object_or_404(records, pk=form.cleaned_data["record"])
            approve = form.cleaned_data["decision"] == ReviewForm.APPROVE
            try:
                practice_review(
                    record_id=record.pk,
                    actor=request.user,
                    approve=approve,
                    comment=form.cleaned_data["comment"],
                )
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    (_("Confirmed: %(title)s") if approve else _("Rejected: %(title)s"))
                    % {"title": record.title},
                )
        else:
            form_errors(request, form)
        return redirect(request.get_full_path())
    pending = records.filter(status=PracticeRecord.Status.PENDING).prefetch_related("proofs")
    page = page_of(request, pending.order_by("created_at", "pk"))
    for record in page:
        record.own = is_own(request.user, record.owner_id)
    recent = records.exclude(status=PracticeRecord.Status.PENDING).order_by(
        F("decided_at").desc(nulls_last=True), "-pk"
    )[:20]
    return render_section(request, "practice.html", {"records": page, "recent": recent}, "practice")
