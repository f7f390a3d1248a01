"""Public verification, the API, and the applicant's and holder's pages. Thin: rules live in
services.py and selectors.py."""

import functools
import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.converters import record_id
from portal.accounts.ratelimit import allow, retry_after

from certification import page_cache, selectors, services
from certification.errors import CertificationError
from certification.forms import ApplicationForm, ContinuingEducationForm, EvidenceForm
from certification.models import (
    Application,
    AuditEntry,
    Certificate,
    CertificationLevel,
    CertifyingBody,
    ContinuingEducation,
    Evidence,
)

# -- public ----------------------------------------------------------------------------------

OPENAPI_PATH = Path(__file__).with_name("openapi.json")


def _plausible(value: str) -> bool:
    """Whether a number or code from the URL could name anything: short, no control
    characters (PostgreSQL refuses a NUL outright). Anything else is simply not found."""
    return 0 < len(value) <= 40 and value.isprintable()


def _throttled(request) -> bool:
    return not allow(request, scope="verify", limit=settings.PORTAL_VERIFY_RATE_PER_MINUTE)


def _too_many(request, *, json: bool):
    message = _("Too many requests. Please wait a minute and try again.")
    if json:
        response = JsonResponse(
            {"error": "rate_limited", "detail": message},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request,
            "portal/error.html",
            {"title": _("Too many requests"), "message": message, "status": 429},
            status=429,
        )
    response["Retry-After"] = str(retry_after())
    return response


def _not_found(request, *, json: bool):
    if json:
        return JsonResponse({"error": "not_found"}, status=404)
    return render(
        request,
        "certification/verify_not_found.html",
        {"number": request.resolver_match.kwargs.get("number", "")[:40]},
        status=404,
    )


@require_GET
def verify(request, number):
    """The page a certificate's QR code opens: who, what, by whom, and whether it holds."""
    if _throttled(request):
        return _too_many(request, json=False)
    if not _plausible(number):
        return _not_found(request, json=False)
    slot = ("verify", number)
    cached = page_cache.cached_slot(request, slot)
    if cached is not None:
        return cached
    public = selectors.public_certificate(number=number)
    if public is None:
        return _not_found(request, json=False)
    return page_cache.render_slot(
        request,
        "certification/verify.html",
        {
            "certificate": public,
            "api_url": reverse("api_certificate", args=[number]),
            "credential_url": reverse("api_certificate_credential", args=[number]),
        },
        slot=slot,
    )


def _public_json(public) -> dict:
    number = public.number
    return {
        "number": number,
        "holder": public.holder_name_masked,
        "level": public.level,
        "level_en": public.level_en,
        "track": public.track,
        "issuer": public.body,
        "issued_on": public.issued_on.isoformat(),
        "valid_until": public.valid_until.isoformat() if public.valid_until else None,
        "status": public.status,
        "revoked_at": public.revoked_at.isoformat() if public.revoked_at else None,
        "revocation_reason": public.revocation_reason or None,
        "superseded_by": public.superseded_by or None,
        "pdf_sha256": public.pdf_sha256,
        "filing_status": public.filing_status,
        "links": {
            "verify": services.verify_url(number),
            "credential": services.credential_url(number),
        },
    }


@require_GET
def api_certificate(request, number):
    if _throttled(request):
        return _too_many(request, json=True)
    public = selectors.public_certificate(number=number) if _plausible(number) else None
    if public is None:
        return _not_found(request, json=True)
    return JsonResponse(_public_json(public), json_dumps_params={"ensure_ascii": False})


