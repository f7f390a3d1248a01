"""Issuer identity anyone can check (issue 16, item 1): each certifying body is a did:web whose
DID document lists its keys, current and retired; credentials name the key by its id there; the
portal's verifier resolves did:web from its own database only, and refuses a key the document
does not list; Digital Bazaar's stack, with its did:web resolver, agrees; did:key credentials
from before keep verifying."""

import copy
import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.credentials import did, keys, vc
from certification.credentials.services import certificate_credential
from certification.credentials.status import (
    certificate_signed_status,
    status_list_current,
    status_list_sign,
)
from certification.credentials.vc.keys import public_key_multibase
from certification.credentials.vc.proof import resolve_did_key
from certification.issuing.models import Certificate
from certification.verification.upload import Outcome, file_verdict
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

from .vc.test_independent import node

NOW = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC)


def node_verify(credential: dict, *, status_lists=None, documents=None, origins=None) -> dict:
    return node(
        "verify.mjs",
        {
            "credential": credential,
            "statusLists": status_lists or {},
            "didWeb": {"documents": documents or {}, "origins": origins or {}},
        },
    )


def published(client, body) -> dict:
    """The body's DID document as the portal serves it, keyed by the URL did:web resolves to."""
    response = client.get(reverse("certification_body_did", args=[body.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return {vc.did_web_url(did.body_did(body)): response.json()}


# --- did:web identifiers (pure) -------------------------------------------------------------


def test_did_web_names_the_host_and_path_and_resolves_to_the_spec_url():
    assert vc.did_web("https://portal.example.cn", "certification", "bodies", "GD") == (
        "did:web:portal.example.cn:certification:bodies:GD"
    )
    assert vc.did_web_url("did:web:portal.example.cn:certification:bodies:GD") == (
        "https://portal.example.cn/certification/bodies/GD/did.json"
    )
    # A port is percent-encoded in the DID and restored in the URL; no path: .well-known.
    assert vc.did_web("http://Localhost:8443/") == "did:web:localhost%3A8443"
    assert (
        vc.did_web_url("did:web:localhost%3A8443") == "https://localhost:8443/.well-known/did.json"
    )
    for bad in ("ftp://x.cn", "https://x.cn/sub/path", "not a url"):
        with pytest.raises(ValueError):
            vc.did_web(bad)
    with pytest.raises(ValueError):
        vc.did_web("https://x.cn", "a:b")
    for bad in ("did:key:z6Mk", "did:web:", "did:web:x.cn::a", "did:web:a%2Fb.cn", 7):
        with pytest.raises(ValueError):
            vc.did_web_url(bad)


def test_a_did_document_lists_retired_keys_marked_and_names_only_what_it_lists():
    current, retired = vc.keypair_generate(), vc.keypair_generate()
    subject = "did:web:portal.example.cn:certification:bodies:GD"
    document = vc.did_document(
        subject, [vc.DidKey(current.public), vc.DidKey(retired.public, retired=NOW)]
    )
    methods = document["verificationMethod"]
    assert [method["id"] for method in methods] == document["assertionMethod"]
    assert methods[0] == {
        "id": f"{subject}#{public_key_multibase(current.public)}",
        "type": "Multikey",
        "controller": subject,
        "publicKeyMultibase": public_key_multibase(current.public),
    }
    assert methods[1]["retired"] == "2026-12-03T08:00:00Z"
    assert "revoked" not in methods[1] and "expires" not in methods[1]
    assert document["alsoKnownAs"] == [vc.did_key(current.public), vc.did_key(retired.public)]
    assert vc.document_public_key(document, subject, methods[1]["id"]) == retired.public
    stranger = vc.keypair_generate()
    with pytest.raises(ValueError, match="not an assertion method"):
        vc.document_public_key(document, subject, vc.key_id(subject, stranger.public))
    with pytest.raises(ValueError, match="not the document"):
        vc.document_public_key(document, subject + "X", methods[0]["id"])


# --- the portal -----------------------------------------------------------------------------


@pytest.fixture
def body(db):
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body)


@pytest.fixture
def certificate(body, reviewer):
    return issued_certificate(UserFactory(), body, reviewer)


def look_alike(
    credential: dict, *, issuer: str | None = None, pair: vc.KeyPair | None = None
) -> tuple[dict, vc.KeyPair]:
    """The same credential, a higher level, re-signed with a fresh key by a forger."""
    forged = copy.deepcopy(credential)
    forged.pop("proof")
    forged["credentialSubject"]["achievement"]["name"] = "高级技术经理人"
    pair = pair or vc.keypair_generate()
    subject = issuer or credential["issuer"]["id"]
    forged["issuer"]["id"] = subject
    method = vc.key_id(subject, pair.public) if subject.startswith("did:web:") else None
    signed = vc.sign(forged, private_key=pair.private, created=NOW, method=method)
    return signed, pair


@pytest.mark.django_db
def test_credentials_name_the_bodys_did_web_and_verify_here_and_independently(
    certificate, body, client
):
    credential = certificate.credential
    subject = did.body_did(body)
    key = certificate.status_list.signing_key
    fingerprint = public_key_multibase(bytes(key.public_key))
    assert subject.endswith(":certification:bodies:GD") and subject.startswith("did:web:")
    assert credential["issuer"]["id"] == subject
    assert credential["issuer"]["name"] == body.name
    assert credential["proof"][0]["verificationMethod"] == f"{subject}#{fingerprint}"
    assert did.credential_verify(credential).verified
    assert vc.verify(credential).verified  # the portal installs its resolver for every caller
    # did:key alone cannot resolve it: the key comes from the DID document, nowhere else.
    assert not vc.verify(credential, resolve=resolve_did_key).verified
    # Signing it again gives the very same document.
    assert certificate_credential(certificate) == credential

    # The status list is issued by the same DID and holds, as the verify page checks it.
    status_list = status_list_current(body_code=body.code, number=certificate.status_list.number)
    assert status_list["issuer"] == subject
    status = certificate_signed_status(certificate)
    assert status.revoked is False and status.problem == ""

    # The DID document, served where did:web says, lists the key for assertions.
    documents = published(client, body)
    document = next(iter(documents.values()))
    assert document["id"] == subject
    assert f"{subject}#{fingerprint}" in document["assertionMethod"]

    # Digital Bazaar's stack resolves the did:web (from the document the portal served) and
    # agrees, status list included.
    result = node_verify(
        credential,
        status_lists={status_list["id"]: status_list},
        documents=documents,
    )
    assert result == {"verified": True, "errors": [], "revoked": False}

    # The body's public page names the DID, the document and the key's fingerprint.
    page = client.get(reverse("certification_body", args=[body.code])).content.decode()
    assert subject in page
    assert fingerprint in page
    assert reverse("certification_body_did", args=[body.code]) in page


@pytest.mark.django_db
def test_a_look_alike_signed_with_a_key_not_in_the_did_document_is_refused(
    certificate, body, client
):
    forged, pair = look_alike(certificate.credential)
    assert forged["issuer"]["name"] == certificate.credential["issuer"]["name"]
    result = did.credential_verify(forged)
    assert not result.verified
    assert any("not an assertion method" in error for error in result.errors)
    assert not vc.verify(forged).verified
    documents = published(client, body)
    independent = node_verify(forged, documents=documents)
    assert independent["verified"] is False and independent["errors"]

    # A forger's own did:web, on another host, is never fetched: refused, whatever it says.
    elsewhere, _ = look_alike(certificate.credential, issuer="did:web:portal-example.cn")
    result = did.credential_verify(elsewhere)
    assert not result.verified
    assert any("not a DID of this portal" in error for error in result.errors)
    # Nor is a DID that only looks like one of the portal's bodies.
    unknown, _ = look_alike(certificate.credential, issuer=did.body_did("ZZ"))
    assert not did.credential_verify(unknown).verified

    # A fresh did:key with the same name verifies as a signature, but the portal's file check
    # says it is not the body's (neither the body's page nor its DID document names that key).
    fresh, _ = look_alike(certificate.credential, issuer=vc.did_key(pair.public), pair=pair)
    assert vc.verify(fresh).verified
    verdict = file_verdict(SimpleUploadedFile("credential.json", json.dumps(fresh).encode()))
    assert verdict.outcome == Outcome.NOT_OURS
    genuine = json.dumps(certificate.credential).encode()
    assert file_verdict(SimpleUploadedFile("c.json", genuine)).outcome == Outcome.FOUND


@pytest.mark.django_db
def test_rotating_the_key_keeps_the_did_and_old_credentials_verify(body, reviewer, client):
    first = issued_certificate(UserFactory(), body, reviewer)
    old_key = first.status_list.signing_key
    new_key = keys.signing_key_create(body=body, rotate=True)
    second = issued_certificate(UserFactory(), body, reviewer)

    assert first.credential["issuer"]["id"] == second.credential["issuer"]["id"]
    assert second.status_list.signing_key == new_key
    assert second.credential["proof"][0]["verificationMethod"] == did.key_method(new_key)

    documents = published(client, body)
    document = next(iter(documents.values()))
    methods = {method["id"]: method for method in document["verificationMethod"]}
    assert set(methods) == {did.key_method(old_key), did.key_method(new_key)}
    assert set(document["assertionMethod"]) == set(methods)
    assert "retired" in methods[did.key_method(old_key)]
    assert "retired" not in methods[did.key_method(new_key)]

    for certificate in (first, second):
        assert did.credential_verify(certificate.credential).verified
        assert certificate_signed_status(certificate).problem == ""
        assert node_verify(certificate.credential, documents=documents)["verified"] is True

    page = client.get(reverse("certification_body", args=[body.code])).content.decode()
    for key in (old_key, new_key):
        assert public_key_multibase(bytes(key.public_key)) in page
    assert "retired" in page or "已停用" in page


@pytest.mark.django_db
def test_credentials_signed_with_did_key_before_keep_verifying(certificate, body):
    """A list started before did:web keeps its did:key issuer, and so do its credentials."""
    status_list = certificate.status_list
    status_list.issuer_did = ""
    status_list.save(update_fields=["issuer_did"])
    status_list_sign(status_list)
    legacy = certificate_credential(Certificate.objects.get(pk=certificate.pk))
    public = bytes(status_list.signing_key.public_key)
    assert legacy["issuer"]["id"] == vc.did_key(public)
    assert legacy["proof"][0]["verificationMethod"] == vc.verification_method(public)
    Certificate.objects.filter(pk=certificate.pk).update(credential=legacy)
    certificate.refresh_from_db()
    assert did.credential_verify(legacy).verified
    assert certificate_signed_status(certificate).problem == ""
    signed_list = certificate.status_list.credential
    assert node_verify(legacy, status_lists={signed_list["id"]: signed_list}) == {
        "verified": True,
        "errors": [],
        "revoked": False,
    }
    # The did:key names the same key the body's DID document lists (alsoKnownAs).
    assert vc.did_key(public) in did.body_did_document(body)["alsoKnownAs"]
    # New certificates go into a new list, issued by the did:web.
    later = issued_certificate(UserFactory(), body, certifier(body))
    assert later.status_list != status_list
    assert later.credential["issuer"]["id"] == did.body_did(body)


@pytest.mark.django_db
def test_did_documents_are_public_and_unknown_bodies_are_not_found(body, client):
    assert client.get(reverse("certification_body_did", args=["ZZ"])).status_code == 404
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response.json()["id"] == did.platform_did()
    assert client.post(reverse("certification_body_did", args=[body.code])).status_code == 405
