"""Approved hours given to team members, for the team pages and the yearly review.

Shared by the test modules (no test module imports from another)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from branches.models import Person
from services import actions
from services.models import ActivityCategory
from services.selectors import hours_pending_for_user
from volunteers.models import Team


def give_hours(actor, team: Team, person: Person, *, days_ago: int = 0, approve: bool = True) -> None:
    """Service hours the real way: an activity of the team, the person on its sheet, attendance, approval.

    A running activity (started 3 hours ago) takes sign-ups; a past one only walk-ins."""
    starts_at = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    ends_at = starts_at + datetime.timedelta(hours=4)
    activity = actions.activity_create(
        actor=actor,
        title=f"{person.name}的服务",
        category=ActivityCategory.objects.get(code="health"),
        place="社区",
        starts_at=starts_at,
        ends_at=ends_at,
        team=team,
    )
    actions.activity_publish(actor=actor, activity=activity)
    if ends_at > timezone.now():
        participation = actions.participation_sign_up(actor=actor, activity=activity, person=person)
        actions.attendance_record(actor=actor, activity=activity, marks={participation.pk: (True, Decimal(2))})
    else:
        actions.participation_walk_in(actor=actor, activity=activity, person=person, hours=Decimal(2))
    if approve:
        pending = hours_pending_for_user(user=actor).filter(participation__activity=activity)
        assert actions.hours_approve(actor=actor, entries=list(pending)) == 1
