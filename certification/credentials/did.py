"""Who signs: the portal's did:web identifiers, their DID documents, and the local resolver.

Each certifying body is ``did:web:<portal host>:certification:bodies:<code>``, whose document is
served at ``/certification/bodies/<code>/did.json`` next to the body's public page, and lists
every key the body has had (retired ones marked, see :mod:`.vc.did_web`). The portal itself is
``did:web:<portal host>`` (``/.well-known/did.json``), whose keys sign the audit checkpoints.

:func:`resolve` is the portal's verifier's resolver: a ``did:key`` is decoded, a ``did:web`` of
this portal is answered from the database, and any other DID is refused. It never fetches a
document from the network: a verifier that did could be pointed at a look-alike host.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from certification.credentials import vc
from certification.credentials.models import PlatformKey, SigningKey
from certification.credentials.vc.did_web import DID_WEB_PREFIX
from certification.credentials.vc.keys import (
    DID_KEY_PREFIX,
    did_from_verification_method,
    public_key_multibase,
)
from certification.levels.models import CertifyingBody
from certification.links import absolute_url

BODY_PATH = ("certification", "bodies")


def platform_did() -> str:
    return vc.did_web(settings.PORTAL_BASE_URL.rstrip("/"))


def body_did(body: CertifyingBody | str) -> str:
    code = body if isinstance(body, str) else body.code
    return vc.did_web(settings.PORTAL_BASE_URL.rstrip("/"), *BODY_PATH, code)


def _did_keys(keys) -> list[vc.DidKey]:
    return [vc.DidKey(public=bytes(key.public_key), retired=key.retired_at) for key in keys]


def body_did_document(body: CertifyingBody) -> dict:
    keys = SigningKey.objects.filter(body=body).order_by("-created_at", "-pk")
    return vc.did_document(body_did(body), _did_keys(keys))


def platform_did_document() -> dict:
    keys = PlatformKey.objects.order_by("-created_at", "-pk")
    return vc.did_document(platform_did(), _did_keys(keys))


def key_method(key: SigningKey) -> str:
    """The verification method id of a body's key in the body's DID document."""
    return vc.key_id(body_did(key.body), bytes(key.public_key))


def platform_key_method(key: PlatformKey) -> str:
    return vc.key_id(platform_did(), bytes(key.public_key))


def did_document_of(did: str) -> dict | None:
    """The document of one of this portal's did:web DIDs, from the database; None otherwise."""
    if did == platform_did():
        return platform_did_document()
    prefix = platform_did() + ":" + ":".join(BODY_PATH) + ":"
    if not did.startswith(prefix):
        return None
    code = did[len(prefix) :]
    body = CertifyingBody.objects.filter(code=code).first() if ":" not in code else None
    if body is None or body_did(body) != did:
        return None
    return body_did_document(body)


def resolve(method: str) -> bytes:
    """The Ed25519 key a verification method names; ValueError when it names none we trust.

    A did:web method must be listed in this portal's own document for that DID, so a credential
    naming a body's DID but signed with any other key (a look-alike with a fresh key) fails."""
    if not isinstance(method, str):
        raise ValueError("the verification method is not a string")
    did = did_from_verification_method(method)
    if did.startswith(DID_KEY_PREFIX):
        return vc.resolve_did_key(method)
    if did.startswith(DID_WEB_PREFIX):
        document = did_document_of(did)
        if document is None:
            raise ValueError(
                f"{did} is not a DID of this portal; DID documents are never fetched from elsewhere"
            )
        return vc.document_public_key(document, did, method)
    raise ValueError(f"{did} uses a DID method this portal does not resolve")


def issuer_of(public: bytes) -> str | None:
    """The did:web of the body whose key ``public`` is, or None."""
    key = SigningKey.objects.filter(public_key=bytes(public)).select_related("body").first()
    return body_did(key.body) if key is not None else None


def resolver_install() -> None:
    """Make :func:`resolve` what ``vc.verify`` uses when its caller names no resolver, and
    :func:`issuer_of` what ``vc.sign`` names as issuer when its caller names no key: so a
    credential any part of the portal signs with a body's key is issued by the body's did:web.
    """
    from certification.credentials.vc.proof import issuer_install, resolver_install

    resolver_install(resolve)
    issuer_install(issuer_of)


def credential_verify(document: dict) -> vc.Verification:
    """:func:`vc.verify` with this portal's resolver (did:key, and its own did:web)."""
    return vc.verify(document, resolve=resolve)


@dataclass(frozen=True)
class PublicKeyRow:
    fingerprint: str
    method: str
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True)
class BodyIdentity:
    """What a body's public page shows of who signs its credentials."""

    did: str
    document_url: str
    keys: tuple[PublicKeyRow, ...]


def body_identity(body: CertifyingBody) -> BodyIdentity:
    did = body_did(body)
    rows = tuple(
        PublicKeyRow(
            fingerprint=public_key_multibase(bytes(key.public_key)),
            method=vc.key_id(did, bytes(key.public_key)),
            created_at=key.created_at,
            retired_at=key.retired_at,
        )
        for key in SigningKey.objects.filter(body=body).order_by("-created_at", "-pk")
    )
    return BodyIdentity(
        did=did,
        document_url=absolute_url(reverse("certification_body_did", args=[body.code])),
        keys=rows,
    )
