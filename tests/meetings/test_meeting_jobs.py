"""The monthly 组织生活 reminder (meetings-due-remind), run twice: the second run sends nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from meetings import actions
from meetings.models import Meeting
from meetings.tasks import meetings_due_remind_task
from portal.models import Notification
from tests.jobs import run, run_twice

pytestmark = pytest.mark.django_db
TODAY = "2026-05-20"


def test_secretaries_hear_of_the_kinds_still_due_once(cast, mailoutbox):
    actions.meeting_plan(
        actor=None,
        organisation=cast.branch_a,
        kind=Meeting.Kind.COMMITTEE,
        topic="支委会",
        place="室",
        starts_at=datetime.datetime(2026, 5, 6, 19, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    actions.meeting_hold(actor=None, meeting=Meeting.objects.get())
    summary = run_twice(meetings_due_remind_task, mailoutbox, today=TODAY)
    assert summary == {"branches": 2, "due": 2, "reminded": 2, "no_account": 0}
    a = Notification.objects.get(recipient=cast.secretary)
    # May: 支委会 held; 主题党日 and the quarter's 党员大会 and 党课 and the year's 组织生活会 still due; no party
    # groups, so no 党小组会
    assert a.title == "组织生活提醒：党支部A本期尚未召开支部党员大会、党课、主题党日、组织生活会"
    assert a.key == f"meetings-due:{cast.branch_a.pk}:202605"
    b = Notification.objects.get(recipient=cast.outsider)
    assert "支部委员会" in b.title  # branch B has a committee (its secretary) and held nothing


def test_next_month_reminds_afresh(cast):
    run(meetings_due_remind_task, today=TODAY)
    run(meetings_due_remind_task, today="2026-06-20")
    assert Notification.objects.filter(recipient=cast.secretary).count() == 2
