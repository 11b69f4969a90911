"""How numbers and dates read on a page: one home, used by the template filters in portal/templatetags/display.py
(and by Python code that writes the same figures into a message)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone


def plain_number(value: object, places: int = 2) -> str:
    """A score, average or percentage with at most `places` decimals and no trailing zeros: 88.4000000000000 →
    「88.4」, 97.125 → 「97.13」, 90.0 → 「90」; None (no figure yet) → 「—」; anything else as it is."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def short_date(value: datetime.date | datetime.datetime | None, *, with_time: bool = False) -> str:
    """「12月31日」 in the current year, 「2025年12月31日」 in any other (a deadline 342 days past must say which
    year); with_time adds 「 09:30」 (local time)."""
    if value is None or value == "":
        return ""
    time = ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        time = f" {value:%H:%M}"
        value = value.date()
    day = f"{value.month}月{value.day}日"
    if value.year != timezone.localdate().year:
        day = f"{value.year}年{day}"
    return day + (time if with_time else "")
