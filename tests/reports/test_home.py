"""The home page: a secretary's 待办 (each count links to the list of exactly those rows) and a member's own standing
and what they are asked to do. Query counts for both do not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from branches import actions as branch_actions
from services.actions.demands import demand_assign, demand_complete
from services.actions.pairing import household_create, pairing_create
from services.models import Household
from tests.evaluations.conftest import activity as rated_activity
from tests.evaluations.conftest import bad_follow_up, local
from tests.evaluations.review_helpers import open_round
from tests.factories import member
from tests.services.test_activity_views import make_activity
from tests.services.test_demand_actions import receive
from tests.services.test_hours_views import attended
from tests.services.test_pledge_actions import make_pledge

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _work(cast, n: int, prefix: str = "") -> None:
    """n of each kind of open work in branch A (dates far enough back to be overdue whatever today is)."""
    today = timezone.localdate()
    for i in range(n):
        receive(cast, received_on=today - 40 * DAY, content=f"{prefix}逾期需求{i}")
        done = demand_assign(actor=None, demand=receive(cast, content=f"{prefix}待回访{i}"), person=cast.person_a)
        demand_complete(actor=None, demand=done, result="已修好", done_on=today)
        bad_follow_up(rated_activity(cast, organisation=cast.branch_a, title=f"{prefix}差评活动{i}"))
        old = rated_activity(cast, organisation=cast.branch_a, title=f"{prefix}旧差评{i}")
        bad_follow_up(old, at=local(today - 60 * DAY))
        household = household_create(
            actor=None,
            organisation=cast.branch_a,
            head_name=f"{prefix}户主{i}",
            address="东湖路18号",
            phone="",
            situation=Household.Situation.SUBSISTENCE,
            size=1,
            notes="",
        )
        pairing_create(
            actor=None,
            helper=cast.member_person,
            household=household,
            started_on=today - 90 * DAY,
            help_plan="每月走访",
            content="代购",
        )
        away = member(cast.branch_a, name=f"{prefix}流动{i}")
        branch_actions.mobile_departure_record(
            actor=None, person=away, leave_date=today - 120 * DAY, destination="杭州"
        )
    attended(cast, *[member(cast.branch_a, name=f"{prefix}服务{i}") for i in range(n)], title=f"{prefix}义诊")


def _todo(response) -> dict[str, tuple[int, str]]:
    return {item.kind: (item.count, item.url) for item in response.context["todo"]}


def _list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_secretary_home_is_a_todo_list_whose_counts_are_the_linked_rows(cast, login):
    _work(cast, 2)
    open_round(cast)
    client = login(cast.secretary)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    todo = _todo(response)
    assert {kind: count for kind, (count, _) in todo.items()} == {
        "demands_overdue": 2,
        "demands_call_back": 2,
        "follow_ups_overdue": 2,
        "follow_ups_open": 4,
        "hours": 2,
        "pairings": 2,
        "mobile": 2,
        "reviews": 1,
        "imports": 0,  # uploads previewed and not confirmed: tests/portal/test_imports.py
    }
    for kind, (count, url) in todo.items():
        if kind != "imports":
            assert _list_count(client, url) == count, kind
    page = response.content.decode()
    assert "待办" in page and "逾期未办结的群众需求" in page


def test_outsider_sees_none_of_branch_a_and_the_committee_sees_it_all(cast, login):
    _work(cast, 1)
    outsider = _todo(login(cast.outsider).get(reverse("home")))
    assert all(count == 0 for count, _ in outsider.values())
    committee = _todo(login(cast.committee).get(reverse("home")))
    assert committee["demands_overdue"][0] == 1 and committee["mobile"][0] == 1


def test_member_home_shows_points_hours_stars_and_what_to_do(cast, login):
    activity = make_activity(cast, start_in=-5 * DAY, hours=3)
    from services import actions as service_actions

    service_actions.participation_walk_in(actor=None, activity=activity, person=cast.member_person, hours=Decimal(3))
    entries = list(activity.participations.get().hours_entries.all())
    service_actions.hours_approve(actor=cast.secretary, entries=entries)
    make_activity(cast, title="下周义诊", start_in=7 * DAY)
    open_round(cast)
    client = login(cast.member)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["todo"] == []  # a member manages nothing
    me = response.context["me"]
    assert me.standing.hours == Decimal(3) and me.standing.next_stars == 1
    asked = {item.kind: (item.count, item.url) for item in me.asked}
    assert asked["sign_ups"][0] == 1 and _list_count(client, asked["sign_ups"][1]) == 1
    assert asked["reviews"][0] == 1 and _list_count(client, asked["reviews"][1]) == 1
    page = response.content.decode()
    assert "再服务 97 小时可达 1 星" in page
    assert reverse("services:pledge_create") in page  # no pledge yet this year: asked to make one
    make_pledge(cast, person=cast.member_person, title="每月走访三户")
    page = client.get(reverse("home")).content.decode()
    assert "本年度承诺：每月走访三户" in page


def test_secretary_home_query_count_does_not_grow(cast, login, django_assert_max_num_queries):
    client = login(cast.secretary)
    _work(cast, 1, "少")
    with django_assert_max_num_queries(31) as few:  # both parts: the 待办 and the secretary's own
        client.get(reverse("home"))
    _work(cast, 4, "多")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_member_home_query_count_does_not_grow(cast, login, django_assert_max_num_queries):
    from services import actions as service_actions

    client = login(cast.member)
    for n in range(2):
        past = make_activity(cast, title=f"少{n}", start_in=-5 * DAY)
        service_actions.participation_walk_in(actor=None, activity=past, person=cast.member_person)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("home"))
    for n in range(8):
        past = make_activity(cast, title=f"多{n}", start_in=-5 * DAY)
        service_actions.participation_walk_in(actor=None, activity=past, person=cast.member_person)
        make_activity(cast, title=f"将来{n}", start_in=(n + 2) * DAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
