"""Hostile activity registers (property-based): whatever the cells of an uploaded register hold, the upload gets a
preview or a Chinese report (per row, or for the file), never a server error; nothing is written by the upload,
and a confirmed clean preview writes exactly the activities, participations and hours it announced."""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from branches import actions as branch_actions
from portal.lib import idnumbers
from portal.models import AuditEvent
from services.importers import ActivityImporter
from services.models import Activity, HoursEntry, Participation
from tests.hostile import (
    HOSTILE,
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

COLUMNS = [column.header for column in ActivityImporter.columns]

IMPORT_URL = reverse("imports:upload", args=["activities"])
CONFIRM_URL = reverse("imports:confirm", args=["activities"])
CATEGORIES = ["便民服务", "义诊", "法律咨询", "环境"]  # default categories (services migration 0003)
# Minutes from start to end: a few minutes (a register may round), ordinary sessions, a day, the 7-day maximum.
DURATIONS = [1, 2, 3, 10, 30, 90, 120, 600, 24 * 60, 7 * 24 * 60]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(cast) -> list[tuple[str, str]]:
    """(name, ID number) of branch A's people, registered with their ID numbers (the register identifies them so)."""
    registered = []
    for serial, person in enumerate((cast.person_a, cast.member_person, cast.secretary_person), start=1):
        id_number = idnumbers.with_check_char(f"11010119800101{serial:03d}")
        branch_actions.person_update(actor=None, person=person, id_number=id_number)
        registered.append((person.name, id_number))
    return registered


# What a register may hold -------------------------------------------------------------------------------------


@st.composite
def activity_rows(draw, people: list[tuple[str, str]], *, as_cells: bool) -> list[dict]:
    """The rows of one past activity as a careful secretary writes them: one per participant, the activity's facts
    repeated on each."""
    minutes = draw(st.sampled_from(DURATIONS))
    days_ago = draw(st.integers(min_value=8, max_value=300))  # ended before now, whatever the duration
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    starts = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(
        minutes=draw(st.integers(min_value=6 * 60, max_value=20 * 60))
    )
    ends = starts + datetime.timedelta(minutes=minutes)
    when = (lambda moment: moment) if as_cells else (lambda moment: f"{moment:%Y-%m-%d %H:%M}")
    facts = {
        "活动名称": draw(
            st.sampled_from(["社区义诊", "垃圾分类宣传", "助学辅导"]) | st.text("社区便民志愿服务", min_size=2)
        ),
        "类别": draw(st.sampled_from(CATEGORIES)),
        "开始时间": when(starts),
        "结束时间": when(ends),
        "地点": draw(st.sampled_from(["社区党群服务中心", "东湖广场"])),
        "服务对象": draw(st.sampled_from(["", "老年居民"])),
        "党组织": draw(st.sampled_from(["", "党支部A"])),
        "服务队": "",
        "服务人次": draw(st.sampled_from(["", "50", 12])),
        "服务户次": draw(st.sampled_from(["", "30"])),
    }
    rows = []
    for name, id_number in draw(st.lists(st.sampled_from(people), min_size=1, max_size=3, unique=True)):
        attended = draw(st.sampled_from([True, True, True, False]))  # nobody attending is refused: not too often
        rows.append(
            {
                **facts,
                "姓名": draw(st.sampled_from([name, ""])),
                "身份证号": id_number,
                "角色": draw(st.sampled_from(["", "志愿者", "组织者"])),
                "出勤": "出勤" if attended else "缺席",
                "服务时长": draw(st.sampled_from(["", "1.5", 2])) if attended else "",
            }
        )
    return rows


# Odd figures for 服务人次/服务户次: bigger than the column holds, digits int() refuses, digits of other scripts.
ODD_FIGURES = ["2147483648", "99999999999999999999", 1e30, "²³", "①", "１２"]


@st.composite
def registers(draw, people, cells: st.SearchStrategy, *, as_cells: bool) -> tuple[list, list[list]]:
    """(headers, rows): one or two activities, as written or with one kind of hostility: hostile cells (one to three
    in about half of the rows), an odd figure for the whole file, an ID number with a digit of another script;
    sometimes the header row is shuffled or carries a hostile extra column."""
    rows = [row for _ in range(draw(st.integers(1, 2))) for row in draw(activity_rows(people, as_cells=as_cells))]
    hostility = draw(st.sampled_from(["as written", "cells", "figure", "ID number"]))
    if hostility == "cells":
        for row in rows:
            if draw(st.booleans()):
                for column in draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=3, unique=True)):
                    row[column] = draw(cells)
    elif hostility == "figure":  # the same on every row, so that the rows of an activity agree
        column = draw(st.sampled_from(["服务人次", "服务户次"]))
        figure = draw(st.sampled_from(ODD_FIGURES)) if draw(st.integers(1, 4)) > 1 else draw(cells)
        for row in rows:
            row[column] = figure
    elif hostility == "ID number":
        row = draw(st.sampled_from(rows))
        row["身份证号"] = draw(lookalike(row["身份证号"]))
    headers = draw(
        st.one_of(
            st.just(COLUMNS), st.just(COLUMNS), st.permutations(COLUMNS), st.builds(lambda x: [*COLUMNS, x], cells)
        )
    )
    extra = len(headers) - len(COLUMNS)
    return headers, [[row[h] for h in headers[: len(COLUMNS)]] + [draw(cells) for _ in range(extra)] for row in rows]


