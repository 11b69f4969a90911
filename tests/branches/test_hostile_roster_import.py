"""Hostile rosters (property-based): whatever the cells of an uploaded roster hold — any unicode, control
characters, formula-like text, very long text, numbers, dates, nothing — the upload gets a preview or a Chinese
report (per row, or for the file), never a server error; nothing is written by the upload, and a confirmed clean
preview writes exactly what it announced."""

import datetime
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from branches.importers import PersonImporter
from branches.models import MembershipEvent, Person, StatusStep
from portal.lib import idnumbers
from portal.models import AuditEvent
from tests.hostile import (
    FORMULA_LIKE,
    HOSTILE,
    LOOKALIKE_DIGITS,
    confirmed,
    csv_bytes,
    csv_cells,
    lookalike,
    outcome,
    preview_checked,
    texts_of,
    xlsx_bytes,
    xlsx_cells,
)

HEADERS = [column.header for column in PersonImporter.columns]
IMPORT_URL = reverse("imports:upload", args=["people"])
CONFIRM_URL = reverse("imports:confirm", args=["people"])


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploads kept between preview and confirm go to a per-test folder, not the shared test media."""
    settings.MEDIA_ROOT = tmp_path


# What a roster may hold ---------------------------------------------------------------------------------------

chinese_names = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=4)
births = st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2000, 12, 31))
id_numbers = st.builds(
    lambda birth, serial: idnumbers.with_check_char(f"110101{birth:%Y%m%d}{serial:03d}"),
    births,
    st.integers(min_value=0, max_value=999),
)


@st.composite
def clean_rows(draw) -> dict:
    """A row a careful secretary would write — it previews as new (or as an update, when an earlier example of the
    same test registered its ID number) — except that one ID number in four has a digit in another script."""
    status, status_date = draw(
        st.sampled_from([("", ""), ("群众", ""), ("入党申请人", "2021-03-01"), ("正式党员", "2019-07-01")])
    )
    id_number = draw(id_numbers)
    if draw(st.integers(min_value=1, max_value=4)) == 1:  # a digit typed in the wrong script (full-width …)
        id_number = draw(lookalike(id_number))
    return {
        # Formula-like names too: they must come back out of the people export as text, never as formulas.
        "姓名": draw(st.one_of(chinese_names, st.sampled_from(FORMULA_LIKE))),
        "性别": draw(st.sampled_from(["", "男", "女"])),
        "出生日期": "",
        "身份证号": id_number,
        "手机号": draw(st.sampled_from(["", "13900000001", 13900000002])),
        "学历": draw(st.sampled_from(["", "本科", "大专", "研究生"])),
        "政治面貌": status,
        "取得日期": status_date,
        "党组织": draw(st.sampled_from(["", "党支部A"])),
        "网格": "",
    }


@st.composite
def rosters(draw, cells: st.SearchStrategy) -> tuple[list, list[list]]:
    """(headers, rows): clean rows, about half of them with one to three cells replaced by hostile ones (so that
    some files preview clean and the confirm step runs too); sometimes the header row itself is shuffled or carries
    a hostile extra column."""
    rows = draw(st.lists(clean_rows(), min_size=1, max_size=4, unique_by=lambda row: row["身份证号"]))
    for row in rows:
        if draw(st.booleans()):
            for column in draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=3, unique=True)):
                if column == "手机号" and draw(st.booleans()):
                    row[column] = draw(lookalike("13900000001"))
                else:
                    row[column] = draw(cells)
    headers = draw(
        st.one_of(
            st.just(HEADERS),
            st.just(HEADERS),
            st.permutations(HEADERS),
            st.builds(lambda extra: [*HEADERS, extra], cells),
        )
    )
    extra = len(headers) - len(HEADERS)
    return headers, [
        [row.get(header, "") for header in headers[: len(HEADERS)]] + [draw(cells) for _ in range(extra)]
        for row in rows
    ]


# The property -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    people: int
    steps: int
    events: int
    audit: int
    roster_imports: int


def counts() -> Counts:
    return Counts(
        people=Person.objects.count(),
        steps=StatusStep.objects.count(),
        events=MembershipEvent.objects.count(),
        audit=AuditEvent.objects.count(),
        roster_imports=AuditEvent.objects.filter(action="person.roster_import").count(),
    )


def upload_then_confirm_if_clean(client, organisation, *, file_name: str, content: bytes, user_texts: list[str]):
    """The property, for one file; returns the preview's result (None when the file itself was refused)."""
    before = counts()
    preview = preview_checked(
        client,
        IMPORT_URL,
        organisation,
        file_name=file_name,
        content=content,
        user_texts=user_texts,
        counts=counts,
        form_template="imports/upload.html",
    )
    if preview is None:
        return None
    result = preview.result
    if result.has_problems:
        outcome("file errors" if result.file_errors else "row errors")
        assert preview.messages, "a refused file must say why"
        assert preview.token is None and "确认导入" not in preview.page
        return result

    if not result.has_changes:
        outcome("nothing new")
        assert preview.token is None and "没有需要导入的内容" in preview.page
        assert counts() == before
        return result

    # A clean preview: confirming writes exactly what it announced, and the file once.
    announced = result.counts()
    confirmed(client, CONFIRM_URL, preview)
    after = counts()
    assert after.people == before.people + announced["new"]
    assert after.roster_imports == before.roster_imports + 1
    # What came in as formula-like text goes out as text: no cell of the people export is a live formula.
    exported = client.get(reverse("branches:person_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert not [cell.coordinate for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]
    return result


@HOSTILE
@given(roster=rosters(xlsx_cells), formulas=st.booleans())
def test_any_xlsx_roster_gets_a_preview_or_a_chinese_report_and_writes_only_on_confirm(cast, login, roster, formulas):
    headers, rows = roster
    upload_then_confirm_if_clean(
        login(cast.secretary),
        cast.branch_a,
        file_name="名册.xlsx",
        content=xlsx_bytes(headers, rows, formulas=formulas),
        user_texts=texts_of([*headers, *(cell for row in rows for cell in row)]),
    )


@HOSTILE
@given(roster=rosters(csv_cells), encoding=st.sampled_from(["utf-8-sig", "utf-8", "gb18030"]))
def test_any_csv_roster_with_control_characters_gets_a_preview_or_a_chinese_report(cast, login, roster, encoding):
    headers, rows = roster
    upload_then_confirm_if_clean(
        login(cast.secretary),
        cast.branch_a,
        file_name="名册.csv",
        content=csv_bytes(headers, rows, encoding=encoding),
        user_texts=texts_of([*headers, *(cell for row in rows for cell in row)]),
    )


@HOSTILE
@given(content=st.binary(max_size=2048), name=st.sampled_from(["名册.xlsx", "名册.csv", "名册.xls", "名册"]))
def test_any_bytes_uploaded_as_a_roster_are_refused_in_chinese(cast, login, content, name):
    """Not a spreadsheet at all (random bytes, or a zip header followed by junk): a Chinese refusal, nothing written."""
    for payload in (content, b"PK\x03\x04" + content):
        upload_then_confirm_if_clean(
            login(cast.secretary), cast.branch_a, file_name=name, content=payload, user_texts=[]
        )


# The files that found bugs, pinned ----------------------------------------------------------------------------


@pytest.mark.parametrize("digit", LOOKALIKE_DIGITS)
@pytest.mark.parametrize("position", [0, 16])
def test_an_id_number_with_a_digit_of_another_script_is_a_chinese_row_error(cast, login, digit, position):
    """ "²" or "①" in an ID number passed isdigit() and then int() failed: a server error. Full-width and
    Arabic-Indic digits passed as a valid number, hashed apart from the same number in ASCII digits."""
    id_number = idnumbers.with_check_char("11010119850312123")
    typed = id_number[:position] + digit + id_number[position + 1 :]

    result = upload_then_confirm_if_clean(
        login(cast.secretary),
        cast.branch_a,
        file_name="名册.csv",
        content=csv_bytes(["姓名", "身份证号"], [["张三", typed]]),
        user_texts=["姓名", "身份证号", typed],
    )

    assert [row.errors for row in result.preview_rows()] == [["身份证号：身份证号码无效（应为 18 位且校验位正确）。"]]