def _ld_json(document: dict, *, filename: str | None = None) -> JsonResponse:
    response = JsonResponse(
        document, json_dumps_params={"ensure_ascii": False}, content_type="application/ld+json"
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def api_certificate_credential(request, number):
    """The signed Open Badges 3.0 credential, exactly as signed."""
    if _throttled(request):
        return _too_many(request, json=True)
    if not _plausible(number):
        return _not_found(request, json=True)
    certificate = (
        Certificate.objects.exclude(status=Certificate.Status.PENDING)
        .filter(number=number)
        .only("credential")
        .first()
    )
    if certificate is None or not certificate.credential:
        return _not_found(request, json=True)
    return _ld_json(certificate.credential)


@require_GET
@never_cache
def api_status_list(request, body, number):
    """The body's signed Bitstring Status List credential: revocations show here at once."""
    if _throttled(request):
        return _too_many(request, json=True)
    if not _plausible(body):
        return _not_found(request, json=True)
    document = services.status_list_current(body_code=body, number=number)
    if document is None:
        return _not_found(request, json=True)
    return _ld_json(document)


def api_not_found(request):
    return _not_found(request, json=True)


@require_GET
def api_openapi(request):
    """The OpenAPI 3.1 description of the public API above (certification/openapi.json)."""
    document = {**openapi_document(), "servers": [{"url": settings.PORTAL_BASE_URL}]}
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@functools.cache
def openapi_document() -> dict:
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


def overview(request):
    levels = CertificationLevel.objects.select_related("track", "prerequisite")
    bodies = CertifyingBody.objects.filter(is_active=True).prefetch_related("levels")
    return render(request, "certification/overview.html", {"levels": levels, "bodies": bodies})


def level_detail(request, code):
    level = get_object_or_404(
        CertificationLevel.objects.select_related("track", "prerequisite"), code=code
    )
    return render(
        request,
        "certification/level.html",
        {"level": level, "bodies": level.bodies.filter(is_active=True)},
    )


def body_detail(request, code):
    body = get_object_or_404(CertifyingBody, code=code)
    return render(request, "certification/body.html", {"body": body})


# -- the holder ------------------------------------------------------------------------------


@login_required
def my_certificates(request):
    certificates = list(
        Certificate.objects.filter(holder=request.user)
        .select_related("level", "superseded_by")
        .order_by("-issued_on", "-pk")
    )
    rows = []
    for certificate in certificates:
        progress = None
        if certificate.status == Certificate.Status.VALID and certificate.level.renewal_hours:
            progress = selectors.renewal_progress(certificate=certificate)
        rows.append(
            {
                "certificate": certificate,
                "status": certificate.effective_status(),
                "progress": progress,
                "share_url": services.verify_url(certificate.number),
            }
        )
    applications = (
        Application.objects.filter(applicant=request.user)
        .select_related("level", "body")
        .order_by("-created_at")
    )
    return render(
        request,
        "certification/my_certificates.html",
        {
            "rows": rows,
            "applications": applications,
            "activities": ContinuingEducation.objects.filter(holder=request.user)[:20],
        },
    )


def _own_certificate(request, number) -> Certificate:
    certificate = get_object_or_404(Certificate, number=number)
    if certificate.holder_id != request.user.pk and not selectors.may_certify(
        request.user, certificate.body_id
    ):
        raise Http404
    return certificate


@login_required
def certificate_pdf_download(request, number):
    """The stored PDF, byte for byte as issued. A revoked one is no longer handed out to its
    holder; certifiers can still fetch it for their records."""
    certificate = _own_certificate(request, number)
    is_holder = certificate.holder_id == request.user.pk
    if certificate.status == Certificate.Status.PENDING or not certificate.pdf:
        messages.info(request, _("The certificate is still being prepared. Try again shortly."))
        return redirect("my_certificates")
    if certificate.status == Certificate.Status.REVOKED and is_holder:
        messages.error(
            request,
            _(
                "Certificate %(number)s was revoked on %(date)s, so it can no longer be "
                "downloaded. Reason: %(reason)s"
            )
            % {
                "number": certificate.number,
                "date": certificate.revoked_at.date().isoformat(),
                "reason": certificate.revocation_reason,
            },
        )
        return redirect("my_certificates")
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


@login_required
def certificate_credential_download(request, number):
    certificate = _own_certificate(request, number)
    if not certificate.credential:
        messages.info(request, _("The certificate is still being prepared. Try again shortly."))
        return redirect("my_certificates")
    return _ld_json(certificate.credential, filename=f"{certificate.number}.credential.json")


@login_required
@require_POST
def certificate_renew(request, number):
    certificate = get_object_or_404(Certificate, number=number, holder=request.user)
    try:
        application = services.renewal_apply(certificate_id=certificate.pk, actor=request.user)
    except CertificationError as error:
        messages.error(request, str(error))
        return redirect("my_certificates")
    messages.success(
        request, _("Your renewal has been sent to %(body)s.") % {"body": certificate.body_name}
    )
    return redirect("application_detail", pk=application.pk)


# -- applying --------------------------------------------------------------------------------


@login_required
def application_new(request):
    """Choose a level and see the checklist; then choose the body and start a draft."""
    levels = (
        CertificationLevel.objects.select_related("track").filter(bodies__is_active=True).distinct()
    )
    code = request.GET.get("level") or request.POST.get("level") or ""
    chosen = levels.filter(code=code).first() if _plausible(code) else None
    bodies = chosen.bodies.filter(is_active=True) if chosen else CertifyingBody.objects.none()
    if request.method == "POST":
        body_id = record_id(request.POST.get("body"))
        body = bodies.filter(pk=body_id).first() if body_id is not None else None
        if chosen is None or body is None:
            messages.error(request, _("Choose a level and a certifying body."))
        else:
            try:
                application = services.application_create(
                    applicant=request.user, level=chosen, body=body
                )
            except CertificationError as error:
                messages.error(request, str(error))
            else:
                return redirect("application_detail", pk=application.pk)
    elif code and chosen is None:
        messages.error(request, _("There is no such level to apply for. Choose one from the list."))
    result = selectors.checklist(user_id=request.user.pk, level=chosen) if chosen else None
    return render(
        request,
        "certification/application_new.html",
        {"levels": levels, "chosen": chosen, "bodies": bodies, "checklist": result},
    )


def _own_application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.select_related("level", "body", "renews"),
        pk=pk,
        applicant=request.user,
    )


