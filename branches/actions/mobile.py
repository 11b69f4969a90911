"""流动党员: departure, reports, return, and the reminders of reports falling due."""

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from branches.actions.common import date_not_future, scope_require
from branches.models import (
    MobileMember,
    MobileReport,
    Person,
    RuleSettings,
)
from branches.selectors import mobile_members_due, secretary_users_for
from portal.actions import notification_send
from portal.audit import audit_record
from portal.models import User

# Mobile members ---------------------------------------------------------------------------------------------


@transaction.atomic
def mobile_departure_record(
    *, actor: User | None, person: Person, leave_date: datetime.date, **fields: Any
) -> MobileMember:
    scope_require(actor, person.organisation)
    date_not_future(leave_date, "外出日期")
    if not person.is_party_member or not person.is_active_member:
        raise ValidationError("只有在册党员可以登记为流动党员。")
    if person.mobile_records.filter(returned_on__isnull=True).exists():
        raise ValidationError("此人已有未结束的外出登记。")
    expected = fields.get("expected_return")
    if expected and expected < leave_date:
        raise ValidationError("预计返回日期不能早于外出日期。")
    record = MobileMember(person=person, leave_date=leave_date, **fields)
    record.full_clean()
    record.save()
    audit_record(actor=actor, action="mobile.depart", target=record, summary=str(record))
    return record


@transaction.atomic
def mobile_report_record(
    *, actor: User | None, mobile_member: MobileMember, kind: str, date: datetime.date, content: str
) -> MobileReport:
    scope_require(actor, mobile_member.person.organisation)
    date_not_future(date, "汇报日期")
    if mobile_member.returned_on is not None:
        raise ValidationError("该党员已返回，外出登记已关闭。")
    if date < mobile_member.leave_date:
        raise ValidationError("汇报日期不能早于外出日期。")
    if not (content or "").strip():
        raise ValidationError("请填写汇报内容。")
    report = MobileReport(mobile_member=mobile_member, kind=kind, date=date, content=content.strip(), logged_by=actor)
    report.full_clean()
    report.save()
    audit_record(actor=actor, action=f"mobile.report.{kind}", target=mobile_member, summary=f"{date:%Y-%m-%d}")
    return report


@transaction.atomic
def mobile_return_record(*, actor: User | None, mobile_member: MobileMember, date: datetime.date) -> MobileMember:
    mobile_member = (
        MobileMember.objects.select_for_update().select_related("person__organisation").get(pk=mobile_member.pk)
    )
    scope_require(actor, mobile_member.person.organisation)
    date_not_future(date, "返回日期")
    if mobile_member.returned_on is not None:
        raise ValidationError("该党员已登记返回。")
    if date < mobile_member.leave_date:
        raise ValidationError("返回日期不能早于外出日期。")
    mobile_member.returned_on = date
    mobile_member.save(update_fields=["returned_on", "updated_at"])
    audit_record(actor=actor, action="mobile.return", target=mobile_member, summary=f"{date:%Y-%m-%d}")
    return mobile_member


# Scheduled reminders ----------------------------------------------------------------------------------------

# The job runs every two months: each due date is announced at the run before it (and an overdue one at once).
MOBILE_REMIND_AHEAD_MONTHS = 2


def mobile_reports_remind(*, today: datetime.date) -> dict[str, int]:
    """流动党员汇报 (every 2 months): each open record whose report falls due before the next run reminds the
    mobile member (through their account, when they have one); one overdue past the grace period also reminds the
    branch secretary. Each reminder names the record and the due date, so it goes once per due period: a report
    logged moves the due date and the next period is announced afresh.

    Not one transaction around the run: each reminder commits on its own (`notification_send` is atomic), so a
    failure halfway keeps what was sent and a re-run sends only the rest; an outer transaction would have mailed
    people about rows it might then roll back. Overdue is derived (the list page shows it), never stored."""
    rules = RuleSettings.current()
    horizon = today + relativedelta(months=MOBILE_REMIND_AHEAD_MONTHS)
    rows = [row for row in mobile_members_due(today=today) if row["next_due"] <= horizon]
    secretaries = secretary_users_for(
        organisations={row["record"].person.organisation for row in rows if row["overdue"]}, on=today
    )
    summary = {"due": len(rows), "overdue": 0, "reminded": 0, "no_account": 0}
    for row in rows:
        record, due = row["record"], row["next_due"]
        person, url = record.person, reverse("branches:mobile_detail", args=[record.pk])
        if person.user is None:
            summary["no_account"] += 1
        elif notification_send(
            recipient=person.user,
            key=f"mobile-report-due:{record.pk}:{due:%Y%m%d}",
            title=f"流动党员汇报提醒：请于 {due:%Y年%m月%d日} 前向党支部汇报",
            body=(
                f"外出期间每 {rules.mobile_report_interval_months} 个月须向所在党支部汇报一次思想和工作情况"
                f"（书面或口头），本次应在 {due:%Y年%m月%d日} 前完成（宽限 {rules.mobile_report_grace_days} 天）。"
            ),
            url=url,
        ):
            summary["reminded"] += 1
        if not row["overdue"]:
            continue
        summary["overdue"] += 1
        recipients = secretaries[person.organisation_id]
        if not recipients:
            summary["no_account"] += 1
        for secretary in recipients:
            if notification_send(
                recipient=secretary,
                key=f"mobile-report-overdue:{record.pk}:{due:%Y%m%d}",
                title=f"流动党员汇报逾期：{person.name}",
                body=(
                    f"{person.name}（{person.organisation.name}，流入地 {record.destination}）的汇报应于 "
                    f"{due:%Y年%m月%d日} 前完成，宽限 {rules.mobile_report_grace_days} 天已过仍未汇报。"
                    "请联系本人，或与流入地党组织核实（回访）。"
                ),
                url=url,
            ):
                summary["reminded"] += 1
    return summary
