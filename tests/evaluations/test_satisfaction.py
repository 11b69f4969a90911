"""Satisfaction: the arithmetic (rate = ratings ≥ 3 / all, average beside it, no division by zero), grouping by
activity, team, organisation, category and month, the period (local dates, both ends included), the subtree
total, the scope, and the page (bad dates fall back to this year with a message; data for the charts travels as
JSON, never as inline script)."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.selectors.stats import satisfaction, satisfaction_total
from tests.evaluations.conftest import activity, local, rate
from volunteers import actions as team_actions
from volunteers.models import Team

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
MARCH = local(datetime.date(2024, 3, 12))


def figures(row) -> tuple:
    return (row.label, row.count, row.rate, row.average)


def test_five_levels_give_60_percent_and_an_average_of_3(cast):
    subject = activity(cast, organisation=cast.branch_a)
    for level in (5, 4, 3, 2, 1):
        rate(subject, level, at=MARCH)
    total = satisfaction_total(user=cast.secretary, start=YEAR[0], end=YEAR[1])
    assert (total.count, total.satisfied, total.rate, total.average) == (5, 3, Decimal("60.0"), Decimal("3.0"))


def test_rounding_to_one_decimal(cast):
    subject = activity(cast, organisation=cast.branch_a)
    for level in (5, 2, 2):  # rate 1/3, average 3
        rate(subject, level, at=MARCH)
    rate(activity(cast, organisation=cast.branch_a, title="义诊"), 4, at=MARCH)
    [row] = [
        r for r in satisfaction(user=cast.secretary, start=YEAR[0], end=YEAR[1], group_by="activity") if r.count == 3
    ]
    assert (row.rate, row.average) == (Decimal("33.3"), Decimal("3.0"))
    total = satisfaction_total(user=cast.secretary, start=YEAR[0], end=YEAR[1])  # 5, 2, 2, 4
    assert (total.rate, total.average) == (Decimal("50.0"), Decimal("3.3"))


def test_no_ratings_no_rows_and_no_division_by_zero(cast):
    activity(cast, organisation=cast.branch_a)
    for group_by in ("activity", "team", "organisation", "category", "month"):
        assert satisfaction(user=cast.secretary, start=YEAR[0], end=YEAR[1], group_by=group_by) == []
    total = satisfaction_total(user=cast.secretary, start=YEAR[0], end=YEAR[1])
    assert (total.count, total.rate, total.average) == (0, None, None)


def test_grouping_by_team_category_organisation_and_activity(cast):
    team = team_actions.team_create(
        actor=None, name="甲支部便民分队", level=Team.Level.SQUAD, organisation=cast.branch_a
    )
    by_team = activity(cast, team=team, title="队里理发", category="convenience")
    no_team = activity(cast, organisation=cast.branch_a, title="支部义诊", category="health")
    in_b = activity(cast, organisation=cast.branch_b, title="乙支部义诊", category="health")
    for subject, levels in ((by_team, (5, 5, 1)), (no_team, (2, 4)), (in_b, (3,))):
        for level in levels:
            rate(subject, level, at=MARCH)
    run = dict(user=cast.orgadmin, start=YEAR[0], end=YEAR[1])

    assert [figures(r) for r in satisfaction(group_by="team", **run)] == [
        ("甲支部便民分队", 3, Decimal("66.7"), Decimal("3.7")),
        ("未指定服务队", 3, Decimal("66.7"), Decimal("3.0")),
    ]
    categories = {r.label: figures(r)[1:] for r in satisfaction(group_by="category", **run)}
    assert categories == {
        by_team.category.name: (3, Decimal("66.7"), Decimal("3.7")),
        no_team.category.name: (3, Decimal("66.7"), Decimal("3.0")),  # 2, 4 and 3
    }
    organisations = {r.label: figures(r)[1:] for r in satisfaction(group_by="organisation", **run)}
    assert organisations == {
        "党支部A": (5, Decimal("60.0"), Decimal("3.4")),
        "党支部B": (1, Decimal("100.0"), Decimal("3.0")),
    }
    activities = [figures(r) for r in satisfaction(group_by="activity", **run)]
    assert activities[0] == ("队里理发", 3, Decimal("66.7"), Decimal("3.7"))  # the most rated first
    assert {a[0] for a in activities} == {"队里理发", "支部义诊", "乙支部义诊"}


def test_subtree_total_of_any_organisation(cast):
    rate(activity(cast, organisation=cast.branch_a), 5, at=MARCH)
    rate(activity(cast, organisation=cast.branch_b), 1, at=MARCH)
    rate(activity(cast, organisation=cast.general_branch, title="总支活动"), 4, at=MARCH)
    run = dict(user=cast.committee, start=YEAR[0], end=YEAR[1])
    assert satisfaction_total(organisation=cast.general_branch, **run).count == 3
    assert figures(satisfaction_total(organisation=cast.branch_b, **run)) == (
        "党支部B",
        1,
        Decimal("0.0"),
        Decimal("1.0"),
    )
    # the scope still applies: the secretary of A asking for B's subtree gets nothing
    assert satisfaction_total(user=cast.secretary, start=YEAR[0], end=YEAR[1], organisation=cast.branch_b).count == 0


def test_months_follow_local_dates_and_the_period_includes_both_ends(cast):
    subject = activity(cast, organisation=cast.branch_a)
    # 31 January 23:30 in Shanghai is 15:30 UTC: still January. 1 March 00:10 is still February in UTC.
    rate(subject, 5, at=local(datetime.date(2024, 1, 31), hour=23) + datetime.timedelta(minutes=30))
    rate(subject, 1, at=local(datetime.date(2024, 3, 1), hour=0) + datetime.timedelta(minutes=10))
    rate(subject, 4, at=local(datetime.date(2024, 3, 31), hour=22))
    rate(subject, 4, at=local(datetime.date(2023, 12, 31), hour=12))  # outside the year
    months = satisfaction(user=cast.secretary, start=YEAR[0], end=YEAR[1], group_by="month")
    assert [figures(m) for m in months] == [
        ("2024-01", 1, Decimal("100.0"), Decimal("5.0")),
        ("2024-03", 2, Decimal("50.0"), Decimal("2.5")),
    ]
    march_only = satisfaction_total(
        user=cast.secretary, start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 31)
    )
    assert march_only.count == 2
    february_end = satisfaction_total(
        user=cast.secretary, start=datetime.date(2024, 2, 1), end=datetime.date(2024, 2, 29)
    )
    assert february_end.count == 0
    first_day = satisfaction_total(user=cast.secretary, start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 1))
    assert first_day.count == 1


def test_outsider_sees_none_of_branch_a_and_a_member_sees_nothing(cast):
    rate(activity(cast, organisation=cast.branch_a, title="甲支部活动"), 1, at=MARCH)
    rate(activity(cast, organisation=cast.branch_b, title="乙支部活动"), 5, at=MARCH)
    outsider = satisfaction(user=cast.outsider, start=YEAR[0], end=YEAR[1], group_by="activity")
    assert [r.label for r in outsider] == ["乙支部活动"]
    assert satisfaction_total(user=cast.member, start=YEAR[0], end=YEAR[1]).count == 0


# The page ---------------------------------------------------------------------------------------------------


def _chart_data(response) -> dict:
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the chart data is missing"
    return json.loads(match.group(1))


def test_page_shows_table_totals_and_chart_data_without_inline_script(cast, login):
    subject = activity(cast, organisation=cast.branch_a, title="甲支部理发")
    for level in (5, 4, 3, 2, 1):
        rate(subject, level)
    response = login(cast.secretary).get(reverse("evaluations:satisfaction"), {"by": "activity"})
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'data-testid="total-rate">\s*60%', content)
    assert re.search(r'data-testid="total-average">\s*3<', content)
    data = _chart_data(response)
    assert data["groups"] == [{"label": "甲支部理发", "short": "甲支部理发", "count": 5, "rate": 60.0, "average": 3.0}]
    assert data["rate_min"] == {"groups": 55, "months": 55}
    assert data["months"][0]["count"] == 5 and data["text"]["rate"] == "满意率（%）"
    # every <script> loads a file, except the JSON data island
    for tag in re.findall(r"<script[^>]*>", content):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/echarts/echarts.min.js" in content and "js/charts.js" in content


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2024-13-45"},
        {"start": "not a date", "end": "2024-02-30"},
        {"start": "2024-05-01", "end": "2024-01-01"},  # start after end
        {"organisation": "999999"},
        {"by": "nonsense", "start": "'; drop table"},
    ],
)
def test_bad_filters_fall_back_to_this_year_with_a_message(cast, login, params):
    rate(activity(cast, organisation=cast.branch_a), 5)  # today: inside this year
    response = login(cast.secretary).get(reverse("evaluations:satisfaction"), params)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["start"] == datetime.date(today.year, 1, 1)
    assert response.context["end"] == datetime.date(today.year, 12, 31)
    assert response.context["total"].count == 1
    assert "筛选条件有误" in response.content.decode()


def test_period_and_tab_from_the_query(cast, login):
    subject = activity(cast, organisation=cast.branch_a)
    rate(subject, 5, at=MARCH)
    rate(subject, 1)
    client = login(cast.secretary)
    response = client.get(
        reverse("evaluations:satisfaction"), {"start": "2024-03-01", "end": "2024-03-31", "by": "team"}
    )
    assert response.context["total"].count == 1 and response.context["group_by"] == "team"
    assert "筛选条件有误" not in response.content.decode()
    # the tabs keep the period
    assert "start=2024-03-01" in response.content.decode().split("nav-tabs")[1].split("</ul>")[0]


def test_page_does_not_exist_for_a_member(cast, login):
    assert login(cast.member).get(reverse("evaluations:satisfaction")).status_code == 404


def test_chart_labels_are_distinct_and_keep_the_end():
    from portal.lib.charts import distinct_labels

    names = [
        "示范区东湖街道东湖社区第一党支部",
        "示范区东湖街道东湖社区第二党支部",
        "短名",
        "健康知识讲座",
        "健康知识讲座",
    ]
    shown = distinct_labels(names)
    assert len(set(shown)) == len(shown)
    assert shown[0].endswith("一党支部") and shown[1].endswith("二党支部") and len(shown[0]) <= 12
    assert shown[2] == "短名" and shown[3:] == ["健康知识讲座", "健康知识讲座（2）"]


@pytest.mark.parametrize(
    ("rates", "floor"), [([97.0, 100.0], 95), ([95.0, 99.5], 90), ([100.0], 95), ([3.0, 50.0], 0), ([], 0), ([None], 0)]
)
def test_the_rate_axis_starts_below_the_lowest_rate(rates, floor):
    from portal.lib.charts import axis_floor

    assert axis_floor(rates) == floor
