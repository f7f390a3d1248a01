"""Open Badges 3.0 verifiable credentials for certificates: build, sign, verify, revoke.

Pure Python, no Django: ``eddsa-rdfc-2022`` Data Integrity proofs by a ``did:key`` or ``did:web``
issuer over
JSON-LD expanded with bundled contexts only, and Bitstring Status List revocation. The
``canonicalize`` used by default reuses JSON-LD work across credentials of the same shape; see
:mod:`.canon` for why that gives exactly what ``canonicalize_naive`` gives.
"""

from .badge import Alignment, BadgeData, id_number_hash, identity_hash, open_badge_credential
from .canon import (
    canonicalize,
    canonicalize_naive,
    fast_path_stats,
    undefined_terms,
)
from .did_web import DidKey, did_document, did_web, did_web_url, document_public_key, key_id
from .keys import (
    KeyPair,
    did_key,
    keypair_generate,
    public_key_from_did,
    public_key_from_private,
    verification_method,
)
from .loader import UnknownContextError, document_loader
from .proof import Resolver, Verification, resolve_did_key, sign, verify
from .rdfc import CanonicalizationError
from .status import StatusCheck, credential_status, status_bit, status_list_credential

__all__ = [
    "Alignment",
    "BadgeData",
    "CanonicalizationError",
    "DidKey",
    "Resolver",
    "KeyPair",
    "StatusCheck",
    "UnknownContextError",
    "Verification",
    "canonicalize",
    "canonicalize_naive",
    "credential_status",
    "did_document",
    "did_key",
    "did_web",
    "did_web_url",
    "document_public_key",
    "document_loader",
    "fast_path_stats",
    "id_number_hash",
    "identity_hash",
    "key_id",
    "keypair_generate",
    "open_badge_credential",
    "public_key_from_did",
    "public_key_from_private",
    "resolve_did_key",
    "sign",
    "status_bit",
    "status_list_credential",
    "undefined_terms",
    "verification_method",
    "verify",
]
