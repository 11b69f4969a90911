"""No N+1 on the team pages: the same number of queries with few members and with many (and under a ceiling)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, member
from tests.harness import page_queries
from tests.services.team_helpers import give_hours
from volunteers import actions as team_actions
from volunteers.models import Skill, Team, TeamMembership

JOINED = timezone.localdate() - datetime.timedelta(days=30)


def _members(cast, team: Team, n: int, prefix: str) -> None:
    """Members with skills and approved hours, and an applicant: every related row the page shows."""
    skills = list(Skill.objects.all()[:3])
    for i in range(n):
        person = member(cast.branch_a, name=f"{prefix}{i}")
        team_actions.membership_add(
            actor=cast.secretary,
            team=team,
            person=person,
            joined_on=JOINED,
            role=TeamMembership.Role.DEPUTY if i == 0 else TeamMembership.Role.MEMBER,
        )
        team_actions.person_skills_set(actor=cast.secretary, person=person, skills=skills[: 1 + i % 3])
        if i % 2 == 0:
            give_hours(cast.secretary, team, person)
        applicant = PersonFactory(organisation=cast.branch_a, name=f"{prefix}申请{i}")
        team_actions.membership_apply(actor=cast.secretary, team=team, person=applicant)


@pytest.mark.parametrize("role", ["secretary", "member", "orgadmin"])
def test_team_detail(cast, login, role):
    team = team_actions.team_create(
        actor=cast.secretary, name="甲大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )
    team_actions.membership_add(
        actor=cast.secretary, team=team, person=cast.member_person, joined_on=JOINED, role=TeamMembership.Role.LEADER
    )
    client = login(getattr(cast, role))
    url = reverse("services:team_detail", args=[team.pk])
    _members(cast, team, 2, "少")
    # 21: the team's activities come through the activity list's visibility (a fixed lookup of ids, see
    # services.selectors.activities._visible_q)
    page_queries(client, url, 21)  # warm process-wide caches
    few = page_queries(client, url, 21)
    _members(cast, team, 12, "多")
    many = page_queries(client, url, 21)
    assert few == many, (few, many)


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_team_list(cast, login, role):
    def teams(n: int, prefix: str) -> None:
        for i in range(n):
            brigade = team_actions.team_create(
                actor=cast.secretary, name=f"{prefix}大队{i}", level=Team.Level.BRIGADE, organisation=cast.branch_a
            )
            squad = team_actions.team_create(
                actor=cast.secretary,
                name=f"{prefix}分队{i}",
                level=Team.Level.SQUAD,
                organisation=cast.branch_a,
                parent=brigade,
            )
            team_actions.membership_add(actor=cast.secretary, team=squad, person=cast.member_person, joined_on=JOINED)
            team_actions.membership_add(
                actor=cast.secretary, team=brigade, person=member(cast.branch_a, name=f"{prefix}{i}"), joined_on=JOINED
            )

    client = login(getattr(cast, role))
    url = reverse("services:team_list")
    teams(2, "少")
    page_queries(client, url, 12)
    few = page_queries(client, url, 12)
    teams(10, "多")
    response = client.get(url)
    assert "多分队9" in response.content.decode()
    many = page_queries(client, url, 12)
    assert few == many, (few, many)
