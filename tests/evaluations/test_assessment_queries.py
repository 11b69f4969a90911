"""No N+1 on the branch assessment pages: the same number of queries with few rows and with many, under a fixed
ceiling. The comparison is measured with 2 branches and with 8 (each with members, activities, ratings, demands
and some assessed); the list with 2 assessments and with many; an assessment's page before and after much more
data exists around it."""

import datetime

import pytest
from django.urls import reverse

from evaluations.actions.assessment import branch_assess
from evaluations.selectors.assessment import CHECKLIST
from tests.evaluations.assessment_helpers import Y, demand, past_activity
from tests.evaluations.conftest import local, rate
from tests.factories import OrganisationFactory, member
from tests.harness import page_queries

pytestmark = pytest.mark.django_db

CEILING = 20
E = "evaluations:"


def _checklist() -> dict:
    return {key: (True, "有据可查") for key in CHECKLIST}


def _branch(cast, i: int, *, assess: bool):
    """A branch under the general branch with two members, an activity with a rating, a demand; maybe assessed."""
    branch = OrganisationFactory(name=f"新党支部{i}", parent=cast.general_branch)
    people = [member(branch, name=f"党员{i}-{n}") for n in range(2)]
    activity = past_activity(branch, datetime.date(Y, 1 + i % 12, 10), attendees=people)
    rate(activity, 5, at=local(datetime.date(Y, 1 + i % 12, 10), 12))
    demand(cast, branch, datetime.date(Y, 1 + i % 12, 3))
    if assess:
        branch_assess(actor=cast.orgadmin, organisation=branch, year=Y, checklist=_checklist())
    return branch


@pytest.mark.parametrize("role", ["committee", "orgadmin"])
def test_compare_two_versus_eight_branches(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse(E + "assessment_compare")
    params = {"parent": cast.committee_org.pk, "year": Y, "sort": "stars"}
    branch_assess(actor=cast.orgadmin, organisation=cast.branch_a, year=Y, checklist=_checklist())
    page_queries(client, url, CEILING, params)  # warm process-wide caches
    few = page_queries(client, url, CEILING, params)
    assert len(client.get(url, params).context["rows"]) == 2
    for i in range(6):
        _branch(cast, i, assess=i % 2 == 0)
    many = page_queries(client, url, CEILING, params)
    rows = client.get(url, params).context["rows"]
    assert len(rows) == 8 and sum(1 for row in rows if row.frozen) == 4
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "committee", "orgadmin"])
def test_list(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse(E + "assessment_list")
    for branch in (cast.branch_a, cast.branch_b):
        branch_assess(actor=cast.orgadmin, organisation=branch, year=Y, checklist=_checklist())
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    assert client.get(url).context["page"].paginator.count
    for year in (Y - 1, Y - 2, Y - 3):
        for branch in (cast.branch_a, cast.branch_b):
            branch_assess(actor=cast.committee, organisation=branch, year=year, checklist=_checklist())
    many = page_queries(client, url, CEILING)
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "committee"])
def test_detail(cast, login, role):
    client = login(getattr(cast, role))
    assessment = branch_assess(actor=cast.committee, organisation=cast.branch_a, year=Y, checklist=_checklist())
    url = reverse(E + "assessment_detail", args=[assessment.pk])
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    for i in range(4):
        _branch(cast, i, assess=True)
        past_activity(cast.branch_a, datetime.date(Y, 2 + i, 1), attendees=[cast.member_person])
    many = page_queries(client, url, CEILING)
    assert many == few


def test_form_with_figures(cast, login):
    client = login(cast.committee)
    url = reverse(E + "assessment_form")
    params = {"organisation": cast.branch_a.pk, "year": Y}
    page_queries(client, url, CEILING, params)
    few = page_queries(client, url, CEILING, params)
    for i in range(4):
        past_activity(cast.branch_a, datetime.date(Y, 2 + i, 1), attendees=[cast.member_person, cast.person_a])
        _branch(cast, i, assess=False)
    many = page_queries(client, url, CEILING, params)
    assert many == few
