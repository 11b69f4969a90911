"""Rows the branch assessment figures count: held activities, demands, the yearly review round.

Shared by the test modules (no test module imports from another)."""

import datetime

from django.utils import timezone

from branches.models import Organisation
from evaluations.actions.reviews import review_round_open
from evaluations.models import ReviewRound, ReviewSheet
from services import actions as service_actions
from services.actions.demands import demand_assign, demand_complete, demand_receive
from services.models import Activity, ActivityCategory, Demand, DemandCategory
from tests.evaluations.conftest import local

Y = timezone.localdate().year - 1


def past_activity(
    organisation: Organisation,
    day: datetime.date,
    *,
    attendees=(),
    state: str = Activity.State.ENDED,
    hour: int = 9,
    minute: int = 0,
    title: str = "便民服务",
) -> Activity:
    """An activity on a past day, taken through the actions to `state` (walk-ins are recorded as attended)."""
    starts = local(day, hour) + datetime.timedelta(minutes=minute)
    activity = service_actions.activity_create(
        actor=None,
        title=title,
        category=ActivityCategory.objects.get(code="convenience"),
        place="社区活动室",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        organisation=organisation,
    )
    activity = service_actions.activity_publish(actor=None, activity=activity)
    if state == Activity.State.CANCELLED:
        return service_actions.activity_cancel(actor=None, activity=activity, reason="天气原因")
    for person in attendees:
        service_actions.participation_walk_in(actor=None, activity=activity, person=person)
    if state in (Activity.State.ENDED, Activity.State.CLOSED):
        activity = service_actions.activity_end(actor=None, activity=activity)
    if state == Activity.State.CLOSED:
        activity = service_actions.activity_close(actor=None, activity=activity, served_people=10)
    return activity


def demand(cast, organisation: Organisation, received_on: datetime.date, *, late_by: int | None = 0) -> Demand:
    """A demand received on a day; done `late_by` days after its deadline (≤ 0: on time), or never (None)."""
    received = demand_receive(
        actor=cast.orgadmin,
        organisation=organisation,
        channel=Demand.Channel.HOTLINE,
        category=DemandCategory.objects.get(code="appliance"),
        content="楼道灯坏了",
        received_on=received_on,
    )
    if late_by is None:
        return received
    assigned = demand_assign(actor=cast.orgadmin, demand=received, person=cast.member_person)
    done_on = max(received.received_on, received.deadline + datetime.timedelta(days=late_by))
    return demand_complete(actor=cast.orgadmin, demand=assigned, result="已修好", done_on=done_on)


def yearly_round(organisation: Organisation, year: int, *, graded: int) -> ReviewRound:
    """A yearly review round (one sheet per member) with `graded` sheets graded. The grade is what closing a round
    writes; it is set directly here so that this test does not depend on the grading rules of the reviews area."""
    round_ = review_round_open(
        actor=None,
        organisation=organisation,
        kind=ReviewRound.Kind.YEARLY,
        year=year,
        opens_on=datetime.date(year, 11, 1),
        closes_on=datetime.date(year, 12, 15),
    )
    pks = list(round_.sheets.order_by("pk").values_list("pk", flat=True)[:graded])
    ReviewSheet.objects.filter(pk__in=pks).update(grade=ReviewSheet.Grade.QUALIFIED)
    return round_
