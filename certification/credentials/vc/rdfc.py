"""RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024) over pre-serialized quads.

Why our own and not pyld's ``URDNA2015``: pyld serializes literals with its own escaping (it
escapes TAB but leaves other control characters raw, and never escapes IRIs), which is not the
canonical N-Quads form RDFC-1.0 requires and which rdf-canonize, the JavaScript implementation
most verifiers run, produces. A credential containing such a character would then verify here and
fail everywhere else. Working on already-serialized terms is also what makes the fast path cheap:
nothing is parsed or re-serialized per credential.

Lines are sorted in code point order, as the spec says. rdf-canonize sorts by UTF-16 code units,
which differs only when two lines first differ at an astral-plane character (an emoji) on one
side and U+E000–U+FFFF (such as a fullwidth comma) on the other. Where it does, the output
differs, and so can the labels (the lines of a first-degree hash are sorted too). That needs two
lines identical up to such a pair; in the credentials built here URLs are ASCII and no subject
and predicate carry two non-ASCII values, so it does not arise.

``tests/certification/credentials/vc/test_rdfc_differential.py`` compares this with rdf-canonize
on generated and hand-built datasets; ``docs/decisions/0012`` says what it found.

A quad is a tuple ``(subject, predicate, object, graph)`` of terms in canonical N-Quads form:
``<iri>``, ``_:label`` or ``"literal"`` with its ``^^<datatype>`` / ``@lang`` suffix; the graph is
``""`` for the default graph. Blank nodes are recognised by their ``_:`` prefix.
"""

import hashlib
import re
from collections.abc import Iterable, Iterator

Quad = tuple[str, str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Canonical N-Quads (RDF 1.2): ECHAR for \b \t \n \f \r " \, UCHAR for the other controls.
_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
)
_LITERAL_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x21), *map(ord, '<>"{}|^`\\')]}
_IRI_NEEDS_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_UCHAR = re.compile(r"\\u([0-9A-F]{4})")

# Bounds the Hash N-Degree Quads work so a hostile document (a "poison graph" of many
# indistinguishable blank nodes) cannot take the process down; real credentials need none of it.
MAX_WORK = 100_000


class CanonicalizationError(ValueError):
    """The document cannot be canonicalized (invalid JSON-LD, unknown context, too complex)."""


def escape_literal(value: str) -> str:
    if _LITERAL_NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_LITERAL_ESCAPES)


def escape_iri(value: str) -> str:
    if _IRI_NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_IRI_ESCAPES)


def iri_term(iri: str) -> str:
    return f"<{escape_iri(iri)}>"


def literal_suffix(datatype: str, language: str | None) -> str:
    """What follows the quoted lexical form: nothing for xsd:string, ``@lang`` or ``^^<type>``."""
    if datatype == RDF_LANGSTRING:
        return f"@{language}" if language else ""
    if datatype == XSD_STRING:
        return ""
    return f"^^{iri_term(datatype)}"


def literal_term(value: str, datatype: str, language: str | None = None) -> str:
    return f'"{escape_literal(value)}"{literal_suffix(datatype, language)}'


def serialize_quad(subject: str, predicate: str, obj: str, graph: str) -> str:
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def canonicalize_quads(quads: Iterable[Quad]) -> str:
    """The RDFC-1.0 canonical N-Quads document of a set of quads (duplicates are dropped)."""
    return _Canonicalizer(dict.fromkeys(quads)).run()


def _is_blank(term: str) -> bool:
    return term.startswith("_:")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Issuer:
    """The spec's identifier issuer: hands out ``prefix0, prefix1...`` in first-asked order."""

    __slots__ = ("prefix", "issued")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None):
        self.prefix = prefix
        self.issued = issued if issued is not None else {}

    def issue(self, existing: str) -> str:
        issued = self.issued.get(existing)
        if issued is None:
            issued = self.issued[existing] = f"_:{self.prefix}{len(self.issued)}"
        return issued

    def copy(self) -> "_Issuer":
        return _Issuer(self.prefix, dict(self.issued))


