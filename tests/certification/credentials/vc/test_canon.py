"""The fast canonicalizer must give exactly what full JSON-LD processing gives."""

import copy
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from certification.credentials import vc
from certification.credentials.vc import canon
from tests.requirements import in_ci

from .builders import CREATED, ISSUER, badge_data

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SPECIAL_STRINGS = [
    "",
    " ",
    '"',
    "\\",
    '\\"',
    "\\n",
    "a\nb\r\nc",
    "\t\b\f\x00\x01\x1f\x7f",
    "\u2028\u2029\u0085\u00a0\u3000",
    "广东省技术转移培训基地",
    "初级技术经纪人（第一批），合格！",
    "😀🎓👩‍🔬",
    "\U0001f600\uff0c",  # astral-plane and fullwidth comma: UTF-16 and code point orders differ
    "x" * 10_000,
    "@id",
    "@context",
    "_:b0",
    "sec:proof",
    "xsd:string",
    "assertionMethod",
    "relative/path",
    "https://has space.example/",
    "https://portal.example/a>b",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "urn:x-slot-0000000000000000:1",
    "https://portal.example/api/v1/certificates/GD-J-2026-000001/credential",
]
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=in_ci(),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

awkward_text = st.one_of(st.sampled_from(SPECIAL_STRINGS), st.text(max_size=40))
non_blank_text = awkward_text.map(lambda text: f"名{text}")
url_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
        blacklist_characters='<>"{}|^`\\#',
    ),
    max_size=30,
)
hosts = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z]{2,6}){1,2}", fullmatch=True)


@st.composite
def urls(draw, fragment=True):
    url = f"https://{draw(hosts)}/{draw(url_text)}"
    if fragment and draw(st.booleans()):
        url += "#" + draw(url_text)
    return url


@st.composite
def badges(draw) -> vc.BadgeData:
    return dataclasses.replace(
        badge_data(draw(st.integers(0, 10**6))),
        credential_id=draw(urls()),
        issuer_name=draw(non_blank_text),
        issuer_url=draw(urls()),
        achievement_id=draw(urls()),
        achievement_name=draw(non_blank_text),
        achievement_description=draw(awkward_text),
        criteria_narrative=draw(awkward_text),
        recipient_email=draw(non_blank_text),
        recipient_salt=draw(non_blank_text),
        certificate_number=draw(non_blank_text),
        valid_until=draw(st.sampled_from([None, badge_data().valid_until])),
        status_list_credential=draw(urls(fragment=False)),
        name=draw(awkward_text),
    )


def outcome(canonicalize, document):
    """The canonical form, or the error: both paths must agree on failures too."""
    try:
        return canonicalize(document)
    except vc.CanonicalizationError as error:
        return f"error: {error}"


def assert_same(document):
    assert outcome(vc.canonicalize, document) == outcome(vc.canonicalize_naive, document)


@HYPOTHESIS
@given(badges())
def test_fast_equals_naive_on_generated_credentials(data):
    credential = vc.open_badge_credential(data)
    assert vc.canonicalize(credential) == vc.canonicalize_naive(credential)
    signed = vc.sign(credential, private_key=ISSUER.private, created=CREATED)
    assert vc.verify(signed, canonicalize=vc.canonicalize_naive).verified


