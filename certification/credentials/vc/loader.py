"""The offline JSON-LD document loader: bundled contexts only, never the network.

A signature covers the RDF a document expands to, and the expansion depends on the contexts. A
loader that fetched them could be made to sign or accept different data by whoever controls a
context URL (or a DNS answer), and would make issuing depend on a third party being up. So the
contexts are files in this package (see ``contexts/README.md``), listed in ``contexts/index.json``,
and anything else is refused.
"""

import json
from functools import cache
from importlib.resources import files

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_CONTEXTS = files(__package__) / "contexts"


class UnknownContextError(LookupError):
    """A document asked for a URL that is not one of the bundled contexts."""


@cache
def _index() -> dict[str, str]:
    return json.loads((_CONTEXTS / "index.json").read_text(encoding="utf-8"))


@cache
def _context_text(url: str) -> str:
    return (_CONTEXTS / _index()[url]).read_text(encoding="utf-8")


def bundled_urls() -> tuple[str, ...]:
    return tuple(_index())


def context_document(url: str) -> dict:
    """A fresh copy of the bundled context at ``url`` (callers may mutate it)."""
    if url not in _index():
        raise UnknownContextError(
            f"JSON-LD context {url!r} is not bundled in certification/credentials/vc/contexts; "
            "the loader never fetches from the network"
        )
    return json.loads(_context_text(url))


def document_loader(url: str, options=None) -> dict:
    """pyld-compatible loader (``jsonld.*(..., {'documentLoader': document_loader})``)."""
    return {"contextUrl": None, "documentUrl": url, "document": context_document(url)}


@cache
def bundled_terms() -> frozenset[str]:
    """Every term any bundled context defines, at any depth (type- and property-scoped too).

    The fast canonicalizer refuses to treat a value as an opaque IRI if its scheme could be one
    of these (``sec:...`` would expand as a compact IRI); a superset is the safe side.
    """
    terms: set[str] = set()
    for url in _index():
        collect_terms(context_document(url), terms)
    return frozenset(terms)


def collect_terms(value, terms: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("@"):
                terms.add(key)
            collect_terms(item, terms)
    elif isinstance(value, list):
        for item in value:
            collect_terms(item, terms)