class _Canonicalizer:
    """One run of the RDFC-1.0 algorithm (section 4.4) over one dataset."""

    def __init__(self, quads: Iterable[Quad]):
        self.quads = list(quads)
        self.quads_of: dict[str, list[Quad]] = {}
        for quad in self.quads:
            # A quad naming the same blank node twice is still one of its quads (rdf-canonize
            # keeps a set; listing it twice would change the first-degree hash).
            for term in dict.fromkeys((quad[0], quad[2], quad[3])):
                if _is_blank(term):
                    self.quads_of.setdefault(term, []).append(quad)
        self.first_degree: dict[str, str] = {}
        self.canonical = _Issuer("c14n")
        self.work_left = MAX_WORK

    def run(self) -> str:
        by_hash: dict[str, list[str]] = {}
        for node in self.quads_of:
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        shared = []
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            self.issue_shared(nodes)
        return "".join(sorted(self.relabelled(quad) for quad in self.quads))

    def relabelled(self, quad: Quad) -> str:
        issued = self.canonical.issued
        subject, predicate, obj, graph = quad
        return serialize_quad(
            issued.get(subject, subject), predicate, issued.get(obj, obj), issued.get(graph, graph)
        )

    def issue_shared(self, nodes: list[str]) -> None:
        """Step 6: order blank nodes whose first-degree hashes collide by their N-degree hash."""
        results = []
        for node in nodes:
            if node in self.canonical.issued:
                continue
            temporary = _Issuer("b")
            temporary.issue(node)
            results.append(self.hash_n_degree(node, temporary))
        for _digest, issuer in sorted(results, key=lambda result: result[0]):
            for existing in issuer.issued:
                self.canonical.issue(existing)

    def hash_first_degree(self, node: str) -> str:
        """Section 4.6: hash the node's quads with itself as ``_:a`` and other blanks as ``_:z``."""
        digest = self.first_degree.get(node)
        if digest is None:
            lines = sorted(
                serialize_quad(
                    *(
                        ("_:a" if term == node else "_:z") if _is_blank(term) else term
                        for term in quad
                    )
                )
                for quad in self.quads_of[node]
            )
            digest = self.first_degree[node] = _sha256("".join(lines))
        return digest

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """Section 4.7: hash of a neighbour, seen from one quad and one position in it."""
        text = position
        if position != "g":
            text += f"<{_unescape_iri(quad[1][1:-1])}>"
        if related in self.canonical.issued:
            text += self.canonical.issued[related]
        elif related in issuer.issued:
            text += issuer.issued[related]
        else:
            text += self.hash_first_degree(related)
        return _sha256(text)

    def related_by_hash(self, node: str, issuer: _Issuer) -> dict[str, list[str]]:
        """Section 4.8 steps 1-3: group the node's blank neighbours by their related hash."""
        groups: dict[str, list[str]] = {}
        for quad in self.quads_of[node]:
            for index, position in ((0, "s"), (2, "o"), (3, "g")):
                term = quad[index]
                if _is_blank(term) and term != node:
                    digest = self.hash_related(term, quad, issuer, position)
                    groups.setdefault(digest, []).append(term)
        return groups

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """Section 4.8: the smallest path through the node's neighbourhood, and its issuer."""
        self._spend()
        data = ""
        for digest, related in sorted(self.related_by_hash(node, issuer).items()):
            data += digest
            chosen_path, chosen_issuer = "", None
            for permutation in _permutations(related):
                self._spend()
                path, path_issuer = self._path(permutation, issuer, chosen_path)
                if path is not None and (not chosen_path or path < chosen_path):
                    chosen_path, chosen_issuer = path, path_issuer
            data += chosen_path
            issuer = chosen_issuer
        return _sha256(data), issuer

    def _path(self, permutation, issuer: _Issuer, chosen_path: str):
        """Steps 5.4.1-5.4.5 for one permutation; ``(None, None)`` once it cannot win."""
        issuer_copy = issuer.copy()
        path = ""
        recursion = []
        for related in permutation:
            if related in self.canonical.issued:
                path += self.canonical.issued[related]
            else:
                if related not in issuer_copy.issued:
                    recursion.append(related)
                path += issuer_copy.issue(related)
            if chosen_path and path > chosen_path:
                return None, None
        for related in recursion:
            digest, issuer_copy = self.hash_n_degree(related, issuer_copy)
            path += issuer_copy.issue(related) + f"<{digest}>"
            if chosen_path and path > chosen_path:
                return None, None
        return path, issuer_copy

    def _spend(self) -> None:
        self.work_left -= 1
        if self.work_left < 0:
            raise CanonicalizationError(
                "the document's blank nodes are too symmetric to canonicalize within the limit"
            )


def _permutations(nodes: list[str]) -> Iterator[tuple[str, ...]]:
    """Every order of ``nodes``, in the sequence rdf-canonize tries them.

    The spec leaves the order open, yet it decides the result where two orders give the same
    path but different labellings (tied blank nodes across named graphs: Hash Related Blank Node
    sees neither the graph name of a quad nor which neighbours share it). rdf-canonize's
    ``Permuter`` sorts the labels (by UTF-16 code unit, as JavaScript does) and steps through the
    Steinhaus-Johnson-Trotter sequence; this is it, down to its handling of a label listed twice.
    """
    key = {node: node.encode("utf-16-be") for node in nodes}
    current = sorted(nodes, key=key.__getitem__)
    left = dict.fromkeys(current, True)  # a direction per label, as rdf-canonize keeps them
    last = len(current) - 1
    while True:
        yield tuple(current)
        mobile, position = None, 0
        for index, node in enumerate(current):
            if (mobile is None or key[node] > key[mobile]) and (
                (left[node] and index > 0 and key[node] > key[current[index - 1]])
                or (not left[node] and index < last and key[node] > key[current[index + 1]])
            ):
                mobile, position = node, index
        if mobile is None:
            return
        swap = position - 1 if left[mobile] else position + 1
        current[position], current[swap] = current[swap], mobile
        for node in current:  # a label listed twice turns twice, as in rdf-canonize
            if key[node] > key[mobile]:
                left[node] = not left[node]


def _unescape_iri(escaped: str) -> str:
    """The raw IRI inside ``<...>``: section 4.7 hashes the predicate unescaped."""
    if "\\" not in escaped:
        return escaped
    return _UCHAR.sub(lambda match: chr(int(match.group(1), 16)), escaped)
