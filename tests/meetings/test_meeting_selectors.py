"""Meeting reads: scope (who sees which meetings), 我的组织生活, and the cadence table with pinned dates."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from meetings import actions, selectors
from meetings.models import Meeting, MeetingAttendance
from tests.meetings.conftest import plan

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_managers_see_their_subtree_members_only_their_own(cast):
    a = plan(cast.branch_a)
    b = plan(cast.branch_b)
    committee_a = plan(cast.branch_a, kind=Meeting.Kind.COMMITTEE)
    assert set(selectors.meeting_list_for_user(user=cast.secretary)) == {a, committee_a}
    assert set(selectors.meeting_list_for_user(user=cast.committee)) == {a, b, committee_a}
    assert set(selectors.meeting_list_for_user(user=cast.orgadmin)) == {a, b, committee_a}
    assert set(selectors.meeting_list_for_user(user=cast.outsider)) == {b}
    # the member was expected at the 党员大会, not at the committee's meeting
    assert list(selectors.meeting_list_for_user(user=cast.member)) == [a]
    assert selectors.meeting_get_for_user(user=cast.member, pk=a.pk) == a
    with pytest.raises(Http404):
        selectors.meeting_get_for_user(user=cast.member, pk=committee_a.pk)
    with pytest.raises(Http404):
        selectors.meeting_get_for_user(user=cast.outsider, pk=a.pk)


def test_list_counts_present_and_expected(cast):
    meeting = plan(cast.branch_a)
    actions.attendance_record(
        actor=None,
        meeting=meeting,
        marks=[actions.AttendanceMark(cast.member_person.pk, MeetingAttendance.Status.PRESENT)],
    )
    row = selectors.meeting_list_for_user(user=cast.secretary).get(pk=meeting.pk)
    assert (row.present_count, row.expected_count) == (1, 3)


def test_my_attendances_are_the_members_own(cast):
    mine = plan(cast.branch_a)
    plan(cast.branch_b)
    rows = list(selectors.my_attendances(user=cast.member))
    assert [(row.meeting, row.person) for row in rows] == [(mine, cast.member_person)]
    assert list(selectors.my_attendances(user=cast.orgadmin)) == []  # no person of their own


def _held(organisation, kind, day: datetime.date, **fields) -> Meeting:
    meeting = actions.meeting_plan(
        actor=None,
        organisation=organisation,
        kind=kind,
        topic="会",
        place="室",
        starts_at=datetime.datetime.combine(day, datetime.time(19, 30), tzinfo=SHANGHAI),
        **fields,
    )
    return actions.meeting_hold(actor=None, meeting=meeting, minutes="纪要")


def _statuses(rows, kind) -> list[str]:
    return [period.status for period in next(row for row in rows if row.kind == kind).periods]


def test_cadence_per_kind_and_period(cast):
    Kind = Meeting.Kind
    _held(cast.branch_a, Kind.COMMITTEE, datetime.date(2026, 1, 10))
    _held(cast.branch_a, Kind.COMMITTEE, datetime.date(2026, 3, 31))  # late in the evening, still March locally
    _held(cast.branch_a, Kind.GENERAL, datetime.date(2026, 2, 1))
    _held(cast.branch_b, Kind.COMMITTEE, datetime.date(2026, 2, 10))  # another branch's: not counted
    _held(cast.branch_a, Kind.COMMITTEE, datetime.date(2025, 2, 10))  # another year's: not counted
    actions.meeting_plan(  # planned, never held: not counted
        actor=None,
        organisation=cast.branch_a,
        kind=Kind.COMMITTEE,
        topic="计划",
        place="室",
        starts_at=datetime.datetime(2026, 4, 8, 9, tzinfo=SHANGHAI),
    )
    rows = selectors.meeting_cadence(organisation=cast.branch_a, year=2026, today=datetime.date(2026, 5, 15))
    on, missed, due, future = "on_time", "missed", "due", "future"
    assert _statuses(rows, Kind.COMMITTEE) == [on, missed, on, missed, due] + [future] * 7
    assert _statuses(rows, Kind.GENERAL) == [on, due, future, future]
    assert _statuses(rows, Kind.LIFE) == [due]
    committee = next(row for row in rows if row.kind == Kind.COMMITTEE)
    assert (committee.on_time, committee.due) == (2, 5)
    assert [row.label for row in rows] == ["支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会"]
    # a past year: every period without a meeting is 未按期
    last_year = selectors.meeting_cadence(organisation=cast.branch_a, year=2025, today=datetime.date(2026, 5, 15))
    assert _statuses(last_year, Kind.COMMITTEE) == [missed, on] + [missed] * 10


def test_cadence_is_one_query(cast, django_assert_num_queries):
    _held(cast.branch_a, Meeting.Kind.GENERAL, datetime.date(2026, 2, 1))
    with django_assert_num_queries(1):
        selectors.meeting_cadence(organisation=cast.branch_a, year=2026, today=datetime.date(2026, 5, 15))


def test_cadence_counts_the_party_groups_meetings_for_the_branch(cast):
    from tests.factories import OrganisationFactory, member

    group = OrganisationFactory(name="第一党小组", kind="party_group", parent=cast.branch_a)
    member(group, name="小组党员")
    _held(group, Meeting.Kind.GROUP, datetime.date(2026, 1, 12))
    _held(group, Meeting.Kind.THEME_DAY, datetime.date(2026, 1, 12))  # only 党小组会 counts from below
    rows = selectors.meeting_cadence(organisation=cast.branch_a, year=2026, today=datetime.date(2026, 2, 15))
    assert _statuses(rows, Meeting.Kind.GROUP)[:2] == ["on_time", "due"]
    assert _statuses(rows, Meeting.Kind.THEME_DAY)[:2] == ["missed", "due"]
