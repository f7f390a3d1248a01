"""``did:web`` identifiers and the DID documents published for them (W3C CCG did:web method).

A did:web DID names a web location: ``did:web:portal.example.cn:certification:bodies:GD`` is
resolved by fetching ``https://portal.example.cn/certification/bodies/GD/did.json`` (path
segments joined by ``:``; a port is written percent-encoded, ``example.cn%3A8443``; a DID
without a path resolves to ``/.well-known/did.json``). Unlike a ``did:key``, the DID stays the
same when its keys change: the document lists them.

The document lists every key the DID has had, as ``Multikey`` verification methods whose
fragment is the key's own multibase fingerprint (``#z6Mk...``), each also in
``assertionMethod``: a credential signed before a rotation still names a key the document
holds. A retired key is marked ``retired`` (a term the document's own context defines, in the
portal's vocabulary) with
the moment it stopped signing new credentials; it is not marked ``revoked`` or ``expires``,
which verifiers read as "reject every signature", and it is not compromised. ``alsoKnownAs``
lists each key's ``did:key``, tying credentials issued before did:web to the same body.

Pure functions, no Django: the portal's resolver (``certification/credentials/did.py``) reads
the keys from its database and never fetches anything.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote, urlsplit

from .dates import xsd_datetime
from .keys import did_key, public_key_from_did, public_key_multibase

DID_WEB_PREFIX = "did:web:"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
_SEGMENT_FORBIDDEN = set(":/?#%[]@ ")


@dataclass(frozen=True)
class DidKey:
    """One key in a DID document; ``retired`` is when it stopped signing new credentials."""

    public: bytes
    retired: datetime | None = None


def did_web(base_url: str, *segments: str) -> str:
    """The did:web of ``base_url``'s host (and port) with ``segments`` as its path.

    ``did_web("https://portal.example.cn", "certification", "bodies", "GD")`` is
    ``did:web:portal.example.cn:certification:bodies:GD``. A base URL with a path of its own is
    refused: did:web has no way to say it other than as segments, which would be ambiguous."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {base_url!r}")
    if parts.path.strip("/"):
        raise ValueError("the base URL of a did:web must have no path")
    host = parts.hostname.lower()
    if parts.port is not None:
        host += quote(f":{parts.port}", safe="")
    for segment in segments:
        if not segment or set(segment) & _SEGMENT_FORBIDDEN:
            raise ValueError(f"{segment!r} cannot be a did:web path segment")
    return DID_WEB_PREFIX + ":".join([host, *segments])


def did_web_url(did: str) -> str:
    """Where ``did`` is resolved (the did:web "read" operation); ValueError if not a did:web."""
    if not isinstance(did, str) or not did.startswith(DID_WEB_PREFIX) or "#" in did:
        raise ValueError(f"not a did:web: {did!r}")
    host, *segments = did[len(DID_WEB_PREFIX) :].split(":")
    if not host or any(not segment for segment in segments):
        raise ValueError(f"not a did:web: {did!r}")
    host = unquote(host)
    if "/" in host or "@" in host:
        raise ValueError(f"not a did:web: {did!r}")
    path = "/".join(segments) + "/did.json" if segments else ".well-known/did.json"
    return f"https://{host}/{path}"


def retired_term(did: str) -> str:
    """The IRI of the ``retired`` term, in the vocabulary of the host serving the DID."""
    return "https://" + urlsplit(did_web_url(did)).netloc + "/ns/did#retired"


def key_id(did: str, public: bytes) -> str:
    """The verification method id of ``public`` in ``did``'s document: ``<did>#z6Mk...``."""
    return f"{did}#{public_key_multibase(public)}"


def did_document(did: str, keys: list[DidKey]) -> dict:
    """The DID document of ``did`` listing ``keys`` (newest first is the caller's order)."""
    did_web_url(did)  # refuses anything that is not a did:web
    methods = []
    for key in keys:
        method = {
            "id": key_id(did, key.public),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(key.public),
        }
        if key.retired is not None:
            method["retired"] = xsd_datetime(key.retired)
        methods.append(method)
    document = {
        "@context": [
            DID_V1,
            MULTIKEY_V1,
            {
                "retired": {
                    "@id": retired_term(did),
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                }
            },
        ],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
    if keys:
        document["alsoKnownAs"] = [did_key(key.public) for key in keys]
    return document


def document_public_key(document: dict, did: str, method_id: str) -> bytes:
    """The key ``method_id`` names in ``document`` (the DID document of ``did``), if the document
    lists it for ``assertionMethod``; ValueError otherwise."""
    if not isinstance(document, dict) or document.get("id") != did:
        raise ValueError("the DID document is not the document of the credential's issuer")
    assertion = document.get("assertionMethod") or []
    if method_id not in assertion:
        raise ValueError(f"{method_id} is not an assertion method of {did}")
    for method in document.get("verificationMethod") or []:
        if isinstance(method, dict) and method.get("id") == method_id:
            fingerprint = method.get("publicKeyMultibase")
            if method.get("type") != "Multikey" or method.get("controller") != did:
                break
            if not isinstance(fingerprint, str) or method_id != f"{did}#{fingerprint}":
                break
            return public_key_from_did(f"did:key:{fingerprint}")
    raise ValueError(f"{did} lists no usable key {method_id}")
