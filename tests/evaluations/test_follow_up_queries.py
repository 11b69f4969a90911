"""No N+1 on the follow-up and satisfaction pages: the same number of queries with few rows and with many, under a
fixed ceiling. Each test loads the page once to warm process-wide caches, measures it with a few rows, adds many
more (several activities, teams, organisations, follow-ups in every state), and measures again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_call_back, follow_up_close, follow_up_rectify
from tests.evaluations.conftest import activity, bad_follow_up, rate
from tests.harness import page_queries
from volunteers import actions as team_actions
from volunteers.models import Team

pytestmark = pytest.mark.django_db

CEILING = 15
DAY = datetime.timedelta(days=1)


def _rows(cast, n: int, prefix: str) -> None:
    """Activities of A (some by a team) and B, rated well and badly; the follow-ups in every state, some overdue."""
    today, now = timezone.localdate(), timezone.now()
    team = team_actions.team_create(
        actor=None, name=f"{prefix}分队", level=Team.Level.SQUAD, organisation=cast.branch_a
    )
    for i in range(n):
        where = {"team": team} if i % 3 == 0 else {"organisation": cast.branch_b if i % 3 == 1 else cast.branch_a}
        subject = activity(cast, title=f"{prefix}活动{i}", category=["convenience", "health", "legal"][i % 3], **where)
        rate(subject, 5)
        rate(subject, 4, at=now - (i % 5) * 30 * DAY)
        follow_up = bad_follow_up(subject, at=now - (40 * DAY if i % 8 < 4 else DAY))
        if i % 4 >= 1:
            follow_up = follow_up_call_back(actor=None, follow_up=follow_up, callback_on=today, note="回访")
        if i % 4 >= 2:
            follow_up = follow_up_rectify(
                actor=None, follow_up=follow_up, rectification="改", rectified_on=today, upheld=bool(i % 2)
            )
        if i % 4 == 3:
            follow_up_close(actor=None, follow_up=follow_up, closing_note="结", closed_on=today)


@pytest.mark.parametrize(
    "params", [{}, {"state": "open", "overdue": "on", "organisation": "a"}], ids=["plain", "filters"]
)
@pytest.mark.parametrize("role", ["secretary", "committee", "orgadmin"])
def test_follow_up_list(cast, login, role, params):
    client = login(getattr(cast, role))
    url = reverse("evaluations:follow_up_list")
    if params:
        params = params | {"organisation": cast.branch_a.pk}
    _rows(cast, 4, "少")
    page_queries(client, url, CEILING, params)
    few = page_queries(client, url, CEILING, params)
    assert client.get(url, params).context["page"].paginator.count  # the filters match something: rows render
    _rows(cast, 40, "多")
    many = page_queries(client, url, CEILING, params)
    assert many == few


@pytest.mark.parametrize("steps", [0, 1, 2, 3])
def test_follow_up_detail(cast, login, steps):
    client = login(cast.secretary)
    today = timezone.localdate()
    team = team_actions.team_create(actor=None, name="甲分队", level=Team.Level.SQUAD, organisation=cast.branch_a)
    follow_up = bad_follow_up(activity(cast, team=team))
    if steps >= 1:
        follow_up = follow_up_call_back(actor=None, follow_up=follow_up, callback_on=today, note="回访")
    if steps >= 2:
        follow_up = follow_up_rectify(
            actor=None, follow_up=follow_up, rectification="改", rectified_on=today, upheld=True
        )
    if steps >= 3:
        follow_up_close(actor=None, follow_up=follow_up, closing_note="结", closed_on=today)
    url = reverse("evaluations:follow_up_detail", args=[follow_up.pk])
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    _rows(cast, 20, "旁")
    many = page_queries(client, url, CEILING)
    assert many == few


@pytest.mark.parametrize("by", ["organisation", "activity", "team", "category"])
@pytest.mark.parametrize("role", ["secretary", "orgadmin"])
def test_satisfaction(cast, login, role, by):
    client = login(getattr(cast, role))
    url = reverse("evaluations:satisfaction")
    _rows(cast, 3, "少")
    page_queries(client, url, CEILING, {"by": by})
    few = page_queries(client, url, CEILING, {"by": by})
    assert client.get(url, {"by": by}).context["rows"]
    _rows(cast, 30, "多")
    many = page_queries(client, url, CEILING, {"by": by})
    assert many == few
