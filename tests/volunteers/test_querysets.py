"""TeamMembership.objects.current(): pending or active, never the history (left, rejected)."""

import datetime

import factory
import pytest

from tests.factories import OrganisationFactory, PersonFactory
from volunteers import actions
from volunteers.models import TeamMembership

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 8)


class _MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    person = factory.SubFactory(PersonFactory)
    joined_on = DAY


def test_current_memberships_are_pending_or_active():
    team = actions.team_create(actor=None, name="服务队", level="brigade", organisation=OrganisationFactory())
    by_state = {
        TeamMembership.State.PENDING: _MembershipFactory(team=team, state=TeamMembership.State.PENDING, joined_on=None),
        TeamMembership.State.ACTIVE: _MembershipFactory(team=team, state=TeamMembership.State.ACTIVE),
        TeamMembership.State.LEFT: _MembershipFactory(
            team=team,
            state=TeamMembership.State.LEFT,
            left_on=DAY,
            leave_reason=TeamMembership.LeaveReason.OWN_REQUEST,
        ),
        TeamMembership.State.REJECTED: _MembershipFactory(team=team, state=TeamMembership.State.REJECTED),
    }
    assert set(by_state) == set(TeamMembership.State.values)  # a row in every state
    current = {by_state[TeamMembership.State.PENDING], by_state[TeamMembership.State.ACTIVE]}
    assert set(TeamMembership.objects.current()) == current
    assert set(team.memberships.current()) == current
