"""The two multibase encodings the credentials use: base58btc ('z') and base64url ('u').

Multibase prefixes an encoding with one character naming it, so a reader never has to guess.
Keys and signatures use base58btc (no characters that look alike, no punctuation, so a DID can be
double-clicked); the revocation bitstring uses base64url without padding, as Bitstring Status List
v1.0 requires.
"""

import base64
import re

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(BASE58_ALPHABET)}
# Python's decoder skips characters outside the alphabet; a signature check must not.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def base58btc_encode(data: bytes) -> str:
    """Bitcoin's base58: the bytes as one big number, plus a '1' for each leading zero byte."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Inverse of :func:`base58btc_encode`; ValueError on a character outside the alphabet."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _BASE58_INDEX[char]
        except KeyError:
            raise ValueError(f"not base58btc: {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_base58btc(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def from_multibase_base58btc(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("expected a multibase base58btc value starting with 'z'")
    return base58btc_decode(text[1:])


def multibase_base64url(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_multibase_base64url(text: str) -> bytes:
    """Decode 'u' + unpadded base64url; padding is restored because Python insists on it."""
    if not isinstance(text, str) or not text.startswith("u"):
        raise ValueError("expected a multibase base64url value starting with 'u'")
    body = text[1:]
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        raise ValueError("multibase base64url must be unpadded base64url")
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
