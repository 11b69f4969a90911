"""Forms preselect the only sensible organisation (and team): a branch secretary whose branch has party groups
must not have the first save refused for want of a choice that has one answer."""

import datetime

import pytest
from django.urls import reverse

from branches.models import Organisation
from branches.selectors import organisation_choices_for_user, organisation_default_for_user
from tests.factories import OrganisationFactory, UserFactory, member
from volunteers import actions as team_actions
from volunteers.models import TeamMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(cast):
    """Branch A with two party groups: the secretary's scope offers three organisations."""
    return [
        OrganisationFactory(name=f"第{n}党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
        for n in (1, 2)
    ]


@pytest.mark.parametrize(
    "url", ["services:activity_create", "services:demand_create", "services:pledge_create", "services:team_create"]
)
def test_branch_with_party_groups_preselects_the_branch(cast, login, groups, url):
    response = login(cast.secretary).get(reverse(url))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.fields["organisation"].queryset.count() == 3
    initial = form.initial.get("organisation") or form.fields["organisation"].initial
    assert initial == cast.branch_a.pk
    assert f'<option value="{cast.branch_a.pk}" selected>' in response.content.decode()


def test_secretary_saves_an_activity_without_touching_the_organisation(cast, login, groups):
    from tests.services.activity_helpers import form_data

    client = login(cast.secretary)
    initial = client.get(reverse("services:activity_create")).context["form"].initial
    data = form_data(cast, organisation=initial["organisation"])
    response = client.post(reverse("services:activity_create"), data)
    assert response.status_code == 302


def test_committee_secretary_gets_their_committee_and_orgadmin_chooses(cast):
    committee_choices = organisation_choices_for_user(user=cast.committee)
    assert organisation_default_for_user(user=cast.committee, choices=committee_choices) == cast.committee_org
    everything = organisation_choices_for_user(user=cast.orgadmin)
    assert organisation_default_for_user(user=cast.orgadmin, choices=everything) is None


def test_team_leader_with_one_team_gets_it_preselected(cast, login):
    team = team_actions.team_create(actor=None, name="红色理发队", level="brigade", organisation=cast.branch_a)
    leader = member(cast.branch_a, name="队长甲")
    leader.user = UserFactory(username="leader")
    leader.save(update_fields=["user"])
    team_actions.membership_add(
        actor=None, team=team, person=leader, joined_on=datetime.date(2024, 1, 1), role=TeamMembership.Role.LEADER
    )
    form = login(leader.user).get(reverse("services:activity_create")).context["form"]
    assert "organisation" not in form.initial
    assert form.initial["team"] == team.pk
    # a secretary with a team keeps the organisation and leaves the team to choose
    form = login(cast.secretary).get(reverse("services:activity_create")).context["form"]
    assert form.initial["organisation"] == cast.branch_a.pk and "team" not in form.initial
