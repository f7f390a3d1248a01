"""Public verification: the verify page, the JSON API, the OpenAPI document."""

import functools
import json
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certification import page_cache
from certification.credentials.status import certificate_signed_status_of, status_list_current
from certification.issuing.models import Certificate
from certification.links import credential_url, verify_url
from certification.verification.selectors import public_certificate
from portal.accounts.ratelimit import allow, retry_after

OPENAPI_PATH = Path(__file__).with_name("openapi.json")


def plausible_number(value: str) -> bool:
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
        "revocation_code": public.revocation_code or None,
        "revocation_reason": public.revocation_reason or None,
        "superseded_by": public.superseded_by or None,
        "pdf_sha256": public.pdf_sha256,
        "filing_status": public.filing_status,
        "links": {
            "verify": verify_url(number),
            "credential": credential_url(number),
        },
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
