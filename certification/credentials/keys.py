"""Certifying bodies' signing keys: created, sealed, opened and checked.

A private key is encrypted with a key-encryption secret (``PORTAL_SIGNING_KEY_SECRET``) before
it reaches the database, so a copy of the database alone cannot sign anything. The secret comes
from the environment or a file outside the repository; losing it makes the keys unusable, which
the system check reports.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certification.credentials import keys, vc
from certification.credentials.models import PlatformKey, SigningKey
from certification.levels.models import CertifyingBody


class KeyUnavailable(Exception):
    """The body has no key, or its key cannot be opened with the configured secret."""


def _fernet() -> Fernet:
    secret = settings.PORTAL_SIGNING_KEY_SECRET
    digest = hashlib.sha256(b"portal signing keys\x00" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _seal(private: bytes) -> str:
    return _fernet().encrypt(private).decode()


def _open(sealed: str) -> bytes:
    try:
        return _fernet().decrypt(sealed.encode())
    except InvalidToken as exc:
        raise KeyUnavailable("the key cannot be opened with PORTAL_SIGNING_KEY_SECRET") from exc


@transaction.atomic
def signing_key_create(*, body: CertifyingBody, rotate: bool = False) -> SigningKey:
    """Give ``body`` a new active key; with ``rotate`` the current one is retired first."""
    current = SigningKey.objects.select_for_update().filter(body=body, retired_at=None).first()
    if current and not rotate:
        return current
    if current:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
    pair = vc.keypair_generate()
    return SigningKey.objects.create(
        body=body, public_key=pair.public, private_key_sealed=_seal(pair.private)
    )


def signing_key_active(*, body: CertifyingBody) -> SigningKey:
    key = SigningKey.objects.filter(body=body, retired_at=None).first()
    if key is None:
        raise KeyUnavailable(f"{body.code} has no signing key")
    return key


def private_key(key: SigningKey | PlatformKey) -> bytes:
    """The raw private key, after checking it really belongs to the stored public key."""
    private = _opened(
        key.private_key_sealed, bytes(key.public_key), settings.PORTAL_SIGNING_KEY_SECRET
    )
    if private is None:
        raise KeyUnavailable(f"the sealed key {key} does not match its public key")
    return private


@functools.lru_cache(maxsize=32)
def _opened(sealed: str, public: bytes, secret: str) -> bytes | None:
    """The opened key, None if it is not the public key's; once per process, sealed form and
    secret (a class run signs thousands of credentials with one key). A key that cannot be
    opened raises, and is tried again next time (an exception is not cached)."""
    private = _open(sealed)
    return private if vc.public_key_from_private(private) == public else None


def key_problem(body: CertifyingBody) -> str | None:
    """Why ``body`` cannot sign right now, or None when it can."""
    try:
        private_key(signing_key_active(body=body))
    except KeyUnavailable as exc:
        return str(exc)
    return None


def signing_keys_ensure() -> list[SigningKey]:
    """Give every active body that awards a level a key (used by the demo and tests)."""
    bodies = CertifyingBody.objects.filter(is_active=True, levels__isnull=False).distinct()
    return [keys.signing_key_create(body=body) for body in bodies]


@transaction.atomic
def platform_key_create(*, rotate: bool = False) -> PlatformKey:
    """The portal's own active key (it signs the audit checkpoints); ``rotate`` retires the
    current one first. Idempotent without ``rotate``."""
    current = PlatformKey.objects.select_for_update().filter(active=True).first()
    if current and not rotate:
        return current
    if current:
        current.active = False
        current.retired_at = timezone.now()
        current.save(update_fields=["active", "retired_at"])
    pair = vc.keypair_generate()
    return PlatformKey.objects.create(
        public_key=pair.public, private_key_sealed=_seal(pair.private)
    )


def platform_key_active() -> PlatformKey:
    key = PlatformKey.objects.filter(active=True).first()
    if key is None:
        raise KeyUnavailable("the portal has no platform key")
    return key
