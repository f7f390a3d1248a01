import pytest

from certification.credentials import vc
from certification.credentials.vc.multibase import (
    base58btc_decode,
    base58btc_encode,
    from_multibase_base64url,
    multibase_base64url,
)

# did:key method test vectors (w3c-ccg did-method-key, ed25519-x25519.json): the all-zero seed.
ZERO_SEED_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
ZERO_SEED_PUBLIC = bytes.fromhex("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29")
# The Ed25519 example DID in the did:key specification's text.
SPEC_EXAMPLE_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def test_did_key_of_the_zero_seed_matches_the_published_test_vector():
    public = vc.public_key_from_private(bytes(32))
    assert public == ZERO_SEED_PUBLIC
    assert base58btc_encode(public) == "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"
    assert vc.did_key(public) == ZERO_SEED_DID
    assert vc.public_key_from_did(ZERO_SEED_DID) == public


def test_the_spec_example_did_round_trips():
    public = vc.public_key_from_did(SPEC_EXAMPLE_DID)
    assert len(public) == 32
    assert vc.did_key(public) == SPEC_EXAMPLE_DID
    method = vc.verification_method(public)
    assert method == f"{SPEC_EXAMPLE_DID}#{SPEC_EXAMPLE_DID.removeprefix('did:key:')}"
    assert vc.public_key_from_did(method) == public


def test_generated_keys_are_consistent_and_do_not_print_the_private_half():
    keys = vc.keypair_generate()
    assert len(keys.private) == len(keys.public) == 32
    assert vc.public_key_from_private(keys.private) == keys.public
    assert vc.did_key(keys.public).startswith("did:key:z6Mk")
    assert keys.private.hex() not in repr(keys)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "did:web:portal.example",
        "did:key:",
        "did:key:6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",  # no multibase prefix
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0",  # '0' is not base58
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2d",  # truncated
        "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",  # P-256, not Ed25519
        f"{SPEC_EXAMPLE_DID}#{ZERO_SEED_DID.removeprefix('did:key:')}",  # fragment of another key
        None,
    ],
)
def test_public_key_from_did_refuses_what_is_not_an_ed25519_did_key(bad):
    with pytest.raises(ValueError):
        vc.public_key_from_did(bad)


def test_keys_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        vc.did_key(bytes(31))
    with pytest.raises(ValueError):
        vc.public_key_from_private(bytes(33))


@pytest.mark.parametrize("data", [b"", b"\0", b"\0\0\x01", b"hello", bytes(range(256))])
def test_base58btc_round_trips_and_keeps_leading_zero_bytes(data):
    assert base58btc_decode(base58btc_encode(data)) == data


def test_base58btc_known_value():
    assert base58btc_encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


def test_multibase_base64url_is_unpadded_and_strict():
    assert multibase_base64url(b"\xfb\xff") == "u-_8"
    assert from_multibase_base64url("u-_8") == b"\xfb\xff"
    for bad in ("-_8", "u+/8", "u-_8=", "u-_8 "):
        with pytest.raises(ValueError):
            from_multibase_base64url(bad)
