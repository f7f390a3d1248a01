"""Putting a certificate into a wallet: OpenID for Verifiable Credential Issuance 1.0, the
pre-authorised code flow, format ``ldp_vc``.

1. The holder, signed in, asks for an offer on their certificate page: a QR of an
   ``openid-credential-offer://`` URI carrying a pre-authorised code (random, 10 minutes,
   single-use, stored only as a digest, bound to that certificate and that holder).
2. The wallet exchanges the code at the token endpoint for an access token (10 minutes, good for
   one credential) and a ``c_nonce``; it can also ask the nonce endpoint for a fresh nonce.
3. The wallet sends a key proof (a JWT over the nonce, signed by the key it wants the credential
   bound to) to the credential endpoint, and gets the certificate's Open Badges credential with
   ``credentialSubject.id`` = the holder's ``did:key``, signed by the certifying body like every
   credential of the certificate (``certificate_credential``).

No transaction code (``tx_code``) is asked for: the offer is shown only inside the holder's own
signed-in session, lives ten minutes and works once, and the credential names the holder anyway
(the hashed e-mail, the certificate number); a second code sent by mail would add a step without
keeping out anyone who can already see the holder's screen. A revoked, expired or superseded
certificate can be neither offered nor issued, at any step.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.audit.chain import audit_append
from certification.credentials.services import certificate_credential
from certification.credentials.vc.loader import CREDENTIALS_V2, OPEN_BADGES_V3
from certification.issuing.models import Certificate

from .models import WalletNonce, WalletOffer
from .proof import ProofError, proof_verify

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
OFFER_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)


class WalletError(Exception):
    """A user-facing refusal on the portal's own pages (translated message)."""


class OAuthError(Exception):
    """An OAuth / OpenID4VCI error response: ``error`` code, description, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def credential_issuer() -> str:
    """The credential issuer identifier: the portal's public URL (no trailing slash)."""
    return settings.PORTAL_BASE_URL.rstrip("/")


def _endpoint(name: str) -> str:
    return credential_issuer() + reverse(name)


def issuer_metadata() -> dict:
    """``/.well-known/openid-credential-issuer`` (OpenID4VCI 1.0, section 12.2)."""
    return {
        "credential_issuer": credential_issuer(),
        "credential_endpoint": _endpoint("wallet_credential"),
        "nonce_endpoint": _endpoint("wallet_nonce"),
        "display": [
            {"name": "技术转移人才培训与评价平台", "locale": "zh-CN"},
            {"name": "Technology Transfer Talent Training Portal", "locale": "en"},
        ],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc",
                "scope": CONFIGURATION_ID,
                "credential_definition": {
                    "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "cryptographic_binding_methods_supported": ["did:key", "jwk"],
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}},
                "credential_metadata": {
                    "display": [
                        {"name": "技术转移人才能力等级证书", "locale": "zh-CN"},
                        {"name": "Technology transfer professional certificate", "locale": "en"},
                    ]
                },
            }
        },
    }


def authorization_server_metadata() -> dict:
    """``/.well-known/oauth-authorization-server`` (RFC 8414): the issuer is its own AS."""
    return {
        "issuer": credential_issuer(),
        "token_endpoint": _endpoint("wallet_token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
    }


def _offerable(certificate: Certificate) -> bool:
    return (
        certificate.effective_status() == Certificate.Status.VALID
        and bool(certificate.credential)
        and certificate.status_list_id is not None
    )


@dataclass(frozen=True)
class Offer:
    offer: WalletOffer
    uri: str
    expires_at: object


def offer_create(*, certificate: Certificate, holder) -> Offer:
    """A fresh credential offer of ``certificate`` for its own holder; WalletError otherwise."""
    if certificate.holder_id is None or certificate.holder_id != holder.pk:
        raise WalletError(_("Only the holder of a certificate can put it in a wallet."))
    if not _offerable(certificate):
        raise WalletError(_("Only a certificate in force can be put in a wallet."))
    code = secrets.token_urlsafe(32)
    offer = WalletOffer.objects.create(
        certificate=certificate,
        holder=holder,
        code_digest=_digest(code),
        expires_at=timezone.now() + OFFER_LIFETIME,
    )
    body = {
        "credential_issuer": credential_issuer(),
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": code}},
    }
    uri = "openid-credential-offer://?credential_offer=" + quote(
        json.dumps(body, separators=(",", ":")), safe=""
    )
    return Offer(offer=offer, uri=uri, expires_at=offer.expires_at)


def nonce_create() -> dict:
    """A fresh ``c_nonce`` (the nonce endpoint's answer)."""
    nonce = secrets.token_urlsafe(24)
    # Spent and expired nonces are of no more use: they go as new ones come.
    WalletNonce.objects.filter(expires_at__lt=timezone.now() - NONCE_LIFETIME).delete()
    WalletNonce.objects.create(
        value_digest=_digest(nonce), expires_at=timezone.now() + NONCE_LIFETIME
    )
    return {"c_nonce": nonce, "c_nonce_expires_in": int(NONCE_LIFETIME.total_seconds())}


@transaction.atomic
def token_exchange(*, grant_type: str, code: str, tx_code: str | None = None) -> dict:
    """Exchange a pre-authorised code for an access token (OpenID4VCI 1.0, section 6)."""
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", "only the pre-authorized_code grant is served")
    if not code or not isinstance(code, str) or len(code) > 200:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    if tx_code:
        raise OAuthError("invalid_request", "this issuer's offers carry no tx_code")
    offer = (
        WalletOffer.objects.select_for_update()
        .select_related("certificate")
        .filter(code_digest=_digest(code))
        .first()
    )
    now = timezone.now()
    if offer is None:
        raise OAuthError("invalid_grant", "the pre-authorized code is not known")
    if offer.redeemed_at is not None:
        raise OAuthError("invalid_grant", "the pre-authorized code has already been used")
    if offer.expires_at <= now:
        raise OAuthError("invalid_grant", "the pre-authorized code has expired")
    if not _offerable(offer.certificate):
        raise OAuthError("invalid_grant", "the certificate is no longer in force")
    token = secrets.token_urlsafe(32)
    offer.redeemed_at = now
    offer.token_digest = _digest(token)
    offer.token_expires_at = now + TOKEN_LIFETIME
    offer.save(update_fields=["redeemed_at", "token_digest", "token_expires_at"])
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        **nonce_create(),
    }


