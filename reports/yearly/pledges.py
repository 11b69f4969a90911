"""Section 7 of the yearly report (公开承诺): the year's pledges (withdrawn ones aside), their items and the
year-end appraisal.
"""

from collections import defaultdict

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from reports.yearly.base import INT, PCT, TEXT, TOTAL_LABEL, Context, Figure, Section, Table, rate, unit_table
from services.models import Pledge
from services.selectors.pledges import pledge_items_with_progress


def pledges_section(ctx: Context) -> Section:
    rows = list(
        Pledge.objects.filter(ctx.scope("organisation__"), year=ctx.year)
        .values(
            "organisation__path",
            "is_withdrawn",
            "result",
            "mutual_rating",
            "mass_rating",
            by_member=ExpressionWrapper(Q(person__isnull=False), output_field=BooleanField()),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    live = [row for row in rows if not row["is_withdrawn"]]
    items = pledge_items_with_progress().filter(
        ctx.scope("pledge__organisation__"), pledge__year=ctx.year, pledge__is_withdrawn=False
    )
    item_counts = items.aggregate(
        member=Count("pk", filter=Q(pledge__person__isnull=False)),
        member_done=Count("pk", filter=Q(pledge__person__isnull=False, percent__gte=100)),
        organisation=Count("pk", filter=Q(pledge__person__isnull=True)),
        organisation_done=Count("pk", filter=Q(pledge__person__isnull=True, percent__gte=100)),
    )
    results = Pledge.Result

    def tally(selected: list[dict]) -> dict:
        counts = defaultdict(int)
        for row in selected:
            counts["pledges"] += row["n"]
            counts[row["result"] or "none"] += row["n"]
        counts["appraised"] = counts["pledges"] - counts["none"]
        return counts

    def cells(counts: dict) -> list:
        return [
            counts["pledges"],
            counts["appraised"],
            counts[results.FULFILLED],
            counts[results.PARTIAL],
            counts[results.UNFULFILLED],
            counts["none"],
            rate(counts[results.FULFILLED], counts["appraised"]),
        ]

    headers = ["承诺数", "已评议", "已践诺", "部分践诺", "未践诺", "未评议", "践诺率"]
    formats = [INT, INT, INT, INT, INT, INT, PCT]
    by_kind = Table(
        "承诺与践诺（按承诺主体）",
        ["承诺主体", *headers, "承诺事项", "已完成目标的事项"],
        [TEXT, *formats, INT, INT],
        note="践诺率 = 已践诺 / 已评议；撤回的承诺不计入。",
    )
    for by_member, label, prefix in ((True, "党员承诺", "member"), (False, "党组织承诺", "organisation")):
        counts = tally([row for row in live if bool(row["by_member"]) == by_member])
        by_kind.add([label, *cells(counts), item_counts[prefix], item_counts[f"{prefix}_done"]], key=prefix)
    everything = tally(live)
    by_kind.total = [
        TOTAL_LABEL,
        *cells(everything),
        item_counts["member"] + item_counts["organisation"],
        item_counts["member_done"] + item_counts["organisation_done"],
    ]

    ratings = Table(
        "践诺评议结果", ["评议", *(str(label) for _, label in Pledge.Rating.choices), "未评"], [TEXT, *([INT] * 5)]
    )
    for field, label in (("mutual_rating", "党员互评"), ("mass_rating", "群众评议")):
        counts = defaultdict(int)
        for row in live:
            counts[row[field] or "none"] += row["n"]
        ratings.add([label, *(counts[value] for value in Pledge.Rating.values), counts["none"]], key=field)

    per_unit = defaultdict(list)
    for row in live:
        per_unit[ctx.units.unit_of(row["organisation__path"])].append(row)
    by_unit = unit_table(
        ctx,
        title="各党组织承诺与践诺",
        headers=headers,
        formats=formats,
        totals={path: tally(selected) for path, selected in per_unit.items()},
        cells=cells,
        total=cells(everything),
    )
    withdrawn = sum(row["n"] for row in rows if row["is_withdrawn"])
    return Section(
        7,
        "公开承诺",
        figures=[
            Figure("承诺数", everything["pledges"]),
            Figure("其中党员承诺", sum(row["n"] for row in live if row["by_member"])),
            Figure("其中党组织承诺", sum(row["n"] for row in live if not row["by_member"])),
            Figure("承诺事项", item_counts["member"] + item_counts["organisation"]),
            Figure("已评议", everything["appraised"]),
            Figure("已践诺", everything[results.FULFILLED]),
            Figure("部分践诺", everything[results.PARTIAL]),
            Figure("未践诺", everything[results.UNFULFILLED]),
            Figure("践诺率", rate(everything[results.FULFILLED], everything["appraised"]), PCT, "已践诺 / 已评议"),
            Figure("撤回的承诺", withdrawn),
        ],
        tables=[by_kind, ratings, by_unit],
    )
