"""No N+1: every list and dashboard page costs the same number of queries with few rows and with many.

Each test loads the page once to warm process-wide caches (content types, permissions), measures it with a few
related rows, adds many more, and measures again: the count must stay under a fixed ceiling and not change.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches import actions
from branches.models import MobileReport, Organisation, Role
from tests.factories import GridFactory, HostUnitFactory, OrganisationFactory, PersonFactory, member
from tests.harness import page_queries

TODAY = timezone.localdate()


def _people(organisation: Organisation, n: int, prefix: str) -> None:
    """People with a grid and a host unit each (the related rows a list shows)."""
    for i in range(n):
        PersonFactory(
            organisation=organisation,
            name=f"{prefix}{i}",
            phone=f"139{i:08d}",
            grid=GridFactory(organisation=organisation, name=f"{prefix}网格{i}"),
            host=HostUnitFactory(organisation=organisation, name=f"{prefix}单位{i}"),
        )


def _mobile_members(organisation: Organisation, n: int, prefix: str) -> None:
    """Open departures with two reports and a check each, and a returned one every third."""
    for i in range(n):
        person = member(organisation, name=f"{prefix}{i}")
        record = actions.mobile_departure_record(
            actor=None, person=person, leave_date=TODAY - datetime.timedelta(days=200), destination=f"城市{i}"
        )
        for days_ago, kind in ((150, MobileReport.Kind.WRITTEN), (90, MobileReport.Kind.ORAL)):
            actions.mobile_report_record(
                actor=None,
                mobile_member=record,
                kind=kind,
                date=TODAY - datetime.timedelta(days=days_ago),
                content="汇报",
            )
        actions.mobile_report_record(
            actor=None, mobile_member=record, kind=MobileReport.Kind.CHECK, date=TODAY, content="回访"
        )
        if i % 3 == 2:
            actions.mobile_return_record(actor=None, mobile_member=record, date=TODAY)


def _child_groups(parent: Organisation, n: int, prefix: str, people_each: int = 2) -> None:
    for i in range(n):
        group = OrganisationFactory(name=f"{prefix}{i}", kind=Organisation.Kind.PARTY_GROUP, parent=parent)
        _people(group, people_each, f"{group.name}成员")


def _roles_and_hosts(organisation: Organisation, n: int, prefix: str) -> None:
    """Committee members (roles) and host units with an instructor: what an organisation page lists."""
    for i in range(n):
        person = member(organisation, name=f"{prefix}委员{i}")
        actions.role_assign(
            actor=None,
            person=person,
            organisation=organisation,
            role=Role.COMMITTEE_MEMBER,
            start_date=datetime.date(2020, 1, 1),
        )
        HostUnitFactory(organisation=organisation, name=f"{prefix}覆盖单位{i}", instructor=person)


@pytest.mark.parametrize(
    "params",
    [{}, {"political_status": "masses", "organisation": "branch_a", "grid": "grid", "q": "人", "page": "2"}],
    ids=["plain", "every-filter"],
)
def test_person_list(cast, login, params):
    client = login(cast.secretary)
    url = reverse("branches:person_list")
    grid = GridFactory(organisation=cast.branch_a)
    params = params | ({"organisation": cast.branch_a.pk, "grid": grid.pk} if params else {})
    _people(cast.branch_a, 5, "少人")
    PersonFactory.create_batch(3, organisation=cast.branch_a, grid=grid, name="网格人")
    page_queries(client, url, 15, params)
    few = page_queries(client, url, 15, params)
    _people(cast.branch_a, 35, "多人")
    PersonFactory.create_batch(70, organisation=cast.branch_a, grid=grid, name="网格人")
    many = page_queries(client, url, 15, params)
    assert many == few


def test_organisation_tree(cast, login):
    client = login(cast.orgadmin)
    url = reverse("branches:organisation_tree")
    _child_groups(cast.branch_a, 1, "少组")
    page_queries(client, url, 10)
    few = page_queries(client, url, 10)
    _child_groups(cast.branch_a, 8, "多组")
    _child_groups(cast.branch_b, 8, "乙多组")
    many = page_queries(client, url, 10)
    assert many == few


def test_organisation_detail(cast, login):
    client = login(cast.secretary)
    url = reverse("branches:organisation_detail", args=[cast.branch_a.pk])
    _child_groups(cast.branch_a, 1, "少组")
    _people(cast.branch_a, 2, "少")
    _roles_and_hosts(cast.branch_a, 1, "少")
    page_queries(client, url, 20)
    few = page_queries(client, url, 20)
    _child_groups(cast.branch_a, 6, "多组")
    _people(cast.branch_a, 20, "多")
    _roles_and_hosts(cast.branch_a, 6, "多")
    many = page_queries(client, url, 20)
    assert many == few


def test_mobile_list(cast, login):
    client = login(cast.secretary)
    url = reverse("branches:mobile_list")
    _mobile_members(cast.branch_a, 2, "少流动")
    page_queries(client, url, 10)
    few = page_queries(client, url, 10)
    _mobile_members(cast.branch_a, 10, "多流动")
    many = page_queries(client, url, 10)
    assert many == few


# The home page: one count per 待办 item (8), and for anyone with a person record their points, hours and what
# they are asked to do (portal/home.py); a secretary has both parts.
HOME_CEILING = 32


@pytest.mark.parametrize("role", ["orgadmin", "committee", "secretary", "member"])
def test_home(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse("home")
    _people(cast.branch_a, 3, "少")
    _mobile_members(cast.branch_a, 1, "少流动")
    page_queries(client, url, HOME_CEILING)
    few = page_queries(client, url, HOME_CEILING)
    _people(cast.branch_a, 20, "多")
    _mobile_members(cast.branch_a, 4, "多流动")
    _child_groups(cast.branch_a, 4, "多组")
    OrganisationFactory(name="第二党总支", kind=Organisation.Kind.GENERAL_BRANCH, parent=cast.committee_org)
    many = page_queries(client, url, HOME_CEILING)
    assert many == few


@pytest.mark.parametrize("role", ["orgadmin", "secretary"])
def test_admin_person_changelist(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse("admin:branches_person_changelist")
    _people(cast.branch_a, 5, "少")
    page_queries(client, url, 20)
    few = page_queries(client, url, 20)
    _people(cast.branch_a, 35, "多")
    _child_groups(cast.branch_a, 3, "多组")
    many = page_queries(client, url, 20)
    assert many == few
