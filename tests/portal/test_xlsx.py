"""portal.lib.xlsx: workbooks read back with openpyxl — text stays text (never a formula), numbers stay numbers,
dates are dates."""

import datetime
import decimal
import io

import openpyxl
import pytest
from django.utils.translation import gettext_lazy

from portal.lib import xlsx

HEADERS = ["姓名", "人数", "日期"]


def read_back(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def only_cell(value):
    sheet = read_back(xlsx.workbook_bytes(title="表", headers=["值"], rows=[[value]]))
    return sheet.cell(row=2, column=1)


def test_title_and_headers_come_first():
    sheet = read_back(xlsx.workbook_bytes(title="人员", headers=HEADERS, rows=[["张三", 3, None]]))

    assert sheet.title == "人员"
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.data_type == "s" for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[1])
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("张三", 3, None)]


def test_bold_frozen_header_and_column_widths_on_request():
    sheet = read_back(
        xlsx.workbook_bytes(
            title="模板", headers=HEADERS, rows=[], bold_header=True, freeze_header=True, column_widths=[12, 6, 18]
        )
    )

    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [12, 6, 18]
    assert sheet.max_row == 1


@pytest.mark.parametrize("text", ["=1+1", "+86", "-5", "@SUM(A1)", '=HYPERLINK("http://x")', "=", "0123"])
def test_text_that_looks_like_a_formula_or_a_number_stays_text(text):
    cell = only_cell(text)

    assert cell.data_type == "s"
    assert cell.value == text


def test_formula_looking_header_stays_text():
    sheet = read_back(xlsx.workbook_bytes(title="表", headers=["=1+1"], rows=[]))

    assert (sheet["A1"].data_type, sheet["A1"].value) == ("s", "=1+1")


def test_control_characters_that_the_format_forbids_are_dropped():
    assert only_cell("甲\x07乙").value == "甲乙"


@pytest.mark.parametrize("number", [42, -5, 3.25, decimal.Decimal("12.50")])
def test_numbers_stay_numeric(number):
    cell = only_cell(number)

    assert cell.data_type == "n"
    assert cell.value == number


def test_dates_are_date_cells_shown_the_chinese_way():
    cell = only_cell(datetime.date(2024, 3, 12))

    assert cell.is_date
    assert cell.value == datetime.datetime(2024, 3, 12)
    assert cell.number_format == "yyyy-mm-dd"


def test_aware_datetimes_are_written_in_local_time():
    cell = only_cell(datetime.datetime(2024, 3, 12, 1, 30, tzinfo=datetime.UTC))

    assert cell.is_date
    assert cell.value == datetime.datetime(2024, 3, 12, 9, 30)  # Asia/Shanghai
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_none_is_empty_and_bools_read_yes_or_no():
    sheet = read_back(xlsx.workbook_bytes(title="表", headers=["甲", "乙", "丙"], rows=[[None, True, False]]))

    assert [cell.value for cell in sheet[2]] == [None, "是", "否"]
    assert sheet["B2"].data_type == "s"


def test_lazy_translations_are_written_as_text():
    cell = only_cell(gettext_lazy("男"))

    assert (cell.data_type, cell.value) == ("s", "男")


def test_rows_may_be_a_generator():
    rows = ([f"第{i}行", i] for i in range(3))

    sheet = read_back(xlsx.workbook_bytes(title="表", headers=["名称", "序号"], rows=rows))

    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("第0行", 0), ("第1行", 1), ("第2行", 2)]
