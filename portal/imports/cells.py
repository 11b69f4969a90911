"""Reading one cell of an uploaded sheet: each reader turns what Excel (or a CSV) hands back into a clean value, or
raises ValueError with the Chinese reason the preview shows for that cell. Every importer reads its cells with these,
so the same kind of cell is read — and refused — the same way in every file."""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from portal.lib import idnumbers

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
# Integer columns are PositiveIntegerFields: this is their range on PostgreSQL.
MAX_COUNT = 2_147_483_647
YES = {"是", "有", "建有", "√", "Y", "y", "1"}
NO = {"否", "无", "没有", "未建", "×", "N", "n", "0"}


def text(value: Any) -> str:
    """A cell as trimmed text. Excel hands back numbers typed into a cell (phones) as int or float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def blank(value: Any) -> bool:
    return text(value) == ""


def bounded_text(value: Any, max_length: int, *, required: bool = False) -> str:
    result = text(value)
    if required and not result:
        raise ValueError("不能为空。")
    if len(result) > max_length:
        raise ValueError(f"不能超过 {max_length} 个字。")
    return result


def phone(value: Any) -> str:
    result = text(value)
    if result and not (len(result) == 11 and result.isdigit() and result.startswith("1")):
        raise ValueError(f"“{result[:20]}”不是 11 位手机号码。")
    return result


def date(value: Any) -> datetime.date | None:
    """A real date cell, or text as YYYY-MM-DD or YYYY/MM/DD; None when blank."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    result = text(value)
    if not result:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(result, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{result[:20]}”不是有效日期，请写成 YYYY-MM-DD（如 1985-03-12）。")


def moment(value: Any) -> datetime.datetime:
    """An Excel date-time cell, or text as YYYY-MM-DD HH:MM; local time (Asia/Shanghai)."""
    if isinstance(value, datetime.datetime):
        result = value
    elif isinstance(value, datetime.date):
        raise ValueError("只有日期没有时间，请写成 YYYY-MM-DD HH:MM（如 2024-03-12 09:00）。")
    else:
        written = text(value)
        if not written:
            raise ValueError("不能为空。")
        for fmt in DATETIME_FORMATS:
            try:
                result = datetime.datetime.strptime(written, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"“{written[:20]}”不是有效的时间，请写成 YYYY-MM-DD HH:MM（如 2024-03-12 09:00）。")
    return timezone.make_aware(result) if timezone.is_naive(result) else result


def choice(value: Any, labels: Mapping[str, str]) -> str:
    """A choice written as its Chinese label (男, 本科, 正式党员 …): the stored value, "" when blank."""
    result = text(value)
    if not result:
        return ""
    found = labels.get(result)
    if found is None:
        raise ValueError(f"“{result[:20]}”不是可选的值（可填：{'、'.join(labels)}）。")
    return found


def labels_of(choices: Any, aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """label → value of a TextChoices, plus aliases (built on use: the labels are lazy translations)."""
    return {**{str(label): value for value, label in choices.choices}, **(aliases or {})}


def yes_no(value: Any) -> bool | None:
    result = text(value)
    if not result:
        return None
    if result in YES:
        return True
    if result in NO:
        return False
    raise ValueError(f"“{result[:20]}”应填“是”或“否”。")


def id_number(value: Any) -> str:
    """An 18-character ID number, normalised; "" when blank."""
    if isinstance(value, float) or (isinstance(value, int) and not idnumbers.is_valid(str(value))):
        # Excel keeps 15 significant digits: an ID number typed into a number cell has lost its last digits.
        raise ValueError("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写。")
    result = idnumbers.normalise(text(value))
    if result and not idnumbers.is_valid(result):
        raise ValueError("身份证号码无效（应为 18 位且校验位正确）。")
    return result


def hours(value: Any) -> Decimal | None:
    written = text(value)
    if not written:
        return None
    try:
        result = Decimal(written)
    except InvalidOperation:
        raise ValueError(f"“{written[:20]}”不是数字（单位：小时，如 2 或 1.5）。") from None
    if not result.is_finite() or result <= 0 or result > 24:
        raise ValueError("应大于 0 且不超过 24 小时。")
    if result != result.quantize(Decimal("0.1")):
        raise ValueError("最多保留一位小数。")
    return result.quantize(Decimal("0.1"))


def count(value: Any) -> int | None:
    written = text(value)
    if not written:
        return None
    # isdecimal, not isdigit: "²" and "①" are digits to isdigit but int() refuses them (with an English message).
    if not written.isdecimal():
        raise ValueError(f"“{written[:20]}”不是非负整数。")
    # The length is checked first: int() refuses very long digit strings, in English.
    if len(written.lstrip("0")) > len(str(MAX_COUNT)) or int(written) > MAX_COUNT:
        raise ValueError(f"“{written[:20]}”太大，不能超过 {MAX_COUNT}。")
    return int(written)
