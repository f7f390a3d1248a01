"""The OpenID4VCI endpoints a wallet calls, and the holder's page with the offer's QR."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from certification.issuing.models import Certificate
from courses import api as courses_api
from portal.accounts.ratelimit import allow

from . import services

MAX_BODY = 64 * 1024
# Requests per minute one client (an address, an IPv6 /64) may make to the wallet endpoints,
# and offers one holder may make: enough for any wallet, too few to fill the tables.
RATE_PER_MINUTE = 60
OFFERS_PER_MINUTE = 10


def _json(data: dict, status: int = 200, *, public: bool = False) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    if public:
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = "public, max-age=300"
    else:
        response["Cache-Control"] = "no-store"
    return response


def _error(error: services.OAuthError) -> JsonResponse:
    response = _json(error.body(), error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return response


def _limited(request) -> JsonResponse | None:
    if allow(request, scope="wallet", limit=RATE_PER_MINUTE):
        return None
    response = _error(
        services.OAuthError("rate_limited", "too many requests; wait a minute", status=429)
    )
    response["Retry-After"] = "60"
    return response


@require_GET
def issuer_metadata(request):
    return _json(services.issuer_metadata(), public=True)


@require_GET
def authorization_server_metadata(request):
    return _json(services.authorization_server_metadata(), public=True)


@csrf_exempt  # called by wallets, with no session or cookie; the pre-authorised code is the key
@require_POST
def token(request):
    if limited := _limited(request):
        return limited
    if len(request.body) > MAX_BODY:
        return _error(services.OAuthError("invalid_request", "the request is too large"))
    try:
        answer = services.token_exchange(
            grant_type=request.POST.get("grant_type", ""),
            code=request.POST.get("pre-authorized_code", ""),
            tx_code=request.POST.get("tx_code") or None,
        )
    except services.OAuthError as error:
        return _error(error)
    return _json(answer)


@csrf_exempt  # called by wallets, with no session or cookie; it changes nothing of anyone's
@require_POST
def nonce(request):
    if limited := _limited(request):
        return limited
    return _json(services.nonce_create())


@csrf_exempt  # called by wallets with a bearer access token, never with the portal's cookie
@require_POST
def credential(request):
    if limited := _limited(request):
        return limited
    header = request.headers.get("Authorization", "")
    scheme, _space, access_token = header.partition(" ")
    if scheme.lower() != "bearer" or not access_token.strip():
        return _error(
            services.OAuthError("invalid_token", "a Bearer access token is required", status=401)
        )
    if len(request.body) > MAX_BODY:
        return _error(services.OAuthError("invalid_credential_request", "the request is too large"))
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(services.OAuthError("invalid_credential_request", "the body is not JSON"))
    try:
        answer = services.credential_issue(access_token=access_token.strip(), request=body)
    except services.OAuthError as error:
        return _error(error)
    return _json(answer)


@login_required
@require_POST
def offer(request, number):
    """The holder's own certificate, offered to a wallet: a QR to scan within ten minutes."""
    certificate = get_object_or_404(Certificate, number=number, holder=request.user)
    if not allow(
        request, scope=f"wallet-offer:{request.user.pk}", limit=OFFERS_PER_MINUTE, per_client=False
    ):
        messages.error(request, _("Too many requests. Please wait a minute and try again."))
        return redirect("my_certificates")
    try:
        made = services.offer_create(certificate=certificate, holder=request.user)
    except services.WalletError as error:
        messages.error(request, str(error))
        return redirect("my_certificates")
    response = render(
        request,
        "certification/wallet_offer.html",
        {
            "certificate": certificate,
            "uri": made.uri,
            "expires_at": made.expires_at,
            "minutes": int(services.OFFER_LIFETIME.total_seconds() // 60),
            "qr": courses_api.qr_svg(
                made.uri,
                label=_("QR code to put certificate %(number)s in a wallet")
                % {"number": certificate.number},
            ),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
