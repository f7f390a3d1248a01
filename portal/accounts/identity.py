"""Real-name details (实名信息): a person's identity document, kept so nobody reads it back.

The number is validated (a resident ID number per GB 11643: its ISO 7064 MOD 11-2 check digit,
a real birth date, a real province code), then stored three ways: encrypted with a key derived
from ``settings.PORTAL_IDENTITY_KEY`` (a secret apart from ``SECRET_KEY`` and from the signing
keys' secret), as a keyed HMAC-SHA256 under another key derived from it (for matching), and
masked (``4401**********123X``) for display. Pages, exports, logs and the API show the masked
form only; ``identity_number`` returns the number for computing a salted hash at issuance and
for nothing else.

``portal.accounts`` is the floor layer: any app may import this module.
"""

import base64
import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .images import ImageNotCleaned, upload_cleaned
from .models import DocumentKind, IdentityChange, RealNameIdentity
from .provinces import Province
from .storage import private_storage

__all__ = [
    "DocumentKind",
    "IdentityKeyError",
    "IdentitySummary",
    "RealNameIdentity",
    "identity_document",
    "identity_erase",
    "identity_hash",
    "identity_matches",
    "identity_number",
    "identity_record",
    "identity_summary",
    "mask",
    "validate_document_number",
]

# GB 11643-1999: the weights of the first 17 digits, and the check character for each remainder.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Province-level codes (GB/T 2260) that begin a resident ID number; 83 begins the residence
# permits of Taiwan residents, which share the format.
_REGIONS = frozenset(Province.values) | {"83"}

_FORMATS = {
    DocumentKind.RESIDENT_ID: re.compile(r"^\d{17}[\dX]$"),
    # Chinese passports (E12345678, EA1234567, G12345678) and other countries' (letters and
    # digits, 5 to 20 of them).
    DocumentKind.PASSPORT: re.compile(r"^[A-Z0-9]{5,20}$"),
    # 回乡证: H (Hong Kong) or M (Macao) and 8 digits (10 on older cards).
    DocumentKind.HK_MACAO_PERMIT: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    # 台胞证: 8 digits (10 on older cards).
    DocumentKind.TAIWAN_PERMIT: re.compile(r"^\d{8}(\d{2})?$"),
}


class IdentityKeyError(Exception):
    """The stored number cannot be opened with the configured ``PORTAL_IDENTITY_KEY``."""


@dataclass(frozen=True)
class IdentitySummary:
    kind: str
    kind_label: str
    masked: str
    has_document: bool
    recorded_at: datetime.datetime


def _normalised(number: str) -> str:
    return re.sub(r"[\s\u3000-]+", "", str(number or "")).upper()


def _check_character(first17: str) -> str:
    return _CHECK[
        sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11
    ]


def validate_document_number(kind: str, number: str) -> str:
    """The number normalised (no spaces, upper case), or ValidationError saying why not."""
    if kind not in DocumentKind.values:
        raise ValidationError(_("Choose the kind of identity document."), code="kind")
    value = _normalised(number)
    if not value:
        raise ValidationError(_("Enter the document's number."), code="required")
    if not _FORMATS[kind].match(value):
        if kind == DocumentKind.RESIDENT_ID:
            message = _(
                "A resident ID number has 18 characters: 17 digits, then a digit or X (format)."
            )
        else:
            message = _("This is not the format of a %(kind)s number (format).") % {
                "kind": DocumentKind(kind).label
            }
        raise ValidationError(message, code="format")
    if kind != DocumentKind.RESIDENT_ID:
        return value
    if value[:2] not in _REGIONS:
        raise ValidationError(
            _("The region code %(code)s at the start is not a province's (region code).")
            % {"code": value[:2]},
            code="region",
        )
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born < datetime.date(1900, 1, 1) or born > timezone.localdate():
        raise ValidationError(
            _("Digits 7 to 14 are not a real birth date (birth date)."), code="birth_date"
        )
    if _check_character(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "The last character does not match the others: check for a mistyped digit "
                "(checksum)."
            ),
            code="checksum",
        )
    return value


def mask(number: str) -> str:
    """The number with all but its first 4 and last 4 characters hidden (fewer shown when the
    number is short)."""
    value = _normalised(number)
    if len(value) >= 12:
        head, tail = 4, 4
    elif len(value) >= 6:
        head, tail = 1, 2
    else:
        head, tail = 0, 0
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


