"""Public verification: the verify page, the JSON API, the OpenAPI document."""

import functools
import json
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from certification import page_cache
from certification.credentials.status import certificate_signed_status_of, status_list_current
from certification.issuing.models import Certificate
from certification.links import absolute_url, credential_url, verify_url
from certification.verification.forms import FileCheckForm, HolderCheckForm, NumberForm
from certification.verification.holder_match import (
    CHECK_PERIOD,
    ID_NUMBER_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Answer,
    holder_certificate,
    holder_check_allowed,
    holder_matches,
)
from certification.verification.selectors import public_certificate
from certification.verification.upload import file_verdict
from portal.accounts.ratelimit import allow, retry_after

OPENAPI_PATH = Path(__file__).with_name("openapi.json")


def plausible_number(value: str) -> bool:
    """Whether a number or code from the URL could name anything: short, no control
    characters (PostgreSQL refuses a NUL outright). Anything else is simply not found."""
    return 0 < len(value) <= 40 and value.isprintable()


def _throttled(request) -> bool:
    return not allow(request, scope="verify", limit=settings.PORTAL_VERIFY_RATE_PER_MINUTE)


def _too_many(request, *, json: bool, message: str = "", period: int | None = None):
    """A 429 as a page or as the API's JSON, with Retry-After: by default for this address's
    verification limit (``period``: the window of another limit)."""
    message = message or _("Too many requests. Please wait a minute and try again.")
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
    response["Retry-After"] = str(retry_after(period) if period else retry_after())
    return response


def _checked_too_often(request, *, json: bool):
    """A certificate checked too often this hour, from whatever addresses."""
    message = _(
        "This certificate has been checked too many times in the last hour. Please try again later."
    )
    return _too_many(request, json=json, message=message, period=CHECK_PERIOD)


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
    if not plausible_number(number):
        return _not_found(request, json=False)
    slot = ("verify", number)
    cached = page_cache.cached_slot(request, slot)
    if cached is not None:
        return cached
    public = public_certificate(number=number)
    if public is None:
        return _not_found(request, json=False)
    return page_cache.render_slot(
        request,
        "certification/verify.html",
        {
            "certificate": public,
            "api_url": reverse("api_certificate", args=[number]),
            "credential_url": reverse("api_certificate_credential", args=[number]),
            # The published signed status list, held to the verifiers' rule (an expired list
            # is refused): certification/credentials/status.py.
            "signed_status": certificate_signed_status_of(number=number),
            "check_form": HolderCheckForm(initial={"number": number}),
            # Link previews (WeChat, LinkedIn and others read Open Graph tags).
            "og_url": verify_url(number),
            "og_image": absolute_url(reverse("api_certificate_badge", args=[number])),
        },
        slot=slot,
    )


@require_GET
def verify_lookup(request):
    """Type a certificate's number to reach its verification page, or check a holder."""
    lookup = NumberForm(request.GET or None)
    not_found = ""
    if lookup.is_bound:
        if _throttled(request):
            return _too_many(request, json=False)
        if lookup.is_valid():
            number = lookup.cleaned_data["number"]
            if plausible_number(number) and public_certificate(number=number) is not None:
                return redirect("certificate_verify", number=number)
            not_found = number
    return render(
        request,
        "certification/verify_lookup.html",
        {"lookup_form": lookup, "not_found": not_found, "check_form": HolderCheckForm()},
    )


@require_POST
def holder_check(request):
    """Check a holder: a certificate number with a full name or ID number, answered only
    "matches" or "does not match" (or "not a valid certificate")."""
    if _throttled(request):
        return _too_many(request, json=False)
    form = HolderCheckForm(request.POST)
    answer = None
    if form.is_valid():
        number = form.cleaned_data["number"]
        certificate = holder_certificate(number=number) if plausible_number(number) else None
        if certificate is not None and not holder_check_allowed(request, number=number):
            return _checked_too_often(request, json=False)
        answer = holder_matches(
            certificate,
            name=form.cleaned_data["name"],
            id_number=form.cleaned_data["id_number"],
        )
        # The ID number typed is never shown back.
        form = HolderCheckForm(
            initial={"number": number, "name": form.cleaned_data["name"]},
        )
    return render(
        request,
        "certification/verify_lookup.html",
        {
            "lookup_form": NumberForm(),
            "check_form": form,
            "answer": answer,
            "checked_number": form.initial.get("number", ""),
        },
        status=200 if answer is not None else 400,
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
        "issuer_kind": public.body_kind or None,
        "issued_on": public.issued_on.isoformat(),
        "valid_until": public.valid_until.isoformat() if public.valid_until else None,
        "status": public.status,
        "revoked_at": public.revoked_at.isoformat() if public.revoked_at else None,
        "revocation_code": public.revocation_code or None,
        "revocation_reason": public.revocation_reason or None,
        "superseded_by": public.superseded_by or None,
        "pdf_sha256": public.pdf_sha256,
        "filing_status": public.filing_status,
        "links": {
            "verify": verify_url(number),
            "credential": credential_url(number),
        },
        **_imported_json(public),
    }


