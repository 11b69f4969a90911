"""Section 4 of the yearly report (服务活动).

An activity belongs to the year it started in (local time) and counts once held (已结束 or 已关闭, as the branch
assessment counts it); 人次 = attended participations, 人 = distinct persons, hours = approved hours (DOMAIN §4).
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth

from reports.yearly.base import (
    HOURS,
    INT,
    MONEY,
    TEXT,
    TOTAL_LABEL,
    Context,
    Figure,
    Section,
    Table,
    average,
    from_tenths,
    hours_sum,
)
from services.models import Activity, ActivityCategory, HoursEntry, Participation

MONTHS = range(1, 13)
SERVED = ("served_people", "served_households", "money_raised", "money_lent", "money_donated")


def activities_section(ctx: Context) -> Section:
    in_year = Activity.objects.filter(ctx.scope("organisation__"), ctx.moments("starts_at"))
    rows = list(
        in_year.exclude(state=Activity.State.DRAFT)
        .values("category_id", "state", month=ExtractMonth("starts_at"))
        .annotate(n=Count("pk"), goods=Count("pk", filter=~Q(goods="")), **{name: Sum(name) for name in SERVED})
        .order_by()
    )
    held = [row for row in rows if row["state"] in Activity.HELD_STATES]
    attended = (
        Participation.objects.attended()
        .of_held_activities()
        .filter(ctx.scope("activity__organisation__"), ctx.moments("activity__starts_at"))
    )
    # 人次 and approved hours in one pass: each participation joined to its hours entries. A participation has at
    # most one original entry (a unique constraint) and any number of corrections, so the rows that are either
    # the original entry or "no entry at all" count each participation exactly once; the hours add up the
    # approved entries, corrections included.
    once = Q(hours_entries__isnull=True) | Q(hours_entries__corrects__isnull=True)
    times = list(
        attended.values("activity__category_id", month=ExtractMonth("activity__starts_at"))
        .annotate(
            n=Count("pk", filter=once),
            hours=hours_sum("hours_entries__hours", filter=HoursEntry.objects.approved_q("hours_entries__")),
        )
        .order_by()
    )
    people = dict(
        attended.values_list("activity__category_id").annotate(n=Count("person_id", distinct=True)).order_by()
    )
    people_total = attended.aggregate(n=Count("person_id", distinct=True))["n"]
    categories = list(ActivityCategory.objects.values("pk", "name", "is_active").order_by("order", "name", "pk"))

    count = defaultdict(int)  # (category, month) → activities
    served = defaultdict(lambda: defaultdict(Decimal))  # category or ("month", m) → figure → sum
    for row in held:
        count[(row["category_id"], row["month"])] += row["n"]
        for key in (row["category_id"], ("month", row["month"])):
            served[key]["goods"] += row["goods"]
            for name in SERVED:
                served[key][name] += row[name] or 0
    person_times = defaultdict(int)
    hour_sums = defaultdict(Decimal)
    for row in times:
        person_times[(row["activity__category_id"], row["month"])] += row["n"]
        hour_sums[(row["activity__category_id"], row["month"])] += from_tenths(row["hours"])
    used = {category for category, _ in count}
    shown = [category for category in categories if category["is_active"] or category["pk"] in used]

    by_month = Table("活动数量（按类别和月份）", ["类别", *(f"{m}月" for m in MONTHS), "合计"], [TEXT, *([INT] * 13)])
    for category in shown:
        per_month = [count[(category["pk"], m)] for m in MONTHS]
        by_month.add([category["name"], *per_month, sum(per_month)], key=category["pk"])
    month_totals = [sum(count[(c["pk"], m)] for c in shown) for m in MONTHS]
    by_month.total = [TOTAL_LABEL, *month_totals, sum(month_totals)]

    effect_headers = ["活动数", "参与人次", "参与人数", "服务时长（小时）", "服务群众（人次）", "服务户数（户次）"]
    money_headers = ["筹集资金（元）", "借出资金（元）", "捐赠资金（元）", "登记物资的活动"]
    by_category = Table(
        "活动成效（按类别）",
        ["类别", *effect_headers, *money_headers],
        [TEXT, INT, INT, INT, HOURS, INT, INT, MONEY, MONEY, MONEY, INT],
        note="人次 = 出勤的参与记录；人数 = 出勤的不同人员（合计行不重复计人）；时长为已审核时长。",
    )

    def effect(key, n, times_, people_, hours_) -> list:
        figures = served[key]
        return [
            n,
            times_,
            people_,
            hours_,
            int(figures["served_people"]),
            int(figures["served_households"]),
            figures["money_raised"],
            figures["money_lent"],
            figures["money_donated"],
            int(figures["goods"]),
        ]

    for category in shown:
        pk = category["pk"]
        by_category.add(
            [
                category["name"],
                *effect(
                    pk,
                    sum(count[(pk, m)] for m in MONTHS),
                    sum(person_times[(pk, m)] for m in MONTHS),
                    people.get(pk, 0),
                    sum((hour_sums[(pk, m)] for m in MONTHS), Decimal(0)),
                ),
            ],
            key=pk,
        )
    totals = [sum(row[i] for row in by_category.rows) for i in range(1, 11)]
    totals[2] = people_total
    by_category.total = [TOTAL_LABEL, *totals]

    monthly = Table(
        "活动成效（按月份）",
        ["月份", "活动数", "参与人次", "服务时长（小时）", "服务群众（人次）", "服务户数（户次）"],
        [TEXT, INT, INT, HOURS, INT, INT],
    )
    for m in MONTHS:
        monthly.add(
            [
                f"{m}月",
                month_totals[m - 1],
                sum(n for (_, month), n in person_times.items() if month == m),
                sum((h for (_, month), h in hour_sums.items() if month == m), Decimal(0)),
                int(served[("month", m)]["served_people"]),
                int(served[("month", m)]["served_households"]),
            ],
            key=m,
        )
    monthly.total = [TOTAL_LABEL, *(sum(row[i] for row in monthly.rows) for i in range(1, 6))]

    # Goods are free text (DOMAIN §4: optional figures): the same entry made for many activities is one row.
    goods = Table(
        "登记的物资（按内容）",
        ["物资", "活动数", "组织单位数"],
        [TEXT, INT, INT],
        note="按服务活动关闭时登记的物资内容汇总；逐个活动的明细见服务活动导出。",
    )
    for row in (
        in_year.held()
        .exclude(goods="")
        .values("goods")
        .annotate(n=Count("pk"), organisations=Count("organisation", distinct=True))
        .order_by("-n", "goods")
    ):
        goods.add([row["goods"], row["n"], row["organisations"]], key=row["goods"])

    states = defaultdict(int)
    for row in rows:
        states[row["state"]] += row["n"]
    total = by_category.total
    return Section(
        4,
        "服务活动",
        figures=[
            Figure("开展服务活动", total[1]),
            Figure("参与人次", total[2]),
            Figure("参与人数", total[3]),
            Figure("服务时长（小时）", total[4], HOURS),
            Figure("人均服务时长（小时）", average(total[4], total[3]), HOURS, "服务时长 / 参与人数"),
            Figure("服务群众（人次）", total[5]),
            Figure("服务户数（户次）", total[6]),
            Figure("筹集资金（元）", total[7], MONEY),
            Figure("借出资金（元）", total[8], MONEY),
            Figure("捐赠资金（元）", total[9], MONEY),
            Figure("登记物资的活动", total[10]),
            Figure("已取消的活动", states[Activity.State.CANCELLED]),
            Figure("已发布尚未结束的活动", states[Activity.State.PUBLISHED]),
        ],
        tables=[by_month, by_category, monthly, goods],
    )
