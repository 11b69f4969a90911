"""Demands received, assigned and done through the actions, and the rows they name.

Shared by the test modules (no test module imports from another)."""

import datetime

from django.utils import timezone

from branches.actions import reference_row_save
from branches.models import CalendarDay
from services.actions.demands import (
    demand_assign,
    demand_complete,
    demand_receive,
)
from services.models import Demand, DemandCategory
from volunteers import actions as team_actions
from volunteers.models import Team


def category(code: str = "appliance") -> DemandCategory:
    return DemandCategory.objects.get(code=code)


def receive(cast, *, organisation=None, received_on=None, code="appliance", content="楼道灯坏了", **fields) -> Demand:
    return demand_receive(
        actor=cast.secretary,
        organisation=organisation or cast.branch_a,
        channel=fields.pop("channel", Demand.Channel.HOTLINE),
        category=category(code),
        content=content,
        received_on=received_on,
        **fields,
    )


def assigned(cast, **kwargs) -> Demand:
    return demand_assign(actor=cast.secretary, demand=receive(cast, **kwargs), person=cast.member_person)


def done(cast, *, done_on=None, **kwargs) -> Demand:
    demand = assigned(cast, **kwargs)
    return demand_complete(
        actor=cast.secretary, demand=demand, result="已修好", done_on=done_on or timezone.localdate()
    )


def team_of_a(cast, *, with_member: bool = True) -> Team:
    team = team_actions.team_create(
        actor=None, name="甲支部便民分队", level=Team.Level.SQUAD, organisation=cast.branch_a
    )
    if with_member:
        team_actions.membership_add(
            actor=None, team=team, person=cast.member_person, joined_on=datetime.date(2022, 1, 1)
        )
    return team


def calendar_day(day: datetime.date, kind: str, name: str) -> None:
    reference_row_save(actor=None, instance=CalendarDay(date=day, kind=kind, name=name), changed=["date", "kind"])
