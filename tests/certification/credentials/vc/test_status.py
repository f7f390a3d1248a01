import gzip
from datetime import UTC, datetime

import pytest

from certification.credentials import vc
from certification.credentials.vc.multibase import from_multibase_base64url, multibase_base64url
from certification.credentials.vc.status import decode_bits

from .builders import ISSUER, STATUS_LIST_URL

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
