"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite, for plain JSON documents.

Used for what is not a credential and has no JSON-LD context of its own (the audit chain's
checkpoints): the document and the proof options are canonicalized with the JSON
Canonicalization Scheme (RFC 8785) instead of RDF, hashed with SHA-256 each, and
``hash(proof options) || hash(document)`` is signed with Ed25519 (VC Data Integrity EdDSA
Cryptosuites v1.0, section 3.3). Our documents hold only strings, integers and objects, for which
RFC 8785 is JSON with sorted keys, no whitespace and UTF-8 text; anything else (a float) is
refused rather than canonicalized approximately.
"""

import copy
import hashlib
import json
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .dates import parse_xsd_datetime, xsd_datetime
from .keys import private_key_object
from .multibase import from_multibase_base58btc, multibase_base58btc
from .proof import PROOF_PURPOSE, PROOF_TYPE, Resolver, Verification, resolve_default

CRYPTOSUITE = "eddsa-jcs-2022"


def _check_plain(value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("JCS: object keys must be strings")
            _check_plain(item)
    elif isinstance(value, list):
        for item in value:
            _check_plain(item)
    elif isinstance(value, float):
        raise ValueError("JCS: numbers other than integers are not supported here")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        raise ValueError("JCS: integers beyond 2**53 - 1 are not exact in JSON")
    elif value is not None and not isinstance(value, str | int):
        raise ValueError(f"JCS: {type(value).__name__} is not JSON")


def jcs(value) -> bytes:
    """RFC 8785 canonical JSON of ``value`` (strings, integers, booleans, null, lists, objects).

    RFC 8785 sorts keys by UTF-16 code units; Python sorts by code points, which agree except
    for characters beyond the Basic Multilingual Plane, so such keys are refused."""
    _check_plain(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    _check_keys(value)
    return text.encode("utf-8")


def _check_keys(value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if any(ord(character) > 0xFFFF for character in key):
                raise ValueError("JCS: keys beyond the Basic Multilingual Plane are not supported")
            _check_keys(item)
    elif isinstance(value, list):
        for item in value:
            _check_keys(item)


def _hash_data(document: dict, options: dict) -> bytes:
    config = dict(options)
    if "@context" in document:
        config["@context"] = document["@context"]
    return hashlib.sha256(jcs(config)).digest() + hashlib.sha256(jcs(document)).digest()


def sign_jcs(document: dict, *, private_key: bytes, method: str, created: datetime) -> dict:
    """A copy of ``document`` with an ``eddsa-jcs-2022`` proof by ``method``."""
    if "proof" in document:
        raise ValueError("the document already has a proof; sign the unsigned document")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key_object(private_key).sign(_hash_data(document, options))
    signed = copy.deepcopy(document)
    signed["proof"] = {**options, "proofValue": multibase_base58btc(signature)}
    return signed


def verify_jcs(
    document: dict, *, resolve: Resolver | None = None, issuer: str | None = None
) -> Verification:
    """Check an ``eddsa-jcs-2022`` proof; with ``issuer``, that its method is that DID's key.

    Never raises on bad input."""
    resolve = resolve or resolve_default
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        return Verification(False, ("the document has no proof",))
    proof = document["proof"]
    expected = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "proofPurpose": PROOF_PURPOSE}
    errors = [
        f"proof.{key} must be {value!r}"
        for key, value in expected.items()
        if proof.get(key) != value
    ]
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or "#" not in method:
        errors.append("proof.verificationMethod must be a DID with its key fragment")
    elif issuer is not None and method.split("#", 1)[0] != issuer:
        errors.append(f"the proof was not made by {issuer}")
    try:
        parse_xsd_datetime(proof.get("created"))
    except (TypeError, ValueError):
        errors.append("proof.created is not an XML Schema dateTimeStamp")
    try:
        signature = from_multibase_base58btc(proof.get("proofValue"))
    except ValueError as error:
        errors.append(f"proof.proofValue: {error}")
        signature = b""
    if errors:
        return Verification(False, tuple(errors))
    try:
        public = resolve(method)
        unsigned = {key: value for key, value in document.items() if key != "proof"}
        options = {key: value for key, value in proof.items() if key != "proofValue"}
        data = _hash_data(unsigned, options)
    except ValueError as error:
        return Verification(False, (str(error),))
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except InvalidSignature:
        return Verification(False, ("the signature does not match the document",))
    return Verification(True, ())
