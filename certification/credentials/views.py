"""Public pictures of credentials (a level's badge, and a certificate's badge with its signed
credential baked in, Open Badges 3.0 baking), and the DID documents of the portal's did:web
issuers."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from certification.credentials.badge_image import baked_png, level_badge_png
from certification.credentials.did import body_did_document, platform_did_document
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel, CertifyingBody
from portal.accounts.ratelimit import allow, retry_after


@require_GET
@cache_control(public=True, max_age=3600)
def level_badge(request, code):
    """The level's badge (PNG): the ``image`` of its credentials and of the achievement."""
    level = get_object_or_404(CertificationLevel.objects.only("name", "name_en", "rank"), code=code)
    png = level_badge_png(level.name, level.name_en, level.rank)
    return HttpResponse(png, content_type="image/png")


@require_GET
def certificate_badge(request, number):
    """The certificate's badge with its signed credential baked in, for a wallet or a
    backpack: the same public credential ``/credential`` serves, inside a picture."""
    if not allow(request, scope="verify", limit=settings.PORTAL_VERIFY_RATE_PER_MINUTE):
        response = JsonResponse(
            {
                "error": "rate_limited",
                "detail": _("Too many requests. Please wait a minute and try again."),
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(retry_after())
        return response
    certificate = (
        Certificate.objects.exclude(status=Certificate.Status.PENDING)
        .filter(number=number[:40])
        .select_related("level")
        .only("number", "credential", "level__name", "level__name_en", "level__rank")
        .first()
    )
    if certificate is None or not certificate.credential:
        return JsonResponse({"error": "not_found"}, status=404)
    png = level_badge_png(certificate.level.name, certificate.level.name_en, certificate.level.rank)
    response = HttpResponse(baked_png(png, certificate.credential), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.png"'
    return response


def did_json(document: dict) -> JsonResponse:
    """A DID document as did:web serves it: public JSON any verifier (or web wallet) may read."""
    response = JsonResponse(
        document, json_dumps_params={"ensure_ascii": False}, content_type="application/did+json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def body_did(request, code):
    """``did:web:<host>:certification:bodies:<code>`` resolves here: the body's keys."""
    body = get_object_or_404(CertifyingBody, code=code[:8])
    return did_json(body_did_document(body))


@require_GET
@cache_control(public=True, max_age=300)
def platform_did(request):
    """``did:web:<host>``: the portal's own keys, which sign the audit checkpoints."""
    return did_json(platform_did_document())
