"""JSON-LD → canonical N-Quads, the slow obvious way and the fast equivalent way.

``canonicalize_naive`` runs pyld's full JSON-LD processing (context processing, expansion, node
map, toRDF) on every call, with a fresh context cache so that nothing is reused, then RDFC-1.0.
That costs several milliseconds per credential, twice per signature: too slow for issuing 10,000
certificates a minute on two cores alongside the database work and the PDFs.

``canonicalize`` gives the same output by doing the JSON-LD work once per *shape*. Credentials
built by one function differ only in their string values, and JSON-LD treats most strings
opaquely: a literal stays the same literal, an absolute IRI stays the same IRI. So the document's
shape (its structure, with every string replaced by a slot) is run through pyld once with
sentinel strings (``urn:x-slot-<nonce>:7``) in the slots; the resulting quads are a template, and
each later document only has its values escaped into the template's holes before RDFC-1.0.

Where a string is *not* opaque the fast path does not guess:

* values of ``type`` and of every ``@``-keyword key (``@context``, ``@id``, ``@language``...)
  are part of the shape, since they select contexts, aliases and types;
* a slot whose sentinel does not come back verbatim (dropped, used as a language tag, an index
  key, JSON literal, or ``xsd:double`` which pyld rewrites) is *pinned*: its real value becomes
  part of the template's key and is processed by pyld itself;
* a slot that comes back as an IRI only takes values that JSON-LD cannot reinterpret: an absolute
  IRI without whitespace or N-Quads-forbidden characters whose scheme is not a term of any
  context (so never a compact IRI, a vocabulary term, a relative IRI or a blank node). Any other
  value (``assertionMethod`` in a proof, say) is pinned as above;
* if a pinned template still does not check out (or pyld rejected the sentinels, or expansion
  dropped a property), that document goes through the naive path, which raises if it must.

Two slots that receive the same IRI would have been merged into one node by JSON-LD; the quads
come out identical and are de-duplicated, which gives the same dataset. The property test in
``tests/certification/credentials/vc/test_canon.py`` compares both paths on generated credentials.
"""

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from .loader import bundled_terms, collect_terms, document_loader
from .rdfc import (
    CanonicalizationError,
    Quad,
    canonicalize_quads,
    escape_iri,
    escape_literal,
    iri_term,
    literal_term,
)

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
# pyld changes a string's lexical form only for these datatypes (see _object_to_rdf).
_REWRITTEN_DATATYPES = frozenset({f"^^<{XSD_DOUBLE}>", f"^^<{RDF_JSON}>"})

