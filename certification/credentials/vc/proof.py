"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C, 2025).

Signing (spec section 3.3): canonicalize the document without its proof and the proof options
(given the document's ``@context``) with RDFC-1.0, hash each with SHA-256, and sign
``hash(proof options) || hash(document)`` with Ed25519. The signature goes in ``proofValue`` as
multibase base58btc. Verifying repeats the same steps with the key decoded from the did:key in
``verificationMethod``, and additionally insists that this DID is the credential's issuer, or
anyone could sign a credential "from" a certifying body with their own key.

The proof is written as an array of one (``"proof": [{...}]``): 1EdTech's OB 3.0 JSON schema
requires an array, and VC 2.0 allows either form. Credentials signed before with a bare proof
object still verify.

Only cryptographic integrity and issuer binding are checked here: whether the credential is
inside its validity period, or revoked, is the caller's business (see :mod:`.status`).
"""

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from . import canon
from .dates import parse_xsd_datetime, xsd_datetime
from .keys import (
    did_from_verification_method,
    did_key,
    private_key_object,
    public_key_from_did,
    public_key_from_private,
    verification_method,
)
from .multibase import from_multibase_base58btc, multibase_base58btc

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
SIGNATURE_LENGTH = 64

Canonicalizer = Callable[[dict], str]


@dataclass(frozen=True)
class Verification:
    verified: bool
    errors: tuple[str, ...]


def issuer_id(document: dict) -> str | None:
    """The issuer's id, whether ``issuer`` is a bare URL or a Profile object."""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def sign(
    document: dict,
    *,
    private_key: bytes,
    created: datetime,
    canonicalize: Canonicalizer | None = None,
) -> dict:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added."""
    canonicalize = canonicalize or canon.canonicalize
    if "proof" in document:
        raise ValueError("the document already has a proof; sign the unsigned document")
    public = public_key_from_private(private_key)
    if issuer_id(document) != did_key(public):
        raise ValueError("the signing key is not the key of the document's issuer did:key")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method(public),
        "proofPurpose": PROOF_PURPOSE,
    }
    data = _hash_data(document, options, canonicalize)
    signature = private_key_object(private_key).sign(data)
    signed = copy.deepcopy(document)
    signed["proof"] = [{**options, "proofValue": multibase_base58btc(signature)}]
    return signed


def _hash_data(document: dict, options: dict, canonicalize: Canonicalizer) -> bytes:
    """Spec 3.3.4: SHA-256 of the canonical proof configuration, then of the document."""
    config = {"@context": document.get("@context"), **options}
    return (
        hashlib.sha256(canonicalize(config).encode("utf-8")).digest()
        + hashlib.sha256(canonicalize(document).encode("utf-8")).digest()
    )


def verify(document: dict, *, canonicalize: Canonicalizer | None = None) -> Verification:
    """Check the proof and that it was made by the issuer's key; never raises on bad input."""
    canonicalize = canonicalize or canon.canonicalize
    if not isinstance(document, dict):
        return Verification(False, ("the credential is not a JSON object",))
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        return Verification(False, ("the credential has no proof (or more than one)",))
    errors = _proof_errors(document, proof)
    if errors:
        return Verification(False, tuple(errors))
    public = public_key_from_did(proof["verificationMethod"])
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    try:
        data = _hash_data(unsigned, options, canonicalize)
    except Exception as error:  # pyld raises many kinds of error on hostile input
        return Verification(False, (f"the credential cannot be canonicalized: {error}",))
    signature = from_multibase_base58btc(proof["proofValue"])
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except InvalidSignature:
        return Verification(False, ("the signature does not match the credential",))
    return Verification(True, ())


def _proof_errors(document: dict, proof: dict) -> list[str]:
    """Everything wrong with the proof's form, before any cryptography is attempted."""
    errors = []
    if "@context" not in document:
        errors.append("the credential has no @context")
    expected = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "proofPurpose": PROOF_PURPOSE}
    for key, value in expected.items():
        if proof.get(key) != value:
            errors.append(f"proof.{key} must be {value!r}, not {proof.get(key)!r}")
    if "@context" in proof:
        errors.append("proof.@context is not supported; the document's @context applies")
    method = proof.get("verificationMethod")
    try:
        public_key_from_did(method)
    except ValueError as error:
        errors.append(f"proof.verificationMethod: {error}")
    else:
        if "#" not in method:
            errors.append("proof.verificationMethod must be a did:key with its key fragment")
        if did_from_verification_method(method) != issuer_id(document):
            errors.append("the proof was not made by the credential's issuer")
    if "created" in proof:
        try:
            parse_xsd_datetime(proof["created"])
        except (TypeError, ValueError):
            errors.append("proof.created is not an XML Schema dateTimeStamp")
    try:
        signature = from_multibase_base58btc(proof.get("proofValue"))
    except ValueError as error:
        errors.append(f"proof.proofValue: {error}")
    else:
        if len(signature) != SIGNATURE_LENGTH:
            errors.append("proof.proofValue is not a 64-byte Ed25519 signature")
    return errors
