"""The points pages show what the ledger says: 我的积分 with its total, rules, months, rank and linked entries; the
card; the branch table and its export; 红星榜; the rules page and its new version; adjustments through the pages."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet
from portal.models import AuditEvent
from tests.evaluations.test_points_rules import YEAR, day, past_activity, settle

pytestmark = pytest.mark.django_db
Code = PointsRule.Code


@pytest.fixture
def settled(cast):
    activity = past_activity(cast, day(2), [(cast.member_person, "organiser", True), cast.person_a], hours=Decimal(2))
    past_activity(cast, day(5), [cast.person_a])
    settle()
    return activity


def test_my_points_shows_total_rules_rank_and_links_each_entry_to_its_source(cast, login, settled):
    response = login(cast.member).get(reverse("evaluations:my_points"), {"year": YEAR})
    assert response.status_code == 200
    points = response.context["points"]
    assert points.total == 60 + 2 + 2 + 3  # base, attended, two hours, organised
    assert {row["code"]: row["points"] for row in points.by_rule} == {
        "base": 60,
        "attended": 2,
        "hour": 2,
        "organised": 3,
    }
    assert points.by_month[1] == 7 and points.by_month[0] == 60
    # 甲群众党员 has 60 + 2 × (2 + 2) = 68, more than 67: second of the branch
    assert points.rank == 2
    urls = {entry.rule.code: entry.source_url for entry in response.context["page"].object_list}
    assert urls["attended"] == settled.get_absolute_url() and urls["organised"] == settled.get_absolute_url()
    assert urls["base"] == ""
    assert settled.get_absolute_url() in response.content.decode()
    assert 'id="points-chart-data"' in response.content.decode()


def test_the_page_explains_the_floor(cast, login, settled):
    manual = PointsRuleSet.objects.get(year=YEAR).rules.get(code=Code.MANUAL)
    PointsEntry.objects.create(
        person=cast.member_person, organisation=cast.branch_a, date=day(9), points=-100, rule=manual,
        source_type="manual", source_key="test:floor",
    )  # fmt: skip
    response = login(cast.member).get(reverse("evaluations:my_points"), {"year": YEAR})
    assert response.context["points"].total == 0
    assert "年度积分最低为 0 分" in response.content.decode()


def test_the_card_is_printable_with_total_and_rank(cast, login, settled):
    response = login(cast.member).get(reverse("evaluations:points_card"), {"year": YEAR})
    body = response.content.decode()
    assert response.status_code == 200 and "css/print.css" in body and "甲党员" in body and "党支部A" in body
    assert response.context["points"].total == 67


def test_branch_table_and_its_export_without_formulas(cast, login, settled):
    client = login(cast.secretary)
    response = client.get(reverse("evaluations:branch_points"), {"organisation": cast.branch_a.pk, "year": YEAR})
    rows = {person.name: person.shown_total for person in response.context["page"].object_list}
    assert rows["甲党员"] == 67 and rows["甲群众党员"] == 68
    export = client.get(reverse("evaluations:branch_points_export"), {"organisation": cast.branch_a.pk, "year": YEAR})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "姓名" and any(row[0] == "甲党员" and row[-1] == 67 for row in values[1:])
    assert AuditEvent.objects.filter(action="points.export", actor=cast.secretary).exists()


def test_red_star_board_lists_the_quarter(cast, login, settled):
    response = login(cast.member).get(reverse("evaluations:red_star_board"), {"year": YEAR, "quarter": 2})
    assert [(row["person__name"], row["points"]) for row in response.context["rows"]] == [("甲群众党员", 4)]
    response = login(cast.member).get(reverse("evaluations:red_star_board"), {"year": YEAR, "quarter": 1})
    top = response.context["rows"][0]
    assert (top["person__name"], top["points"], top["rank"]) == ("甲党员", 67, 1)


def test_org_department_publishes_a_new_version_from_the_rules_page(cast, login, settled):
    client = login(cast.orgadmin)
    page = client.get(reverse("evaluations:points_rules"), {"year": YEAR})
    assert page.context["form"] is not None
    data = {"year": YEAR, "note": "提高组织分"}
    for rule in page.context["current"].rules.all():
        data[f"points_{rule.code}"] = 5 if rule.code == "organised" else rule.points
        data[f"cap_{rule.code}"] = rule.monthly_cap or ""
    client.post(reverse("evaluations:points_rules_new_version"), data)
    current = PointsRuleSet.objects.get(year=YEAR, is_current=True)
    assert current.version == 2 and current.rules.get(code="organised").points == 5
    assert login(cast.member).get(reverse("evaluations:points_rules"), {"year": YEAR}).context["form"] is None


def test_request_and_approve_through_the_pages(cast, login, settled):
    login(cast.secretary).post(
        reverse("evaluations:points_adjustment_request"),
        {"person": cast.member_person.pk, "points": 4, "reason": "防汛值守"},
    )
    adjustment = PointsAdjustment.objects.get()
    page = login(cast.committee).get(reverse("evaluations:points_adjustments"))
    assert [row.can_decide for row in page.context["adjustments"]] == [True]
    assert [
        row.can_decide
        for row in login(cast.secretary).get(reverse("evaluations:points_adjustments")).context["adjustments"]
    ] == [False]
    login(cast.committee).post(reverse("evaluations:points_adjustment_decide", args=[adjustment.pk]), {"approve": "1"})
    adjustment.refresh_from_db()
    assert adjustment.state == "approved" and adjustment.entry.points == 4


def test_a_request_without_reason_changes_nothing(cast, login, settled):
    response = login(cast.secretary).post(
        reverse("evaluations:points_adjustment_request"), {"person": cast.member_person.pk, "points": 4, "reason": ""}
    )
    assert response.status_code == 302 and not PointsAdjustment.objects.exists()


def test_an_upheld_bad_rating_links_to_its_follow_up_only_for_those_who_may_open_it(cast, login):
    """The member's −2 「组织的活动差评属实」 linked to a follow-up page that answers 404 for the member: plain text
    for the member, a link for the secretary (who can open it) on the same entry."""
    from tests.evaluations.test_points_rules import _upheld

    activity = past_activity(cast, day(6), [(cast.member_person, "organiser", True)])
    follow_up = _upheld(activity, day(6, 20))
    settle()
    entry = PointsEntry.objects.get(person=cast.member_person, rule__code=Code.UPHELD_BAD_RATING)
    url = reverse("evaluations:follow_up_detail", args=[follow_up.pk])
    assert login(cast.member).get(url).status_code == 404

    page = login(cast.member).get(reverse("evaluations:my_points"), {"year": YEAR})
    shown = {e.pk: e.source_url for e in page.context["page"].object_list}
    assert shown[entry.pk] == "" and url not in page.content.decode()
    assert "组织的活动差评属实" in page.content.decode()

    from evaluations.selectors.points import _annotated_entries, with_source_urls

    for_secretary = with_source_urls(_annotated_entries(PointsEntry.objects.filter(pk=entry.pk)), user=cast.secretary)
    assert for_secretary[0].source_url == url