# -- keys ------------------------------------------------------------------------------------


def _subkey(purpose: bytes) -> bytes:
    secret = settings.PORTAL_IDENTITY_KEY
    if not secret:
        raise ImproperlyConfigured("PORTAL_IDENTITY_KEY is not set.")
    return hmac.new(
        secret.encode(), b"portal.accounts.identity:" + purpose, hashlib.sha256
    ).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey(b"encryption")))


def identity_hash(number: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised number: the same number, the same hash."""
    return hmac.new(_subkey(b"hash"), _normalised(number).encode(), hashlib.sha256).hexdigest()


def _encrypted(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode("ascii")


def _decrypted(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise IdentityKeyError(
            "The identity number cannot be opened with PORTAL_IDENTITY_KEY."
        ) from error


# -- reads -----------------------------------------------------------------------------------


def _identity_of(user) -> RealNameIdentity | None:
    if user is None or not getattr(user, "pk", None):
        return None
    # Loaded with the person already (``select_related("holder__identity")`` when a batch of
    # certificates is issued): no query per person.
    people = RealNameIdentity._meta.get_field("user").related_model  # not type(): lazy users
    if people.identity.is_cached(user):
        try:
            return user.identity
        except RealNameIdentity.DoesNotExist:
            return None
    return RealNameIdentity.objects.filter(user_id=user.pk).first()


def identity_summary(user) -> IdentitySummary | None:
    """What may be shown of the person's identity document: its kind and masked number."""
    identity = _identity_of(user)
    if identity is None:
        return None
    return IdentitySummary(
        kind=identity.document_kind,
        kind_label=str(identity.get_document_kind_display()),
        masked=identity.number_masked,
        has_document=bool(identity.document_image),
        recorded_at=identity.recorded_at,
    )


def identity_number(user) -> str | None:
    """The decrypted number, ONLY for computing a salted hash at issuance; never displayed,
    logged or exported. Raises IdentityKeyError when the key does not open it."""
    identity = _identity_of(user)
    return _decrypted(identity.number_encrypted) if identity else None


def identity_matches(user, number: str) -> bool:
    """Whether ``number`` is the person's recorded number (a constant-time compare)."""
    identity = _identity_of(user)
    candidate = identity_hash(number)
    if identity is None:
        return False
    return hmac.compare_digest(candidate, identity.number_hash)


def identity_document(user):
    """The stored document image (a FieldFile), for a permission-checked view to stream."""
    identity = _identity_of(user)
    return identity.document_image if identity and identity.document_image else None


# -- writes ----------------------------------------------------------------------------------


def identity_record(user, *, kind: str, number: str, document=None) -> RealNameIdentity:
    """Record or replace the person's identity document, and the change. ``document`` is an
    uploaded picture, stored re-encoded without EXIF; None keeps the current one."""
    value = validate_document_number(kind, number)
    cleaned = None
    if document is not None:
        try:
            cleaned = upload_cleaned(document, "identity")
        except ImageNotCleaned as error:
            raise ValidationError(
                _("The document image is not a JPEG, PNG or WebP picture."), code="image"
            ) from error
    with transaction.atomic():
        identity = RealNameIdentity.objects.select_for_update().filter(user_id=user.pk).first()
        previous_masked = identity.number_masked if identity else ""
        old_image = identity.document_image.name if identity and identity.document_image else ""
        if identity is None:
            identity = RealNameIdentity(user_id=user.pk)
        identity.document_kind = kind
        identity.number_encrypted = _encrypted(value)
        identity.number_hash = identity_hash(value)
        identity.number_masked = mask(value)
        if cleaned is not None:
            identity.document_image = cleaned
        identity.save()
        IdentityChange.objects.create(
            user_id=user.pk,
            document_kind=kind,
            number_masked=identity.number_masked,
            previous_masked=previous_masked,
            document_replaced=cleaned is not None and bool(old_image),
        )
        if cleaned is not None and old_image:
            storage = private_storage()
            transaction.on_commit(lambda: storage.delete(old_image))
    return identity


def identity_erase(user) -> None:
    """Remove the person's identity document and its image (closing an account)."""
    identity = _identity_of(user)
    if identity is None:
        return
    image = identity.document_image.name if identity.document_image else ""
    identity.delete()
    if image:
        storage = private_storage()
        transaction.on_commit(lambda: storage.delete(image))
