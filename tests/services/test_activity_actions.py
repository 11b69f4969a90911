"""Activity lifecycle, participation and hours rules, through the actions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEvent
from services import actions, selectors
from services.models import Activity, ActivityCategory, HoursEntry, Participation

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _activity(
    cast, *, start_in: datetime.timedelta = -HOUR, length: datetime.timedelta = 3 * HOUR, **extra
) -> Activity:
    now = timezone.now()
    return actions.activity_create(
        actor=cast.secretary,
        title="便民理发",
        category=ActivityCategory.objects.get(code="convenience"),
        place="社区活动室",
        starts_at=now + start_in,
        ends_at=now + start_in + length,
        organisation=cast.branch_a,
        **extra,
    )


def _published(cast, **kwargs) -> Activity:
    activity = _activity(cast, **kwargs)
    return actions.activity_publish(actor=cast.secretary, activity=activity)


def test_create_rules(cast):
    now = timezone.now()
    category = ActivityCategory.objects.get(code="health")
    base = {"title": "义诊", "category": category, "place": "卫生站", "organisation": cast.branch_a}
    with pytest.raises(ValidationError, match="结束时间必须晚于开始时间"):
        actions.activity_create(actor=cast.secretary, starts_at=now, ends_at=now, **base)
    with pytest.raises(ValidationError, match="管理范围"):
        actions.activity_create(actor=cast.outsider, starts_at=now, ends_at=now + HOUR, **base)
    assert not Activity.objects.exists()
    activity = actions.activity_create(actor=cast.secretary, starts_at=now, ends_at=now + HOUR, **base)
    assert activity.state == Activity.State.DRAFT
    assert AuditEvent.objects.filter(action="activity.create", object_id=str(activity.pk)).exists()


def test_lifecycle_transitions_and_their_rules(cast):
    future = _activity(cast, start_in=24 * HOUR)
    with pytest.raises(ValidationError, match="只有已结束（或已过结束时间）的活动可以关闭"):
        actions.activity_close(actor=cast.secretary, activity=future)
    actions.activity_publish(actor=cast.secretary, activity=future)
    with pytest.raises(ValidationError):
        actions.activity_publish(actor=cast.secretary, activity=future)
    with pytest.raises(ValidationError, match="尚未开始"):
        actions.activity_end(actor=cast.secretary, activity=future)
    with pytest.raises(ValidationError, match="开始后才能登记出勤"):
        actions.attendance_record(actor=cast.secretary, activity=future, marks={})
    with pytest.raises(ValidationError, match="取消原因"):
        actions.activity_cancel(actor=cast.secretary, activity=future, reason=" ")
    actions.activity_cancel(actor=cast.secretary, activity=future, reason="天气原因")
    future.refresh_from_db()
    assert future.state == Activity.State.CANCELLED and future.cancel_reason == "天气原因"


def test_no_close_without_attendance_and_not_with_unmarked_people(cast):
    activity = _published(cast)
    participation = actions.participation_sign_up(actor=cast.member, activity=activity)
    actions.activity_end(actor=cast.secretary, activity=activity)
    with pytest.raises(ValidationError, match="未登记出勤"):
        actions.activity_close(actor=cast.secretary, activity=activity)
    actions.attendance_record(actor=cast.secretary, activity=activity, marks={participation.pk: (False, None)})
    with pytest.raises(ValidationError, match="没有出勤记录"):
        actions.activity_close(actor=cast.secretary, activity=activity)
    actions.attendance_record(actor=cast.secretary, activity=activity, marks={participation.pk: (True, None)})
    closed = actions.activity_close(actor=cast.secretary, activity=activity, served_people=40, served_households=12)
    assert (closed.state, closed.served_people, closed.served_households) == (Activity.State.CLOSED, 40, 12)


def test_sign_up_capacity_withdraw_and_state_rules(cast):
    activity = _published(cast, start_in=2 * HOUR, capacity=1)
    participation = actions.participation_sign_up(actor=cast.member, activity=activity)
    with pytest.raises(ValidationError, match="已报名"):
        actions.participation_sign_up(actor=cast.member, activity=activity)
    with pytest.raises(ValidationError, match="名额已满"):
        actions.participation_sign_up(actor=cast.secretary, activity=activity)
    actions.participation_withdraw(actor=cast.member, participation=participation)
    again = actions.participation_sign_up(actor=cast.secretary, activity=activity)
    assert again.person == cast.secretary_person
    with pytest.raises(ValidationError, match="名额不能少于"):
        actions.activity_update(actor=cast.secretary, activity=activity, capacity=0)
    draft = _activity(cast, start_in=2 * HOUR)
    with pytest.raises(ValidationError, match="只有已发布的活动可以报名"):
        actions.participation_sign_up(actor=cast.member, activity=draft)


def test_withdraw_is_refused_after_the_start(cast):
    activity = _published(cast)
    participation = actions.participation_sign_up(actor=cast.member, activity=activity)
    with pytest.raises(ValidationError, match="已开始"):
        actions.participation_withdraw(actor=cast.member, participation=participation)


NOON = datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC)
NOT_HELD = "只有已发布或已结束的活动可以登记出勤。"


@pytest.mark.parametrize(
    ("state", "started", "problem"),
    [
        (Activity.State.PUBLISHED, True, None),
        (Activity.State.ENDED, True, None),
        (Activity.State.PUBLISHED, False, "活动开始后才能登记出勤。"),
        (Activity.State.DRAFT, True, NOT_HELD),
        (Activity.State.CLOSED, True, NOT_HELD),
        (Activity.State.CANCELLED, True, NOT_HELD),
    ],
)
def test_attendance_record_problem_is_the_rule_the_sheet_shows_and_the_action_applies(state, started, problem):
    """The one statement of when attendance may be recorded: the sheet disables its buttons when it names a
    problem, attendance_record refuses with it."""
    starts_at = NOON - datetime.timedelta(hours=1 if started else -1)
    activity = Activity(state=state, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2))
    assert actions.attendance_record_problem(activity, now=NOON) == problem


def test_attendance_defaults_to_the_activity_length_and_hours_need_approval(cast):
    activity = _published(cast, length=datetime.timedelta(hours=2, minutes=30))
    participation = actions.participation_sign_up(actor=cast.member, activity=activity)
    actions.attendance_record(actor=cast.secretary, activity=activity, marks={participation.pk: (True, None)})
    entry = HoursEntry.objects.get(participation=participation)
    assert (entry.hours, entry.state) == (Decimal("2.5"), HoursEntry.State.PENDING)
    assert selectors.person_hours(person_id=cast.member_person.pk) == 0  # pending hours do not count
    assert actions.hours_approve(actor=cast.secretary, entries=[entry]) == 1
    assert actions.hours_approve(actor=cast.secretary, entries=[entry]) == 0  # twice changes nothing
    assert selectors.person_hours(person_id=cast.member_person.pk) == Decimal("2.5")


def test_approved_hours_are_never_edited_a_correction_is_a_new_entry(cast):
    activity = _published(cast)
    participation = actions.participation_sign_up(actor=cast.member, activity=activity)
    actions.attendance_record(actor=cast.secretary, activity=activity, marks={participation.pk: (True, Decimal(3))})
    entry = HoursEntry.objects.get(participation=participation)
    actions.hours_approve(actor=cast.secretary, entries=[entry])
    with pytest.raises(ValidationError, match="已审核"):
        actions.attendance_record(actor=cast.secretary, activity=activity, marks={participation.pk: (True, Decimal(5))})
    with pytest.raises(ValidationError, match="说明更正原因"):
        actions.hours_correct(actor=cast.secretary, entry=entry, corrected_total=Decimal(2), note="")
    correction = actions.hours_correct(
        actor=cast.secretary, entry=entry, corrected_total=Decimal(2), note="实际只服务两小时"
    )
    entry.refresh_from_db()
    assert entry.hours == Decimal(3) and entry.state == HoursEntry.State.APPROVED  # untouched
    assert correction.hours == Decimal(-1) and correction.corrects == entry
    actions.hours_approve(actor=cast.secretary, entries=[correction])
    assert selectors.person_hours(person_id=cast.member_person.pk) == Decimal(2)


def test_nobody_approves_their_own_hours_and_outsiders_approve_nothing(cast):
    activity = _published(cast)
    own = actions.participation_sign_up(actor=cast.secretary, activity=activity)
    actions.attendance_record(actor=cast.secretary, activity=activity, marks={own.pk: (True, None)})
    entry = HoursEntry.objects.get(participation=own)
    with pytest.raises(ValidationError, match="本人"):
        actions.hours_approve(actor=cast.secretary, entries=[entry])
    with pytest.raises(ValidationError, match="管理范围"):
        actions.hours_approve(actor=cast.outsider, entries=[entry])
    entry.refresh_from_db()
    assert entry.state == HoursEntry.State.PENDING
    assert actions.hours_approve(actor=cast.committee, entries=[entry]) == 1


def test_walk_in_is_attended_with_pending_hours(cast):
    activity = _published(cast)
    participation = actions.participation_walk_in(actor=cast.secretary, activity=activity, person=cast.person_a)
    assert participation.walk_in and participation.state == Participation.State.ATTENDED
    assert participation.hours_entries.get().state == HoursEntry.State.PENDING
    with pytest.raises(ValidationError, match="管理范围"):
        actions.participation_walk_in(actor=cast.secretary, activity=activity, person=cast.person_b)


def test_checker_finds_overlaps_long_days_and_late_entries(cast):
    # Yesterday 09:00–13:00 and 11:00–13:00 local time: one calendar day, whatever the hour the test runs.
    yesterday_nine = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - 24 * HOUR
    since_nine = yesterday_nine - timezone.now()
    first = _published(cast, start_in=since_nine, length=4 * HOUR)
    second = _published(cast, start_in=since_nine + 2 * HOUR, length=2 * HOUR)  # overlaps the first
    for activity, hours in ((first, Decimal(8)), (second, Decimal(6))):
        actions.participation_walk_in(actor=cast.secretary, activity=activity, person=cast.member_person, hours=hours)
    HoursEntry.objects.filter(participation__activity=second).update(
        created_at=second.ends_at + datetime.timedelta(days=31)
    )
    found = selectors.suspicious_hours_for_user(user=cast.secretary)
    assert {p.activity_id for p in found["overlaps"]} == {first.pk, second.pk}
    assert [row["total"] for row in found["long_days"]] == [Decimal(14)]
    assert [entry.participation.activity_id for entry in found["late_entries"]] == [second.pk]
    assert selectors.suspicious_hours_for_user(user=cast.outsider) == {
        "overlaps": [],
        "long_days": [],
        "late_entries": [],
    }
