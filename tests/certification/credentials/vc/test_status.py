import gzip
from datetime import UTC, datetime, timedelta

import pytest

from certification.credentials import vc
from certification.credentials.vc.multibase import from_multibase_base64url, multibase_base64url
from certification.credentials.vc.status import decode_bits

from .builders import ISSUER, STATUS_LIST_URL, signed_credential, signed_status_list

LENGTH = 131_072


def status_list(revoked, length=LENGTH) -> dict:
    return vc.status_list_credential(
        url=STATUS_LIST_URL,
        issuer_public_key=ISSUER.public,
        revoked_indexes=revoked,
        length=length,
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize("index", [0, 1, LENGTH - 1])
def test_a_revoked_index_reads_back_set_and_its_neighbours_clear(index):
    credential = status_list([index])
    assert vc.status_bit(credential, index) is True
    for other in {0, 1, 2, LENGTH - 2, LENGTH - 1} - {index}:
        assert vc.status_bit(credential, other) is False


def test_bit_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = decode_bits(status_list([0, 9])["credentialSubject"]["encodedList"])
    assert len(bits) == LENGTH // 8
    assert bits[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_the_encoded_list_is_multibase_base64url_of_gzip():
    encoded = status_list([5])["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(from_multibase_base64url(encoded))
    assert raw[0] == 0b0000_0100


def test_the_status_list_credential_has_the_spec_shape():
    credential = status_list([])
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["issuer"] == vc.did_key(ISSUER.public)
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["id"] == f"{STATUS_LIST_URL}#list"
    assert vc.undefined_terms(credential) == []


def test_the_same_bits_encode_identically_so_republishing_is_idempotent():
    assert status_list([3, 7]) == status_list([7, 3])


@pytest.mark.parametrize("length", [LENGTH - 8, LENGTH + 1])
def test_lists_below_the_privacy_minimum_or_not_whole_bytes_are_refused(length):
    with pytest.raises(ValueError):
        status_list([], length=length)


@pytest.mark.parametrize("index", [-1, LENGTH])
def test_indexes_outside_the_list_are_refused(index):
    with pytest.raises(ValueError):
        status_list([index])
    with pytest.raises(ValueError):
        vc.status_bit(status_list([]), index)


def test_a_larger_list_keeps_its_length():
    assert vc.status_bit(status_list([LENGTH * 2 - 1], length=LENGTH * 2), LENGTH * 2 - 1)


@pytest.mark.parametrize(
    "encoded",
    [
        "not multibase",
        multibase_base64url(b"not gzip"),
        multibase_base64url(gzip.compress(bytes(64 * 1024 * 1024))),  # a small zip bomb
    ],
)
def test_malformed_lists_raise_value_error(encoded):
    credential = {"credentialSubject": {"encodedList": encoded}}
    with pytest.raises(ValueError):
        vc.status_bit(credential, 0)
    with pytest.raises(ValueError):
        vc.status_bit({"credentialSubject": {}}, 0)


# --- Reading a credential's status from a list: only an authentic, current one counts ---

NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _now():
    """The clock read when each test starts, not when the module was imported: the lists the
    builders sign are dated by the real clock, and a whole suite can run for half an hour."""
    global NOW
    NOW = datetime.now(UTC)


def test_a_current_list_from_the_issuer_gives_the_bit():
    credential = signed_credential(123)
    assert vc.credential_status(credential, signed_status_list([123]), now=NOW) == (
        vc.StatusCheck(True)
    )
    assert vc.credential_status(credential, signed_status_list([122]), now=NOW) == (
        vc.StatusCheck(False)
    )


def test_the_list_states_a_short_validity_window():
    status_list = signed_status_list()
    valid_from = datetime.fromisoformat(status_list["validFrom"])
    valid_until = datetime.fromisoformat(status_list["validUntil"])
    assert valid_until - valid_from == timedelta(hours=48)


def test_an_expired_list_is_refused_even_though_its_signature_holds():
    """The replay: a list signed before the revocation, kept and shown afterwards."""
    credential = signed_credential(123)
    old = signed_status_list(
        [], valid_from=NOW - timedelta(days=3), valid_until=NOW - timedelta(days=1)
    )
    assert vc.verify(old).verified
    check = vc.credential_status(credential, old, now=NOW)
    assert check.revoked is None
    assert any("expired" in error for error in check.errors)


def test_a_list_without_valid_until_is_refused():
    check = vc.credential_status(
        signed_credential(123), signed_status_list([], valid_until=None), now=NOW
    )
    assert check.revoked is None
    assert any("validUntil" in error for error in check.errors)


def test_a_list_not_yet_valid_is_refused():
    future = signed_status_list([], valid_from=NOW + timedelta(hours=1))
    check = vc.credential_status(signed_credential(123), future, now=NOW)
    assert check.revoked is None and check.errors


def test_a_list_signed_by_another_key_or_tampered_is_refused():
    credential = signed_credential(123)
    other = signed_status_list([], key=vc.keypair_generate())
    assert vc.credential_status(credential, other, now=NOW).revoked is None
    tampered = signed_status_list([123])
    tampered["credentialSubject"]["encodedList"] = signed_status_list([])["credentialSubject"][
        "encodedList"
    ]
    assert vc.credential_status(credential, tampered, now=NOW).revoked is None


def test_a_list_at_another_url_is_refused():
    credential = signed_credential(123, status_list_credential=f"{STATUS_LIST_URL}0")
    check = vc.credential_status(credential, signed_status_list([]), now=NOW)
    assert check.revoked is None
    assert "the status list is not the one the credential names" in check.errors


def test_malformed_input_gives_reasons_not_exceptions():
    assert vc.credential_status({}, {}, now=NOW).revoked is None
    assert vc.credential_status(signed_credential(1), "nonsense", now=NOW).revoked is None


def test_valid_until_must_follow_valid_from():
    with pytest.raises(ValueError, match="valid_until"):
        vc.status_list_credential(
            url=STATUS_LIST_URL,
            issuer_public_key=ISSUER.public,
            revoked_indexes=[],
            valid_from=NOW,
            valid_until=NOW,
        )
