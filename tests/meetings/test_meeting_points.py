"""党员积分 from organisational life (DOMAIN §9): +1 per meeting attended (at most 5 a month), −1 for 缺席 without
leave, nothing for 请假; settled with the other rules, twice changes nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from evaluations.actions.points import points_settle
from evaluations.models import PointsEntry, PointsRule, PointsRuleSet
from meetings import actions
from meetings.models import Meeting, MeetingAttendance

pytestmark = pytest.mark.django_db
Status = MeetingAttendance.Status
Code = PointsRule.Code
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _meeting(cast, day: datetime.date, marks: dict, *, hold: bool = True) -> Meeting:
    meeting = actions.meeting_plan(
        actor=None,
        organisation=cast.branch_a,
        kind=Meeting.Kind.THEME_DAY,
        topic="主题党日",
        place="活动室",
        starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI),
    )
    actions.attendance_record(
        actor=None,
        meeting=meeting,
        marks=[actions.AttendanceMark(person.pk, status) for person, status in marks.items()],
    )
    return actions.meeting_hold(actor=None, meeting=meeting) if hold else meeting


def _meeting_points(person) -> list[tuple[str, int]]:
    return list(
        PointsEntry.objects.filter(person=person, source_type=PointsEntry.Source.MEETING)
        .order_by("date", "pk")
        .values_list("rule__code", "points")
    )


def test_attended_absent_and_leave(cast):
    _meeting(
        cast,
        datetime.date(2026, 3, 10),
        {cast.member_person: Status.PRESENT, cast.person_a: Status.ABSENT, cast.secretary_person: Status.LEAVE},
    )
    _meeting(cast, datetime.date(2026, 3, 20), {cast.member_person: Status.PRESENT}, hold=False)  # not held: nothing
    counts = points_settle(year=2026, until=datetime.date(2026, 12, 8))
    assert (counts[Code.MEETING_ATTENDED], counts[Code.MEETING_ABSENT]) == (1, 1)
    assert _meeting_points(cast.member_person) == [(Code.MEETING_ATTENDED, 1)]
    assert _meeting_points(cast.person_a) == [(Code.MEETING_ABSENT, -1)]
    assert _meeting_points(cast.secretary_person) == []
    again = points_settle(year=2026, until=datetime.date(2026, 12, 8))
    assert (again[Code.MEETING_ATTENDED], again[Code.MEETING_ABSENT]) == (0, 0)
    assert PointsEntry.objects.filter(source_type=PointsEntry.Source.MEETING).count() == 2


def test_at_most_five_a_month(cast):
    for day in range(1, 8):
        _meeting(cast, datetime.date(2026, 4, day), {cast.member_person: Status.PRESENT})
    _meeting(cast, datetime.date(2026, 5, 2), {cast.member_person: Status.PRESENT})
    points_settle(year=2026, until=datetime.date(2026, 12, 8))
    points = _meeting_points(cast.member_person)
    assert sum(p for _code, p in points) == 6  # 5 in April (the cap), 1 in May


def test_a_rule_set_older_than_the_rules_pays_nothing_for_them(cast):
    rule_set = PointsRuleSet.objects.create(year=2026, version=1, is_current=True, note="旧规则")
    PointsRule.objects.create(rule_set=rule_set, code=Code.BASE, points=60)
    _meeting(cast, datetime.date(2026, 3, 10), {cast.member_person: Status.PRESENT})
    points_settle(year=2026, until=datetime.date(2026, 12, 8))
    assert _meeting_points(cast.member_person) == []
    assert PointsEntry.objects.filter(person=cast.member_person, rule__code=Code.BASE).exists()
