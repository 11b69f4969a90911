"""Section 10 of the yearly report (评星晋级): each branch's stars and 六有 checklist, with the figures frozen in
its assessment.
"""

from collections import defaultdict

from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import CHECKLIST, FIGURES, checklist_count, checklist_label
from reports.yearly.base import DEC1, INT, PCT, TEXT, Context, Figure, Section, Table, average, rate


def assessment_section(ctx: Context) -> Section:
    assessments = {
        row.organisation.path: row
        for row in BranchAssessment.objects.filter(ctx.scope("organisation__"), year=ctx.year).select_related(
            "organisation"
        )
    }
    branches = {row["path"]: row for row in ctx.units.branches()}
    for path, row in assessments.items():  # an assessed branch archived since still shows
        branches.setdefault(path, {"pk": row.organisation_id, "path": path, "name": row.organisation.name})
    figure_keys = list(FIGURES)
    table = Table(
        f"{ctx.year} 年度各党支部星级与“六有”",
        [
            "党支部",
            "上级党组织",
            "星级",
            *(checklist_label(key) for key in CHECKLIST),
            "“六有”项数",
            *(label for label, _ in FIGURES.values()),
        ],
        [
            TEXT,
            TEXT,
            INT,
            *([TEXT] * len(CHECKLIST)),
            INT,
            *(DEC1 if unit != "%" else PCT for _, unit in FIGURES.values()),
        ],
        note="量化指标为评星时冻结的数值；未评定的党支部只列名称。",
    )
    stars: dict[int, int] = defaultdict(int)
    complete = 0
    for path in sorted(branches):
        branch, row = branches[path], assessments.get(path)
        if row is None:
            table.add(
                [branch["name"], ctx.units.parent_name(path), "未评定", *([""] * (len(CHECKLIST) + 1 + len(FIGURES)))],
                key=branch["pk"],
            )
            continue
        met = checklist_count(row)
        complete += met == len(CHECKLIST)
        if row.stars:
            stars[row.stars] += 1
        figures = row.figures or {}
        table.add(
            [
                branch["name"],
                ctx.units.parent_name(path),
                row.stars,
                *("有" if getattr(row, f"has_{key}") else "无" for key in CHECKLIST),
                met,
                *(
                    None
                    if figures.get(key) is None
                    else (figures[key] / 100 if FIGURES[key][1] == "%" else figures[key])
                    for key in figure_keys
                ),
            ],
            key=row.pk,
        )
    assessed = sum(stars.values())
    distribution = Table("星级分布", ["星级", "党支部数", "占已评定"], [TEXT, INT, PCT])
    for level in range(5, 0, -1):
        distribution.add([f"{level} 星", stars[level], rate(stars[level], assessed)], key=level)
    distribution.total = ["已评定合计", assessed, rate(assessed, assessed)]
    star_sum = sum(level * n for level, n in stars.items())
    return Section(
        10,
        "评星晋级",
        figures=[
            Figure("党支部", len(branches)),
            Figure("已评星", assessed),
            Figure("未评星", len(branches) - assessed),
            *(Figure(f"{level} 星党支部", stars[level]) for level in range(5, 0, -1)),
            Figure("平均星级", average(star_sum, assessed), DEC1),
            Figure("“六有”齐全的党支部", complete),
        ],
        tables=[distribution, table],
    )
