"""Pickers that list people tell namesakes apart: one label (name, organisation, birth year, last 4 phone digits —
never more, never an ID-number digit) on every form that picks a person and in the admin's person search, with
the organisation read in the same query (no N+1)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.forms import PersonChoiceField, PersonMultipleChoiceField, person_choice_label
from branches.models import Person
from services.actions.demands import demand_receive
from services.models import Demand, DemandCategory
from tests.factories import HostUnitFactory, PersonFactory, member
from tests.services.test_attendance_views import running_activity
from volunteers import actions as team_actions
from volunteers.models import Team

pytestmark = pytest.mark.django_db

FIRST = "张伟（党支部A · 1985 年生 · 尾号 1234）"
SECOND = "张伟（党支部A · 1992 年生 · 尾号 5678）"


@pytest.fixture
def namesakes(cast) -> tuple[Person, Person]:
    """Two full members called 张伟 in branch A; the first has an ID number on file (masked, as always)."""
    first = member(
        cast.branch_a,
        name="张伟",
        birth_date=datetime.date(1985, 3, 2),
        phone="13911111234",
        id_number_masked="**************9876",
    )
    second = member(cast.branch_a, name="张伟", birth_date=datetime.date(1992, 7, 9), phone="13800005678")
    return first, second


def test_namesakes_get_different_labels(namesakes):
    first, second = namesakes
    assert person_choice_label(first) == FIRST
    assert person_choice_label(second) == SECOND


def test_the_label_shows_at_most_four_phone_digits_and_no_id_number_digit(namesakes):
    label = person_choice_label(namesakes[0])
    assert re.findall(r"\d+", label) == ["1985", "1234"]
    assert "9876" not in label and "1391111" not in label


def test_what_is_not_known_is_left_out(cast):
    bare = PersonFactory(organisation=cast.branch_a, name="李娜")
    assert person_choice_label(bare) == "李娜（党支部A）"
    short = PersonFactory(organisation=cast.branch_a, name="李娜", phone="12345")  # no number: nothing of it shown
    assert person_choice_label(short) == "李娜（党支部A）"
    landline = PersonFactory(organisation=cast.branch_b, name="李娜", phone="010-6512 3456")
    assert person_choice_label(landline) == "李娜（党支部B · 尾号 3456）"


def test_the_fields_label_their_options_with_it(namesakes):
    people = Person.objects.filter(pk__in=[p.pk for p in namesakes]).select_related("organisation").order_by("pk")
    for field in (PersonChoiceField(queryset=people), PersonMultipleChoiceField(queryset=people)):
        assert [label for value, label in field.choices if value != ""] == [FIRST, SECOND]


# Every form that picks a person -------------------------------------------------------------------------------


def _team(cast) -> Team:
    return team_actions.team_create(
        actor=cast.secretary, name="甲大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )


def _demand(cast) -> Demand:
    return demand_receive(
        actor=cast.secretary,
        organisation=cast.branch_a,
        channel=Demand.Channel.HOTLINE,
        category=DemandCategory.objects.get(code="appliance"),
        content="楼道灯坏了",
        received_on=None,
    )


PAGES = {
    "team member add": lambda cast: reverse("services:team_detail", args=[_team(cast).pk]),
    "demand assign": lambda cast: reverse("services:demand_detail", args=[_demand(cast).pk]),
    "attendance walk-in": lambda cast: reverse(
        "services:attendance_sheet", args=[running_activity(cast.secretary, cast.branch_a).pk]
    ),
    "pairing helper": lambda cast: reverse("services:pairing_create"),
    "pledge": lambda cast: reverse("services:pledge_create"),
    "pioneer post": lambda cast: reverse("services:post_create"),
    "points adjustment": lambda cast: reverse("evaluations:points_adjustments"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_form_page_lists_both_namesakes_apart(cast, login, namesakes, page):
    response = login(cast.secretary).get(PAGES[page](cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{FIRST}" in html and f">{SECOND}" in html
    assert "9876" not in html  # the first 张伟's ID number stays off the page


def test_a_form_page_costs_the_same_queries_with_few_people_and_with_many(cast, login, django_assert_max_num_queries):
    client = login(cast.secretary)
    url = reverse("services:pairing_create")

    def count() -> int:
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    for i in range(3):
        member(cast.branch_a, name=f"少{i}", birth_date=datetime.date(1980 + i, 1, 1), phone=f"1390000000{i}")
    count()  # warm process-wide caches
    few = count()
    organisations = [cast.branch_a, cast.branch_b]  # the secretary's scope is A: B's people are not listed
    for i in range(20):
        member(organisations[i % 2], name=f"多{i}", birth_date=datetime.date(1970 + i, 1, 1), phone=f"137000000{i:02d}")
    many_response = client.get(url).content.decode()
    assert "多18（党支部A · 1988 年生 · 尾号 0018）" in many_response and "多19（" not in many_response
    assert count() == few


# The admin's person search (a host unit's 党建指导员) ---------------------------------------------------------------


def _search(client, term: str):
    return client.get(
        reverse("admin:branches_person_autocomplete"),
        {"term": term, "app_label": "branches", "model_name": "hostunit", "field_name": "instructor"},
    )


def test_the_admin_person_search_labels_namesakes_apart(cast, login, namesakes):
    response = _search(login(cast.orgadmin), "张伟")
    assert response.status_code == 200
    results = response.json()["results"]
    assert sorted(result["text"] for result in results) == [FIRST, SECOND]
    assert sorted(int(result["id"]) for result in results) == sorted(p.pk for p in namesakes)


def test_the_admin_person_search_keeps_to_the_scope(cast, login, namesakes):
    assert _search(login(cast.outsider), "张伟").json()["results"] == []  # B's secretary: A's people do not exist
    assert _search(login(cast.member), "张伟").status_code in (302, 403)  # not staff: no admin at all


def test_the_host_unit_form_shows_the_chosen_instructor_by_the_label(cast, login, namesakes):
    host = HostUnitFactory(name="甲公司", organisation=cast.branch_a, instructor=namesakes[1])
    response = login(cast.orgadmin).get(reverse("admin:branches_hostunit_change", args=[host.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{SECOND}</option>" in html
    assert reverse("admin:branches_person_autocomplete") in html  # the widget searches through the labelled view
