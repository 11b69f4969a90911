"""Demand actions: working-day deadlines (with a holiday and a make-up workday), every state change and its rules
(out of order refused, assignee outside the scope refused, nothing written on refusal), and the derived overdue and
unmet flags with the list's order."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.actions import calendar_fill
from branches.models import CalendarDay
from portal.models import AuditEvent
from services.actions.demands import (
    demand_assign,
    demand_call_back,
    demand_category_save,
    demand_complete,
    demand_receive,
)
from services.models import Demand
from services.selectors.demands import demand_deadline_status, demand_list_for_user
from tests.factories import member
from tests.services.demand_helpers import assigned, calendar_day, category, done, receive, team_of_a
from volunteers import actions as team_actions
from volunteers.models import Skill, Team

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def state() -> tuple:
    """Everything the demand actions could write."""
    return (
        list(
            Demand.objects.order_by("pk").values_list(
                "pk", "state", "assigned_person", "assigned_team", "result", "done_on", "callback_on", "satisfaction"
            )
        ),
        AuditEvent.objects.count(),
    )


# Working-day deadlines ----------------------------------------------------------------------------------------


def test_deadline_skips_weekend_and_holidays_and_counts_the_make_up_workday(cast):
    # National Day 2024: 1–7 October off, Sunday 29 September worked instead. Fixed dates in the past, so the test
    # does not depend on today.
    for offset in range(7):
        calendar_day(datetime.date(2024, 10, 1) + offset * DAY, CalendarDay.Kind.HOLIDAY, "国庆节")
    calendar_day(datetime.date(2024, 9, 29), CalendarDay.Kind.WORKDAY, "国庆调休")
    friday = datetime.date(2024, 9, 27)
    demand = receive(cast, received_on=friday)
    # Sun 29 (make-up) 1, Mon 30 2, [1–7 Oct off], Tue 8 3, Wed 9 4, Thu 10 5
    assert demand.deadline == datetime.date(2024, 10, 10)
    # A 3-day category received the same day: Sun 29, Mon 30, Tue 8
    assert receive(cast, received_on=friday, code="utilities").deadline == datetime.date(2024, 10, 8)


def test_deadline_across_national_day_after_the_calendar_fill(cast):
    # 2025 from the calendar package: 1–8 October off, Sunday 28 September worked instead
    calendar_fill(actor=None, years=[2025])
    friday = datetime.date(2025, 9, 26)
    demand = receive(cast, received_on=friday)
    # Sun 28 (make-up) 1, Mon 29 2, Tue 30 3, [1–8 Oct off], Thu 9 4, Fri 10 5
    assert demand.deadline == datetime.date(2025, 10, 10)
    # received on the last day off, counting starts on the 9th: 9, 10, Sat 11 (make-up), 13, 14
    assert receive(cast, received_on=datetime.date(2025, 10, 8)).deadline == datetime.date(2025, 10, 14)


def test_deadline_without_calendar_is_five_weekdays(cast):
    friday = datetime.date(2024, 9, 27)
    assert receive(cast, received_on=friday).deadline == datetime.date(2024, 10, 4)
    # a category's own number of working days: 10 for 就业帮扶
    assert receive(cast, received_on=friday, code="employment").deadline == datetime.date(2024, 10, 11)


def test_deadline_follows_the_category_setting(cast):
    cat = category("other")
    cat.deadline_working_days = 1
    demand_category_save(actor=cast.orgadmin, category=cat, changed=["deadline_working_days"])
    friday = datetime.date(2024, 9, 27)
    assert receive(cast, received_on=friday, code="other").deadline == datetime.date(2024, 9, 30)


def test_category_save_is_for_the_org_department_only(cast):
    cat = category("other")
    cat.deadline_working_days = 2
    with pytest.raises(ValidationError, match="只有组织部"):
        demand_category_save(actor=cast.secretary, category=cat, changed=["deadline_working_days"])
    assert category("other").deadline_working_days == 5
    cat.deadline_working_days = 0
    with pytest.raises(ValidationError, match="至少为 1"):
        demand_category_save(actor=cast.orgadmin, category=cat, changed=["deadline_working_days"])


# Receiving ----------------------------------------------------------------------------------------------------


def test_receive_records_everything_and_audits(cast):
    demand = receive(cast, requester_name="王阿姨", requester_phone="13812341234", requester_address="3 栋 201")
    assert demand.state == Demand.State.RECEIVED
    assert demand.received_on == timezone.localdate()
    assert demand.recorded_by == cast.secretary
    assert demand.requester_phone == "13812341234"
    assert AuditEvent.objects.filter(action="demand.receive", object_id=str(demand.pk)).exists()


def test_the_public_form_is_always_online_and_today(cast):
    demand = demand_receive(
        actor=None,
        organisation=cast.branch_a,
        channel=Demand.Channel.HOTLINE,
        category=category(),
        content="路灯不亮",
        received_on=datetime.date(2024, 1, 1),
    )
    assert demand.channel == Demand.Channel.ONLINE
    assert demand.received_on == timezone.localdate()
    assert demand.requester_name == "" and demand.recorded_by is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": "   "}, "请填写需求内容"),
        ({"content": "长" * 2001}, "不能超过 2000 字"),
        ({"requester_phone": "12345"}, "联系电话格式不正确"),
        ({"requester_phone": "138abcd1234"}, "联系电话格式不正确"),
        ({"received_on": "tomorrow"}, "受理日期不能晚于今天"),
        ({"channel": "pigeon"}, "请选择来源渠道"),
    ],
)
def test_receive_refuses_bad_input(cast, fields, message):
    if fields.get("received_on") == "tomorrow":
        fields["received_on"] = timezone.localdate() + DAY
    before = state()
    with pytest.raises(ValidationError, match=message):
        receive(cast, **fields)
    assert state() == before


def test_receive_accepts_a_landline(cast):
    assert receive(cast, requester_phone="027-87654321").requester_phone == "027-87654321"


def test_receive_outside_scope_or_for_an_archived_organisation_is_refused(cast):
    before = state()
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        demand_receive(
            actor=cast.outsider, organisation=cast.branch_a, channel="visit", category=category(), content="x"
        )
    cast.branch_a.is_archived = True  # (in memory only: the action must look at the flag)
    with pytest.raises(ValidationError, match="已撤销"):
        receive(cast)
    assert state() == before


# Assigning ----------------------------------------------------------------------------------------------------


def test_assign_to_a_person_then_reassign_to_a_team(cast):
    demand = receive(cast)
    demand = demand_assign(actor=cast.secretary, demand=demand, person=cast.member_person)
    assert demand.state == Demand.State.ASSIGNED and demand.assigned_person == cast.member_person
    team = team_of_a(cast)
    demand = demand_assign(actor=cast.secretary, demand=demand, team=team)
    demand.refresh_from_db()
    assert demand.assigned_team == team and demand.assigned_person is None
    assert AuditEvent.objects.filter(action="demand.assign", object_id=str(demand.pk)).count() == 2


@pytest.mark.parametrize("which", ["neither", "both"])
def test_assign_needs_exactly_one_assignee(cast, which):
    demand = receive(cast)
    team = team_of_a(cast)
    before = state()
    kwargs = {} if which == "neither" else {"person": cast.member_person, "team": team}
    with pytest.raises(ValidationError, match="二选一"):
        demand_assign(actor=cast.secretary, demand=demand, **kwargs)
    assert state() == before


def test_assign_to_someone_outside_the_scope_is_refused(cast):
    demand = receive(cast)
    team_b = team_actions.team_create(actor=None, name="乙支部分队", level=Team.Level.SQUAD, organisation=cast.branch_b)
    before = state()
    with pytest.raises(ValidationError, match="承办人不在您的管理范围内"):
        demand_assign(actor=cast.secretary, demand=demand, person=cast.person_b)
    with pytest.raises(ValidationError, match="服务队不在您的管理范围内"):
        demand_assign(actor=cast.secretary, demand=demand, team=team_b)
    # …and the outsider may not act on branch A's demand at all
    with pytest.raises(ValidationError, match="该群众需求不在您的管理范围内"):
        demand_assign(actor=cast.outsider, demand=demand, person=cast.person_b)
    assert state() == before
    # the committee covers both branches: it may hand A's demand to a member of B
    assert demand_assign(actor=cast.committee, demand=demand, person=cast.person_b).assigned_person == cast.person_b


def test_assign_after_done_is_refused(cast):
    demand = done(cast)
    before = state()
    with pytest.raises(ValidationError, match=r"已办结.*不能交办"):
        demand_assign(actor=cast.secretary, demand=demand, person=cast.person_a)
    assert state() == before


# Completing ---------------------------------------------------------------------------------------------------


def test_complete_records_the_result(cast):
    demand = assigned(cast, received_on=timezone.localdate() - 3 * DAY)
    demand = demand_complete(actor=cast.secretary, demand=demand, result=" 已上门维修 ", done_on=timezone.localdate())
    demand.refresh_from_db()
    assert demand.state == Demand.State.DONE and demand.result == "已上门维修"
    assert demand.done_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="demand.complete", object_id=str(demand.pk)).exists()


def test_complete_before_assigning_is_refused(cast):
    demand = receive(cast)
    before = state()
    with pytest.raises(ValidationError, match=r"已受理.*请先交办"):
        demand_complete(actor=cast.secretary, demand=demand, result="办了", done_on=timezone.localdate())
    assert state() == before


@pytest.mark.parametrize(
    ("result", "offset", "message"),
    [("", 0, "请填写办理结果"), ("办了", 1, "不能晚于今天"), ("办了", -10, "不能早于受理日期")],
)
def test_complete_refuses_bad_input(cast, result, offset, message):
    demand = assigned(cast, received_on=timezone.localdate() - 2 * DAY)
    before = state()
    with pytest.raises(ValidationError, match=message):
        demand_complete(actor=cast.secretary, demand=demand, result=result, done_on=timezone.localdate() + offset * DAY)
    assert state() == before


def test_complete_by_the_outsider_or_twice_is_refused(cast):
    demand = assigned(cast)
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        demand_complete(actor=cast.outsider, demand=demand, result="办了", done_on=timezone.localdate())
    demand_complete(actor=cast.secretary, demand=demand, result="办了", done_on=timezone.localdate())
    before = state()
    with pytest.raises(ValidationError, match="已办结"):
        demand_complete(actor=cast.secretary, demand=demand, result="又办了", done_on=timezone.localdate())
    assert state() == before


# Calling back -------------------------------------------------------------------------------------------------


def test_call_back_closes_the_demand(cast):
    demand = done(cast)
    demand = demand_call_back(
        actor=cast.secretary,
        demand=demand,
        callback_on=timezone.localdate(),
        satisfaction=Demand.Satisfaction.SATISFIED,
        note="电话回访，群众满意",
    )
    demand.refresh_from_db()
    assert demand.state == Demand.State.CALLED_BACK
    assert demand.satisfaction == "satisfied" and demand.callback_note == "电话回访，群众满意"
    assert AuditEvent.objects.filter(action="demand.call_back", object_id=str(demand.pk)).exists()


def test_call_back_before_the_result_is_refused(cast):
    demand = assigned(cast)
    before = state()
    with pytest.raises(ValidationError, match=r"已交办.*请先登记办理结果"):
        demand_call_back(
            actor=cast.secretary, demand=demand, callback_on=timezone.localdate(), satisfaction="satisfied"
        )
    assert state() == before


@pytest.mark.parametrize(
    ("satisfaction", "offset", "message"),
    [
        ("", 0, "请选择群众满意度"),
        ("ecstatic", 0, "请选择群众满意度"),
        ("basic", 1, "不能晚于今天"),
        ("basic", -2, "不能早于办结日期"),
    ],
)
def test_call_back_refuses_bad_input(cast, satisfaction, offset, message):
    demand = done(cast)
    before = state()
    with pytest.raises(ValidationError, match=message):
        demand_call_back(
            actor=cast.secretary,
            demand=demand,
            callback_on=timezone.localdate() + offset * DAY,
            satisfaction=satisfaction,
        )
    assert state() == before


def test_call_back_twice_is_refused(cast):
    demand = done(cast)
    demand_call_back(actor=cast.secretary, demand=demand, callback_on=timezone.localdate(), satisfaction="basic")
    before = state()
    with pytest.raises(ValidationError, match="已回访"):
        demand_call_back(actor=cast.secretary, demand=demand, callback_on=timezone.localdate(), satisfaction="basic")
    assert state() == before


# Derived flags ------------------------------------------------------------------------------------------------


def _flags(cast, demand: Demand) -> tuple[bool, bool]:
    row = demand_list_for_user(user=cast.secretary).get(pk=demand.pk)
    return row.is_overdue, row.is_unmet


def test_open_past_the_deadline_is_overdue(cast):
    today = timezone.localdate()
    late = receive(cast, received_on=today - 30 * DAY)
    fresh = receive(cast)
    late_assigned = assigned(cast, received_on=today - 30 * DAY)
    assert _flags(cast, late)[0] and _flags(cast, late_assigned)[0]
    assert not _flags(cast, fresh)[0]
    status = demand_deadline_status(demand=late)
    assert status.days_overdue == (today - late.deadline).days > 0
    assert demand_deadline_status(demand=fresh, today=fresh.received_on).working_days_left == 5


def test_done_after_the_deadline_stays_overdue_done_in_time_does_not(cast):
    today = timezone.localdate()
    received_on = today - 30 * DAY
    late = done(cast, received_on=received_on, done_on=today)
    in_time = done(cast, received_on=received_on, done_on=received_on + DAY)
    assert _flags(cast, late)[0] and not _flags(cast, in_time)[0]
    called_back = demand_call_back(actor=cast.secretary, demand=late, callback_on=today, satisfaction="basic")
    assert _flags(cast, called_back)[0]


def test_the_list_puts_overdue_first_then_by_deadline(cast):
    today = timezone.localdate()
    soon = receive(cast, received_on=today - 2 * DAY, content="近")
    later = receive(cast, received_on=today, content="远")
    overdue_old = receive(cast, received_on=today - 40 * DAY, content="老逾期")
    overdue_new = receive(cast, received_on=today - 20 * DAY, content="新逾期")
    done_late = done(cast, received_on=today - 30 * DAY, done_on=today, content="办结逾期")
    order = list(demand_list_for_user(user=cast.secretary).values_list("pk", flat=True))
    # open overdue by deadline, then the one done late, then the rest by deadline
    assert order == [overdue_old.pk, overdue_new.pk, done_late.pk, soon.pk, later.pk]


def test_unmet_when_nobody_in_the_subtree_has_the_skill(cast):
    demand = receive(cast, code="appliance")  # needs 家电维修
    no_skill_needed = receive(cast, code="environment")
    assert _flags(cast, demand)[1] and not _flags(cast, no_skill_needed)[1]
    skill = Skill.objects.get(name="家电维修")
    # someone in branch B has it: not in A's subtree, still unmet
    team_actions.person_skills_set(actor=None, person=cast.person_b, skills=[skill])
    assert _flags(cast, demand)[1]
    # a member of a party group under A has it: met
    group = member(cast.branch_a, name="甲技工")
    team_actions.person_skills_set(actor=None, person=group, skills=[skill])
    assert not _flags(cast, demand)[1]


def test_a_demand_of_the_committee_is_met_by_anyone_beneath_it(cast):
    demand = demand_receive(
        actor=cast.committee, organisation=cast.committee_org, channel="visit", category=category(), content="x"
    )
    assert demand_list_for_user(user=cast.committee).get(pk=demand.pk).is_unmet
    team_actions.person_skills_set(actor=None, person=cast.person_b, skills=[Skill.objects.get(name="家电维修")])
    assert not demand_list_for_user(user=cast.committee).get(pk=demand.pk).is_unmet
