"""Importing earlier certificates (certifiers, administrators) and claiming them (holders)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from certification.access import is_filing_officer
from certification.errors import CertificationError
from certification.imports.claims import (
    claim_request_create,
    claim_request_decide,
    claimable_records,
    imported_holder_claim,
)
from certification.imports.forms import ClaimRequestForm, ImportForm
from certification.imports.models import ClaimRequest, ImportBatch
from certification.imports.services import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    XLSX_CONTENT_TYPE,
    ImportFileError,
    certificates_check_xlsx,
    certificates_import,
    import_template_xlsx,
)
from certification.issuing.models import Certificate
from certification.workspace import certifier_required, int_param

ERRORS_SHOWN = 500


@certifier_required
@require_http_methods(["GET", "POST"])
def import_certificates(request, *, bodies):
    """Upload an XLSX of earlier certificates: every row is checked, then all are imported."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows, errors = certificates_check_xlsx(upload, bodies=bodies)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                if not errors:
                    batch = certificates_import(rows=rows, actor=request.user, filename=upload.name)
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d certificate imported.",
                            "%(count)d certificates imported.",
                            batch.rows,
                        )
                        % {"count": batch.rows},
                    )
                    return redirect("certify_import_batch", pk=batch.pk)
    batches = ImportBatch.objects.select_related("imported_by")
    if bodies is not None:
        batches = batches.filter(certificates__body_id__in=bodies).distinct()
    context = {
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "error_rows": len({error.row for error in errors}),
        "errors_left_out": max(0, len(errors) - ERRORS_SHOWN),
        "batches": batches[:20],
        "max_megabytes": MAX_FILE_BYTES // 2**20,
        "max_rows": MAX_ROWS,
        "pending_claims": _claims_for(bodies).count(),
    }
    return _with_status(_page(request, "import.html", context), status)


def _page(request, template, context):
    """A page of the certification desk, like workspace.render_section, from this folder."""
    context = {**context, "section": "imports", "filing_officer": is_filing_officer(request.user)}
    return render(request, f"certification/imports/{template}", context)


def _with_status(response, status):
    response.status_code = status
    return response


@certifier_required
@require_GET
def import_template(request, *, bodies):
    response = HttpResponse(import_template_xlsx(bodies=bodies), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="certificates-import-template.xlsx"'
    return response


@certifier_required
@require_GET
def import_batch(request, pk, *, bodies):
    batch = ImportBatch.objects.select_related("imported_by").filter(pk=int_param(pk)).first()
    certificates = Certificate.objects.filter(import_batch=batch).select_related("holder")
    if bodies is not None:
        certificates = certificates.filter(body_id__in=bodies)
    if batch is None or not certificates.exists():
        return _with_status(
            render(request, "portal/error.html", {"title": _("Not found"), "status": 404}), 404
        )
    return _page(
        request, "batch.html", {"batch": batch, "certificates": certificates.order_by("pk")[:1000]}
    )


def _claims_for(bodies):
    claims = ClaimRequest.objects.filter(status=ClaimRequest.Status.PENDING)
    if bodies is not None:
        claims = claims.filter(certificate__body_id__in=bodies)
    return claims


@certifier_required
@require_http_methods(["GET", "POST"])
def claim_queue(request, *, bodies):
    """Claims that no confirmed contact matched, for the body's certifiers to decide."""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("approve", "refuse"):
            messages.error(request, _("Choose to approve or refuse the claim."))
        else:
            try:
                claim = claim_request_decide(
                    actor=request.user,
                    request_id=int_param(request.POST.get("claim")),
                    approve=action == "approve",
                )
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                if claim.status == ClaimRequest.Status.APPROVED:
                    messages.success(
                        request,
                        _("Certificate %(number)s is now in the holder's certificates.")
                        % {"number": claim.certificate.number},
                    )
                else:
                    messages.success(request, _("The claim is refused."))
        return redirect("certify_claims")
    claims = (
        _claims_for(bodies)
        .select_related("certificate__imported_holder", "user")
        .order_by("created_at")[:200]
    )
    return _page(request, "claims.html", {"claims": claims})


@login_required
@require_http_methods(["GET", "POST"])
def my_claims(request):
    """A holder finds earlier certificates in their name and claims them."""
    request_form = ClaimRequestForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "claim":
            try:
                holder_id = int(request.POST.get("record", ""))
            except ValueError:
                holder_id = 0
            try:
                claimed = imported_holder_claim(user=request.user, holder_id=holder_id)
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d earlier certificate is now in your certificates.",
                        "%(count)d earlier certificates are now in your certificates.",
                        len(claimed),
                    )
                    % {"count": len(claimed)},
                )
                return redirect("my_certificates")
            return redirect("my_claims")
        if action == "request":
            request_form = ClaimRequestForm(request.POST)
            if request_form.is_valid():
                try:
                    claim_request_create(
                        user=request.user,
                        number=request_form.cleaned_data["number"],
                        note=request_form.cleaned_data["note"],
                    )
                except CertificationError as error:
                    request_form.add_error("number", str(error))
                else:
                    messages.success(
                        request,
                        _("Your claim is sent. A certifier of the body will review it."),
                    )
                    return redirect("my_claims")
        else:
            messages.error(request, _("Choose what to do."))
            return redirect("my_claims")
    return render(
        request,
        "certification/imports/my_claims.html",
        {
            "records": claimable_records(user=request.user),
            "request_form": request_form,
            "requests": ClaimRequest.objects.filter(user=request.user).select_related(
                "certificate"
            )[:20],
        },
        status=400 if request_form.is_bound and request_form.errors else 200,
    )