def _nonce_consume(nonce: str, now) -> None:
    used = WalletNonce.objects.filter(
        value_digest=_digest(nonce), used_at=None, expires_at__gt=now
    ).update(used_at=now)
    if used != 1:
        raise OAuthError("invalid_nonce", "the proof's nonce is not a fresh c_nonce of this issuer")


def _proof_jwt(request: dict) -> str:
    proofs = request.get("proofs")
    if proofs is not None:
        if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
            raise OAuthError("invalid_proof", "only proofs of type jwt are accepted")
        jwts = proofs["jwt"]
        if not isinstance(jwts, list) or len(jwts) != 1:
            raise OAuthError("invalid_proof", "send exactly one jwt proof")
        return jwts[0]
    proof = request.get("proof")
    if isinstance(proof, dict) and proof.get("proof_type") == "jwt":
        return proof.get("jwt")
    raise OAuthError("invalid_proof", "a key proof (proofs.jwt) is required")


def _check_configuration(request: dict) -> None:
    if "credential_configuration_id" in request:
        if request["credential_configuration_id"] != CONFIGURATION_ID:
            raise OAuthError(
                "unknown_credential_configuration", "this credential configuration is not offered"
            )
        return
    definition = request.get("credential_definition") or {}
    if request.get("format") != "ldp_vc" or "OpenBadgeCredential" not in (
        definition.get("type") or []
    ):
        raise OAuthError("invalid_credential_request", "ask for credential_configuration_id")


@transaction.atomic
def credential_issue(*, access_token: str, request: dict) -> dict:
    """The credential endpoint (OpenID4VCI 1.0, section 8): the wallet-bound credential."""
    now = timezone.now()
    offer = (
        WalletOffer.objects.select_for_update()
        .select_related("certificate__level", "certificate__body", "certificate__status_list")
        .filter(token_digest=_digest(access_token or ""))
        .first()
        if access_token
        else None
    )
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        raise OAuthError("invalid_token", "the access token is not valid", status=401)
    if offer.issued_at is not None:
        raise OAuthError("invalid_token", "the access token has already been used", status=401)
    if not isinstance(request, dict):
        raise OAuthError("invalid_credential_request", "the request is not a JSON object")
    _check_configuration(request)
    try:
        proof = proof_verify(
            _proof_jwt(request), audience=credential_issuer(), now=int(now.timestamp())
        )
    except ProofError as error:
        raise OAuthError("invalid_proof", str(error)) from error
    _nonce_consume(proof.nonce, now)
    certificate = offer.certificate
    if not _offerable(certificate):
        raise OAuthError("credential_request_denied", "the certificate is no longer in force")
    credential = certificate_credential(certificate, subject_id=proof.holder_did)
    offer.issued_at = now
    offer.holder_did = proof.holder_did
    offer.save(update_fields=["issued_at", "holder_did"])
    audit_append(
        actor=offer.holder,
        action="certificate.wallet_issued",
        obj=certificate,
        data={"holder_did": proof.holder_did, "offer": offer.pk},
    )
    return {"credentials": [{"credential": credential}]}
