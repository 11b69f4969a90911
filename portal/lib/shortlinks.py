"""Short, unguessable codes for public links (ORM-free): `<base36 pk>-<10 chars of an HMAC>`.

A code is short enough for a QR code a phone reads from across a room and for a link typed from a poster, and
it cannot be forged or enumerated: changing the number without the key gives a code that `read` refuses.
The key is passed in (the caller decides which setting); the kind ("rate", "q" …) is part of the signed
message, so a code made for one kind of page is worthless on another.
"""

import base64
import hashlib
import hmac
import re

SIGNATURE_LENGTH = 10  # 50 bits of base32: far beyond guessing at any rate limit
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_CODE = re.compile(rf"([0-9a-z]{{1,13}})-([a-z2-7]{{{SIGNATURE_LENGTH}}})")


def _base36(number: int) -> str:
    if number <= 0:
        raise ValueError("short links are made for positive primary keys")
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


def _signature(kind: str, pk: int, key: str) -> str:
    digest = hmac.new(key.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).digest()
    # base32 (a–z, 2–7): URL-safe, no 0/O or 1/l confusion when someone types the code from a poster
    return base64.b32encode(digest).decode().lower()[:SIGNATURE_LENGTH]


def make(kind: str, pk: int, key: str) -> str:
    """The code for row `pk` of `kind`, e.g. make("rate", 42, key) → "16-k3x7q2abcd"."""
    return f"{_base36(pk)}-{_signature(kind, pk, key)}"


def read(kind: str, code: str, key: str) -> int | None:
    """The primary key a genuine code of `kind` stands for; None for anything forged, altered or malformed."""
    if not isinstance(code, str):
        return None
    match = _CODE.fullmatch(code.strip().lower())  # case-insensitive: people type codes from posters
    if match is None:
        return None
    number, signature = match.groups()
    pk = int(number, 36)
    if pk <= 0 or _base36(pk) != number:  # no leading zeros: exactly one code per row
        return None
    if not hmac.compare_digest(signature, _signature(kind, pk, key)):
        return None
    return pk
