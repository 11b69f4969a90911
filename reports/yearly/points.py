"""Section 9 of the yearly report (积分与评议): the year's points (ledger entries booked in the scope's
organisations, a member's yearly total floored at 0, DOMAIN §5), the 红星榜 and the yearly member review.
"""

from collections import defaultdict

from django.db.models import Count, Q, Sum

from branches.models import Person
from evaluations.models import PointsEntry, PointsRule, ReviewRound, ReviewSheet
from evaluations.selectors.points import quarter_bounds, shared_rank
from reports.yearly.base import (
    DEC1,
    INT,
    PCT,
    TEXT,
    TOTAL_LABEL,
    Context,
    Figure,
    Section,
    Table,
    average,
    rate,
    unit_table,
)

BOARD_SIZE = 10  # 红星榜: the first ten of each quarter, as the board page shows them
# Yearly points in bands (the base is 60 on 1 January).
POINT_BANDS = [(0, 59), (60, 99), (100, 149), (150, 199), (200, 299), (300, None)]


# Above this many people to name, their names are read with a join on the ledger instead of a list of ids (SQLite
# takes at most 32,766 parameters in a query).
NAMES_BY_ID_UP_TO = 10_000
TOP_NAMES = 3  # a unit's top scorers named; a tie of more (everyone at the base points) is "… 等 N 人"


def _shown_names(names: list[str], tied: int) -> str:
    return "、".join(names) if tied <= len(names) else f"{'、'.join(names)} 等 {tied} 人"


def _leaders(totals: dict[int, int], limit: int) -> list[int]:
    """Who may be in the top `limit` by points (ties at the cut included): only they need a name to be placed."""
    positive = sorted((points for points in totals.values() if points > 0), reverse=True)
    if not positive:
        return []
    cut = positive[min(limit, len(positive)) - 1]
    return [person for person, points in totals.items() if points >= cut]


def points_section(ctx: Context) -> Section:
    """One pass over the year's ledger: each member's points per quarter and organisation booked in. The yearly
    totals, the per-organisation table and the four quarterly 红星榜 all come from it; the boards follow
    `evaluations.selectors.points.red_star_board` exactly (positive quarter totals in the subtree, highest first,
    then by name, ties sharing a place via `shared_rank`), which would cost one more pass over the ledger per
    quarter."""
    entries = PointsEntry.objects.filter(ctx.scope("organisation__"), date__gte=ctx.first, date__lte=ctx.last)
    quarters = range(1, 5)
    sums = {
        f"q{quarter}": Sum("points", filter=Q(date__gte=first, date__lte=last))
        for quarter in quarters
        for first, last in [quarter_bounds(ctx.year, quarter)]
    }
    raw: dict[int, int] = defaultdict(int)
    by_quarter: list[dict[int, int]] = [defaultdict(int) for _ in quarters]
    home: dict[int, tuple[int, int]] = {}  # person → (points, organisation id) of the organisation that booked most
    rows = entries.values_list("person_id", "organisation_id").annotate(**sums).order_by()
    for person, organisation, *per_quarter in rows:
        booked = 0
        for quarter, points in enumerate(per_quarter):
            if points:  # None: nothing booked in that quarter
                by_quarter[quarter][person] += points
                booked += points
        raw[person] += booked
        if person not in home or booked > home[person][0]:
            home[person] = (booked, organisation)
    totals = {person: max(points, 0) for person, points in raw.items()}  # floor 0 (DOMAIN §5)
    values = sorted(totals.values())

    # Per organisation: members with points, average, highest and who has it
    per_unit: dict[str, dict] = defaultdict(lambda: {"members": 0, "sum": 0, "max": 0, "top": []})
    for person, points in totals.items():
        unit = per_unit[ctx.units.unit_of(ctx.units.path_of(home[person][1]))]
        unit["members"] += 1
        unit["sum"] += points
        if points > unit["max"] or not unit["top"]:
            unit["max"], unit["top"] = points, [person]
        elif points == unit["max"]:
            unit["top"].append(person)

    # Names: of the units' top scorers and of who may be on a board
    wanted = {person for unit in per_unit.values() for person in sorted(unit["top"])[:TOP_NAMES]}
    for totals_of_quarter in by_quarter:
        wanted.update(_leaders(totals_of_quarter, BOARD_SIZE))
    people = Person.objects.filter(
        pk__in=sorted(wanted) if len(wanted) <= NAMES_BY_ID_UP_TO else entries.values("person_id")
    )
    names = {
        pk: (name, organisation) for pk, name, organisation in people.values_list("pk", "name", "organisation__name")
    }

    bands = Table(
        "年度积分分布", ["积分段", "党员人数", "占比"], [TEXT, INT, PCT], note="每名党员的年度积分合计（不低于 0）。"
    )
    for low, high in POINT_BANDS:
        n = sum(1 for value in values if value >= low and (high is None or value <= high))
        bands.add([f"{low}–{high} 分" if high is not None else f"{low} 分及以上", n, rate(n, len(values))], key=low)
    bands.total = [TOTAL_LABEL, len(values), rate(len(values), len(values))]

    codes = dict(PointsRule.objects.values_list("pk", "code"))
    labels = dict(PointsRule.Code.choices)
    by_code: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "points": 0})
    for row in entries.values("rule_id").annotate(n=Count("pk"), points=Sum("points")).order_by():
        by_code[codes[row["rule_id"]]]["n"] += row["n"]
        by_code[codes[row["rule_id"]]]["points"] += row["points"]
    by_rule = Table("积分来源（按规则）", ["规则", "记录数", "积分合计"], [TEXT, INT, INT])
    for code in PointsRule.Code.values:
        if code in by_code:
            by_rule.add([str(labels[code]), by_code[code]["n"], by_code[code]["points"]], key=code)
    by_rule.total = [TOTAL_LABEL, sum(r["n"] for r in by_code.values()), sum(r["points"] for r in by_code.values())]

    by_unit = unit_table(
        ctx,
        title="各党组织党员积分",
        headers=["有积分的党员", "平均积分", "最高积分", "全年积分最高"],
        formats=[INT, DEC1, INT, TEXT],
        totals=per_unit,
        cells=lambda unit: [
            unit["members"],
            average(unit["sum"], unit["members"]),
            unit["max"],
            _shown_names(
                sorted(names.get(person, ("", ""))[0] for person in sorted(unit["top"])[:TOP_NAMES]), len(unit["top"])
            ),
        ],
        total=[len(values), average(sum(values), len(values)), values[-1] if values else None, ""],
    )

    board = Table(
        "红星榜（各季度积分前十名）", ["季度", "名次", "姓名", "党组织", "季度积分"], [TEXT, INT, TEXT, TEXT, INT]
    )
    for quarter, totals_of_quarter in zip(quarters, by_quarter, strict=True):
        leaders = sorted(
            _leaders(totals_of_quarter, BOARD_SIZE),
            key=lambda person: (-totals_of_quarter[person], names.get(person, ("", ""))[0], person),
        )[:BOARD_SIZE]
        shown = [totals_of_quarter[person] for person in leaders]
        for person in leaders:
            name, organisation = names.get(person, ("", ""))
            points = totals_of_quarter[person]
            board.add([f"第{quarter}季度", shared_rank(shown, points), name, organisation, points], key=person)

    review_tables, review_figures = _reviews(ctx)
    median = None
    if values:
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return Section(
        9,
        "积分与评议",
        figures=[
            Figure("有积分的党员", len(values)),
            Figure("平均积分", average(sum(values), len(values)), DEC1),
            Figure("积分中位数", median, DEC1),
            Figure("最高积分", values[-1] if values else None),
            *review_figures,
        ],
        tables=[bands, by_rule, by_unit, board, *review_tables],
    )


