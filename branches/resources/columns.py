"""A roster's columns and how each cell is read: the widgets turn what Excel hands back into clean values, or
raise ValueError with the Chinese reason the preview shows for that cell."""

import datetime
from collections.abc import Collection
from functools import cached_property
from typing import Any

from django.conf import settings
from import_export import widgets

from portal.lib import idnumbers

# The roster's columns: header → resource field. Only 姓名 and 身份证号 must be present.
COLUMNS = {
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "身份证号": "id_number",
    "手机号": "phone",
    "学历": "education",
    "政治面貌": "political_status",
    "取得日期": "status_date",
    "党组织": "organisation",
    "网格": "grid",
}
REQUIRED_COLUMNS = ("姓名", "身份证号")
# Plain facts an import may change on an already registered person (blank cells leave them as they are).
UPDATABLE_FIELDS = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "手机号", "education": "学历"}

# The template's example row carries this (valid, fictional) ID number; a file that still holds it is refused.
EXAMPLE_ID_NUMBER = idnumbers.with_check_char("11010119850312001")


def cell_text(value: Any) -> str:
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


def cell_blank(value: Any) -> bool:
    return cell_text(value) == ""


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int) -> None:
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value)
        if len(text) > self.max_length:
            raise ValueError(f"不能超过 {self.max_length} 个字。")
        return text


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value)
        if text and not (len(text) == 11 and text.isdigit() and text.startswith("1")):
            raise ValueError(f"“{text}”不是 11 位手机号码。")
        return text


class RosterDateWidget(widgets.Widget):
    """A real date cell, or text as YYYY-MM-DD or YYYY/MM/DD."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

    def clean(self, value, row=None, **kwargs) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}”不是有效日期，请写成 YYYY-MM-DD（如 1985-03-12）。")


class LabelWidget(widgets.Widget):
    """A choice written as its Chinese label (男, 本科, 正式党员 …), turned into the stored value."""

    def __init__(self, choices: type, aliases: dict[str, str] | None = None) -> None:
        super().__init__()
        self.choices = choices
        self.aliases = aliases or {}

    @cached_property
    def by_label(self) -> dict[str, str]:
        # Built on first use: the labels are lazy translations.
        return {str(label): value for value, label in self.choices.choices}

    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value)
        if not text:
            return ""
        found = self.by_label.get(text) or self.aliases.get(text)
        if found is None:
            raise ValueError(f"“{text}”不是可选的值（可填：{'、'.join(self.by_label)}）。")
        return found


class IdNumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        if isinstance(value, float) or (isinstance(value, int) and not idnumbers.is_valid(str(value))):
            # Excel keeps 15 significant digits: an ID number typed into a number cell has lost its last digits.
            raise ValueError("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写。")
        text = idnumbers.normalise(cell_text(value))
        if text and not idnumbers.is_valid(text):
            raise ValueError("身份证号码无效（应为 18 位且校验位正确）。")
        return text


def header_problems(headers: list[str], *, columns: Collection[str], required: Collection[str], rows: int) -> list[str]:
    """File-level problems of an uploaded sheet, in Chinese: unnamed, unknown, repeated or missing columns, no
    rows, too many rows. Shared by every spreadsheet import so each says the same thing the same way."""
    problems = []
    for position, header in enumerate(headers, 1):
        if not header:
            problems.append(f"第 {position} 列有数据但没有表头。")
        elif header not in columns:
            problems.append(f"未知的列“{header}”（请确认第 1 行是表头；可用的列：{'、'.join(columns)}）。")
    for header in sorted({h for h in headers if h and headers.count(h) > 1}):
        problems.append(f"列“{header}”出现了不止一次。")
    missing = [header for header in required if header not in headers]
    if missing:
        problems.append(f"缺少必填的列：{'、'.join(missing)}。")
    if rows == 0 and not problems:
        problems.append("文件中没有数据行。")
    if rows > settings.ROSTER_IMPORT_MAX_ROWS:
        problems.append(f"文件有 {rows} 行数据，超过上限 {settings.ROSTER_IMPORT_MAX_ROWS} 行，请分批导入。")
    return problems
