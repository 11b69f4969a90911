"""Demo data for follow-ups: the ratings demo opens a follow-up for every 差评; this moves most of them forward
through the actions (callback, rectification, closing), leaving some open and at least one overdue, so that the
差评整改 list shows every state and its overdue-first order."""

import datetime

from django.db.models import Count
from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_call_back, follow_up_close, follow_up_rectify
from evaluations.models import FollowUp
from evaluations.selectors.follow_ups import overdue_q
from portal.models import User

DAY = datetime.timedelta(days=1)
LONG_PAST = datetime.timedelta(days=30)  # due before this long ago: the demo district has dealt with it
CLOSING_NOTE = "已向评价群众反馈整改情况，群众表示认可。"
CALLBACK_NOTES = [
    "已电话联系评价群众，了解到排队时间较长，当面致歉。",
    "入户回访，群众反映服务人员态度生硬，已记录具体情况。",
    "电话未接通，次日再次联系成功，听取了意见。",
]
RECTIFICATIONS = [
    "增设取号和引导志愿者，分时段服务，减少排队等候。",
    "对服务人员开展服务规范提醒谈话，下次活动前统一培训。",
    "经核实为活动时间临时调整未及时告知，今后提前三天在网格群发布。",
]


def _step_dates(rated_on: datetime.date, today: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Callback two days after the rating, rectification a week after, closing three days later — never after
    today (the actions refuse future dates)."""
    callback = min(rated_on + 2 * DAY, today)
    rectified = min(callback + 7 * DAY, today)
    return callback, rectified, min(rectified + 3 * DAY, today)


def follow_ups_demo_build(*, actor: User, today: datetime.date) -> None:
    """Follow-ups long past their due date were dealt with (closed) — except the earliest, which stays open and
    overdue so the list's first row shows 逾期. Of the recent ones, every five: one stays open, one is called back,
    one rectified, two closed; those not yet due are still open or called back. Each step is taken by the branch
    secretary the follow-up is assigned to, or by `actor` when the branch has none."""
    today = min(today, timezone.localdate())
    long_ago = today - LONG_PAST
    follow_ups = list(FollowUp.objects.filter(state=FollowUp.State.OPEN).select_related("rating").order_by("pk"))
    overdue = sorted((f for f in follow_ups if f.due_on < today), key=lambda f: (f.due_on, f.pk))
    kept_overdue = overdue[0] if overdue else None
    for number, follow_up in enumerate(follow_ups):
        steps = 3 if follow_up.due_on < long_ago else number % 5  # 0 open, 1 called back, 2 rectified, 3–4 closed
        if follow_up.due_on >= today:
            steps = min(steps, 1)  # not yet due: still being handled
        if follow_up == kept_overdue or steps == 0:
            continue
        who = follow_up.assignee or actor
        callback_on, rectified_on, closed_on = _step_dates(timezone.localdate(follow_up.rating.created_at), today)
        follow_up = follow_up_call_back(
            actor=who, follow_up=follow_up, callback_on=callback_on, note=CALLBACK_NOTES[number % 3]
        )
        if steps >= 2:
            follow_up = follow_up_rectify(
                actor=who,
                follow_up=follow_up,
                rectification=RECTIFICATIONS[number % 3],
                rectified_on=rectified_on,
                upheld=number % 3 != 1,  # one in three was found not justified on the callback
            )
        if steps >= 3:
            follow_up_close(actor=who, follow_up=follow_up, closing_note=CLOSING_NOTE, closed_on=closed_on)


def follow_ups_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    counts = dict(FollowUp.objects.values_list("state").order_by().annotate(n=Count("pk")))
    total = sum(counts.values())
    if not total:
        return ""
    overdue = FollowUp.objects.filter(overdue_q(timezone.localdate())).count()
    closed = counts.get(FollowUp.State.CLOSED, 0)
    return f"差评整改 {total} 件：已办结 {closed} 件，办理中 {total - closed} 件（其中逾期 {overdue} 件）"
