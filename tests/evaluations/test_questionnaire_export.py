"""The Excel export: two sheets with Chinese headers, counts and percentages, one row per response, user text that
looks like a formula stays text, and the export is audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.actions import questionnaires as actions
from portal.models import AuditEvent
from tests.evaluations.questionnaire_helpers import survey

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("x")'


def _export(client, s, **params):
    response = client.get(reverse("evaluations:questionnaire_export", args=[s.q.pk]), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


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
    return s, _export(login(cast.secretary), s)


def _values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _summary(book) -> tuple[list[list], dict[str, list]]:
    """The summary's lines above the headers, and its rows by question text (continuation rows included)."""
    rows = _values(book["汇总"])
    header = rows.index(["题号", "题目", "作答人数", "未答", "无效", "选项", "人数", "占比（%，占有效作答）"])
    by_question: dict[str, list] = {}
    for row in rows[header + 1 :]:
        by_question.setdefault(row[1], []).append(row)
    return rows[:header], by_question


def test_summary_sheet(workbook):
    _, book = workbook
    assert book.sheetnames == ["汇总", "原始答卷"]
    head, rows = _summary(book)
    assert head[:3] == [["问卷", "满意度调查"] + [None] * 6, ["答卷人类别", "全部答卷人"] + [None] * 6,
                        ["答卷份数", 3] + [None] * 6]  # fmt: skip
    single = {row[5]: (row[6], row[7]) for row in rows["总体满意吗"]}
    assert single == {"满意": (2, 66.7), "一般": (1, 33.3), "不满意": (0, 0)}
    # 作答人数 / 未答 / 无效 once per question, on its first line
    assert [row[2:5] for row in rows["总体满意吗"]] == [[3, 0, 0], [None] * 3, [None] * 3]
    assert rows["意见建议"] == [[5, "意见建议", 1, 2, 0, "（填空题）", None, None]]
    assert rows["参加过志愿服务吗"][0][2:5] == [1, 0, 0]  # only the 党员 answers it: no 未答 for the others


def test_summary_counts_paper_blank_and_spoiled_answers(cast, login):
    """Issue 13: the summary did not say how many answered each question; 未答 and 无效 are counted apart."""
    s = survey(cast.secretary, cast.branch_a)
    actions.response_submit(questionnaire=s.q, answers=s.answers(), channel="online", device="export-device-0001")
    for mark in ("blank", "spoiled"):
        sheet = s.answers(single={"mark": mark})
        actions.response_submit(questionnaire=s.q, answers=sheet, channel="paper", entered_by=cast.secretary)
    _, rows = _summary(_export(login(cast.secretary), s))
    assert rows["总体满意吗"][0][2:8] == [1, 1, 1, "满意", 1, 100]
    raw = _values(_export(login(cast.secretary), s)["原始答卷"])
    assert [row[4] for row in raw[1:]] == ["满意", "未答", "无效"]


def test_export_keeps_the_results_filter(cast, login, workbook):
    s, _ = workbook
    client = login(cast.secretary)
    crowd = s.opt(s.category, "群众")
    page = client.get(reverse("evaluations:questionnaire_results", args=[s.q.pk]), {"category": crowd.pk})
    link = f"{reverse('evaluations:questionnaire_export', args=[s.q.pk])}?category={crowd.pk}"
    assert link in page.content.decode()
    book = _export(client, s, category=crowd.pk)
    head, rows = _summary(book)
    assert head[1][:2] == ["答卷人类别", "群众"] and head[2][:2] == ["答卷份数", 1]
    assert {row[5]: row[6] for row in rows["总体满意吗"]} == {"满意": 1, "一般": 0, "不满意": 0}
    raw = _values(book["原始答卷"])
    assert len(raw) == 2 and raw[1][3] == "群众"
    assert (
        AuditEvent.objects.filter(action="questionnaire.export").order_by("pk").last().changes["category"] == crowd.pk
    )
    # a junk filter is no filter, as on the results page
    assert _summary(_export(client, s, category="abc"))[0][2][:2] == ["答卷份数", 3]


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
    event = AuditEvent.objects.filter(action="questionnaire.export").get()
    assert event.actor == cast.secretary and event.object_id == str(s.q.pk) and event.changes["responses"] == 3
