"""No N+1 on the points pages: 我的积分 costs the same with 10 entries as with 10,000; the branch table and 红星榜
cost the same with few members and entries as with many, under a fixed ceiling."""

import datetime

import pytest
from django.urls import reverse

from evaluations.actions.points import rule_set_for_year
from evaluations.models import PointsEntry
from tests.evaluations.points_helpers import YEAR
from tests.factories import member
from tests.harness import page_queries

pytestmark = pytest.mark.django_db
CEILING = 14
SOURCES = [
    ("attended", "participation"),
    ("pairing_visit", "visit"),
    ("mobile_report", "mobile_report"),
    ("demand_on_time", "demand"),
    ("manual", "manual"),
]


def _entries(person, n: int, prefix: str) -> None:
    """n entries of every kind of source spread over the year, written in bulk (the test needs rows, not rules)."""
    rules = {rule.code: rule for rule in rule_set_for_year(year=YEAR).rules.all()}
    PointsEntry.objects.bulk_create(
        [
            PointsEntry(
                person=person,
                organisation_id=person.organisation_id,
                date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=i % 365),
                points=1 + i % 3,
                rule=rules[SOURCES[i % len(SOURCES)][0]],
                source_type=SOURCES[i % len(SOURCES)][1],
                source_id=i + 1,
                source_key=f"{prefix}:{person.pk}:{i}",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


def test_my_points_costs_the_same_with_10_or_10000_entries(cast, login):
    client = login(cast.member)
    url = reverse("evaluations:my_points")
    _entries(cast.member_person, 10, "few")
    page_queries(client, url, CEILING, {"year": YEAR})
    few = page_queries(client, url, CEILING, {"year": YEAR})
    _entries(cast.member_person, 9_990, "many")
    many = page_queries(client, url, CEILING, {"year": YEAR})
    assert many == few
    assert client.get(url, {"year": YEAR}).context["page"].paginator.count == 10_000


@pytest.mark.parametrize("name", ["branch_points", "red_star_board", "points_card", "points_adjustments"])
def test_branch_pages_cost_the_same_with_few_or_many(cast, login, name):
    client = login(cast.secretary)
    url = reverse(f"evaluations:{name}")
    params = {"year": YEAR, "quarter": 1} | (
        {} if name in ("points_card", "points_adjustments") else {"organisation": cast.branch_a.pk}
    )
    _entries(cast.secretary_person, 5, "few")
    page_queries(client, url, CEILING, params)
    few = page_queries(client, url, CEILING, params)
    for i in range(30):
        _entries(member(cast.branch_a, name=f"多{i}"), 40, f"many{i}")
    many = page_queries(client, url, CEILING, params)
    assert many == few
    if name == "red_star_board":
        assert len(client.get(url, params).context["rows"]) == 10
