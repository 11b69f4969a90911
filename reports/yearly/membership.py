"""Section 2 of the yearly report (党员队伍): the roll at the year's end by political status, the year's
membership events and status steps, per organisation, and the mobile members' reports.
"""

from collections import defaultdict

from django.db.models import Count, Max, Q

from branches.models import MembershipEvent, MobileMember, MobileReport, PoliticalStatus, RuleSettings, StatusStep
from reports.yearly.base import DATE, INT, PCT, TEXT, Context, Figure, Section, Table, label_of, rate, unit_table
from reports.yearly.coverage import PIPELINE_STATUSES, member_counts


def membership_section(ctx: Context) -> Section:
    members = member_counts(ctx)
    statuses = [
        PoliticalStatus.FULL,
        PoliticalStatus.PROBATIONARY,
        PoliticalStatus.DEVELOPMENT_TARGET,
        PoliticalStatus.ACTIVIST,
        PoliticalStatus.APPLICANT,
    ]
    by_status = {status: sum(unit.get(status, 0) for unit in members.values()) for status in statuses}
    member_total = by_status[PoliticalStatus.FULL] + by_status[PoliticalStatus.PROBATIONARY]
    status_table = Table(
        "年末政治面貌构成",
        ["政治面貌", "人数"],
        [TEXT, INT],
        note="党员按年末组织关系（组织关系事件）统计；入党申请人、积极分子、发展对象按年末所处阶段统计。",
    )
    for status in statuses:
        status_table.add([label_of(PoliticalStatus.choices, status), by_status[status]], key=status)
    status_table.total = ["党员合计（正式 + 预备）", member_total]

    # Membership events in the year
    events = list(
        MembershipEvent.objects.filter(ctx.scope("organisation__"), ctx.dates())
        .values("organisation__path", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    event_counts = {kind: 0 for kind in MembershipEvent.Kind.values}
    for row in events:
        event_counts[row["kind"]] += row["n"]
    events_table = Table("年内组织关系变动", ["变动", "人次"], [TEXT, INT], note="按事件所在党组织统计。")
    for kind, label in MembershipEvent.Kind.choices:
        events_table.add([str(label), event_counts[kind]], key=kind)
    joined = event_counts[MembershipEvent.Kind.JOIN] + event_counts[MembershipEvent.Kind.TRANSFER_IN]
    left = sum(event_counts[kind] for kind in MembershipEvent.ENDING)

    # Status steps in the year (the pipeline)
    steps = dict(
        StatusStep.objects.filter(ctx.scope("person__organisation__"), ctx.dates())
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    steps_table = Table("年内政治面貌变更", ["变更为", "人数"], [TEXT, INT], note="按人员所在党组织统计。")
    for status in reversed(PoliticalStatus.values[1:]):
        steps_table.add([label_of(PoliticalStatus.choices, status), steps.get(status, 0)], key=status)

    # Per organisation: year-end members and the year's changes
    per_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, unit in members.items():
        per_unit[path]["full"] = unit.get(PoliticalStatus.FULL, 0)
        per_unit[path]["probationary"] = unit.get(PoliticalStatus.PROBATIONARY, 0)
    for row in events:
        per_unit[ctx.units.unit_of(row["organisation__path"])][row["kind"]] += row["n"]
    kinds = MembershipEvent.Kind
    per_unit_table = unit_table(
        ctx,
        title="各党组织年末党员及年内变动",
        headers=["正式党员", "预备党员", "党员合计", "入党", "转入", "转出", "去世", "出党/退党", "退休"],
        formats=[INT] * 9,
        totals=per_unit,
        cells=lambda unit: [
            unit["full"],
            unit["probationary"],
            unit["full"] + unit["probationary"],
            *(unit[kind] for kind in (kinds.JOIN, kinds.TRANSFER_IN, kinds.TRANSFER_OUT, kinds.DEATH, kinds.EXIT)),
            unit[kinds.RETIRE],
        ],
        total=[
            by_status[PoliticalStatus.FULL],
            by_status[PoliticalStatus.PROBATIONARY],
            member_total,
            *(event_counts[kind] for kind in (kinds.JOIN, kinds.TRANSFER_IN, kinds.TRANSFER_OUT, kinds.DEATH)),
            event_counts[kinds.EXIT],
            event_counts[kinds.RETIRE],
        ],
    )

    mobile_figures, overdue_table = _mobile(ctx)
    return Section(
        2,
        "党员队伍",
        figures=[
            Figure("年末党员", member_total),
            Figure("其中正式党员", by_status[PoliticalStatus.FULL]),
            Figure("其中预备党员", by_status[PoliticalStatus.PROBATIONARY]),
            Figure("年末发展对象、积极分子、申请人", sum(by_status[status] for status in PIPELINE_STATUSES)),
            Figure("年内入党", event_counts[MembershipEvent.Kind.JOIN]),
            Figure("年内增加（入党 + 转入）", joined),
            Figure("年内减少（转出、去世、出党）", left),
            *mobile_figures,
        ],
        tables=[status_table, events_table, steps_table, per_unit_table, overdue_table],
    )


def _mobile(ctx: Context) -> tuple[list[Figure], Table]:
    """流动党员: the records open at some time in the year, the reports logged in it, and who was overdue at the
    year's end (the rule of `MobileMember.next_due`: a report every N months, overdue after the grace days)."""
    rules = RuleSettings.current()
    records = list(
        MobileMember.objects.filter(ctx.scope("person__organisation__"), leave_date__lte=ctx.as_of)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gte=ctx.first))
        .select_related("person__organisation")
        .annotate(
            last_report=Max(
                "reports__date", filter=Q(reports__kind__in=MobileReport.REPORT_KINDS, reports__date__lte=ctx.as_of)
            )
        )
        .order_by("person__organisation__path", "person__name", "pk")
    )
    reports = dict(
        MobileReport.objects.filter(ctx.scope("mobile_member__person__organisation__"), ctx.dates())
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    still_away = [r for r in records if r.returned_on is None or r.returned_on > ctx.as_of]
    overdue_table = Table(
        "年末逾期未汇报的流动党员",
        ["姓名", "党组织", "流入地", "外出日期", "最近汇报", "应汇报日期"],
        [TEXT, TEXT, TEXT, DATE, DATE, DATE],
        note=f"每 {rules.mobile_report_interval_months} 个月应汇报一次，"
        f"超过应汇报日期 {rules.mobile_report_grace_days} 天仍未汇报即为逾期。",
    )
    for record in still_away:
        due = record.next_due(record.last_report, rules)
        if (ctx.as_of - due).days > rules.mobile_report_grace_days:
            overdue_table.add(
                [
                    record.person.name,
                    record.person.organisation.name,
                    record.destination,
                    record.leave_date,
                    record.last_report,
                    due,
                ],
                key=record.pk,
            )
    overdue = len(overdue_table.rows)
    figures = [
        Figure("年内流动党员", len(records)),
        Figure("年内新外出", sum(1 for r in records if r.leave_date >= ctx.first)),
        Figure("年内返回", sum(1 for r in records if r.returned_on is not None and r.returned_on <= ctx.as_of)),
        Figure("年末仍在外", len(still_away)),
        Figure("年内汇报（书面、口头）", sum(reports.get(kind, 0) for kind in MobileReport.REPORT_KINDS)),
        Figure("年内回访核实", reports.get(MobileReport.Kind.CHECK, 0)),
        Figure("年末逾期未汇报", overdue),
        Figure("流动党员按期汇报率", rate(len(still_away) - overdue, len(still_away)), PCT, "年末在外者中未逾期的比例"),
    ]
    return figures, overdue_table
