import json
from pathlib import Path

import pytest

from certification.credentials import vc
from certification.credentials.vc.loader import bundled_urls

CONTEXTS = Path(vc.__file__).parent / "contexts"
REQUIRED = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/data-integrity/v2",
]


@pytest.mark.parametrize("url", REQUIRED)
def test_each_needed_context_is_bundled(url):
    loaded = vc.document_loader(url)
    assert loaded["documentUrl"] == url
    assert "@context" in loaded["document"]


def test_every_bundled_file_is_indexed_and_named_in_the_readme():
    index = json.loads((CONTEXTS / "index.json").read_text())
    readme = (CONTEXTS / "README.md").read_text()
    files = {path.name for path in CONTEXTS.glob("*.json")} - {"index.json"}
    assert set(index.values()) == files
    for url, file in index.items():
        assert url in readme and file in readme


def test_callers_get_a_copy_they_may_change():
    url = REQUIRED[0]
    vc.document_loader(url)["document"]["@context"]["name"] = "changed"
    assert vc.document_loader(url)["document"]["@context"]["name"] == "https://schema.org/name"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "http://www.w3.org/ns/credentials/v2",
        "https://evil.example/context.json",
    ],
)
def test_the_loader_refuses_urls_that_are_not_bundled_without_going_online(url, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the loader tried the network")

    monkeypatch.setattr("socket.create_connection", no_network)
    monkeypatch.setattr("socket.getaddrinfo", no_network)
    with pytest.raises(vc.UnknownContextError, match="not bundled"):
        vc.document_loader(url)
    document = {"@context": url, "id": "https://portal.example/x", "name": "x"}
    for canonicalize in (vc.canonicalize, vc.canonicalize_naive):
        with pytest.raises(vc.CanonicalizationError, match="not bundled"):
            canonicalize(document)
    assert bundled_urls()
