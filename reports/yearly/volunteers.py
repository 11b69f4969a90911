"""Section 3 of the yearly report (志愿服务): teams by level, members at the year's end, joins and departures,
the yearly team review (吐故纳新) and the star volunteers.
"""

from collections import defaultdict

from django.db.models import Count, Q

from branches.models import MEMBER_STATUSES, PoliticalStatus
from reports.yearly.base import (
    HOURS,
    INT,
    TEXT,
    TOTAL_LABEL,
    Context,
    Figure,
    Section,
    Table,
    from_tenths,
    hours_sum,
    label_of,
)
from services.models import HoursEntry
from volunteers.models import ReviewProposal, Team, TeamMembership
from volunteers.selectors import star_levels, star_standing

# The volunteers' three groups (DOMAIN §3: members form the backbone, activists supplement).
ACTIVIST_STATUSES = (PoliticalStatus.APPLICANT, PoliticalStatus.ACTIVIST, PoliticalStatus.DEVELOPMENT_TARGET)
OTHER_STATUSES = (PoliticalStatus.MASSES,)


def _people_counts() -> dict:
    status = "person__political_status"
    return {
        "people": Count("person", distinct=True),
        "members": Count("person", distinct=True, filter=Q(**{f"{status}__in": MEMBER_STATUSES})),
        "activists": Count("person", distinct=True, filter=Q(**{f"{status}__in": ACTIVIST_STATUSES})),
        "others": Count("person", distinct=True, filter=Q(**{f"{status}__in": OTHER_STATUSES})),
    }


def volunteers_section(ctx: Context) -> Section:
    teams = dict(
        Team.objects.filter(ctx.scope("organisation__"), is_archived=False)
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Members at the year's end: joined by then and not left by then.
    on_team = (
        TeamMembership.objects.filter(ctx.scope("team__organisation__"), team__is_archived=False)
        .filter(state__in=[TeamMembership.State.ACTIVE, TeamMembership.State.LEFT], joined_on__lte=ctx.as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=ctx.as_of))
    )
    by_level = {
        row["team__level"]: row for row in on_team.values("team__level").annotate(**_people_counts()).order_by()
    }
    overall = on_team.aggregate(**_people_counts())
    levels = Table(
        "志愿服务队（按层级）",
        ["层级", "服务队", "年末在队人数", "党员", "积极分子（含申请人、发展对象）", "其他"],
        [TEXT, INT, INT, INT, INT, INT],
        note="在队人数按人计（同一人在同层级多支队伍只计一次）；政治面貌为报告生成时的状态。",
    )
    for level, label in Team.Level.choices:
        row = by_level.get(level, {})
        levels.add(
            [
                str(label),
                teams.get(level, 0),
                *(row.get(name, 0) for name in ("people", "members", "activists", "others")),
            ],
            key=level,
        )
    levels.total = [
        TOTAL_LABEL,
        sum(teams.values()),
        *(overall[name] for name in ("people", "members", "activists", "others")),
    ]

    # Joined and left in the year
    reasons = TeamMembership.LeaveReason
    changes = TeamMembership.objects.filter(ctx.scope("team__organisation__")).aggregate(
        joined=Count("pk", filter=ctx.dates("joined_on")),
        **{
            reason: Count("pk", filter=ctx.dates("left_on") & Q(state=TeamMembership.State.LEFT, leave_reason=reason))
            for reason in reasons.values
        },
    )
    left_total = sum(changes[reason] for reason in reasons.values)
    changes_table = Table("年内入队和离队", ["变动", "人次"], [TEXT, INT])
    changes_table.add(["入队", changes["joined"]], key="joined")
    for reason, label in reasons.choices:
        changes_table.add([f"离队：{label}", changes[reason]], key=reason)
    changes_table.total = ["离队合计", left_total]

    # The yearly review (队伍梳理, 吐故纳新)
    proposals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        ReviewProposal.objects.filter(ctx.scope("team__organisation__"), year=ctx.year)
        .values("kind", "reason", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        proposals[(row["kind"], row["reason"])][row["state"]] += row["n"]
    states = ReviewProposal.State
    review = Table(
        f"{ctx.year} 年度队伍梳理（吐故纳新）",
        ["建议", "理由", "建议数", "已确认", "不采纳", "待确认"],
        [TEXT, TEXT, INT, INT, INT, INT],
    )
    for (kind, reason), row in sorted(proposals.items()):
        review.add(
            [
                label_of(ReviewProposal.Kind.choices, kind),
                label_of(ReviewProposal.Reason.choices, reason),
                sum(row.values()),
                row[states.CONFIRMED],
                row[states.REJECTED],
                row[states.PROPOSED],
            ],
            key=(kind, reason),
        )
    confirmed = {
        kind: sum(row[states.CONFIRMED] for (k, _), row in proposals.items() if k == kind)
        for kind in ReviewProposal.Kind.values
    }
    review.total = [
        TOTAL_LABEL,
        "",
        sum(sum(row.values()) for row in proposals.values()),
        sum(confirmed.values()),
        sum(row[states.REJECTED] for row in proposals.values()),
        sum(row[states.PROPOSED] for row in proposals.values()),
    ]

    stars_table, starred = _stars(ctx)
    return Section(
        3,
        "志愿服务",
        figures=[
            Figure("志愿服务队", sum(teams.values())),
            Figure("年末在队人数", overall["people"]),
            Figure("其中党员", overall["members"]),
            Figure("年内入队（人次）", changes["joined"]),
            Figure("年内离队（人次）", left_total),
            Figure("队伍梳理确认吸收", confirmed[ReviewProposal.Kind.ADMIT]),
            Figure("队伍梳理确认离队", confirmed[ReviewProposal.Kind.REMOVE]),
            Figure("星级志愿者", starred),
        ],
        tables=[levels, changes_table, review, stars_table],
    )


def _stars(ctx: Context) -> tuple[Table, int]:
    """星级志愿者 at the year's end: each person's approved hours of attended activities that started before the
    year's end (as `services.selectors.hours_total_by_person` totals them), levelled by `star_standing`."""
    totals = (
        HoursEntry.objects.counted()
        .filter(ctx.scope("participation__person__organisation__"), participation__activity__starts_at__lt=ctx.end)
        .values("participation__person_id")
        .annotate(total=hours_sum())
        .values_list("total", flat=True)
        .order_by()
    )
    levels = star_levels()
    counts: dict[int, int] = defaultdict(int)
    with_hours = 0
    stars_of: dict = {}  # many people share a total: level each total once
    for tenths in totals:
        if tenths and tenths > 0:
            with_hours += 1
            if tenths not in stars_of:
                stars_of[tenths] = star_standing(hours=from_tenths(tenths), levels=levels).stars
            counts[stars_of[tenths]] += 1
    table = Table(
        "星级志愿者（截至年末的累计已审核时长）",
        ["星级", "累计时长标准（小时）", "人数"],
        [TEXT, HOURS, INT],
        note="按人员所在党组织统计，含非党员志愿者。",
    )
    for level in reversed(levels):
        table.add([f"{level.stars} 星", level.min_hours, counts[level.stars]], key=level.stars)
    table.add(["未达星级", None, counts[0]], key=0)
    table.total = ["有服务时长的人数", None, with_hours]
    return table, sum(n for stars, n in counts.items() if stars > 0)
