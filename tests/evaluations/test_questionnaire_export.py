"""The Excel export: two sheets with Chinese headers, counts and percentages, one row per response, user text that
looks like a formula stays text, and the export is audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.actions import questionnaires as actions
from portal.models import AuditEvent
from tests.evaluations.test_questionnaire_actions import survey

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("x")'


@pytest.fixture
def workbook(cast, login):
    s = survey(cast.secretary, cast.branch_a)
    other = s.opt(s.multiple, "其他")
    sheets = [
        s.answers("群众", text={"text": FORMULA}),
        s.answers("党员", multiple={"options": [other.pk], "other": "+SUM(A1)"}),
        s.answers("干部", single={"options": [s.opt(s.single, "一般").pk]}),
    ]
    for i, sheet in enumerate(sheets):
        actions.response_submit(questionnaire=s.q, answers=sheet, channel="online", device=f"export-device-{i:04d}")
    response = login(cast.secretary).get(reverse("evaluations:questionnaire_export", args=[s.q.pk]))
    assert response.status_code == 200
    return s, load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_summary_sheet(workbook):
    _, book = workbook
    assert book.sheetnames == ["汇总", "原始答卷"]
    rows = _values(book["汇总"])
    assert rows[0] == ["题号", "题目", "选项", "人数", "占比（%）"]
    single = {row[2]: (row[3], row[4]) for row in rows[1:] if row[1] == "总体满意吗"}
    assert single == {"满意": (2, 66.7), "一般": (1, 33.3), "不满意": (0, 0)}
    assert [row[3] for row in rows[1:] if row[1] == "意见建议"] == [1]


def test_raw_sheet_keeps_formula_like_text_as_text(workbook):
    _, book = workbook
    sheet = book["原始答卷"]
    rows = _values(sheet)
    assert rows[0][:3] == ["答卷编号", "提交时间", "方式"] and rows[0][3] == "1. 你的身份"
    assert len(rows) == 4
    assert rows[1][3] == "群众" and rows[1][-1] == FORMULA
    assert rows[2][5] == "其他：+SUM(A1)"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
    assert sheet.cell(row=2, column=len(rows[0])).data_type == "s"


def test_export_is_audited(workbook, cast):
    s, _ = workbook
    event = AuditEvent.objects.get(action="questionnaire.export")
    assert event.actor == cast.secretary and event.object_id == str(s.q.pk) and event.changes["responses"] == 3
