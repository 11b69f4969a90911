"""Follow-up actions: working-day deadlines (with a holiday and a make-up workday), every state change and its
rule (order, a callback before closing, dates, required text, scope; nothing written on refusal), and the derived
overdue flag with the list's order."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.actions import reference_row_save
from branches.models import CalendarDay
from evaluations.actions.follow_ups import follow_up_call_back, follow_up_close, follow_up_rectify
from evaluations.models import FollowUp
from evaluations.selectors.follow_ups import follow_up_deadline_status, follow_up_list_for_user
from portal.models import AuditEvent
from tests.evaluations.conftest import activity, bad_follow_up, local, rate

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def calendar_day(day: datetime.date, kind: str, name: str) -> None:
    reference_row_save(actor=None, instance=CalendarDay(date=day, kind=kind, name=name), changed=["date", "kind"])


def state() -> tuple:
    """Everything the follow-up actions could write."""
    return (
        list(
            FollowUp.objects.order_by("pk").values_list(
                "pk", "state", "callback_on", "callback_note", "rectification", "rectified_on", "upheld", "closed_on"
            )
        ),
        AuditEvent.objects.filter(action__startswith="follow_up.").count(),
    )


def refused(message_part: str, action, **kwargs) -> None:
    before = state()
    with pytest.raises(ValidationError) as error:
        action(**kwargs)
    assert message_part in " ".join(error.value.messages)
    assert state() == before


def called_back(cast, follow_up: FollowUp, on: datetime.date | None = None) -> FollowUp:
    return follow_up_call_back(
        actor=cast.secretary, follow_up=follow_up, callback_on=on or timezone.localdate(), note="电话联系，已致歉"
    )


def rectified(cast, follow_up: FollowUp, upheld: bool = True) -> FollowUp:
    return follow_up_rectify(
        actor=cast.secretary,
        follow_up=called_back(cast, follow_up),
        rectification="调整排队方式，增加一名志愿者",
        rectified_on=timezone.localdate(),
        upheld=upheld,
    )


# Deadlines --------------------------------------------------------------------------------------------------


def test_due_in_15_working_days_skipping_holidays_and_counting_the_make_up_workday(cast):
    # National Day 2024: 1–7 October off, Sunday 29 September worked. Fixed past dates: independent of today.
    for offset in range(7):
        calendar_day(datetime.date(2024, 10, 1) + offset * DAY, CalendarDay.Kind.HOLIDAY, "国庆节")
    calendar_day(datetime.date(2024, 9, 29), CalendarDay.Kind.WORKDAY, "国庆调休")
    friday = datetime.date(2024, 9, 27)
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a), at=local(friday))
    # Sun 29 (1), Mon 30 (2), [1–7 off], 8–11 (3–6), 14–18 (7–11), 21–24 (12–15)
    assert follow_up.due_on == datetime.date(2024, 10, 24)
    assert follow_up.assignee == cast.secretary and follow_up.organisation == cast.branch_a


def test_without_calendar_15_weekdays_from_the_local_rating_date(cast):
    subject = activity(cast, organisation=cast.branch_a)
    # 00:30 on Friday in Shanghai is still Thursday in UTC: the local date counts.
    friday_early = local(datetime.date(2024, 9, 27), hour=0) + datetime.timedelta(minutes=30)
    assert bad_follow_up(subject, at=friday_early).due_on == datetime.date(2024, 10, 18)
    thursday_late = local(datetime.date(2024, 9, 26), hour=23)
    assert bad_follow_up(subject, at=thursday_late).due_on == datetime.date(2024, 10, 17)


def test_only_bad_ratings_open_a_follow_up(cast):
    subject = activity(cast, organisation=cast.branch_a)
    for level in (5, 4, 3):
        rate(subject, level)
    rate(subject, 2)
    rate(subject, 1)
    assert sorted(FollowUp.objects.values_list("rating__level", flat=True)) == [1, 2]


def test_deadline_status_counts_working_days_left_or_days_overdue(cast):
    subject = activity(cast, organisation=cast.branch_a)
    fresh = bad_follow_up(subject)
    status = follow_up_deadline_status(follow_up=fresh)
    assert status.days_overdue is None and 10 <= status.working_days_left <= 15
    old = bad_follow_up(subject, at=timezone.now() - 40 * DAY)
    assert follow_up_deadline_status(follow_up=old).days_overdue == (timezone.localdate() - old.due_on).days > 0


# State changes ----------------------------------------------------------------------------------------------


def test_call_back_rectify_close_in_order_each_audited(cast):
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    today = timezone.localdate()

    follow_up = follow_up_call_back(actor=cast.secretary, follow_up=follow_up, callback_on=today, note="  已致歉 ")
    assert (follow_up.state, follow_up.callback_on, follow_up.callback_note) == ("called_back", today, "已致歉")

    follow_up = follow_up_rectify(
        actor=cast.secretary, follow_up=follow_up, rectification="增加志愿者", rectified_on=today, upheld=False
    )
    assert (follow_up.state, follow_up.upheld, follow_up.rectification) == ("rectified", False, "增加志愿者")

    follow_up = follow_up_close(actor=cast.secretary, follow_up=follow_up, closing_note="群众认可", closed_on=today)
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.closed_on, follow_up.closing_note) == ("closed", today, "群众认可")
    events = AuditEvent.objects.filter(object_id=str(follow_up.pk), action__startswith="follow_up.")
    assert list(events.order_by("pk").values_list("action", "actor")) == [
        ("follow_up.open", None),
        ("follow_up.call_back", cast.secretary.pk),
        ("follow_up.rectify", cast.secretary.pk),
        ("follow_up.close", cast.secretary.pk),
    ]
    assert events.get(action="follow_up.close").changes["state"] == ["rectified", "closed"]


def test_steps_out_of_order_are_refused_and_change_nothing(cast):
    today = timezone.localdate()
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    s = cast.secretary
    rectify = {"rectification": "整改", "rectified_on": today, "upheld": True}
    refused("请先回访", follow_up_rectify, actor=s, follow_up=follow_up, **rectify)
    # every 差评 gets its callback before it is closed
    refused("须先回访", follow_up_close, actor=s, follow_up=follow_up, closing_note="结", closed_on=today)
    follow_up = called_back(cast, follow_up)
    refused("不能登记回访", follow_up_call_back, actor=s, follow_up=follow_up, callback_on=today, note="再回访")
    refused("请先登记整改", follow_up_close, actor=s, follow_up=follow_up, closing_note="结", closed_on=today)
    follow_up = follow_up_rectify(actor=s, follow_up=follow_up, **rectify)
    refused("不能登记整改", follow_up_rectify, actor=s, follow_up=follow_up, **rectify)
    follow_up = follow_up_close(actor=s, follow_up=follow_up, closing_note="结", closed_on=today)
    refused("已办结", follow_up_close, actor=s, follow_up=follow_up, closing_note="再结", closed_on=today)


def test_text_is_required_and_bounded(cast):
    today = timezone.localdate()
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    s = cast.secretary
    refused("请填写回访情况", follow_up_call_back, actor=s, follow_up=follow_up, callback_on=today, note="   ")
    refused("不能超过 500 字", follow_up_call_back, actor=s, follow_up=follow_up, callback_on=today, note="长" * 501)
    follow_up = called_back(cast, follow_up)
    refused(
        "请填写整改措施",
        follow_up_rectify,
        actor=s,
        follow_up=follow_up,
        rectification="",
        rectified_on=today,
        upheld=True,
    )
    refused(
        "是否属实",
        follow_up_rectify,
        actor=s,
        follow_up=follow_up,
        rectification="整改",
        rectified_on=today,
        upheld=None,
    )
    follow_up = follow_up_rectify(actor=s, follow_up=follow_up, rectification="整改", rectified_on=today, upheld=True)
    refused("请填写办结说明", follow_up_close, actor=s, follow_up=follow_up, closing_note="", closed_on=today)


def test_dates_are_neither_in_the_future_nor_before_the_previous_step(cast):
    today = timezone.localdate()
    rated_on = today - 10 * DAY
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a), at=local(rated_on))
    s = cast.secretary
    refused("不能晚于今天", follow_up_call_back, actor=s, follow_up=follow_up, callback_on=today + DAY, note="回访")
    refused(
        "不能早于评价日期", follow_up_call_back, actor=s, follow_up=follow_up, callback_on=rated_on - DAY, note="回访"
    )
    refused("请填写回访日期", follow_up_call_back, actor=s, follow_up=follow_up, callback_on=None, note="回访")
    follow_up = called_back(cast, follow_up, on=rated_on + 2 * DAY)  # the rating's own date + 2 is fine
    refused(
        "不能早于回访日期",
        follow_up_rectify,
        actor=s,
        follow_up=follow_up,
        rectification="整改",
        rectified_on=rated_on + DAY,
        upheld=True,
    )
    follow_up = follow_up_rectify(
        actor=s, follow_up=follow_up, rectification="整改", rectified_on=rated_on + 5 * DAY, upheld=True
    )
    refused(
        "不能早于整改日期",
        follow_up_close,
        actor=s,
        follow_up=follow_up,
        closing_note="结",
        closed_on=rated_on + 4 * DAY,
    )
    refused("不能晚于今天", follow_up_close, actor=s, follow_up=follow_up, closing_note="结", closed_on=today + DAY)


def test_only_those_who_manage_the_organisation_may_act(cast):
    today = timezone.localdate()
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    for outsider in (cast.outsider, cast.member):
        refused(
            "不在您的管理范围内",
            follow_up_call_back,
            actor=outsider,
            follow_up=follow_up,
            callback_on=today,
            note="回访",
        )
    # the level above may act for the branch
    follow_up = follow_up_call_back(actor=cast.committee, follow_up=follow_up, callback_on=today, note="区委回访")
    assert follow_up.state == FollowUp.State.CALLED_BACK
    refused(
        "不在您的管理范围内",
        follow_up_rectify,
        actor=cast.outsider,
        follow_up=follow_up,
        rectification="整改",
        rectified_on=today,
        upheld=True,
    )


def test_a_stale_copy_cannot_skip_a_step(cast):
    """The action reads the locked row, not the caller's copy: a copy from before someone else's callback still
    sees the callback, and the one from before the follow-up was closed cannot close it twice."""
    today = timezone.localdate()
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    stale = FollowUp.objects.get(pk=follow_up.pk)
    called_back(cast, follow_up)
    refused("不能登记回访", follow_up_call_back, actor=cast.secretary, follow_up=stale, callback_on=today, note="再")


# Overdue and the list's order --------------------------------------------------------------------------------


def test_overdue_is_derived_and_the_list_puts_open_and_overdue_first(cast):
    subject = activity(cast, organisation=cast.branch_a)
    now, today = timezone.now(), timezone.localdate()
    s = cast.secretary

    def closed(comment: str, days_ago: int, closed_days_ago: int) -> None:
        follow_up = bad_follow_up(subject, comment=comment, at=now - days_ago * DAY)
        on = today - closed_days_ago * DAY
        follow_up = follow_up_call_back(actor=s, follow_up=follow_up, callback_on=on, note="回访")
        follow_up = follow_up_rectify(actor=s, follow_up=follow_up, rectification="改", rectified_on=on, upheld=True)
        follow_up_close(actor=s, follow_up=follow_up, closing_note="结", closed_on=on)

    closed("最近办结", 3, 0)
    bad_follow_up(subject, comment="很久以前", at=now - 60 * DAY)
    closed("早已办结", 50, 40)  # due long ago, closed long ago: after the recent one, never overdue
    bad_follow_up(subject, comment="刚收到")
    called_back(cast, bad_follow_up(subject, comment="已回访仍逾期", at=now - 40 * DAY))
    called_back(cast, bad_follow_up(subject, comment="已回访未逾期", at=now - 2 * DAY))
    bad_follow_up(subject, comment="较早", at=now - 30 * DAY)

    rows = [(row.rating.comment, row.is_overdue) for row in follow_up_list_for_user(user=s)]
    assert rows == [
        ("很久以前", True),  # overdue, by due date
        ("已回访仍逾期", True),
        ("较早", True),
        ("已回访未逾期", False),  # then the other open ones, by due date
        ("刚收到", False),
        ("最近办结", False),  # then the closed ones, latest closed first
        ("早已办结", False),
    ]


def test_follow_ups_are_seen_within_the_scope_only(cast):
    a = bad_follow_up(activity(cast, organisation=cast.branch_a))
    b = bad_follow_up(activity(cast, organisation=cast.branch_b, title="乙支部义诊"))
    assert set(follow_up_list_for_user(user=cast.secretary)) == {a}
    assert set(follow_up_list_for_user(user=cast.outsider)) == {b}
    assert set(follow_up_list_for_user(user=cast.committee)) == {a, b}
    assert set(follow_up_list_for_user(user=cast.orgadmin)) == {a, b}
    assert not follow_up_list_for_user(user=cast.member).exists()