def _reviews(ctx: Context) -> tuple[list[Table], list[Figure]]:
    grades = ReviewSheet.Grade
    sheets = ReviewSheet.objects.filter(
        ctx.scope("round__organisation__"), round__year=ctx.year, round__kind=ReviewRound.Kind.YEARLY
    )
    rows = list(sheets.values("round__organisation__path", "grade").annotate(n=Count("pk")).order_by())
    per_unit: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for sums in (per_unit[ctx.units.unit_of(row["round__organisation__path"])], total):
            sums[row["grade"] or "none"] += row["n"]
            sums["sheets"] += row["n"]

    def cells(sums: dict) -> list:
        return [
            sums["sheets"],
            *(sums[grade] for grade in grades.values),
            sums["none"],
            rate(sums[grades.EXCELLENT], sums["sheets"] - sums["none"]),
        ]

    by_unit = unit_table(
        ctx,
        title=f"{ctx.year} 年度民主评议等次（按党支部）",
        headers=["参评党员", *(str(label) for _, label in grades.choices), "未评定", "优秀率"],
        formats=[INT, INT, INT, INT, INT, INT, PCT],
        totals=per_unit,
        cells=cells,
        total=cells(total),
        note="优秀率 = 优秀 / 已评定；未评定：评议尚未结束。",
    )

    rounds: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        ReviewRound.objects.filter(ctx.scope("organisation__"), year=ctx.year)
        .values("kind", "half", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rounds[(row["kind"], row["half"])][row["state"]] += row["n"]
    round_table = Table("评议轮次", ["评议", "轮次", "已结束", "进行中"], [TEXT, INT, INT, INT])
    for kind, half, label in (
        (ReviewRound.Kind.YEARLY, None, "年度民主评议"),
        (ReviewRound.Kind.MUTUAL, 1, "上半年相互评议打分"),
        (ReviewRound.Kind.MUTUAL, 2, "下半年相互评议打分"),
    ):
        counts = rounds[(kind, half)]
        closed, open_ = counts[ReviewRound.State.CLOSED], counts[ReviewRound.State.OPEN]
        round_table.add([label, closed + open_, closed, open_], key=(kind, half))

    unqualified = Table(
        "评定为不合格的党员及批评教育",
        ["党组织", "姓名", "综合得分", "批评教育记录"],
        [TEXT, TEXT, DEC1, TEXT],
    )
    for row in (
        sheets.filter(grade=grades.UNQUALIFIED)
        .values("pk", "round__organisation__name", "person__name", "total", "follow_up_note")
        .order_by("round__organisation__path", "person__name", "pk")
    ):
        unqualified.add(
            [
                row["round__organisation__name"],
                row["person__name"],
                row["total"],
                row["follow_up_note"] or "（未登记）",
            ],
            key=row["pk"],
        )
    recorded = sum(1 for row in unqualified.rows if row[3] != "（未登记）")
    figures = [
        Figure("民主评议参评党员", total["sheets"]),
        Figure("优秀", total[grades.EXCELLENT]),
        Figure("合格", total[grades.QUALIFIED]),
        Figure("基本合格", total[grades.BASIC]),
        Figure("不合格", total[grades.UNQUALIFIED]),
        Figure("不合格已登记批评教育", recorded),
    ]
    return [by_unit, round_table, unqualified], figures
