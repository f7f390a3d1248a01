"""Putting a certificate in a wallet (OpenID4VCI, pre-authorised code, ldp_vc): the flow over
HTTP as a wallet drives it, and the attacks on it: a reused or expired code, a stale or made-up
nonce, a proof signed by another key, someone else's or a revoked certificate."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.audit.models import AuditEntry
from certification.issuing.models import Certificate
from certification.lifecycle.services import certificate_revoke
from certification.wallet import services
from certification.wallet.models import WalletNonce, WalletOffer
from tests.certification.credentials.test_certificate_credential import schema_errors
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

from .helpers import HolderKey, code_of, offer_of, verify_here, verify_independently

pytestmark = pytest.mark.django_db

GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def issued():
    body = certifying_body("GD")
    reviewer = certifier(body)
    holder = UserFactory(real_name="王芳")
    return holder, reviewer, issued_certificate(holder, body, reviewer)


def token(client, code, **extra):
    return client.post(
        reverse("wallet_token"), {"grant_type": GRANT, "pre-authorized_code": code, **extra}
    )


def credential(client, access_token, proof, **body):
    return client.post(
        reverse("wallet_credential"),
        {"credential_configuration_id": services.CONFIGURATION_ID, "proofs": {"jwt": [proof]}}
        | body,
        content_type="application/json",
        headers={"authorization": f"Bearer {access_token}"} if access_token else {},
    )


def test_metadata_names_the_endpoints_and_the_ldp_vc_configuration(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.cn"
    issuer = client.get("/.well-known/openid-credential-issuer").json()
    assert issuer["credential_issuer"] == "https://portal.example.cn"
    assert issuer["credential_endpoint"] == "https://portal.example.cn/wallet/oid4vci/credential"
    assert issuer["nonce_endpoint"] == "https://portal.example.cn/wallet/oid4vci/nonce"
    configuration = issuer["credential_configurations_supported"][services.CONFIGURATION_ID]
    assert configuration["format"] == "ldp_vc"
    assert configuration["proof_types_supported"] == {
        "jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}
    }
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["token_endpoint"] == "https://portal.example.cn/wallet/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


def test_the_holder_gets_a_qr_offer_and_others_get_nothing(client, issued):
    holder, _reviewer, certificate = issued
    url = reverse("wallet_offer", args=[certificate.number])
    page = client.get(reverse("my_certificates"))
    assert page.status_code == 302  # signed out: to the sign-in page
    client.force_login(holder)
    mine = client.get(reverse("my_certificates")).content.decode()
    assert url in mine
    assert client.get(url).status_code == 405  # an offer is made by a POST only
    response = client.post(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "<svg" in text and "openid-credential-offer://?credential_offer=" in text
    assert WalletOffer.objects.filter(certificate=certificate, holder=holder).count() == 1

    stranger = UserFactory()
    client.force_login(stranger)
    assert client.post(url).status_code == 404
    with pytest.raises(services.WalletError):
        services.offer_create(certificate=certificate, holder=stranger)
    assert WalletOffer.objects.count() == 1


def test_a_revoked_certificate_cannot_be_offered_nor_collected(client, issued):
    holder, reviewer, certificate = issued
    pending = services.offer_create(certificate=certificate, holder=holder)
    certificate_revoke(certificate_id=certificate.pk, actor=reviewer, reason="test")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    client.force_login(holder)
    response = client.post(reverse("wallet_offer", args=[certificate.number]), follow=True)
    assert "只有有效期内的证书才能存入数字钱包。" in response.content.decode()
    assert WalletOffer.objects.count() == 1
    refused = token(client, code_of(pending.uri))
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_the_flow_binds_the_credential_to_the_proven_key_and_refuses_every_attack(
    client, issued, settings
):
    holder, _reviewer, certificate = issued
    made = services.offer_create(certificate=certificate, holder=holder)
    offer = offer_of(made.uri)
    assert offer["credential_configuration_ids"] == [services.CONFIGURATION_ID]
    code = code_of(made.uri)
    audience = services.credential_issuer()

    # The wrong grant, a made-up code and an unasked-for tx_code change nothing.
    assert token(client, code, grant_type="authorization_code").json()["error"] == (
        "unsupported_grant_type"
    )
    assert token(client, "made-up").json()["error"] == "invalid_grant"
    assert token(client, code, tx_code="1234").json()["error"] == "invalid_request"

    answer = token(client, code)
    assert answer.status_code == 200, answer.content
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    access, nonce = body["access_token"], body["c_nonce"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600

    # The code works once.
    reused = token(client, code)
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "the pre-authorized code has already been used",
    }

    key = HolderKey()
    good = key.proof(nonce=nonce, audience=audience)
    # No token, a wrong token.
    assert credential(client, None, good).status_code == 401
    wrong = credential(client, "not-a-token", good)
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    # A nonce the issuer never gave, no nonce, a proof for another issuer, an old proof.
    assert credential(client, access, key.proof(nonce="guessed", audience=audience)).json()[
        "error"
    ] == ("invalid_nonce")
    assert credential(client, access, key.proof(nonce=None, audience=audience)).json()["error"] == (
        "invalid_proof"
    )
    elsewhere = key.proof(nonce=nonce, audience="https://evil.example")
    assert credential(client, access, elsewhere).json()["error"] == "invalid_proof"
    old = key.proof(nonce=nonce, audience=audience, iat=0)
    assert credential(client, access, old).json()["error"] == "invalid_proof"
    # A proof whose kid names this key but is signed by another one.
    other = HolderKey()
    forged = key.proof(nonce=nonce, audience=audience, signer=other.private)
    refused = credential(client, access, forged)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_proof"
    assert "signature" in refused.json()["error_description"]
    # Another credential configuration.
    assert (
        credential(client, access, good, credential_configuration_id="Diploma").json()["error"]
        == "unknown_credential_configuration"
    )
    assert WalletOffer.objects.get().issued_at is None  # none of that issued anything

    issued_now = credential(client, access, good)
    assert issued_now.status_code == 200, issued_now.content
    wallet_copy = issued_now.json()["credentials"][0]["credential"]
    assert wallet_copy["credentialSubject"]["id"] == key.did
    assert wallet_copy["credentialSubject"]["licenseNumber"] == certificate.number
    assert wallet_copy["issuer"] == certificate.credential["issuer"]
    assert verify_here(wallet_copy).verified
    assert schema_errors(wallet_copy) == []  # 1EdTech's OB 3.0 schema, as for every credential
    result = verify_independently(wallet_copy)
    assert result["verified"], result["errors"]
    entry = AuditEntry.objects.filter(action="certificate.wallet_issued").get()
    assert entry.object_id == str(certificate.pk)

    # The token and the nonce are spent: not a second credential, not with another offer either.
    again = credential(client, access, key.proof(nonce=nonce, audience=audience))
    assert again.status_code == 401
    second = services.offer_create(certificate=certificate, holder=holder)
    second_access = token(client, code_of(second.uri)).json()["access_token"]
    stale = credential(client, second_access, key.proof(nonce=nonce, audience=audience))
    assert stale.json()["error"] == "invalid_nonce"


def test_an_expired_code_and_an_expired_nonce_are_refused(client, issued):
    holder, _reviewer, certificate = issued
    made = services.offer_create(certificate=certificate, holder=holder)
    WalletOffer.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = token(client, code_of(made.uri))
    assert expired.json() == {
        "error": "invalid_grant",
        "error_description": "the pre-authorized code has expired",
    }
    assert WalletOffer.objects.get().redeemed_at is None

    fresh = services.offer_create(certificate=certificate, holder=holder)
    body = token(client, code_of(fresh.uri)).json()
    WalletNonce.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    key = HolderKey()
    late = credential(
        client,
        body["access_token"],
        key.proof(nonce=body["c_nonce"], audience=services.credential_issuer()),
    )
    assert late.json()["error"] == "invalid_nonce"
    # A fresh nonce from the nonce endpoint works.
    nonce = client.post(reverse("wallet_nonce")).json()["c_nonce"]
    ok = credential(
        client, body["access_token"], key.proof(nonce=nonce, audience=services.credential_issuer())
    )
    assert ok.status_code == 200, ok.content


def test_bad_requests_get_oauth_errors_not_500s(client, issued):
    holder, _reviewer, certificate = issued
    made = services.offer_create(certificate=certificate, holder=holder)
    access = token(client, code_of(made.uri)).json()["access_token"]
    url = reverse("wallet_credential")
    auth = {"authorization": f"Bearer {access}"}
    for body in (b"not json", b"[]", b'{"proofs": {"jwt": ["a.b"]}}', b'{"proofs": 5}'):
        response = client.post(url, body, content_type="application/json", headers=auth)
        assert response.status_code == 400, body
        assert response.json()["error"].startswith(("invalid_", "unknown_"))
    key = HolderKey()
    nonce = client.post(reverse("wallet_nonce")).json()["c_nonce"]
    audience = services.credential_issuer()
    headers = [
        {"typ": "JWT", "alg": "EdDSA", "kid": key.kid},
        {"typ": "openid4vci-proof+jwt", "alg": "none", "kid": key.kid},
        {"typ": "openid4vci-proof+jwt", "alg": "EdDSA"},
        {"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "kid": "did:web:evil.example#k"},
        {"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "jwk": {"kty": "EC", "crv": "P-256"}},
    ]
    for header in headers:
        proof = key.proof(nonce=nonce, audience=audience, header=header)
        response = credential(client, access, proof)
        assert response.json()["error"] == "invalid_proof", header
    assert WalletOffer.objects.get().issued_at is None
    assert client.get(reverse("wallet_token")).status_code == 405


def test_the_anonymous_endpoints_are_rate_limited(client):
    from certification.wallet.views import RATE_PER_MINUTE

    for _ in range(RATE_PER_MINUTE):
        assert client.post(reverse("wallet_nonce")).status_code == 200
    refused = client.post(reverse("wallet_nonce"))
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited" and refused["Retry-After"] == "60"
    assert token(client, "anything").status_code == 429
    assert WalletNonce.objects.count() == RATE_PER_MINUTE
