"""Confirming a mainland phone number with a 6-digit code sent by SMS.

A code is kept only as a keyed hash, expires after ``PHONE_CODE_TTL`` (10 minutes) and allows
``PHONE_CODE_TRIES`` (5) wrong answers before it is spent. Sending is limited per number (one a
minute, five an hour, whoever asks), per person and per client address, so nobody can use the
portal to flood a number or guess their way through many codes.
"""

import datetime
import hmac
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from . import ratelimit
from .models import PhoneCode, User
from .sms import SmsSendError, sms_send

PHONE_CODE_TTL = datetime.timedelta(minutes=10)
PHONE_CODE_TRIES = 5
# (scope, limit, period in seconds, per client address)
SEND_LIMITS_PER_NUMBER = ((1, 60), (5, 3600))
SEND_LIMIT_PER_PERSON = (5, 3600)
SEND_LIMIT_PER_ADDRESS = (10, 3600)

_MAINLAND = re.compile(r"^1[3-9]\d{9}$")


def phone_normalised(value: str) -> str:
    """The number without spaces, dashes and a leading +86 / 0086."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    return digits


def validate_mainland_phone(value: str) -> str:
    """The 11-digit mainland mobile number, or ValidationError."""
    number = phone_normalised(value)
    if not _MAINLAND.match(number):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13 to 19, +86 optional."),
            code="format",
        )
    return number


def _code_hash(phone: str, code: str) -> str:
    return salted_hmac("portal.accounts.phone", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _limited(request, scope: str, limit: int, period: int, *, per_client: bool) -> bool:
    return not ratelimit.allow(
        request, scope=scope, limit=limit, period=period, per_client=per_client
    )


def phone_code_send(*, user: User, phone: str, request) -> PhoneCode:
    """Send a new code to ``phone`` for ``user``; ValidationError (saying why) when the number
    is not a mainland one, a limit is reached or the SMS cannot be sent."""
    number = validate_mainland_phone(phone)
    number_key = _code_hash(number, "limit")[:32]
    over = any(
        _limited(request, f"sms-number-{period}:{number_key}", limit, period, per_client=False)
        for limit, period in SEND_LIMITS_PER_NUMBER
    )
    over = (
        _limited(request, f"sms-person:{user.pk}", *SEND_LIMIT_PER_PERSON, per_client=False) or over
    )
    over = _limited(request, "sms-address", *SEND_LIMIT_PER_ADDRESS, per_client=True) or over
    if over:
        raise ValidationError(
            _("Too many codes were asked for. Please wait a few minutes and try again."),
            code="rate_limited",
        )
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        # Only the newest code counts: the ones before it are spent.
        PhoneCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        row = PhoneCode.objects.create(
            user=user,
            phone=number,
            code_hash=_code_hash(number, code),
            created_at=now,
            expires_at=now + PHONE_CODE_TTL,
        )
    text = _(
        "Your confirmation code is %(code)s. It expires in %(minutes)s minutes. "
        "Do not tell anyone this code."
    ) % {"code": code, "minutes": int(PHONE_CODE_TTL.total_seconds() // 60)}
    try:
        sms_send(number, text)
    except SmsSendError as error:
        row.used_at = now
        row.save(update_fields=["used_at"])
        raise ValidationError(
            _("The code could not be sent. Please try again later."), code="not_sent"
        ) from error
    return row


def phone_code_pending(user: User) -> PhoneCode | None:
    """The code waiting for an answer, if one is (not used, not expired, tries left)."""
    row = PhoneCode.objects.filter(user=user, used_at__isnull=True).first()
    if row is None or row.expires_at <= timezone.now() or row.attempts >= PHONE_CODE_TRIES:
        return None
    return row


def phone_code_confirm(*, user: User, code: str) -> str:
    """Check ``code`` against the person's newest code; on success the phone on the account
    becomes that number, confirmed now, and the number is returned. ValidationError otherwise."""
    code = re.sub(r"\s", "", str(code or ""))
    # The refusal is raised after the block, so the counted try is committed with it.
    with transaction.atomic():
        row = PhoneCode.objects.select_for_update().filter(user=user, used_at__isnull=True).first()
        refusal = _refusal(row)
        if refusal is None:
            row.attempts += 1
            if hmac.compare_digest(row.code_hash, _code_hash(row.phone, code)):
                now = timezone.now()
                row.used_at = now
                row.save(update_fields=["attempts", "used_at"])
                user.phone = row.phone
                user.phone_confirmed_number = row.phone
                user.phone_confirmed_at = now
                user.save(update_fields=["phone", "phone_confirmed_number", "phone_confirmed_at"])
                return row.phone
            row.save(update_fields=["attempts"])
            left = PHONE_CODE_TRIES - row.attempts
            if left <= 0:
                refusal = ValidationError(
                    _("Too many wrong codes. Ask for a new one."), code="locked"
                )
            else:
                refusal = ValidationError(
                    _("The code is not right. %(left)s tries left.") % {"left": left},
                    code="wrong",
                )
    raise refusal


def _refusal(row: PhoneCode | None) -> ValidationError | None:
    if row is None:
        return ValidationError(_("Ask for a code first."), code="no_code")
    if row.expires_at <= timezone.now():
        return ValidationError(_("This code has expired. Ask for a new one."), code="expired")
    if row.attempts >= PHONE_CODE_TRIES:
        return ValidationError(_("Too many wrong codes. Ask for a new one."), code="locked")
    return None


def phone_masked(phone: str) -> str:
    """138****5678."""
    number = phone_normalised(phone)
    return f"{number[:3]}****{number[-4:]}" if len(number) >= 8 else "****"
