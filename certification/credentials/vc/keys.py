"""Ed25519 keys and the `did:key` identifiers made from them.

A `did:key` DID *is* the public key (multicodec ``0xed01`` + 32 key bytes, multibase base58btc),
so a verifier needs no registry or network to find the issuer's key: it decodes the DID. Every
Ed25519 did:key therefore starts ``did:key:z6Mk``. The verification method is the DID plus a
fragment repeating the key, as the did:key method specifies.
"""

import functools
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .multibase import from_multibase_base58btc, multibase_base58btc

ED25519_MULTICODEC = b"\xed\x01"  # varint of 0xed, "ed25519-pub" in the multicodec table
DID_KEY_PREFIX = "did:key:"
KEY_LENGTH = 32


@dataclass(frozen=True)
class KeyPair:
    """An Ed25519 key pair as raw bytes, the form the database stores (the private part sealed)."""

    private: bytes
    public: bytes

    def __repr__(self) -> str:  # never print a private key into a log
        return f"KeyPair(public={self.public.hex()}, private=<hidden>)"


def keypair_generate() -> KeyPair:
    private_key = Ed25519PrivateKey.generate()
    return KeyPair(
        private=private_key.private_bytes_raw(),
        public=private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def public_key_from_private(private: bytes) -> bytes:
    _check_length(private, "private")
    return _public_key_of(bytes(private))


@functools.lru_cache(maxsize=16)
def _public_key_of(private: bytes) -> bytes:
    return _private_key_object(private).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_key_object(private: bytes) -> Ed25519PrivateKey:
    _check_length(private, "private")
    return _private_key_object(bytes(private))


@functools.lru_cache(maxsize=16)
def _private_key_object(private: bytes) -> Ed25519PrivateKey:
    # A signing run uses one key for thousands of credentials: loaded once, not three times
    # a credential (the key objects are immutable).
    return Ed25519PrivateKey.from_private_bytes(private)


def public_key_multibase(public: bytes) -> str:
    """The Multikey ``publicKeyMultibase`` form: ``z6Mk...``."""
    _check_length(public, "public")
    return multibase_base58btc(ED25519_MULTICODEC + public)


def did_key(public: bytes) -> str:
    return DID_KEY_PREFIX + public_key_multibase(public)


def verification_method(public: bytes) -> str:
    fingerprint = public_key_multibase(public)
    return f"{DID_KEY_PREFIX}{fingerprint}#{fingerprint}"


def did_from_verification_method(did_or_vm: str) -> str:
    """The DID part of a verification method id (or the DID itself)."""
    return did_or_vm.split("#", 1)[0]


def public_key_from_did(did_or_vm: str) -> bytes:
    """Decode the Ed25519 key inside a did:key DID or verification method; ValueError if bad.

    A verification method's fragment must repeat the DID's key: anything else names a key the
    DID does not contain, and accepting it would let a forged fragment pass.
    """
    if not isinstance(did_or_vm, str) or not did_or_vm.startswith(DID_KEY_PREFIX):
        raise ValueError(f"not a did:key: {did_or_vm!r}")
    did, _, fragment = did_or_vm.partition("#")
    fingerprint = did[len(DID_KEY_PREFIX) :]
    if fragment and fragment != fingerprint:
        raise ValueError("the verification method's fragment does not match its did:key")
    decoded = from_multibase_base58btc(fingerprint)
    if not decoded.startswith(ED25519_MULTICODEC):
        raise ValueError("the did:key is not an Ed25519 key (multicodec 0xed01)")
    public = decoded[len(ED25519_MULTICODEC) :]
    _check_length(public, "public")
    # Base58 has no canonical-form check of its own: refuse a spelling that re-encodes
    # differently, so one key has exactly one DID.
    if public_key_multibase(public) != fingerprint:
        raise ValueError("the did:key is not in canonical form")
    return public


def _check_length(key: bytes, which: str) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_LENGTH:
        raise ValueError(f"an Ed25519 {which} key is {KEY_LENGTH} raw bytes")
