"""Section 6 of the yearly report (结对帮扶): the pairings open at some time in the year, their households, the
year's visits and the completed months without one.
"""

import datetime
from collections import defaultdict
from types import SimpleNamespace

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth

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
from services.models import Household, Pairing, PairingVisit
from services.selectors.pairing import months_due


def pairing_section(ctx: Context) -> Section:
    pairs = list(
        Pairing.objects.filter(ctx.scope("organisation__"), started_on__lte=ctx.as_of)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.first))
        .values(
            "pk", "started_on", "ended_on", "organisation__path", "household_id", "household__situation", "helper_id"
        )
        .order_by("pk")
    )
    visits: dict[int, dict[int, int]] = defaultdict(dict)  # pairing → month → visits
    for row in (
        PairingVisit.objects.filter(ctx.scope("pairing__organisation__"), ctx.dates())
        .values("pairing_id", month=ExtractMonth("date"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        visits[row["pairing_id"]][row["month"]] = row["n"]
    # `months_due` counts completed months up to the one before `today`; the day after the year's end gives
    # December for a past year, and last month for the running year.
    after = ctx.as_of + datetime.timedelta(days=1)
    per_unit: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    per_situation: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    unit_households: dict[str, set] = defaultdict(set)
    unit_helpers: dict[str, set] = defaultdict(set)
    situation_households: dict[str, set] = defaultdict(set)
    due_total = missed_total = with_gap = 0
    for row in pairs:
        # Months before the year are not this report's: start the count at 1 January at the earliest.
        record = SimpleNamespace(started_on=max(row["started_on"], ctx.first), ended_on=row["ended_on"])
        due = [month.month for month in months_due(record, after)]
        seen = visits.get(row["pk"], {})
        missed = sum(1 for month in due if month not in seen)
        count = sum(seen.values())
        due_total, missed_total, with_gap = due_total + len(due), missed_total + missed, with_gap + bool(missed)
        unit = ctx.units.unit_of(row["organisation__path"])
        for sums in (per_unit[unit], per_situation[row["household__situation"]]):
            sums["pairs"] += 1
            sums["visits"] += count
            sums["missed"] += missed
        unit_households[unit].add(row["household_id"])
        unit_helpers[unit].add(row["helper_id"])
        situation_households[row["household__situation"]].add(row["household_id"])
    for unit, households in unit_households.items():
        per_unit[unit]["households"] = len(households)
        per_unit[unit]["helpers"] = len(unit_helpers[unit])

    visit_total = sum(sum(seen.values()) for seen in visits.values())
    households = len({row["household_id"] for row in pairs})
    helpers = len({row["helper_id"] for row in pairs})
    by_unit = unit_table(
        ctx,
        title="各党组织结对帮扶",
        headers=["结对数", "帮扶户数", "帮扶党员", "走访次数", "平均每对走访", "缺访月数"],
        formats=[INT, INT, INT, INT, DEC1, INT],
        totals=per_unit,
        cells=lambda unit: [
            unit["pairs"],
            unit["households"],
            unit["helpers"],
            unit["visits"],
            average(unit["visits"], unit["pairs"]),
            unit["missed"],
        ],
        total=[len(pairs), households, helpers, visit_total, average(visit_total, len(pairs)), missed_total],
        note="年内任一时间在结的结对；缺访月数 = 应走访（每月至少一次）而没有走访记录的已过完整月份。",
    )
    by_situation = Table(
        "帮扶对象（按困难类型）",
        ["困难类型", "帮扶户数", "结对数", "走访次数", "缺访月数"],
        [TEXT, INT, INT, INT, INT],
    )
    for situation, label in Household.Situation.choices:
        sums = per_situation.get(situation)
        if sums:
            by_situation.add(
                [str(label), len(situation_households[situation]), sums["pairs"], sums["visits"], sums["missed"]],
                key=situation,
            )
    by_situation.total = [TOTAL_LABEL, households, len(pairs), visit_total, missed_total]

    return Section(
        6,
        "结对帮扶",
        figures=[
            Figure("年内结对", len(pairs)),
            Figure("其中年内新结对", sum(1 for row in pairs if row["started_on"] >= ctx.first)),
            Figure("年内结束结对", sum(1 for row in pairs if row["ended_on"] and row["ended_on"] <= ctx.as_of)),
            Figure("年末在结", sum(1 for row in pairs if not row["ended_on"] or row["ended_on"] > ctx.as_of)),
            Figure("帮扶户数", households),
            Figure("帮扶党员", helpers),
            Figure("走访次数", visit_total),
            Figure("平均每对走访", average(visit_total, len(pairs)), DEC1),
            Figure("应走访月数", due_total),
            Figure("缺访月数", missed_total),
            Figure("按月走访率", rate(due_total - missed_total, due_total), PCT, "有走访的应走访月份 / 应走访月份"),
            Figure("有缺访月份的结对", with_gap),
        ],
        tables=[by_unit, by_situation],
    )
