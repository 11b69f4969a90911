"""Section 1 of the yearly report (组织覆盖), and the year-end roll that sections 1 and 2 share.

Headcounts at the year's end come from membership events, as `branches.selectors.organisation_headcount_on`
counts them (the last join/transfer/exit up to the date decides where a member is on the roll); the status at the
year's end is the last status step up to that date. Host units, grids and a person's grid have no history in the
models: they are shown as they are when the report is made.
"""

from collections import defaultdict

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from branches.models import (
    MEMBER_STATUSES,
    Grid,
    HostUnit,
    MembershipEvent,
    Organisation,
    Person,
    PoliticalStatus,
    RuleSettings,
    StatusStep,
)
from reports.yearly.base import (
    INT,
    PCT,
    TEXT,
    TOTAL_LABEL,
    Context,
    Figure,
    Section,
    Table,
    label_of,
    rate,
    unit_table,
)

PIPELINE_STATUSES = (PoliticalStatus.APPLICANT, PoliticalStatus.ACTIVIST, PoliticalStatus.DEVELOPMENT_TARGET)


def year_end_people(ctx: Context) -> list[dict]:
    """People on the roll at the year's end, grouped: {unit path, status, n, no_grid}. One query.

    Party members (预备/正式) count where their last membership event up to the date puts them (as
    `organisation_headcount_on` does); 入党申请人, 积极分子 and 发展对象 have no events and count in their
    current organisation with the status they had reached by then."""
    if "people" in ctx.cache:
        return ctx.cache["people"]
    latest = MembershipEvent.objects.filter(
        person=OuterRef("pk"), date__lte=ctx.as_of, kind__in=MembershipEvent.STARTING + MembershipEvent.ENDING
    ).order_by("-date", "-pk")
    step = StatusStep.objects.filter(person=OuterRef("pk"), date__lte=ctx.as_of).order_by("-date", "-pk")
    people = Person.objects.annotate(
        last_kind=Subquery(latest.values("kind")[:1]),
        last_path=Subquery(latest.values("organisation__path")[:1]),
        year_status=Subquery(step.values("status")[:1]),
    )
    on_roll = Q(last_kind__in=MembershipEvent.STARTING)
    if ctx.organisation is not None:
        on_roll &= Q(last_path__startswith=ctx.scope_path)
    pipeline = Q(last_kind__isnull=True, is_active_member=True, year_status__in=PIPELINE_STATUSES) & ctx.scope(
        "organisation__"
    )
    rows = list(
        people.filter(on_roll | pipeline)
        .annotate(unit=Coalesce("last_path", "organisation__path"))
        .values("unit", "year_status")
        .annotate(n=Count("pk"), no_grid=Count("pk", filter=Q(grid__isnull=True)))
        .order_by()
    )
    ctx.cache["people"] = rows
    return rows


