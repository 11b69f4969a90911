"""The 一帮一 register export: Chinese headers, the user's scope only, households masked per the right, user text
never a formula, audited with the row count, a constant number of queries."""

import io

import openpyxl
import pytest
from django.urls import reverse

from portal.models import AuditEvent
from services.actions.pairing import visit_record
from tests.harness import at_most
from tests.services.pairing_helpers import DAY, make_household, make_pairing, month_start, today

pytestmark = pytest.mark.django_db
EXPORT = reverse("services:pairing_register_export")
HEADERS = [
    "党组织",
    "帮扶党员",
    "帮扶对象（户主）",
    "住址",
    "困难类型",
    "情况说明",
    "帮扶内容",
    "结对日期",
    "结束日期",
    "本年走访次数",
    "最近走访",
    "缺访月数",
]


def _rows(response) -> tuple[list, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["一帮一登记册"]
    cells = list(sheet.iter_rows())
    return [c.value for c in cells[0]], cells[1:]


@pytest.fixture
def pairing(cast):
    household = make_household(cast.branch_a, notes='=HYPERLINK("x")')
    pairing = make_pairing(cast.member_person, household, started_on=month_start(3))
    visit_record(actor=None, pairing=pairing, date=month_start(3) + DAY, notes="走访")
    visit_record(actor=None, pairing=pairing, date=month_start(1) + DAY, notes="走访")
    make_pairing(cast.person_b, make_household(cast.branch_b, head_name="乙户"))
    return pairing


def test_the_secretary_gets_full_rows_of_their_branch_with_text_cells(cast, login, pairing):
    response = login(cast.secretary).get(EXPORT)
    assert response.status_code == 200
    headers, rows = _rows(response)
    assert headers == HEADERS
    assert len(rows) == 1
    row = rows[0]
    assert [c.value for c in row[:5]] == ["党支部A", "甲党员", "张三丰", "东湖社区东湖路18号3栋201室", "低保"]
    note = row[5]
    assert note.value == '=HYPERLINK("x")' and note.data_type == "s"
    visits_this_year = sum(1 for d in (month_start(3), month_start(1)) if d.year == today().year)
    assert row[9].value == visits_this_year and row[11].value == 1  # one month (M-2) missed
    event = AuditEvent.objects.get(action="pairing.export")
    assert event.changes["rows"] == 1 and event.changes["masked"] == 0


@pytest.mark.parametrize("role", ["committee", "orgadmin"])
def test_committee_and_org_department_get_masked_rows(cast, login, pairing, role):
    _, rows = _rows(login(getattr(cast, role)).get(EXPORT))
    values = {row[2].value: (row[3].value, row[5].value) for row in rows}
    assert values == {"张**": ("东湖社区东湖****", None), "乙**": ("东湖社区东湖****", None)}
    assert AuditEvent.objects.get(action="pairing.export").changes["masked"] == 2


def test_the_outsider_exports_only_branch_b_and_the_member_gets_404(cast, login, pairing):
    _, rows = _rows(login(cast.outsider).get(EXPORT))
    assert [row[2].value for row in rows] == ["乙户"]
    assert login(cast.member).get(EXPORT).status_code == 404


def test_filters_apply(cast, login, pairing):
    _, rows = _rows(login(cast.orgadmin).get(EXPORT, {"organisation": cast.branch_b.pk}))
    assert [row[0].value for row in rows] == ["党支部B"]


def test_export_queries_do_not_grow_with_pairings(cast, login, pairing):
    client = login(cast.secretary)
    with at_most(20) as few:
        client.get(EXPORT)
    for i in range(10):
        extra = make_pairing(
            cast.person_a, make_household(cast.branch_a, head_name=f"户{i}"), started_on=month_start(2)
        )
        visit_record(actor=None, pairing=extra, date=month_start(2) + DAY, notes="走访")
    with at_most(len(few.captured_queries)):
        response = client.get(EXPORT)
    assert len(_rows(response)[1]) == 11
