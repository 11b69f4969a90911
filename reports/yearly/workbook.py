"""Writes a computed yearly report as one workbook: the summary sheet (汇总) first, then one sheet per section.

openpyxl write-only mode (rows stream out, memory stays flat); every string is a text cell through
`portal.lib.xlsx`, so a name like "=HYPERLINK(…)" stays text and never becomes a formula. A sheet's column widths
and frozen panes are set before its first row, as write-only mode requires.
"""

import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from portal.lib.xlsx import DATETIME_FORMAT, text_cell, value_cell
from reports.yearly.base import INT, Report, Section, Table

TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE = Font(italic=True, color="666666")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

CHINESE_NUMBERS = "一二三四五六七八九十"
MIN_WIDTH, MAX_WIDTH = 8, 48
WIDTH_SAMPLE = 200

FIGURE_HEADERS = ["指标", "数值", "说明"]
SUMMARY_HEADERS = ["部分", "指标", "数值", "说明"]


def sheet_title(section: Section) -> str:
    return f"{section.number} {section.title}"


def heading(section: Section) -> str:
    return f"{CHINESE_NUMBERS[section.number - 1]}、{section.title}"


def _display_width(value: Any, number_format: str | None) -> int:
    """Roughly how many character widths a value takes (a Chinese character counts two)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 2
    if isinstance(value, int | float | Decimal):
        if number_format and "%" in number_format:
            return 7
        return len(f"{value:,.2f}")
    if isinstance(value, datetime.date):
        return 16 if isinstance(value, datetime.datetime) else 10
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(value))


def _cell(
    sheet: WriteOnlyWorksheet,
    value: Any,
    number_format: str | None = None,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> Cell | int | None:
    if type(value) is int and -1000 < value < 1000 and number_format == INT and font is None and fill is None:
        # Shown exactly as "#,##0" would show it, without a style: most cells of the per-branch tables are small
        # counts, and a plain number is about half the cost of a styled one to write.
        return value
    cell = value_cell(sheet, None if value == "" else value)
    if cell is None:
        if font is None and fill is None:
            return None  # an empty cell costs nothing in the file
        cell = WriteOnlyCell(sheet, value=None)
    elif number_format and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _text(sheet: WriteOnlyWorksheet, value: str, font: Font | None = None) -> Cell:
    cell = text_cell(sheet, value)
    if font is not None:
        cell.font = font
    return cell


def _set_widths(sheet: WriteOnlyWorksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))


def _widen(widths: dict[int, int], values: list[Any], formats: list[str | None]) -> None:
    for column, (value, number_format) in enumerate(zip(values, formats, strict=False), 1):
        widths[column] = max(widths.get(column, 0), _display_width(value, number_format))


def _write_table(sheet: WriteOnlyWorksheet, table: Table) -> None:
    """Title, note, header, rows, the total row in bold, then an empty row."""
    sheet.append([_text(sheet, table.title, BOLD)])
    if table.note:
        sheet.append([_text(sheet, table.note, NOTE)])
    sheet.append([_cell(sheet, header, None, BOLD, HEADER_FILL) for header in table.headers])
    for row in table.rows:
        sheet.append([_cell(sheet, value, fmt) for value, fmt in zip(row, table.formats, strict=True)])
    if table.total is not None:
        sheet.append(
            [_cell(sheet, value, fmt, BOLD, TOTAL_FILL) for value, fmt in zip(table.total, table.formats, strict=True)]
        )
    sheet.append([])


def _section_sheet(workbook: Workbook, report: Report, section: Section) -> None:
    sheet = workbook.create_sheet(sheet_title(section))
    widths: dict[int, int] = {}
    for figure in section.figures:
        _widen(widths, [figure.label, figure.value, figure.note], [None, figure.format, None])
    for table in section.tables:
        _widen(widths, table.headers, [None] * len(table.headers))
        # The first rows are a fair sample of a column's width (a width is capped anyway), and measuring every row
        # of a district's per-branch tables costs more than writing them.
        for row in [*table.rows[:WIDTH_SAMPLE], *([table.total] if table.total else [])]:
            _widen(widths, row, table.formats)
    _set_widths(sheet, widths)
    sheet.freeze_panes = "B3"  # the sheet's title lines and the first (label) column stay in view

    sheet.append([_text(sheet, heading(section), TITLE)])
    sheet.append([_text(sheet, _scope_line(report))])
    sheet.append([])
    sheet.append([_text(sheet, "主要指标", BOLD)])
    sheet.append([_cell(sheet, header, None, BOLD, HEADER_FILL) for header in FIGURE_HEADERS])
    for figure in section.figures:
        sheet.append(
            [_text(sheet, figure.label), _cell(sheet, figure.value, figure.format), _cell(sheet, figure.note or None)]
        )
    sheet.append([])
    for table in section.tables:
        _write_table(sheet, table)


def _scope_line(report: Report) -> str:
    period = f"{report.first:%Y-%m-%d} 至 {report.as_of:%Y-%m-%d}"
    return f"{report.year} 年度 · 范围：{report.scope_label} · 统计区间：{period}"


def _fill_summary(sheet: WriteOnlyWorksheet, report: Report) -> None:
    widths = {1: 14, 2: 10, 3: 14, 4: 10}
    for section in report.sections:
        for figure in section.figures:
            _widen(
                widths,
                [sheet_title(section), figure.label, figure.value, figure.note],
                [None, None, figure.format, None],
            )
    _set_widths(sheet, widths)
    info = [
        ("统计年度", f"{report.year} 年"),
        ("范围", report.scope_label),
        ("统计区间", f"{report.first:%Y-%m-%d} 至 {report.as_of:%Y-%m-%d}"),
        ("生成时间", timezone.localtime(report.generated_at).replace(tzinfo=None)),
    ]
    sheet.freeze_panes = f"A{len(info) + 4}"  # below the header row of the figures
    sheet.append([_text(sheet, f"{report.scope_label} {report.year} 年度报告", TITLE)])
    for label, value in info:
        cell = _cell(sheet, value)
        if isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        sheet.append([_text(sheet, label, BOLD), cell])
    sheet.append([])
    sheet.append([_cell(sheet, header, None, BOLD, HEADER_FILL) for header in SUMMARY_HEADERS])
    for section in report.sections:
        for figure in section.figures:
            sheet.append(
                [
                    _text(sheet, sheet_title(section)),
                    _text(sheet, figure.label),
                    _cell(sheet, figure.value, figure.format),
                    _cell(sheet, figure.note or None),
                ]
            )


class ReportWorkbook:
    """The workbook while it is written. The summary sheet is created first, so that it comes first, and filled
    last, when every section's figures are known (a write-only sheet takes its layout before its first row, so
    an empty one can wait). Each section's sheet can be written as soon as its section is counted."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self.summary = self.workbook.create_sheet("汇总")

    def add_section(self, report: Report, section: Section) -> None:
        _section_sheet(self.workbook, report, section)

    def finish(self, report: Report) -> bytes:
        _fill_summary(self.summary, report)
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def workbook_bytes(report: Report) -> bytes:
    """The whole workbook of a computed report."""
    book = ReportWorkbook()
    for section in report.sections:
        book.add_section(report, section)
    return book.finish(report)