# The property -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    activities: int
    participations: int
    hours: int
    audit: int


def counts() -> Counts:
    return Counts(
        activities=Activity.objects.count(),
        participations=Participation.objects.count(),
        hours=HoursEntry.objects.count(),
        audit=AuditEvent.objects.count(),
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
    if result.has_problems or not result.importer.records:
        outcome("file errors" if result.file_errors else "row errors" if result.has_problems else "nothing new")
        assert preview.messages or not result.has_problems, "a refused file must say why"
        assert preview.token is None and "确认导入" not in preview.page
        return result

    # A clean preview: confirming writes exactly the activities, participations and hours it announced.
    records = result.importer.records
    confirmed(client, CONFIRM_URL, preview)
    after = counts()
    assert after.activities == before.activities + len(records)
    assert after.participations == before.participations + sum(len(r.participants) for r in records)
    attended = sum(1 for record in records for participant in record.participants if participant.attended)
    assert after.hours == before.hours + attended
    assert not HoursEntry.objects.filter(hours__lte=0).exists()
    return result


@HOSTILE
@given(data=st.data(), formulas=st.booleans(), as_cells=st.booleans())
def test_any_xlsx_register_gets_a_preview_or_a_chinese_report_and_writes_only_on_confirm(
    cast, login, people, data, formulas, as_cells
):
    headers, rows = data.draw(registers(people, xlsx_cells, as_cells=as_cells))
    upload_then_confirm_if_clean(
        login(cast.secretary),
        cast.branch_a,
        file_name="活动登记.xlsx",
        content=xlsx_bytes(headers, rows, formulas=formulas),
        user_texts=texts_of([*headers, *(cell for row in rows for cell in row)]),
    )


@HOSTILE
@given(data=st.data(), encoding=st.sampled_from(["utf-8-sig", "gb18030"]))
def test_any_csv_register_with_control_characters_gets_a_preview_or_a_chinese_report(
    cast, login, people, data, encoding
):
    headers, rows = data.draw(registers(people, csv_cells, as_cells=False))
    upload_then_confirm_if_clean(
        login(cast.secretary),
        cast.branch_a,
        file_name="活动登记.csv",
        content=csv_bytes(headers, rows, encoding=encoding),
        user_texts=texts_of([*headers, *(cell for row in rows for cell in row)]),
    )


# The files that found bugs, pinned ----------------------------------------------------------------------------


def one_row_register(people, *, minutes: int = 120, **cells) -> bytes:
    """One participant of one activity a month ago, as CSV; `cells` override columns."""
    starts = datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=30), datetime.time(9))
    name, id_number = people[0]
    row = {
        "活动名称": "社区义诊",
        "类别": "义诊",
        "开始时间": f"{starts:%Y-%m-%d %H:%M}",
        "结束时间": f"{starts + datetime.timedelta(minutes=minutes):%Y-%m-%d %H:%M}",
        "地点": "社区党群服务中心",
        "服务对象": "",
        "党组织": "",
        "服务队": "",
        "姓名": name,
        "身份证号": id_number,
        "角色": "志愿者",
        "出勤": "出勤",
        "服务时长": "",
        "服务人次": "",
        "服务户次": "",
        **cells,
    }
    return csv_bytes(COLUMNS, [[row[column] for column in COLUMNS]])


def row_errors(result) -> list[str]:
    return [message for row in result.preview_rows() for message in row.errors]


@pytest.mark.parametrize("figure", ["²³", "①", "2147483648", "9" * 5000])
def test_an_odd_figure_is_a_chinese_row_error_at_the_preview(cast, login, people, figure):
    """ "²" passed isdigit() and then int() failed with an English message; a number bigger than the column passed
    the preview and failed at the write (a server error on confirm)."""
    result = upload_then_confirm_if_clean(
        login(cast.secretary),
        cast.branch_a,
        file_name="活动登记.csv",
        content=one_row_register(people, 服务人次=figure),
        user_texts=[*COLUMNS, figure],  # the headers too: "服务人次：invalid literal …" is not a Chinese message
    )
    assert [message.split("：")[0] for message in row_errors(result)] == ["服务人次"]


@pytest.mark.parametrize("minutes", [1, 2, 48 * 60])
def test_hours_taken_from_the_activity_length_are_checked_as_attendance_checks_them(cast, login, people, minutes):
    """A one- or two-minute activity rounds to 0 hours, which the hours table refused at the write (a server error
    on confirm); two days would be one entry of 48 hours. Filled in, the hours make the file clean."""
    client = login(cast.secretary)
    upload = lambda **cells: upload_then_confirm_if_clean(  # noqa: E731
        client,
        cast.branch_a,
        file_name="活动登记.csv",
        content=one_row_register(people, minutes=minutes, **cells),
        user_texts=COLUMNS,
    )

    refused = upload()
    assert len(row_errors(refused)) == 1 and row_errors(refused)[0].startswith("未填写服务时长，按活动时长计为")

    imported = upload(服务时长="0.5")
    assert not imported.has_problems and len(imported.importer.records) == 1  # and confirmed by the property
