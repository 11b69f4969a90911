"""Excel workbooks for download, written so that no cell is ever a live formula.

Every string goes out as a text cell: user text that starts with `=`, `+`, `-` or `@` stays text and Excel never
evaluates it (formula injection). The workbook is built with openpyxl in write-only mode, so rows stream out and
memory stays flat however many there are. ORM-free: callers turn their rows into plain values first.
"""

import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def text_cell(sheet: WriteOnlyWorksheet, value: str) -> Cell:
    """A text cell, whatever the text looks like: '=…' would otherwise become a formula."""
    # Control characters are not allowed in the file format; openpyxl would refuse the whole workbook.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def date_cell(sheet: WriteOnlyWorksheet, value: datetime.date | None) -> Cell:
    """A date cell (a datetime keeps its time, in local time), shown the Chinese way: 2024-03-12."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # Excel has no time zones
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def value_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell | None:
    """The cell for a plain value: text, date, number, 是/否 for a bool, nothing for None."""
    if value is None:
        return None
    if isinstance(value, bool):  # before the numbers: a bool is an int
        return text_cell(sheet, "是" if value else "否")
    if isinstance(value, datetime.date):
        return date_cell(sheet, value)
    if isinstance(value, int | float | decimal.Decimal):
        return WriteOnlyCell(sheet, value=value)
    # str, and whatever else prints as text (lazy translations, for one).
    return text_cell(sheet, str(value))


def workbook_bytes(
    *,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    bold_header: bool = False,
    freeze_header: bool = False,
    column_widths: Sequence[float] | None = None,
    notes: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """One sheet: a header row, then the rows (consumed once, as they come: a generator is fine). `notes`, as
    (column, explanation) pairs, add a second sheet 填写说明."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    # A write-only sheet takes its layout before the first row.
    for position, width in enumerate(column_widths or [], 1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    if freeze_header:
        sheet.freeze_panes = "A2"
    header_cells = [text_cell(sheet, header) for header in headers]
    if bold_header:
        for cell in header_cells:
            cell.font = Font(bold=True)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([value_cell(sheet, value) for value in row])
    if notes:
        explained = workbook.create_sheet("填写说明")
        explained.column_dimensions["A"].width = 16
        explained.column_dimensions["B"].width = 80
        explained.append([text_cell(explained, "列"), text_cell(explained, "说明")])
        for column, note in notes:
            explained.append([text_cell(explained, column), text_cell(explained, note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
