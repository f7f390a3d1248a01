import copy
from datetime import UTC, datetime

import pytest

from certification.credentials import vc

from .builders import CREATED, ISSUER, badge_data, flip_one_character, signed_credential


def test_a_signed_credential_verifies_with_either_canonicalizer():
    credential = signed_credential()
    assert vc.verify(credential) == vc.Verification(True, ())
    assert vc.verify(credential, canonicalize=vc.canonicalize_naive).verified


def test_the_proof_is_an_eddsa_rdfc_2022_data_integrity_proof_by_the_issuer():
    (proof,) = signed_credential()["proof"]
    fingerprint = vc.did_key(ISSUER.public).removeprefix("did:key:")
    assert proof == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-03-01T08:30:00Z",
        "verificationMethod": f"did:key:{fingerprint}#{fingerprint}",
        "proofPurpose": "assertionMethod",
        "proofValue": proof["proofValue"],
    }
    assert proof["proofValue"].startswith("z")


def test_signing_does_not_change_its_input_and_is_deterministic():
    unsigned = vc.open_badge_credential(badge_data(9))
    before = copy.deepcopy(unsigned)
    first = vc.sign(unsigned, private_key=ISSUER.private, created=CREATED)
    second = vc.sign(
        unsigned, private_key=ISSUER.private, created=CREATED, canonicalize=vc.canonicalize_naive
    )
    assert unsigned == before
    assert first == second  # Ed25519 is deterministic; so are both canonicalizers


def _tampered(change) -> dict:
    credential = signed_credential()
    change(credential)
    return credential


TAMPERINGS = {
    "name": lambda c: c.update(name="高级技术经纪人证书 GD-J-2026-000123"),
    "validUntil": lambda c: c.update(validUntil="2199-03-01T08:00:00Z"),
    "achievement": lambda c: c["credentialSubject"]["achievement"].update(name="高级技术经纪人"),
    "number": lambda c: c["credentialSubject"].update(licenseNumber="GD-J-2026-000124"),
    "status index": lambda c: c["credentialStatus"].update(statusListIndex="124"),
    "proof created": lambda c: c["proof"][0].update(created="2026-03-02T08:30:00Z"),
    "proofValue": lambda c: c["proof"][0].update(
        proofValue=flip_one_character(c["proof"][0]["proofValue"])
    ),
    "removed validUntil": lambda c: c.pop("validUntil"),
}


@pytest.mark.parametrize("change", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_any_change_to_a_signed_credential_is_detected(change):
    result = vc.verify(_tampered(change))
    assert not result.verified
    assert result.errors


def test_a_credential_signed_by_another_key_for_the_same_issuer_fails():
    intruder = vc.keypair_generate()
    credential = signed_credential()
    forged = vc.sign(
        {key: value for key, value in credential.items() if key != "proof"}
        | {"issuer": {**credential["issuer"], "id": vc.did_key(intruder.public)}},
        private_key=intruder.private,
        created=CREATED,
    )
    forged["issuer"] = credential["issuer"]  # claim the real issuer afterwards
    result = vc.verify(forged)
    assert not result.verified
    assert "the proof was not made by the credential's issuer" in result.errors


def test_sign_refuses_a_key_that_is_not_the_issuers():
    unsigned = vc.open_badge_credential(badge_data(1))
    with pytest.raises(ValueError, match="issuer"):
        vc.sign(unsigned, private_key=vc.keypair_generate().private, created=CREATED)


def test_sign_refuses_an_already_signed_document_and_a_naive_time():
    with pytest.raises(ValueError, match="already has a proof"):
        vc.sign(signed_credential(), private_key=ISSUER.private, created=CREATED)
    unsigned = vc.open_badge_credential(badge_data(1))
    with pytest.raises(ValueError, match="timezone"):
        vc.sign(unsigned, private_key=ISSUER.private, created=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {},
        {"proof": "z123"},
        {"proof": {}},
        {"@context": "https://evil.example/ctx", "proof": {}},
    ],
)
def test_verify_reports_junk_instead_of_raising(document):
    result = vc.verify(document)
    assert not result.verified and result.errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cryptosuite", "ecdsa-rdfc-2019", "cryptosuite"),
        ("proofPurpose", "authentication", "proofPurpose"),
        ("verificationMethod", "did:web:portal.example#key-1", "verificationMethod"),
        ("proofValue", "uAAAA", "proofValue"),
        ("proofValue", "z1111", "64-byte"),
        ("created", "yesterday", "created"),
    ],
)
def test_malformed_proofs_are_explained(field, value, message):
    credential = signed_credential()
    credential["proof"][0][field] = value
    result = vc.verify(credential)
    assert not result.verified
    assert any(message in error for error in result.errors)


def test_a_credential_whose_context_is_not_bundled_fails_verification_clearly():
    credential = signed_credential()
    credential["@context"] = [*credential["@context"], "https://evil.example/ctx"]
    result = vc.verify(credential)
    assert not result.verified
    assert "not bundled" in " ".join(result.errors)


def test_the_signed_status_list_verifies():
    status_list = vc.status_list_credential(
        url="https://portal.example/status/1",
        issuer_public_key=ISSUER.public,
        revoked_indexes=[1, 2],
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    signed = vc.sign(status_list, private_key=ISSUER.private, created=CREATED)
    assert vc.verify(signed).verified
    signed["credentialSubject"]["encodedList"] = vc.status_list_credential(
        url="https://portal.example/status/1",
        issuer_public_key=ISSUER.public,
        revoked_indexes=[],
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )["credentialSubject"]["encodedList"]
    assert not vc.verify(signed).verified  # "un-revoking" by editing the list is detected


def test_the_proof_is_an_array_of_one_and_a_bare_proof_object_still_verifies():
    credential = signed_credential()
    assert isinstance(credential["proof"], list) and len(credential["proof"]) == 1
    assert vc.verify(credential).verified
    earlier_form = {**credential, "proof": credential["proof"][0]}
    assert vc.verify(earlier_form).verified
    two = {**credential, "proof": credential["proof"] * 2}
    assert not vc.verify(two).verified
