"""People export: the list the user can see, with the list's filters, as .xlsx with Chinese headers, no formulas."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from branches import actions
from branches.models import Person
from branches.resources import EXPORT_HEADERS
from portal.models import AuditEvent
from tests.factories import GridFactory, fake_id_number

EXPORT_URL = reverse("branches:person_export")


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def names(sheet) -> set[str]:
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_export_has_chinese_headers_and_only_people_in_scope(cast, login):
    sheet = sheet_of(login(cast.secretary).get(EXPORT_URL))

    assert [cell.value for cell in sheet[1]] == EXPORT_HEADERS
    assert EXPORT_HEADERS[:3] == ["姓名", "性别", "出生日期"]
    assert names(sheet) == set(Person.objects.filter(organisation=cast.branch_a).values_list("name", flat=True))
    assert "乙党员" not in names(sheet) and "乙书记" not in names(sheet)


def test_export_writes_each_column_with_masked_id_number(cast, login):
    id_number = fake_id_number(datetime.date(1988, 8, 8))
    grid = GridFactory(name="西区网格", organisation=cast.branch_a)
    actions.person_create(
        actor=cast.secretary,
        name="全字段",
        organisation=cast.branch_a,
        id_number=id_number,
        phone="13600000006",
        education=Person.Education.COLLEGE,
        grid=grid,
        political_status="activist",
        status_date=datetime.date(2020, 1, 1),
    )

    sheet = sheet_of(login(cast.secretary).get(EXPORT_URL))

    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "全字段")
    assert row[1] in ("男", "女")
    assert row[2] == datetime.datetime(1988, 8, 8)
    assert row[3] == f"**************{id_number[-4:]}"
    assert row[4:] == ("13600000006", "大专", "入党积极分子", "党支部A", "西区网格", "是")
    assert id_number not in str(list(sheet.iter_rows(values_only=True)))


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+2", "-2+3", "@SUM(A1:A2)", "=1+1"])
def test_text_that_looks_like_a_formula_is_a_text_cell(cast, login, text):
    actions.person_create(actor=cast.secretary, name=text, organisation=cast.branch_a)

    sheet = sheet_of(login(cast.secretary).get(EXPORT_URL))

    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == text)
    assert cell.data_type == "s"
    assert cell.value == text


def test_export_applies_the_list_filters(cast, login):
    actions.person_create(actor=cast.secretary, name="群众甲", organisation=cast.branch_a)

    sheet = sheet_of(login(cast.secretary).get(EXPORT_URL, {"political_status": "masses"}))

    assert names(sheet) == {"群众甲"}


def test_export_by_committee_covers_the_subtree(cast, login):
    sheet = sheet_of(login(cast.committee).get(EXPORT_URL, {"q": "乙"}))

    assert names(sheet) == {"乙党员", "乙书记"}


def test_export_is_audited_with_who_and_how_many(cast, login):
    login(cast.secretary).get(EXPORT_URL, {"political_status": "full", "page": "2"})

    event = AuditEvent.objects.get(action="person.export")
    expected = Person.objects.filter(organisation=cast.branch_a, political_status="full").count()
    assert event.actor == cast.secretary
    assert event.changes == {"rows": expected, "filters": {"political_status": "full"}}
    assert str(expected) in event.summary


def test_member_without_managing_scope_is_refused_with_404(cast, login):
    response = login(cast.member).get(EXPORT_URL)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="person.export").exists()


def test_anonymous_is_sent_to_login(db, login):
    response = login(None).get(EXPORT_URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_export_button_on_the_list_keeps_the_filters(cast, login):
    page = login(cast.secretary).get(reverse("branches:person_list"), {"political_status": "full"}).content.decode()

    assert f'href="{EXPORT_URL}?political_status=full"' in page
    assert "导出 Excel" in page
    assert "导出 Excel" not in login(cast.member).get(reverse("branches:person_list")).content.decode()


def test_export_query_count_does_not_grow_with_rows(cast, login, django_assert_max_num_queries):
    grid = GridFactory(name="北区网格", organisation=cast.branch_a)
    for i in range(12):
        actions.person_create(actor=None, name=f"批量{i}", organisation=cast.branch_a, grid=grid)
    client = login(cast.secretary)

    with django_assert_max_num_queries(12):
        sheet = sheet_of(client.get(EXPORT_URL))

    assert len(names(sheet)) == Person.objects.filter(organisation=cast.branch_a).count()
