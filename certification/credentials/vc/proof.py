"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C, 2025).

Signing (spec section 3.3): canonicalize the document without its proof and the proof options
(given the document's ``@context``) with RDFC-1.0, hash each with SHA-256, and sign
``hash(proof options) || hash(document)`` with Ed25519. The signature goes in ``proofValue`` as
multibase base58btc. Verifying repeats the same steps with the key ``verificationMethod`` names,
and additionally insists that its DID is the credential's issuer, or anyone could sign a
credential "from" a certifying body with their own key.

The issuer is a ``did:key`` (the key is the DID) or, since issue 16, a ``did:web`` whose DID
document lists the body's keys. This module resolves only did:key by itself; a caller that
accepts other DIDs passes ``resolve`` (verification method id -> raw public key, ValueError when
the DID's document does not list that key), or installs one for every caller with
:func:`resolver_install`: the portal installs its resolver at start-up, which reads its own
database and never the network (``certification/credentials/did.py``).

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
    public_key_multibase,
    verification_method,
)
from .multibase import from_multibase_base58btc, multibase_base58btc

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
SIGNATURE_LENGTH = 64

Canonicalizer = Callable[[dict], str]
Resolver = Callable[[str], bytes]


def resolve_did_key(method: str) -> bytes:
    """The default resolver: did:key only, whose fragment must repeat the key."""
    if "#" not in method:
        raise ValueError("the verification method must be a DID with its key fragment")
    return public_key_from_did(method)


_installed: list[Resolver] = []
_issuers: list[Callable[[bytes], str | None]] = []


def issuer_install(issuer_of: Callable[[bytes], str | None] | None) -> None:
    """Make ``issuer_of`` (raw public key -> the DID whose document lists it, or None) decide
    the issuer of documents :func:`sign` is given without a ``method``; None removes it."""
    _issuers[:] = [issuer_of] if issuer_of is not None else []


def resolver_install(resolve: Resolver | None) -> None:
    """Make ``resolve`` the resolver of DIDs other than did:key when a caller gives none (the
    portal installs its database resolver at start-up); None removes it."""
    _installed[:] = [resolve] if resolve is not None else []


def resolve_default(method: str) -> bytes:
    """did:key by itself; any other DID through the installed resolver, if there is one."""
    if isinstance(method, str) and method.startswith("did:key:"):
        return resolve_did_key(method)
    if _installed:
        return _installed[0](method)
    raise ValueError(f"no resolver for {str(method)[:80]!r}: only did:key is resolved here")


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
    method: str | None = None,
) -> dict:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    With ``method`` (``<did>#<key id>``) the issuer must be that DID; that the DID's document
    lists the key is the caller's business (``vc.verification_method(public)`` keeps a did:key
    issuer as it is). Without it, the key chooses: when an installed issuer map knows the key
    (the portal's: a body's key -> the body's did:web), an issuer written as the key's did:key
    is replaced by that DID and the key is named by its id in the DID's document; otherwise the
    issuer must be the key's did:key."""
    canonicalize = canonicalize or canon.canonicalize
    if not isinstance(document, dict):
        raise ValueError("the document must be a JSON object")
    if "proof" in document:
        raise ValueError("the document already has a proof; sign the unsigned document")
    public = public_key_from_private(private_key)
    if method is None:
        document, method = _issuer_and_method(document, public)
    elif "#" not in method or issuer_id(document) != did_from_verification_method(method):
        raise ValueError("the verification method is not a key of the document's issuer")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": method,
        "proofPurpose": PROOF_PURPOSE,
    }
    data = _hash_data(document, options, canonicalize)
    signature = private_key_object(private_key).sign(data)
    signed = copy.deepcopy(document)
    signed["proof"] = [{**options, "proofValue": multibase_base58btc(signature)}]
    return signed


def _issuer_and_method(document: dict, public: bytes) -> tuple[dict, str]:
    issuer = issuer_id(document)
    mapped = _issuers[0](public) if _issuers else None
    if mapped and issuer in (did_key(public), mapped):
        if issuer != mapped:
            document = copy.deepcopy(document)
            if isinstance(document["issuer"], dict):
                document["issuer"]["id"] = mapped
            else:
                document["issuer"] = mapped
        return document, f"{mapped}#{public_key_multibase(public)}"
    if issuer != did_key(public):
        raise ValueError("the signing key is not the key of the document's issuer did:key")
    return document, verification_method(public)


def _hash_data(document: dict, options: dict, canonicalize: Canonicalizer) -> bytes:
    """Spec 3.3.4: SHA-256 of the canonical proof configuration, then of the document."""
    config = {"@context": document.get("@context"), **options}
    return (
        hashlib.sha256(canonicalize(config).encode("utf-8")).digest()
        + hashlib.sha256(canonicalize(document).encode("utf-8")).digest()
    )


def verify(
    document: dict,
    *,
    canonicalize: Canonicalizer | None = None,
    resolve: Resolver | None = None,
) -> Verification:
    """Check the proof and that it was made by the issuer's key; never raises on bad input.

    ``resolve`` finds the key a verification method names (default: :func:`resolve_default`,
    did:key and whatever the portal installed)."""
    canonicalize = canonicalize or canon.canonicalize
    resolve = resolve or resolve_default
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
    try:
        public = resolve(proof["verificationMethod"])
    except ValueError as error:
        return Verification(False, (f"proof.verificationMethod: {error}",))
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
    if not isinstance(method, str) or "#" not in method:
        errors.append("proof.verificationMethod must be a DID with its key fragment")
    elif did_from_verification_method(method) != issuer_id(document):
        errors.append("the proof was not made by the credential's issuer")
        errors.append(f"proof.verificationMethod {method[:120]!r} is not a key of the issuer")
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
