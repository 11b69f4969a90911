"""Running and held activities with sign-ups and attended people, for the attendance and hours tests.

Shared by the test modules (no test module imports from another)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from branches.models import Organisation, Person
from portal.models import User
from services import actions
from services.models import Activity, ActivityCategory, Participation


def running_activity(
    actor: User | None,
    organisation: Organisation,
    *,
    title: str = "义诊",
    started_hours_ago: float = 3,
    length_hours: float = 4,
    **fields,
) -> Activity:
    """A published activity that has started (attendance allowed) and, by default, is still running (sign-ups
    allowed): 4 hours long."""
    starts_at = timezone.now() - datetime.timedelta(hours=started_hours_ago)
    activity = actions.activity_create(
        actor=actor,
        title=title,
        category=ActivityCategory.objects.get(code="health"),
        place="社区",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=length_hours),
        organisation=organisation,
        **fields,
    )
    return actions.activity_publish(actor=actor, activity=activity)


def sign_up(activity: Activity, *people: Person) -> list[Participation]:
    return [
        actions.participation_sign_up(actor=activity.created_by, activity=activity, person=person) for person in people
    ]


DAY = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()  # in the past, recorded in time


def at(day: str, hour: float) -> datetime.datetime:
    """A local (Asia/Shanghai) moment: the checks must work in local days, not UTC ones."""
    start = datetime.datetime.fromisoformat(day).replace(tzinfo=timezone.get_current_timezone())
    return start + datetime.timedelta(hours=hour)


def held(cast, title: str, starts: datetime.datetime, hours: float, people: dict[Person, Decimal | None], **kw):
    """A past activity of branch A (or kw["organisation"]) whose people attended with the given hours."""
    actor = kw.pop("actor", cast.secretary)
    activity = actions.activity_create(
        actor=actor,
        title=title,
        category=ActivityCategory.objects.get(code="health"),
        place="社区",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        organisation=kw.pop("organisation", cast.branch_a),
        **kw,
    )
    actions.activity_publish(actor=actor, activity=activity)
    for person, person_hours in people.items():
        actions.participation_walk_in(actor=actor, activity=activity, person=person, hours=person_hours)
    return activity


def attended(cast, *people, hours=Decimal(3), title="义诊"):
    """An activity of branch A where the given people attended (pending entries, recorded by the secretary)."""
    activity = running_activity(cast.secretary, cast.branch_a, title=title)
    participations = sign_up(activity, *people)
    actions.attendance_record(
        actor=cast.secretary, activity=activity, marks={p.pk: (True, hours) for p in participations}
    )
    return activity, participations