def _imported_json(public) -> dict:
    """An imported record says so, and links to no credential: the portal signed none."""
    if not public.is_imported:
        return {"origin": "portal"}
    return {
        "origin": "imported",
        "imported": {
            "on": public.imported_on.isoformat() if public.imported_on else None,
            "by": public.imported_by,
        },
        "pdf_sha256": "",
        "links": {"verify": verify_url(public.number), "credential": None},
    }


@require_GET
def api_certificate(request, number):
    if _throttled(request):
        return _too_many(request, json=True)
    public = public_certificate(number=number) if plausible_number(number) else None
    if public is None:
        return _not_found(request, json=True)
    return JsonResponse(_public_json(public), json_dumps_params={"ensure_ascii": False})


def ld_json(document: dict, *, filename: str | None = None) -> JsonResponse:
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
    if not plausible_number(number):
        return _not_found(request, json=True)
    certificate = (
        Certificate.objects.exclude(status=Certificate.Status.PENDING)
        .filter(number=number)
        .only("credential")
        .first()
    )
    if certificate is None or not certificate.credential:
        return _not_found(request, json=True)
    return ld_json(certificate.credential)


@require_GET
@never_cache
def api_status_list(request, body, number):
    """The body's signed Bitstring Status List credential: revocations show here at once."""
    if _throttled(request):
        return _too_many(request, json=True)
    if not plausible_number(body):
        return _not_found(request, json=True)
    document = status_list_current(body_code=body, number=number)
    if document is None:
        return _not_found(request, json=True)
    return ld_json(document)


def _text_field(payload: dict, key: str, max_length: int) -> str | None:
    """A string field of the request's JSON ("" when absent or null); None when it is not a
    string, too long, or holds characters that cannot be compared (a NUL)."""
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_length or not value.isprintable():
        return None
    return value


def _bad_request(detail: str) -> JsonResponse:
    return JsonResponse(
        {"error": "invalid", "detail": detail},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt  # a public API called by other sites' servers, with no session or cookie
@require_POST
def api_holder_match(request, number):
    """Check a holder by full name and/or ID number: ``{"match": true|false}``, nothing more."""
    if _throttled(request):
        return _too_many(request, json=True)
    certificate = holder_certificate(number=number) if plausible_number(number) else None
    if certificate is None:
        return _not_found(request, json=True)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return _bad_request(_("Send a JSON object with the holder's name or id_number."))
    name = _text_field(payload, "name", NAME_MAX_LENGTH)
    id_number = _text_field(payload, "id_number", ID_NUMBER_MAX_LENGTH)
    if name is None or id_number is None:
        return _bad_request(
            _("name and id_number must be text of at most %(name)d and %(id)d characters.")
            % {"name": NAME_MAX_LENGTH, "id": ID_NUMBER_MAX_LENGTH}
        )
    if not name.strip() and not id_number.strip():
        return _bad_request(_("Give the holder's full name or their ID number."))
    if not holder_check_allowed(request, number=number):
        return _checked_too_often(request, json=True)
    answer = holder_matches(certificate, name=name, id_number=id_number)
    return JsonResponse(
        {
            "number": certificate.number,
            "valid": answer != Answer.NOT_VALID,
            "match": answer == Answer.MATCH,
        }
    )


@csrf_exempt  # any method, anything else under /api/: a JSON "not found", never a CSRF page
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


def verify_file(request):
    """Check a file someone holds: a certificate PDF by its fingerprint, a credential by its
    signature and its body's key (certification/verification/upload.py). Nothing is stored."""
    verdict = None
    if request.method == "POST":
        if _throttled(request):
            return _too_many(request, json=False)
        form = FileCheckForm(request.POST, request.FILES)
        if form.is_valid():
            verdict = file_verdict(form.cleaned_data["file"])
    else:
        form = FileCheckForm()
    return render(
        request,
        "certification/verify_file.html",
        {"file_form": form, "verdict": verdict},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
