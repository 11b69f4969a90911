"""Demo data for ratings: the demo year's public ratings, with a few 差评 and their follow-ups.

Ratings go through `ratings_register_bulk` (validated, one transaction, bulk insert, one audit event), not
through `rating_submit` once per rating: the public action checks the window against *now*, and thousands of
single inserts would slow `seed_demo` down on SQLite. Each 差评 gets its follow-up through follow_up_open (all
open: moving some of them forward is the follow-ups area's demo).
"""

import datetime
import random

from django.db.models import Avg, Count, Q
from django.utils import timezone

from branches.demo.data import BRANCH_A, code_for
from evaluations.actions.ratings import RatingRecord, ratings_register_bulk
from evaluations.models import EvaluationRules, Rating
from portal.models import User
from services.models import Activity

SEED = 20240517
SHARE_RATED = 0.85  # most ended/closed activities got ratings
GOOD_COMMENTS = [
    "服务很周到，志愿者很耐心。",
    "希望以后多组织这样的活动。",
    "解决了我家的实际困难，谢谢党员同志！",
    "时间安排合理，就在家门口，很方便。",
    "医生讲得很清楚，量了血压还给了建议。",
    "活动组织有序，给社区党员点赞。",
    "老人们都很喜欢，希望每个月都有。",
    "志愿者态度热情，办事效率高。",
]
FAIR_COMMENTS = ["总体还行，就是排队时间有点长。", "通知得有点晚，很多邻居不知道。", "场地有点小。"]
BAD_COMMENTS = [
    "说好的上门维修没有来，打电话也没人接。",
    "现场没有人组织，等了一个小时。",
    "工作人员态度不好。",
    "",
]
# Level weights for an ordinary rating (5 … 1): mostly 非常满意/满意, some 基本满意, a few 差评.
LEVELS = [5, 4, 3, 2, 1]
WEIGHTS = [64, 28, 7.4, 0.4, 0.2]


def _rated_at(rng: random.Random, activity: Activity, days: int, now: datetime.datetime) -> datetime.datetime:
    """Most people rate while leaving the venue; some the same evening; a few days later."""
    pick = rng.random()
    if pick < 0.6:
        moment = activity.ends_at - datetime.timedelta(minutes=rng.randint(0, 20))
    elif pick < 0.9:
        moment = activity.ends_at + datetime.timedelta(minutes=rng.randint(1, 6 * 60))
    else:
        moment = activity.ends_at + datetime.timedelta(minutes=rng.randint(6 * 60, days * 24 * 60 - 1))
    return max(activity.starts_at, min(moment, now - datetime.timedelta(minutes=1)))


def _comment(rng: random.Random, level: int) -> str:
    if level <= 2:
        return rng.choice(BAD_COMMENTS)
    if level == 3:
        return rng.choice(FAIR_COMMENTS) if rng.random() < 0.5 else ""
    return rng.choice(GOOD_COMMENTS) if rng.random() < 0.15 else ""


def ratings_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo year; called once, inside seed_demo's transaction."""
    rng = random.Random(SEED)
    now = timezone.now()
    days = EvaluationRules.current().rating_days_after_end
    activities = list(
        Activity.objects.held()
        .filter(ends_at__lt=now, starts_at__date__gte=today - datetime.timedelta(days=366))
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )
    branch_a = [a for a in activities if a.organisation.code == code_for(BRANCH_A)]
    # Named activities of branch A, so the demo secretary sees both ends: one all but perfect (≥ 95 % with more
    # than 10 ratings: its participants earn the satisfaction point), and two with 差评 to follow up.
    showcase = branch_a[-5] if len(branch_a) >= 5 else (activities[-1] if activities else None)
    troubled = {a.pk for a in branch_a[-12:-9]}
    rows: list[RatingRecord] = []
    for activity in activities:
        if activity != showcase and rng.random() > SHARE_RATED:
            continue
        count = 24 if activity == showcase else rng.randint(3, 18)
        for number in range(count):
            if activity == showcase:
                level = 5 if number % 6 else 4
            elif activity.pk in troubled and number < 2:
                level = 2 - number % 2  # one 不满意, one 非常不满意
            else:
                level = rng.choices(LEVELS, WEIGHTS)[0]
            rows.append(
                RatingRecord(
                    activity=activity,
                    level=level,
                    device=f"demo-{activity.pk}-{number}",
                    rated_at=_rated_at(rng, activity, days, now),
                    comment=_comment(rng, level),
                )
            )
    if rows:
        ratings_register_bulk(actor=actor, rows=rows)


def ratings_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    row = Rating.objects.aggregate(
        count=Count("pk"), satisfied=Count("pk", filter=Q(level__gte=Rating.SATISFIED_FROM)), average=Avg("level")
    )
    if not row["count"]:
        return ""
    rate = row["satisfied"] * 100 / row["count"]
    # The follow-ups' own line comes from evaluations.demo.follow_ups.
    return f"群众评价 {row['count']} 条，满意率 {rate:.1f}%（平均 {row['average']:.2f} 分）"
