"""Resident ID numbers (GB 11643-1999): validation, masking and a keyed hash. Never store the number itself."""

import datetime
import hashlib
import hmac

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def is_valid(value: str) -> bool:
    """18 characters, a real birth date, and the right check character."""
    value = normalise(value)
    # ASCII digits only: isdigit() alone also passes "²" and "①" (which int() refuses) and full-width or other
    # scripts' digits (which would hash apart from the same number in ASCII and so register one person twice).
    if len(value) != 18 or not (value[:17].isascii() and value[:17].isdigit()):
        return False
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11] == value[17]


def with_check_char(first17: str) -> str:
    """Completes 17 digits with their check character (used to make valid fictional numbers)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK_CHARS[total % 11]


# What a page, an export or the database keeps of a number: its last 4 characters. The first 6 (the place of
# registration) together with the birth date every roster shows would leave only the 3 sequence digits, which the
# check character then pins to one number; without them a number stays one of ~90,000 (see SECURITY.md).
MASK_VISIBLE = 4


def mask(value: str) -> str:
    value = normalise(value)
    return "*" * (18 - MASK_VISIBLE) + value[-MASK_VISIBLE:] if len(value) == 18 else ""


def keyed_hash(value: str, key: str) -> str:
    return hmac.new(key.encode(), normalise(value).encode(), hashlib.sha256).hexdigest()


def birth_date(value: str) -> datetime.date:
    value = normalise(value)
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender(value: str) -> str:
    """'male' or 'female' from the 17th digit."""
    return "male" if int(normalise(value)[16]) % 2 else "female"
