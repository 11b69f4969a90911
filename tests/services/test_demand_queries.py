"""No N+1 on the demand pages: the same number of queries with few rows and with many, under a fixed ceiling.

Each test loads the page once to warm process-wide caches, measures it with a few related rows, adds many more
(demands in every state, assignees, teams, skilled people), and measures again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from services.actions.demands import demand_assign, demand_call_back, demand_complete
from tests.factories import member
from tests.harness import page_queries
from tests.services.demand_helpers import receive, team_of_a
from volunteers import actions as team_actions
from volunteers.models import Skill, Team

pytestmark = pytest.mark.django_db

CEILING = 15


def _demands(cast, n: int, prefix: str) -> None:
    """Demands of branch A in every state, half of them assigned to the member, some overdue, some unmet. The
    second one (i = 1: 环境卫生, assigned to the member, late) matches every filter of the list test."""
    today = timezone.localdate()
    team = Team.objects.filter(organisation=cast.branch_a).first() or team_of_a(cast)
    for i in range(n):
        code = ["appliance", "environment", "legal"][i % 3]
        age = datetime.timedelta(days=12 if i % 2 else 0)  # the odd ones are late
        demand = receive(cast, received_on=today - age, code=code, content=f"{prefix}{i}")
        if i % 4 == 0:
            continue
        target = {"person": cast.member_person} if i % 2 else {"team": team}
        demand_assign(actor=None, demand=demand, **target)
        if i % 4 >= 2:
            demand_complete(actor=None, demand=demand, result="好了", done_on=today)
        if i % 4 == 3:
            demand_call_back(actor=None, demand=demand, callback_on=today, satisfaction="satisfied")


@pytest.mark.parametrize(
    "params",
    [{}, {"state": "assigned", "category": "x", "channel": "hotline", "overdue": "on", "organisation": "a", "q": "1"}],
    ids=["plain", "every-filter"],
)
@pytest.mark.parametrize("role", ["secretary", "member", "committee"])
def test_demand_list(cast, login, params, role):
    client = login(getattr(cast, role))
    url = reverse("services:demand_list")
    if params:
        from services.models import DemandCategory

        params = params | {
            "category": DemandCategory.objects.get(code="environment").pk,
            "organisation": cast.branch_a.pk,
        }
    _demands(cast, 3, "少")
    page_queries(client, url, CEILING, params)
    few = page_queries(client, url, CEILING, params)
    assert client.get(url, params).context["page"].paginator.count  # the filters match something: rows render
    _demands(cast, 40, "多")
    many = page_queries(client, url, CEILING, params)
    assert many == few


@pytest.mark.parametrize("state", ["received", "assigned", "done"])
def test_demand_detail(cast, login, state):
    client = login(cast.secretary)
    demand = receive(cast, code="appliance")
    if state != "received":
        demand = demand_assign(actor=None, demand=demand, person=cast.member_person)
    if state == "done":
        demand = demand_complete(actor=None, demand=demand, result="好了", done_on=timezone.localdate())
    url = reverse("services:demand_detail", args=[demand.pk])
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    skill = Skill.objects.get(name="家电维修")
    for i in range(25):  # many people to choose from, some skilled, several teams
        person = member(cast.branch_a, name=f"甲队员{i}")
        if i % 3 == 0:
            team_actions.person_skills_set(actor=None, person=person, skills=[skill])
    for i in range(5):
        team_actions.team_create(actor=None, name=f"甲小组{i}", level=Team.Level.GROUP, organisation=cast.branch_a)
    _demands(cast, 10, "旁")
    many = page_queries(client, url, CEILING)
    assert many == few
