"""The wallet's key proof (OpenID4VCI 1.0, section 8.2.1.1, proof type ``jwt``).

A compact JWS the wallet signs with the key the credential is to be bound to: header
``typ: openid4vci-proof+jwt``, ``alg: EdDSA`` and either ``kid`` (a ``did:key`` with its key
fragment) or ``jwk`` (an Ed25519 public key, which becomes a ``did:key``); claims ``aud`` (this
credential issuer), ``iat`` (now, give or take a few minutes) and ``nonce`` (a ``c_nonce`` this
issuer handed out). Only Ed25519 is accepted: the holder's DID is a ``did:key`` the portal's
verifiers resolve offline, and the metadata says so.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certification.credentials import vc

PROOF_TYP = "openid4vci-proof+jwt"
ALGORITHMS = ("EdDSA", "Ed25519")
# How far ``iat`` may be from the issuer's clock, in seconds.
PAST_SKEW = 300
FUTURE_SKEW = 60


class ProofError(ValueError):
    """The key proof is not acceptable; the message says why (in English, for the wallet)."""


@dataclass(frozen=True)
class KeyProof:
    holder_did: str
    nonce: str


def _b64(part: str) -> bytes:
    if not isinstance(part, str) or any(c in part for c in "=+/ \n"):
        raise ProofError("the proof is not a compact JWS (base64url without padding)")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as error:
        raise ProofError("the proof is not a compact JWS (base64url)") from error


def _json(part: str, what: str) -> dict:
    try:
        value = json.loads(_b64(part))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProofError(f"the proof's {what} is not JSON") from error
    if not isinstance(value, dict):
        raise ProofError(f"the proof's {what} is not a JSON object")
    return value


def _holder_key(header: dict) -> tuple[str, bytes]:
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise ProofError("the proof header needs exactly one of kid (a did:key) and jwk")
    if kid is not None:
        if not isinstance(kid, str) or not kid.startswith("did:key:") or "#" not in kid:
            raise ProofError("kid must be a did:key with its key fragment")
        did, fragment = kid.split("#", 1)
        try:
            public = vc.public_key_from_did(did)
        except ValueError as error:
            raise ProofError(f"kid: {error}") from error
        if did.removeprefix("did:key:") != fragment:
            raise ProofError("kid's fragment is not the did:key's own key")
        return did, public
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ProofError("jwk must be an Ed25519 public key (kty OKP, crv Ed25519)")
    if "d" in jwk:
        raise ProofError("jwk must not contain a private key")
    public = _b64(jwk.get("x") or "")
    if len(public) != 32:
        raise ProofError("jwk.x is not a 32-byte Ed25519 public key")
    return vc.did_key(public), public


def proof_verify(jwt: str, *, audience: str, now: int) -> KeyProof:
    """The holder's DID and the nonce of a valid key proof; ProofError otherwise."""
    if not isinstance(jwt, str) or jwt.count(".") != 2 or len(jwt) > 8000:
        raise ProofError("the proof is not a compact JWS")
    header_part, payload_part, signature_part = jwt.split(".")
    header = _json(header_part, "header")
    payload = _json(payload_part, "payload")
    if header.get("typ") != PROOF_TYP:
        raise ProofError(f"the proof's typ must be {PROOF_TYP!r}")
    if header.get("alg") not in ALGORITHMS:
        raise ProofError("the proof must be signed with EdDSA (Ed25519)")
    if "x5c" in header or "trust_chain" in header:
        raise ProofError("only kid (did:key) or jwk are supported in the proof header")
    did, public = _holder_key(header)
    signature = _b64(signature_part)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            signature, f"{header_part}.{payload_part}".encode("ascii")
        )
    except (InvalidSignature, ValueError) as error:
        raise ProofError("the proof's signature does not match its key") from error
    audiences = payload.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    if audience not in audiences:
        raise ProofError(f"the proof's aud must be this credential issuer ({audience})")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise ProofError("the proof has no iat")
    if not now - PAST_SKEW <= iat <= now + FUTURE_SKEW:
        raise ProofError("the proof's iat is not now: make a new proof")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError("the proof has no nonce: ask the nonce endpoint for one")
    return KeyProof(holder_did=did, nonce=nonce)