def _string_paths(value, path=()):
    """Paths to every free string (not in @context or type) of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("@context", "type"):
                yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))
    elif isinstance(value, str):
        yield path


def _set(document, path, value):
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


PROOF_CONFIG = {
    "@context": CONTEXT,
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-03-01T08:30:00Z",
    "verificationMethod": vc.verification_method(ISSUER.public),
    "proofPurpose": "assertionMethod",
}


@HYPOTHESIS
@given(st.data())
def test_fast_equals_naive_whatever_string_lands_in_any_position(data):
    """Values the fast path must not take at face value (relative or compact IRIs, blank node
    ids, vocabulary terms...) are pinned or sent the naive way, never canonicalized wrongly."""
    base = data.draw(
        st.sampled_from(
            [vc.open_badge_credential(badge_data(3)), PROOF_CONFIG, _status_list_document()]
        )
    )
    document = copy.deepcopy(base)
    paths = list(_string_paths(document))
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4)):
        _set(document, path, data.draw(awkward_text))
    assert_same(document)


def _status_list_document():
    from datetime import UTC, datetime

    return vc.status_list_credential(
        url="https://portal.example/status/1",
        issuer_public_key=ISSUER.public,
        revoked_indexes=[1],
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )


INLINE = {
    "@vocab": "https://vocab.example/",
    "sec": "https://w3id.org/security#",
    "link": {"@id": "https://vocab.example/link", "@type": "@id"},
    "term": {"@id": "https://vocab.example/term", "@type": "@vocab"},
    "double": {
        "@id": "https://vocab.example/double",
        "@type": "http://www.w3.org/2001/XMLSchema#double",
    },
    "json": {"@id": "https://vocab.example/json", "@type": "@json"},
    "chinese": {"@id": "https://vocab.example/chinese", "@language": "zh"},
    "kind": "@type",
    "tag": {"@id": "https://vocab.example/tag", "@container": "@index"},
    "Thing": {
        "@id": "https://vocab.example/Thing",
        "@context": {"scoped": "https://vocab.example/s"},
    },
}


@pytest.mark.parametrize(
    "document",
    [
        {"@context": INLINE, "@id": "https://a.example/1", "link": "sec:proof"},
        {"@context": INLINE, "@id": "https://a.example/1", "link": "_:b7"},
        {"@context": INLINE, "@id": "https://a.example/1", "link": "relative"},
        {"@context": INLINE, "@id": "https://a.example/1", "term": "Thing"},
        {"@context": INLINE, "@id": "https://a.example/1", "term": "https://t.example/x"},
        {"@context": INLINE, "@id": "https://a.example/1", "double": "1"},
        {"@context": INLINE, "@id": "https://a.example/1", "double": "one"},
        {"@context": INLINE, "@id": "https://a.example/1", "json": "text"},
        {"@context": INLINE, "@id": "https://a.example/1", "chinese": "中文"},
        {"@context": INLINE, "@id": "https://a.example/1", "kind": "Thing", "scoped": "s"},
        {"@context": INLINE, "@id": "https://a.example/1", "tag": {"index-key": "v"}},
        {"@context": INLINE, "@id": "https://a.example/1", "flag": True, "count": 1, "n": 1.0},
        {"@context": INLINE, "@id": "https://a.example/1", "flag": 1, "count": True, "n": -0.0},
        {"@context": INLINE, "@id": "https://a.example/1", "a": {"@id": "https://a.example/1"}},
        {
            "@context": INLINE,
            "@id": "https://a.example/same",
            "a": {"@id": "https://a.example/same", "name": "x"},
            "name": "x",
        },
        {"@context": INLINE, "@id": "https://a.example/1", "@type": "Thing", "scoped": "x"},
        {
            "@context": {**INLINE, "dir": "@direction", "lang": "@language", "val": "@value"},
            "@id": "https://a.example/1",
            "name": {"val": "x", "dir": "rtl", "lang": "ar"},
        },
    ],
)
def test_fast_equals_naive_where_json_ld_interprets_strings(document):
    assert_same(document)


def test_values_that_only_differ_in_type_get_different_templates():
    as_bool = {"@context": INLINE, "@id": "https://a.example/1", "v": True}
    as_int = {"@context": INLINE, "@id": "https://a.example/1", "v": 1}
    assert vc.canonicalize(as_bool) != vc.canonicalize(as_int)
    assert_same(as_bool)
    assert_same(as_int)


def test_same_shaped_credentials_reuse_one_template():
    vc.canonicalize(vc.open_badge_credential(badge_data(1)))
    before = vc.fast_path_stats()
    for n in range(2, 30):
        vc.canonicalize(vc.open_badge_credential(badge_data(n)))
    after = vc.fast_path_stats()
    assert after["templates"] == before["templates"]
    assert after["naive"] == before["naive"]


def test_the_naive_path_really_reprocesses_contexts_every_time(monkeypatch):
    loads = []

    def counting_loader(url, options=None):
        loads.append(url)
        return vc.document_loader(url, options)

    monkeypatch.setattr(canon, "document_loader", counting_loader)
    credential = vc.open_badge_credential(badge_data(1))
    vc.canonicalize_naive(credential)
    first = len(loads)
    vc.canonicalize_naive(credential)
    assert first >= 2 and len(loads) == 2 * first


SYMMETRIC = [
    # blank nodes that first-degree hashes cannot tell apart: Hash N-Degree Quads decides
    {"@context": {"@vocab": "https://v.example/"}, "a": [{"b": {"c": "x"}}, {"b": {"c": "x"}}]},
    {
        "@context": {"@vocab": "https://v.example/"},
        "@graph": [
            {"@id": "_:a", "p": {"@id": "_:b"}},
            {"@id": "_:b", "p": {"@id": "_:c"}},
            {"@id": "_:c", "p": {"@id": "_:a"}},
            {"@id": "_:d", "p": {"@id": "_:e"}},
            {"@id": "_:e", "p": {"@id": "_:f"}},
            {"@id": "_:f", "p": {"@id": "_:d"}},
        ],
    },
    {
        "@context": {"@vocab": "https://v.example/"},
        "@graph": [
            {"@id": "_:a", "p": [{"@id": "_:b"}, {"@id": "_:c"}], "q": {"@id": "_:a"}},
            {"@id": "_:b", "p": [{"@id": "_:c"}, {"@id": "_:a"}]},
            {"@id": "_:c", "p": [{"@id": "_:a"}, {"@id": "_:b"}]},
        ],
    },
    {"@context": {"@vocab": "https://v.example/"}, "@id": "_:g", "@graph": {"p": {"q": "r"}}},
]


@pytest.mark.parametrize("document", SYMMETRIC)
def test_rdfc_matches_pyld_urdna2015_on_symmetric_graphs(document):
    """Without control characters (where pyld's escaping is not canonical) the two agree."""
    expected = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads"}
    )
    assert vc.canonicalize_naive(document) == expected
    assert_same(document)
