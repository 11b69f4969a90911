"""Section 5 of the yearly report (群众需求): the year's demands as they stood at the year's end (today for the
running year): a demand done after the 31st of December was still open then.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q

from reports.yearly.base import INT, PCT, TEXT, TOTAL_LABEL, Context, Figure, Section, Table, rate
from services.models import Demand, DemandCategory


def demand_figures(as_of: datetime.date) -> dict:
    """Conditional counts over demands as they stood on `as_of`. Overdue as `services.selectors.demands.overdue_q`
    decides it (open past the deadline, or done after it), with 'open' meaning not done by `as_of`: for today the
    two agree."""
    done = Q(done_on__isnull=False, done_on__lte=as_of)
    called = Q(callback_on__isnull=False, callback_on__lte=as_of)
    satisfaction = Demand.Satisfaction
    return {
        "received": Count("pk"),
        "done": Count("pk", filter=done),
        "on_time": Count("pk", filter=done & Q(done_on__lte=F("deadline"))),
        "late": Count("pk", filter=done & Q(done_on__gt=F("deadline"))),
        "open_overdue": Count("pk", filter=~done & Q(deadline__lt=as_of)),
        "open": Count("pk", filter=~done),
        "called_back": Count("pk", filter=called),
        "satisfied": Count("pk", filter=called & Q(satisfaction=satisfaction.SATISFIED)),
        "basic": Count("pk", filter=called & Q(satisfaction=satisfaction.BASIC)),
        "unsatisfied": Count("pk", filter=called & Q(satisfaction=satisfaction.UNSATISFIED)),
    }


DEMAND_HEADERS = [
    "受理",
    "已办结",
    "按时办结",
    "逾期办结",
    "逾期未办结",
    "按时办结率",
    "已回访",
    "满意",
    "基本满意",
    "不满意",
    "年末未办结",
]
DEMAND_FORMATS = [INT, INT, INT, INT, INT, PCT, INT, INT, INT, INT, INT]


def _demand_cells(row: dict) -> list:
    return [
        row["received"],
        row["done"],
        row["on_time"],
        row["late"],
        row["open_overdue"],
        rate(row["on_time"], row["on_time"] + row["late"] + row["open_overdue"]),
        row["called_back"],
        row["satisfied"],
        row["basic"],
        row["unsatisfied"],
        row["open"],
    ]


def demands_section(ctx: Context) -> Section:
    figures = demand_figures(ctx.as_of)
    rows = list(
        Demand.objects.filter(ctx.scope("organisation__"), ctx.dates("received_on"))
        .values("channel", "category_id")
        .annotate(**figures)
        .order_by()
    )
    carried = (
        Demand.objects.filter(ctx.scope("organisation__"), received_on__lt=ctx.first)
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=ctx.as_of))
        .count()
    )
    categories = list(DemandCategory.objects.values("pk", "name").order_by("order", "name", "pk"))
    note = (
        "本年受理的需求，按年末（本年度为今天）的办理情况统计。"
        "按时办结率 = 按时办结 /（按时办结 + 逾期办结 + 逾期未办结）：尚未到期且未办结的不计入。"
    )

    def grouped(key: str) -> dict:
        sums: dict = defaultdict(lambda: dict.fromkeys(figures, 0))
        for row in rows:
            for name in figures:
                sums[row[key]][name] += row[name]
        return sums

    total = dict.fromkeys(figures, 0)
    for row in rows:
        for name in figures:
            total[name] += row[name]
    by_channel = Table("群众需求（按来源渠道）", ["来源渠道", *DEMAND_HEADERS], [TEXT, *DEMAND_FORMATS], note=note)
    channel_sums = grouped("channel")
    for channel, label in Demand.Channel.choices:
        by_channel.add([str(label), *_demand_cells(channel_sums[channel])], key=channel)
    by_channel.total = [TOTAL_LABEL, *_demand_cells(total)]
    by_category = Table("群众需求（按需求类别）", ["需求类别", *DEMAND_HEADERS], [TEXT, *DEMAND_FORMATS], note=note)
    category_sums = grouped("category_id")
    for category in categories:
        if category["pk"] in category_sums:
            by_category.add([category["name"], *_demand_cells(category_sums[category["pk"]])], key=category["pk"])
    by_category.total = [TOTAL_LABEL, *_demand_cells(total)]

    cells = _demand_cells(total)
    return Section(
        5,
        "群众需求",
        figures=[
            Figure("本年受理", total["received"]),
            Figure("已办结", total["done"]),
            Figure("按时办结", total["on_time"]),
            Figure("逾期（办结逾期 + 逾期未办结）", total["late"] + total["open_overdue"]),
            Figure("按时办结率", cells[5], PCT),
            Figure("已回访", total["called_back"]),
            Figure(
                "回访满意率", rate(total["satisfied"] + total["basic"], total["called_back"]), PCT, "满意 + 基本满意"
            ),
            Figure("年末未办结（本年受理）", total["open"]),
            Figure("往年受理、年末仍未办结", carried),
        ],
        tables=[by_channel, by_category],
    )