_SENTINEL_PREFIX = f"urn:x-slot-{secrets.token_hex(8)}:"
_SENTINEL_IRI = re.compile(rf"<{re.escape(_SENTINEL_PREFIX)}(\d+)>")
_SENTINEL_LITERAL = re.compile(rf'"{re.escape(_SENTINEL_PREFIX)}(\d+)"(.*)', re.DOTALL)
_SENTINEL_ANYWHERE = re.compile(rf"{re.escape(_SENTINEL_PREFIX)}(\d+)")
# Stricter than pyld's own absolute-IRI test, and free of what N-Quads would have to escape.
_OPAQUE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|^`\\\x00-\x1f\x7f]*')

TEMPLATE_CACHE_SIZE = 256


def _to_rdf(doc: dict, resolver: ContextResolver, dropped: list | None = None) -> list[Quad]:
    """pyld's toRDF, with its dataset turned into our serialized quads.

    ``base`` is None so a relative IRI stays relative (and is dropped, as in jsonld.js) instead
    of being resolved against pyld's made-up default base. Properties that expansion ignores
    are appended to ``dropped``.
    """
    processor = jsonld.JsonLdProcessor(
        on_property_dropped=dropped.append if dropped is not None else _ignore
    )
    options = {"documentLoader": document_loader, "contextResolver": resolver, "base": None}
    try:
        dataset = processor.to_rdf(doc, options)
    except jsonld.JsonLdError as error:
        raise CanonicalizationError(_describe(error)) from error
    quads = []
    for graph_name, triples in dataset.items():
        graph = "" if graph_name == "@default" else _node_term(graph_name)
        for triple in triples:
            quads.append(
                (
                    _term(triple["subject"]),
                    _term(triple["predicate"]),
                    _term(triple["object"]),
                    graph,
                )
            )
    return quads


def _ignore(_property) -> None:
    pass


def _safe_quads(doc: dict, resolver: ContextResolver) -> list[Quad]:
    """Like jsonld.js's "safe mode": a term no context defines is an error, not silently lost.

    Otherwise the signature would cover less than the JSON shows, and the JavaScript
    cryptosuite, which canonicalizes in safe mode, would refuse the credential anyway.
    """
    dropped: list = []
    quads = _to_rdf(doc, resolver, dropped)
    if dropped:
        names = ", ".join(sorted({repr(term) for term in dropped}))
        raise CanonicalizationError(
            f"terms not defined by the document's contexts (they would not be signed): {names}"
        )
    return quads


def _node_term(value: str) -> str:
    return value if value.startswith("_:") else iri_term(value)


def _term(term: dict) -> str:
    if term["type"] == "literal":
        return literal_term(term["value"], term["datatype"], term.get("language"))
    return _node_term(term["value"])


def _describe(error: BaseException) -> str:
    """pyld nests the real reason (an unknown context, say) several causes deep."""
    messages: list[str] = []
    for _depth in range(10):  # a cause chain can, in principle, loop
        if error is None:
            break
        message = str(error).split("\n", 1)[0]
        if message and message not in messages:
            messages.append(message)
        error = error.__cause__ or error.__context__
    return "; ".join(messages)


def canonicalize_naive(doc: dict) -> str:
    """Full pyld JSON-LD processing of ``doc`` with nothing reused, then RDFC-1.0."""
    return canonicalize_quads(_safe_quads(doc, ContextResolver({}, document_loader)))


# --- shapes --------------------------------------------------------------------------------

_SLOT = ("$",)
_NULL = ("n",)
_TRUE = ("b", True)
_FALSE = ("b", False)


def _kept(key: str) -> bool:
    """Keys whose string values are structure, not data."""
    return key == "type" or key.startswith("@")


def shape_of(value, values: list[str], keep: bool = False):
    """A hashable skeleton of a JSON value; its free strings are appended to ``values``.

    Scalars carry a type tag: ``True == 1`` and ``1 == 1.0`` in Python, but they are different
    literals in RDF, so they must not share a template.
    """
    if isinstance(value, str):
        if keep:
            return ("s", value)
        values.append(value)
        return _SLOT
    if isinstance(value, dict):
        return ("{",) + tuple(
            (key, shape_of(item, values, keep or _kept(key))) for key, item in value.items()
        )
    if isinstance(value, list):
        return ("[",) + tuple(shape_of(item, values, keep) for item in value)
    if value is None:
        return _NULL
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if isinstance(value, int):
        return ("i", value)
    if isinstance(value, float):
        return ("f", repr(value))
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _rebuild(shape, fill, counter: list[int]):
    """The JSON value for ``shape``, asking ``fill(slot_number)`` for each free string."""
    tag = shape[0]
    if tag == "$":
        counter[0] += 1
        return fill(counter[0] - 1)
    if tag == "{":
        return {key: _rebuild(item, fill, counter) for key, item in shape[1:]}
    if tag == "[":
        return [_rebuild(item, fill, counter) for item in shape[1:]]
    if tag == "n":
        return None
    if tag == "f":
        return float(shape[1])
    return shape[1]


def _inline_terms(shape, terms: set[str]) -> None:
    """Terms defined by inline (object) contexts anywhere in the shape."""
    if shape[0] == "{":
        for key, item in shape[1:]:
            if key == "@context":
                collect_terms(_rebuild(item, lambda _: "", [0]), terms)
            _inline_terms(item, terms)
    elif shape[0] == "[":
        for item in shape[1:]:
            _inline_terms(item, terms)


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    """The quads of one shape, with holes.

    ``forms`` lists how each hole is rendered: ``(slot, None)`` for an IRI or
    ``(slot, suffix)`` for a literal with that datatype/language suffix. A quad's parts are
    either a finished term (``str``) or an index into ``forms``.
    """

    quads: tuple[tuple[str | int, ...], ...]
    forms: tuple[tuple[int, str | None], ...]
    iri_slots: frozenset[int]
    pinned_slots: frozenset[int]  # the sentinel did not come back verbatim
    terms: frozenset[str]
    naive_only: bool  # pyld failed or dropped a property: let the naive path decide (and raise)


class _Templates:
    """A small thread-safe LRU of templates keyed by (shape, pinned values)."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.resolver = ContextResolver({}, document_loader)
        self.stats = {"templates": 0, "hits": 0, "naive": 0}

    def get(self, shape, pins: tuple) -> _Template:
        key = (shape, pins)
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                self.stats["hits"] += 1
                return self.entries[key]
        template = self._build(shape, dict(pins))
        with self.lock:
            self.stats["templates"] += 1
            self.entries[key] = template
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return template

    def _build(self, shape, pins: dict[int, str]) -> _Template:
        def fill(slot: int) -> str:
            return pins.get(slot, f"{_SENTINEL_PREFIX}{slot}")

        doc = _rebuild(shape, fill, [0])
        dropped: list = []
        failed = False
        with self.lock:  # pyld's resolver cache is a plain dict
            try:
                quads = _to_rdf(doc, self.resolver, dropped)
            except CanonicalizationError:
                # A sentinel may be what pyld refused (say, as an @direction); the real values
                # may be fine, so this shape is left to the naive path.
                quads, failed = [], True
        terms = set(bundled_terms())
        _inline_terms(shape, terms)
        return _compile(quads, _count_slots(shape), frozenset(terms), failed or bool(dropped))

    def count_naive(self) -> None:
        with self.lock:
            self.stats["naive"] += 1


def _count_slots(shape) -> int:
    counter = [0]
    _rebuild(shape, lambda _: "", counter)
    return counter[0]


def _compile(
    quads: list[Quad], slot_count: int, terms: frozenset[str], naive_only: bool
) -> _Template:
    forms: dict[tuple[int, str | None], int] = {}
    seen: set[int] = set()
    unusable: set[int] = set()
    compiled = []
    for quad in quads:
        parts: list[str | int] = []
        for term in quad:
            form = _sentinel_form(term)
            if form is None:
                unusable.update(int(n) for n in _SENTINEL_ANYWHERE.findall(term))
                parts.append(term)
                continue
            seen.add(form[0])
            parts.append(forms.setdefault(form, len(forms)))
        compiled.append(tuple(parts))
    for slot, suffix in forms:
        if suffix in _REWRITTEN_DATATYPES:
            unusable.add(slot)
    pinned = unusable | (set(range(slot_count)) - seen)
    return _Template(
        quads=tuple(compiled),
        forms=tuple(forms),
        iri_slots=frozenset(slot for slot, suffix in forms if suffix is None),
        pinned_slots=frozenset(pinned),
        terms=terms,
        naive_only=naive_only,
    )


def _sentinel_form(term: str) -> tuple[int, str | None] | None:
    """``(slot, None)`` for a sentinel IRI, ``(slot, suffix)`` for a sentinel literal."""
    if _SENTINEL_PREFIX not in term:
        return None
    match = _SENTINEL_IRI.fullmatch(term)
    if match:
        return int(match.group(1)), None
    match = _SENTINEL_LITERAL.fullmatch(term)
    if match and _SENTINEL_PREFIX not in match.group(2):
        return int(match.group(1)), match.group(2)
    return None


def is_opaque_iri(value: str, terms: frozenset[str]) -> bool:
    """True if JSON-LD keeps ``value`` unchanged wherever an IRI is expected."""
    if not _OPAQUE_IRI.fullmatch(value) or value in terms:
        return False
    scheme, _, rest = value.partition(":")
    return scheme not in terms or rest.startswith("//")


_templates = _Templates(TEMPLATE_CACHE_SIZE)


def canonicalize(doc: dict) -> str:
    """Same output as :func:`canonicalize_naive`, reusing the JSON-LD work per document shape."""
    values: list[str] = []
    shape = shape_of(doc, values)
    base = _templates.get(shape, ())
    pins = tuple(
        (slot, values[slot])
        for slot in range(len(values))
        if slot in base.pinned_slots
        or (slot in base.iri_slots and not is_opaque_iri(values[slot], base.terms))
    )
    template = _templates.get(shape, pins) if pins else base
    pinned = dict(pins)
    if not _fits(template, pinned, values):
        _templates.count_naive()
        return canonicalize_naive(doc)
    return canonicalize_quads(_fill(template, values))


def _fits(template: _Template, pinned: dict[int, str], values: list[str]) -> bool:
    """Every free slot came back verbatim, and IRI slots hold opaque IRIs."""
    if template.naive_only or template.pinned_slots - pinned.keys():
        return False
    return all(
        is_opaque_iri(values[slot], template.terms)
        for slot in template.iri_slots
        if slot not in pinned
    )


def _fill(template: _Template, values: list[str]) -> list[Quad]:
    rendered = [
        f"<{escape_iri(values[slot])}>"
        if suffix is None
        else f'"{escape_literal(values[slot])}"{suffix}'
        for slot, suffix in template.forms
    ]
    return [
        tuple(part if part.__class__ is str else rendered[part] for part in quad)
        for quad in template.quads
    ]


def fast_path_stats() -> dict[str, int]:
    """Templates built, template hits and naive fallbacks since start (for tests and benches)."""
    with _templates.lock:
        return dict(_templates.stats)


def undefined_terms(doc: dict) -> list[str]:
    """What a signature over ``doc`` would not really cover; empty when all is well.

    Three kinds: properties no context defines (expansion drops them; VC 2.0 has no catch-all
    ``@vocab`` unless the "undefined-terms" context is added), terms that such a catch-all maps
    into the issuer-dependent vocabulary, and free strings that appear in no quad (a relative
    IRI, for one, is dropped by toRDF).
    """
    dropped: list = []
    quads = _to_rdf(doc, ContextResolver({}, document_loader), dropped)
    problems = [f"undefined term: {term!r}" for term in sorted(set(map(str, dropped)))]
    problems += sorted(
        {
            f"issuer-dependent term: {term[1:-1]}"
            for quad in quads
            for term in (quad[1], quad[2])
            if term.startswith(f"<{ISSUER_DEPENDENT}")
        }
    )
    terms = {term for quad in quads for term in quad}
    values: list[str] = []
    shape_of(doc, values)
    for value in values:
        if not _appears(value, terms):
            problems.append(f"value dropped: {value!r}")
    return problems


def _appears(value: str, terms: set[str]) -> bool:
    """The value is some quad's literal or IRI (or, for vocabulary terms, an IRI's last part)."""
    literal = f'"{escape_literal(value)}"'
    if f"<{escape_iri(value)}>" in terms or any(term.startswith(literal) for term in terms):
        return True
    return any(term.endswith((f"#{value}>", f"/{value}>")) for term in terms)


__all__ = [
    "CanonicalizationError",
    "canonicalize",
    "canonicalize_naive",
    "fast_path_stats",
    "shape_of",
    "undefined_terms",
]
