"""No N+1 on the activity pages: the same number of queries with few rows and with many, under a fixed ceiling.

Each test loads the page once to warm process-wide caches, measures it with a few related rows, adds many more,
and measures again."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from services import actions
from services.models import Activity, HoursEntry
from tests.factories import member
from tests.harness import page_queries
from tests.services.activity_helpers import HOUR, category, make_activity

pytestmark = pytest.mark.django_db

# The activity lists look up the ids that decide what the user sees (their organisations; for a member, the
# ancestors, teams and own participations) before the list query, so that the database can use its indexes: a
# fixed 1–3 queries more than the pages' others, whatever the rows.
LIST_CEILING, MONTH_CEILING = 18, 12


def _activities(cast, n: int, prefix: str, *, with_people: int = 2) -> list[Activity]:
    """Published activities of branch A, this month (from tomorrow on, or earlier today near the month's end),
    each with a few sign-ups."""
    people = [member(cast.branch_a, name=f"{prefix}人{i}") for i in range(with_people)]
    made = []
    for i in range(n):
        activity = make_activity(cast, title=f"{prefix}{i}", start_in=datetime.timedelta(minutes=30 + i), capacity=50)
        for person in people:
            actions.participation_sign_up(actor=cast.secretary, activity=activity, person=person)
        made.append(activity)
    return made


def _attended(cast, n: int, prefix: str) -> None:
    """Past activities the member attended, with approved hours (what the member pages list)."""
    for i in range(n):
        activity = make_activity(cast, title=f"{prefix}{i}", start_in=-datetime.timedelta(hours=2 + i), hours=1)
        actions.participation_walk_in(actor=None, activity=activity, person=cast.member_person, hours=Decimal(1))
    pending = list(HoursEntry.objects.filter(state=HoursEntry.State.PENDING))
    actions.hours_approve(actor=cast.orgadmin, entries=pending)


@pytest.mark.parametrize(
    "params",
    [{}, {"start": "today", "end": "later", "category": "health", "organisation": "a", "state": "published"}],
    ids=["plain", "every-filter"],
)
@pytest.mark.parametrize("role", ["secretary", "member"])
def test_activity_list(cast, login, params, role):
    client = login(getattr(cast, role))
    url = reverse("services:activity_list")
    if params:
        today = timezone.localdate()
        params = {
            "start": today.isoformat(),
            "end": (today + datetime.timedelta(days=40)).isoformat(),
            "category": category("health").pk,
            "organisation": cast.branch_a.pk,
            "state": "published",
            "q": "社区",  # the place of every activity here
        }
    _activities(cast, 2, "少")
    page_queries(client, url, LIST_CEILING, params)
    few = page_queries(client, url, LIST_CEILING, params)
    _activities(cast, 35, "多", with_people=4)
    many = page_queries(client, url, LIST_CEILING, params)
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_activity_month(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse("services:activity_month")
    first = _activities(cast, 2, "少")[0]
    start = timezone.localtime(first.starts_at)
    params = {"year": start.year, "month": start.month}
    page_queries(client, url, MONTH_CEILING, params)
    few = page_queries(client, url, MONTH_CEILING, params)
    _activities(cast, 25, "多", with_people=3)
    many = page_queries(client, url, MONTH_CEILING, params)
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_activity_detail_with_3_and_30_participants(cast, login, role):
    client = login(getattr(cast, role))
    activity = make_activity(cast, start_in=-HOUR, hours=3)
    url = reverse("services:activity_detail", args=[activity.pk])

    def add(n: int, prefix: str) -> None:
        for i in range(n):
            person = member(cast.branch_a, name=f"{prefix}{i}")
            actions.participation_walk_in(actor=None, activity=activity, person=person, hours=Decimal(2))
        actions.hours_approve(
            actor=cast.orgadmin, entries=list(HoursEntry.objects.filter(state=HoursEntry.State.PENDING)[: n // 2])
        )

    actions.participation_sign_up(actor=cast.member, activity=activity)
    add(2, "少")
    page_queries(client, url, 15)
    few = page_queries(client, url, 15)
    add(27, "多")
    many = page_queries(client, url, 15)
    assert activity.participations.count() == 30
    assert many == few


def test_my_activities(cast, login):
    client = login(cast.member)
    url = reverse("services:my_activities")
    _attended(cast, 2, "少")
    page_queries(client, url, 10)
    few = page_queries(client, url, 10)
    _attended(cast, 25, "多")
    many = page_queries(client, url, 10)
    assert many == few


def test_my_hours(cast, login):
    client = login(cast.member)
    url = reverse("services:my_hours")
    _attended(cast, 2, "少")
    page_queries(client, url, 10)
    few = page_queries(client, url, 10)
    _attended(cast, 20, "多")
    many = page_queries(client, url, 10)
    assert many == few
