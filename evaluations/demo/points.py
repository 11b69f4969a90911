"""Demo data for points: the demo year settled from everything before it (activities, hours, demands, visits,
pledges, mobile reports, follow-ups), one manual adjustment asked by branch A's secretary and approved by the
committee, and one reversal by 组织部 — so `member` sees real points from several rules on first login."""

import datetime

from django.db.models import Sum

from evaluations.actions.points import (
    points_adjustment_decide,
    points_adjustment_request,
    points_entry_reverse,
    points_settle,
)
from evaluations.models import PointsEntry, PointsRule
from evaluations.selectors.points import points_summary
from portal.models import User


def points_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows; called once, inside seed_demo's transaction, after the ratings."""
    # The demo's activities reach back a year: last year's tail is settled too (to its end), then this year.
    points_settle(year=today.year - 1, until=datetime.date(today.year - 1, 12, 31))
    points_settle(year=today.year, until=today)
    secretary = User.objects.filter(username="secretary").first()
    committee = User.objects.filter(username="committee").first()
    member = User.objects.filter(username="member").select_related("person").first()
    person = getattr(member, "person", None) if member else None
    if secretary and committee and person is not None:
        adjustment = points_adjustment_request(
            actor=secretary, person=person, points=3, reason="汛期连续三晚参加社区防汛值守（支部会议认定）"
        )
        points_adjustment_decide(actor=committee, adjustment=adjustment, approve=True)
    # 组织部 reverses one hours entry booked twice in the paper register (someone else's: member keeps theirs).
    wrong = (
        PointsEntry.objects.filter(rule__code=PointsRule.Code.HOUR, date__year=today.year, reverses__isnull=True)
        .exclude(person=person)
        .order_by("pk")
        .first()
    )
    if wrong is not None:
        points_entry_reverse(actor=actor, entry=wrong, reason="纸质台账重复登记的服务时长，予以冲销")


def points_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    summary = points_summary()
    if not summary["entries"]:
        return ""
    member = (
        PointsEntry.objects.filter(person__user__username="member", date__year=summary["year"])
        .aggregate(total=Sum("points"))
        .get("total")
    )
    line = (
        f"党员积分 {summary['entries']} 条，{summary['year']} 年 {summary['members']} 名党员"
        f"平均 {summary['average']} 分"
    )
    return line + (f"（member {max(member, 0)} 分）" if member is not None else "")