@login_required
def application_detail(request, pk):
    application = _own_application(request, pk)
    form = ApplicationForm(
        initial={
            "printed_name": application.printed_name,
            "experience_years": application.experience_years,
            "experience_note": application.experience_note,
        }
    )
    evidence_form = EvidenceForm()
    if request.method == "POST":
        action = request.POST.get("action")
        handled = _application_action(request, application, action)
        if handled is not None:
            return handled
        if action == "save":
            form = ApplicationForm(request.POST)
        elif action == "upload":
            evidence_form = EvidenceForm(request.POST, request.FILES)
        response = _application_form_post(request, application, action, form, evidence_form)
        if response is not None:
            return response
    application.refresh_from_db()
    result = selectors.checklist(
        user_id=request.user.pk, level=application.level, application=application
    )
    history = AuditEntry.objects.filter(
        object_type="application", object_id=str(application.pk)
    ).order_by("pk")
    return render(
        request,
        "certification/application_detail.html",
        {
            "application": application,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": application.evidence.all(),
            "checklist": result,
            "history": history,
        },
    )


def _application_action(request, application, action):
    """Submit, withdraw or remove evidence; None when the action is a form post instead."""
    calls = {
        "submit": (
            lambda: services.application_submit(application_id=application.pk, actor=request.user),
            _("Submitted. The certifying body will review your application."),
        ),
        "withdraw": (
            lambda: services.application_withdraw(
                application_id=application.pk, actor=request.user
            ),
            _("Your application has been withdrawn."),
        ),
        "remove": (
            lambda: services.evidence_remove(
                evidence_id=_own_evidence(request, application), actor=request.user
            ),
            _("The file has been removed."),
        ),
    }
    if action not in calls:
        return None
    call, success = calls[action]
    try:
        call()
    except CertificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("application_detail", pk=application.pk)


def _own_evidence(request, application) -> int:
    """The id of the application's evidence the form names; refused when it names none."""
    evidence_id = record_id(request.POST.get("evidence"))
    if evidence_id is None or not application.evidence.filter(pk=evidence_id).exists():
        raise CertificationError(_("That file was not found. It may have been removed already."))
    return evidence_id


def _application_form_post(request, application, action, form, evidence_form):
    try:
        if action == "save" and form.is_valid():
            services.application_update(
                application_id=application.pk, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("Saved."))
            return redirect("application_detail", pk=application.pk)
        if action == "upload" and evidence_form.is_valid():
            services.evidence_add(
                application_id=application.pk,
                actor=request.user,
                kind=evidence_form.cleaned_data["kind"],
                upload=evidence_form.cleaned_data["file"],
            )
            messages.success(request, _("The file has been added."))
            return redirect("application_detail", pk=application.pk)
    except CertificationError as error:
        target = evidence_form if action == "upload" else form
        target.add_error(None, str(error))
    return None


@login_required
def evidence_download(request, pk, evidence_id):
    """An applicant's evidence, for the applicant and the body's certifiers only."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("application"), pk=evidence_id, application_id=pk
    )
    application = evidence.application
    if application.applicant_id != request.user.pk and not selectors.may_certify(
        request.user, application.body_id
    ):
        raise Http404
    return _private_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


def _private_file(field, *, filename: str, content_type: str | None = None):
    """A file from private storage, sent so a browser never runs it as a page."""
    response = FileResponse(
        field.open("rb"),
        as_attachment=content_type in (None, "application/pdf"),
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


@login_required
def continuing_education_evidence(request, pk):
    """An activity's evidence, for its holder and the body's certifiers only."""
    activity = get_object_or_404(ContinuingEducation, pk=pk)
    if activity.holder_id != request.user.pk and not selectors.may_certify(
        request.user, activity.body_id
    ):
        raise Http404
    if not activity.evidence:
        raise Http404
    return _private_file(activity.evidence, filename=activity.evidence.name.rsplit("/", 1)[-1])


@login_required
def continuing_education(request):
    """Report an external activity for renewal, to a body that certified you."""
    bodies = CertifyingBody.objects.filter(certificates__holder=request.user).distinct()
    if not bodies.exists():
        raise PermissionDenied(_("Continuing education is recorded for certificate holders."))
    form = ContinuingEducationForm(bodies=bodies)
    if request.method == "POST":
        form = ContinuingEducationForm(request.POST, request.FILES, bodies=bodies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.continuing_education_report(
                    holder=request.user,
                    body=data["body"],
                    title=data["title"],
                    provider=data["provider"],
                    completed_on=data["completed_on"],
                    hours=data["hours"],
                    upload=data.get("evidence"),
                )
            except CertificationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Reported. A certifier will review it."))
                return redirect("my_certificates")
    return render(
        request,
        "certification/continuing_education.html",
        {"form": form, "activities": ContinuingEducation.objects.filter(holder=request.user)},
    )