def member_counts(ctx: Context) -> dict[str, dict[str, int]]:
    """{unit path: {status: n, "no_grid": members without a grid}} over the year-end roll."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in year_end_people(ctx):
        unit = counts[ctx.units.unit_of(row["unit"])]
        unit[row["year_status"]] += row["n"]
        if row["year_status"] in MEMBER_STATUSES:
            unit["no_grid"] += row["no_grid"]
    return counts


# 1 组织覆盖 -----------------------------------------------------------------------------------------------------


def _grid_paths(grids: list[dict]) -> dict[int, str]:
    """The organisation a grid belongs to for scoping: its own, else its parent's, else its grandparent's."""
    return {
        grid["pk"]: grid["organisation__path"]
        or grid["parent__organisation__path"]
        or grid["parent__parent__organisation__path"]
        or ""
        for grid in grids
    }


def coverage_section(ctx: Context) -> Section:
    grids = list(
        Grid.objects.values(
            "pk",
            "name",
            "level",
            "parent__name",
            "organisation_id",
            "organisation__path",
            "parent__organisation__path",
            "parent__parent__organisation__path",
        ).order_by("name", "pk")
    )
    grid_path = _grid_paths(grids)
    grids = [grid for grid in grids if ctx.in_scope(grid_path[grid["pk"]])]
    hosts = [
        host
        for host in HostUnit.objects.values(
            "pk",
            "name",
            "sector",
            "formation",
            "organisation__path",
            "grid_id",
            "instructor_id",
            "instructor__name",
            "instructor__organisation__name",
        ).order_by("name", "pk")
        # A host counts where its party organisation is; an uncovered one (none yet) where its grid is.
        if ctx.in_scope(host["organisation__path"] or grid_path.get(host["grid_id"], ""))
    ]
    formations = [value for value in HostUnit.Formation.values if value != HostUnit.Formation.NONE]

    # Hosts by sector and formation mode
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for host in hosts:
        counts[host["sector"]][host["formation"]] += 1
    modes = [*formations, HostUnit.Formation.NONE]
    by_sector = Table(
        "单位覆盖情况（按单位类型和组建方式）",
        ["单位类型", *(label_of(HostUnit.Formation.choices, mode) for mode in modes), "单位总数", "已覆盖", "覆盖率"],
        [TEXT, *([INT] * len(modes)), INT, INT, PCT],
        note="覆盖率 = 以单独建、联合建、挂靠建或委派党建指导员方式覆盖的单位 / 全部单位"
        "（单位信息为报告生成时的状态）。",
    )
    for sector, label in HostUnit.Sector.choices:
        row = counts[sector]
        covered, total = sum(row[mode] for mode in formations), sum(row.values())
        by_sector.add([str(label), *(row[mode] for mode in modes), total, covered, rate(covered, total)], key=sector)
    covered = sum(1 for host in hosts if host["formation"] != HostUnit.Formation.NONE)
    by_sector.total = [
        TOTAL_LABEL,
        *(sum(1 for host in hosts if host["formation"] == mode) for mode in modes),
        len(hosts),
        covered,
        rate(covered, len(hosts)),
    ]

    # Joint branches and the hosts they cover
    joint_hosts: dict[str, list[str]] = defaultdict(list)
    for host in hosts:
        if host["formation"] == HostUnit.Formation.JOINT and host["organisation__path"]:
            joint_hosts[host["organisation__path"]].append(host["name"])
    joint_paths = sorted(
        {
            path
            for path, row in ctx.units.by_path.items()
            if row["kind"] == Organisation.Kind.JOINT_BRANCH and not row["is_archived"]
        }
        | set(joint_hosts)
    )
    joint = Table(
        "联合党支部及其覆盖的单位",
        ["党组织", "上级党组织", "覆盖单位数", "覆盖单位"],
        [TEXT, TEXT, INT, TEXT],
    )
    for path in joint_paths:
        names = joint_hosts.get(path, [])
        joint.add([ctx.units.name(path), ctx.units.parent_name(path), len(names), "、".join(names)], ctx.units.pk(path))

    # Instructors (委派党建指导员)
    by_instructor: dict[int | None, list[dict]] = defaultdict(list)
    for host in hosts:
        if host["formation"] == HostUnit.Formation.INSTRUCTOR:
            by_instructor[host["instructor_id"]].append(host)
    instructors = Table(
        "委派党建指导员覆盖的单位",
        ["党建指导员", "所在党组织", "指导单位数", "指导单位"],
        [TEXT, TEXT, INT, TEXT],
        note="“（未指派）”：组建方式为委派党建指导员，但尚未登记指导员的单位。",
    )
    for instructor_id, rows in sorted(by_instructor.items(), key=lambda item: (item[0] is None, item[1][0]["name"])):
        first = rows[0]
        instructors.add(
            [
                first["instructor__name"] or "（未指派）",
                first["instructor__organisation__name"] or "",
                len(rows),
                "、".join(host["name"] for host in rows),
            ],
            key=instructor_id,
        )

    # Branches below the minimum of full members (at the year's end)
    minimum = RuleSettings.current().single_branch_min_full_members
    members = member_counts(ctx)
    below = Table(
        f"正式党员不足 {minimum} 名的党支部（年末）",
        ["党支部", "上级党组织", "类别", "正式党员", "预备党员"],
        [TEXT, TEXT, TEXT, INT, INT],
        note="按年末组织关系统计，党小组的党员计入所在党支部。",
    )
    for branch in ctx.units.branches():
        counts_here = members.get(branch["path"], {})
        full = counts_here.get(PoliticalStatus.FULL, 0)
        if full < minimum:
            below.add(
                [
                    branch["name"],
                    ctx.units.parent_name(branch["path"]),
                    label_of(Organisation.Kind.choices, branch["kind"]),
                    full,
                    counts_here.get(PoliticalStatus.PROBATIONARY, 0),
                ],
                key=branch["pk"],
            )

    # Grids without a party organisation
    unserved = Table("尚无服务党组织的网格", ["网格", "层级", "上级网格"], [TEXT, TEXT, TEXT])
    for grid in grids:
        if grid["organisation_id"] is None:
            unserved.add(
                [grid["name"], label_of(Grid.Level.choices, grid["level"]), grid["parent__name"] or ""], key=grid["pk"]
            )

    # Members outside any grid
    no_grid_total = sum(unit.get("no_grid", 0) for unit in members.values())
    member_total = sum(unit.get(status, 0) for unit in members.values() for status in MEMBER_STATUSES)
    outside = unit_table(
        ctx,
        title="未纳入网格的党员（年末在册）",
        headers=["年末党员", "未纳入网格", "占比"],
        formats=[INT, INT, PCT],
        totals={path: unit for path, unit in members.items() if unit.get("no_grid")},
        cells=lambda unit: [
            sum(unit.get(status, 0) for status in MEMBER_STATUSES),
            unit["no_grid"],
            rate(unit["no_grid"], sum(unit.get(status, 0) for status in MEMBER_STATUSES)),
        ],
        note="所在网格为报告生成时登记的网格。",
    )

    joint_count = sum(
        1 for path in joint_paths if ctx.units.by_path.get(path, {}).get("kind") == Organisation.Kind.JOINT_BRANCH
    )
    instructor_hosts = sum(len(rows) for rows in by_instructor.values())
    return Section(
        1,
        "组织覆盖",
        figures=[
            Figure("单位总数", len(hosts)),
            Figure("已覆盖单位", covered),
            Figure("单位覆盖率", rate(covered, len(hosts)), PCT),
            Figure("联合党支部", joint_count),
            Figure("委派党建指导员覆盖的单位", instructor_hosts),
            Figure(f"正式党员不足 {minimum} 名的党支部", len(below.rows)),
            Figure("尚无服务党组织的网格", len(unserved.rows)),
            Figure("未纳入网格的党员", no_grid_total),
            Figure("党员网格覆盖率", rate(member_total - no_grid_total, member_total), PCT),
        ],
        tables=[by_sector, joint, instructors, below, unserved, outside],
    )
