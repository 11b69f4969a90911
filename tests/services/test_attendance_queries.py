"""No N+1 on the attendance and hours pages: a fixed ceiling, and the same count with few rows and with many."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from services import actions
from services.models import HoursEntry
from tests.factories import member
from tests.harness import at_most, page_queries
from tests.services.hours_helpers import DAY, at, held, running_activity, sign_up

pytestmark = pytest.mark.django_db


# Finding the activity costs four small fixed queries: the ids that decide what the user sees (see
# services.selectors.activities._visible_q).
SHEET_CEILING = 14


def _fill_sheet(cast, activity, n: int, prefix: str) -> None:
    """n more people on the sheet: a third attended (pending), a third attended and approved, a third unmarked;
    one walk-in; and as many people of the branch who could still be added."""
    people = [member(cast.branch_a, name=f"{prefix}{i}") for i in range(n)]
    participations = sign_up(activity, *people[:-1])
    actions.participation_walk_in(actor=cast.secretary, activity=activity, person=people[-1])
    marked = participations[: 2 * len(participations) // 3]
    actions.attendance_record(
        actor=cast.secretary, activity=activity, marks={p.pk: (True, Decimal("2.5")) for p in marked}
    )
    approve = HoursEntry.objects.filter(participation__in=marked[: len(marked) // 2])
    actions.hours_approve(actor=cast.orgadmin, entries=list(approve))
    for i in range(n):
        member(cast.branch_a, name=f"{prefix}候选{i}")


def test_attendance_sheet(cast, login):
    activity = running_activity(cast.secretary, cast.branch_a)
    client = login(cast.secretary)
    url = reverse("services:attendance_sheet", args=[activity.pk])
    _fill_sheet(cast, activity, 3, "少")
    page_queries(client, url, SHEET_CEILING)
    few = page_queries(client, url, SHEET_CEILING)
    _fill_sheet(cast, activity, 27, "多")
    assert activity.participations.count() == 30
    many = page_queries(client, url, SHEET_CEILING)
    assert many == few
    # the search for walk-ins (htmx) costs the same
    assert page_queries(client, url, SHEET_CEILING, {"q": "多"}) == few


def test_attendance_sheet_post_with_an_error_re_renders_without_n_plus_1(cast, login):
    """A refused sheet is rendered again: its cost must not grow with the rows either."""
    activity = running_activity(cast.secretary, cast.branch_a)
    client = login(cast.secretary)
    url = reverse("services:attendance_sheet", args=[activity.pk])

    def post() -> int:
        body = {f"attended_{p.pk}": "1" for p in activity.participations.all()}
        body |= {f"hours_{p.pk}": "99" for p in activity.participations.all()}
        with at_most(SHEET_CEILING) as queries:
            assert client.post(url, body).status_code == 200
        return len(queries)

    _fill_sheet(cast, activity, 3, "少")
    post()
    few = post()
    _fill_sheet(cast, activity, 27, "多")
    assert post() == few


def _pending(cast, n_activities: int, per_activity: int, prefix: str) -> None:
    for a in range(n_activities):
        activity = running_activity(cast.secretary, cast.branch_a, title=f"{prefix}活动{a}")
        people = [member(cast.branch_a, name=f"{prefix}{a}-{i}") for i in range(per_activity)]
        participations = sign_up(activity, *people)
        actions.attendance_record(
            actor=cast.secretary, activity=activity, marks={p.pk: (True, None) for p in participations}
        )


def test_hours_pending(cast, login):
    client = login(cast.secretary)
    url = reverse("services:hours_pending")
    _pending(cast, 1, 2, "少")
    page_queries(client, url, 8)
    few = page_queries(client, url, 8)
    _pending(cast, 4, 10, "多")
    many = page_queries(client, url, 8)
    assert many == few
    assert page_queries(client, url, 8, {"page": 2}) == few


def _suspicious(cast, n: int, prefix: str) -> None:
    """n people, each in two overlapping activities with 14 hours that day, one of them recorded late."""
    for i in range(n):
        person = member(cast.branch_a, name=f"{prefix}{i}")
        x = held(cast, f"{prefix}上午{i}", at(DAY, 8), 4, {person: Decimal(7)})
        held(cast, f"{prefix}中午{i}", at(DAY, 10), 4, {person: Decimal(7)})
        HoursEntry.objects.filter(participation__activity=x).update(created_at=x.ends_at + datetime.timedelta(days=31))


def test_hours_checker(cast, login):
    client = login(cast.secretary)
    url = reverse("services:hours_checker")
    _suspicious(cast, 1, "少")
    page_queries(client, url, 9)
    few = page_queries(client, url, 9)
    _suspicious(cast, 8, "多")
    many = page_queries(client, url, 9)
    assert many == few
    content = client.get(url).content.decode()
    assert "多7" in content  # the rows are really on the page
