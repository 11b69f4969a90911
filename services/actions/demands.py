"""Demands from the masses (群众需求): received → assigned → done → called back. Validated, atomic, row-locked,
audited. Overdue and unmet are derived in the selectors, never stored.

`actor=None` on `demand_receive` is the public online form (no login): then the channel is always "online" and the
demand is received today."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Organisation, Person
from branches.selectors import scope_for, secretary_users_for, working_day_deadline
from portal.actions import notification_send
from portal.audit import audit_record, snapshot
from portal.models import User
from services.models import Demand, DemandCategory
from services.selectors.demands import demand_team_choices, demands_open_overdue
from volunteers.models import Team, TeamMembership

MAX_CONTENT = 2000
MAX_RESULT = 2000
MAX_NOTE = 500
# A mobile number (11 digits from 1), a landline with area code (010-12345678, 027 8765432) or a local number.
PHONE_PATTERN = re.compile(r"^(1\d{10}|0\d{2,3}[- ]?\d{7,8}|\d{7,8})$")


def phone_check(phone: str) -> str:
    """The phone number, stripped; a clear Chinese message when it is not one."""
    phone = (phone or "").strip()
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationError("联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。")
    return phone


def _require_write(actor: User | None, demand: Demand) -> None:
    if actor is not None and not scope_for(actor).covers_path(demand.organisation.path):
        raise ValidationError("该群众需求不在您的管理范围内。")


def _locked(demand: Demand) -> Demand:
    """The demand row, locked for this transaction: two people acting on one demand at once are serialised."""
    # of=self: the assignee joins are outer joins, which PostgreSQL cannot lock (and need not).
    return Demand.objects.select_for_update(of=("self",)).select_related("organisation", "category").get(pk=demand.pk)


def _require_state(demand: Demand, allowed: tuple, doing: str) -> None:
    if demand.state not in allowed:
        raise ValidationError(f"该需求当前为“{demand.get_state_display()}”，不能{doing}。")


def _check_content(content: str) -> str:
    content = (content or "").strip()
    if not content:
        raise ValidationError("请填写需求内容。")
    if len(content) > MAX_CONTENT:
        raise ValidationError(f"需求内容不能超过 {MAX_CONTENT} 字。")
    return content


@transaction.atomic
def demand_receive(
    *,
    actor: User | None,
    organisation: Organisation,
    channel: str,
    category: DemandCategory,
    content: str,
    requester_name: str = "",
    requester_phone: str = "",
    requester_address: str = "",
    received_on: datetime.date | None = None,
) -> Demand:
    """A demand received from any channel. The deadline is the category's number of working days after the day it
    was received (holidays skipped, make-up workdays counted). A secretary may enter one received earlier."""
    today = timezone.localdate()
    if actor is None:  # the public form: online, today
        channel, received_on = Demand.Channel.ONLINE, today
    elif not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("所选党组织不在您的管理范围内。")
    if organisation.is_archived:
        raise ValidationError("该党组织已撤销，不能受理需求。")
    if channel not in Demand.Channel.values:
        raise ValidationError("请选择来源渠道。")
    if category is None:
        raise ValidationError("请选择需求类别。")
    received_on = received_on or today
    if received_on > today:
        raise ValidationError("受理日期不能晚于今天。")
    demand = Demand(
        organisation=organisation,
        channel=channel,
        category=category,
        content=_check_content(content),
        requester_name=(requester_name or "").strip(),
        requester_phone=phone_check(requester_phone),
        requester_address=(requester_address or "").strip(),
        received_on=received_on,
        deadline=working_day_deadline(start=received_on, days=category.deadline_working_days),
        recorded_by=actor,
    )
    demand.full_clean(exclude=["recorded_by"])
    demand.save()
    audit_record(
        actor=actor,
        action="demand.receive",
        target=demand,
        summary=f"{demand.get_channel_display()} · {category.name}",
        changes={"deadline": str(demand.deadline)},
    )
    return demand


@transaction.atomic
def demand_assign(
    *, actor: User | None, demand: Demand, person: Person | None = None, team: Team | None = None
) -> Demand:
    """Hands the demand to one member or one team in the actor's scope; a demand already assigned may be
    handed to someone else until it is done."""
    demand = _locked(demand)
    _require_write(actor, demand)
    _require_state(demand, (Demand.State.RECEIVED, Demand.State.ASSIGNED), "交办")
    if (person is None) == (team is None):
        raise ValidationError("请选择一名承办人或一支服务队（二选一）。")
    if person is not None:
        if not person.is_active_member:
            raise ValidationError("所选人员已不在册，不能承办。")
        if actor is not None and not scope_for(actor).covers_path(person.organisation.path):
            raise ValidationError("所选承办人不在您的管理范围内。")
    if team is not None:
        if team.is_archived:
            raise ValidationError("所选服务队已撤销。")
        if actor is not None and not demand_team_choices(user=actor).filter(pk=team.pk).exists():
            raise ValidationError("所选服务队不在您的管理范围内。")
    before = snapshot(demand, ["state", "assigned_person", "assigned_team"])
    demand.assigned_person, demand.assigned_team = person, team
    demand.state = Demand.State.ASSIGNED
    demand.save(update_fields=["assigned_person", "assigned_team", "state", "updated_at"])
    after = snapshot(demand, ["state", "assigned_person", "assigned_team"])
    audit_record(
        actor=actor,
        action="demand.assign",
        target=demand,
        summary=str(person or team),
        changes={key: [before[key], value] for key, value in after.items() if before[key] != value},
    )
    return demand


@transaction.atomic
def demand_complete(*, actor: User | None, demand: Demand, result: str, done_on: datetime.date) -> Demand:
    """Records the result of an assigned demand (办结)."""
    demand = _locked(demand)
    _require_write(actor, demand)
    _require_state(demand, (Demand.State.ASSIGNED,), "登记办理结果（请先交办）")
    result = (result or "").strip()
    if not result:
        raise ValidationError("请填写办理结果。")
    if len(result) > MAX_RESULT:
        raise ValidationError(f"办理结果不能超过 {MAX_RESULT} 字。")
    if done_on is None:
        raise ValidationError("请填写办结日期。")
    if done_on > timezone.localdate():
        raise ValidationError("办结日期不能晚于今天。")
    if done_on < demand.received_on:
        raise ValidationError("办结日期不能早于受理日期。")
    demand.result, demand.done_on, demand.state = result, done_on, Demand.State.DONE
    demand.save(update_fields=["result", "done_on", "state", "updated_at"])
    audit_record(
        actor=actor,
        action="demand.complete",
        target=demand,
        summary=result[:100],
        changes={"state": [Demand.State.ASSIGNED, Demand.State.DONE], "done_on": str(done_on)},
    )
    return demand


@transaction.atomic
def demand_call_back(
    *, actor: User | None, demand: Demand, callback_on: datetime.date, satisfaction: str, note: str = ""
) -> Demand:
    """Records the callback (回访) with the requester's satisfaction; the demand is then closed."""
    demand = _locked(demand)
    _require_write(actor, demand)
    _require_state(demand, (Demand.State.DONE,), "回访（请先登记办理结果）")
    if satisfaction not in Demand.Satisfaction.values:
        raise ValidationError("请选择群众满意度。")
    if callback_on is None:
        raise ValidationError("请填写回访日期。")
    if callback_on > timezone.localdate():
        raise ValidationError("回访日期不能晚于今天。")
    if callback_on < demand.done_on:
        raise ValidationError("回访日期不能早于办结日期。")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"回访记录不能超过 {MAX_NOTE} 字。")
    demand.callback_on, demand.satisfaction, demand.callback_note = callback_on, satisfaction, note
    demand.state = Demand.State.CALLED_BACK
    demand.save(update_fields=["callback_on", "satisfaction", "callback_note", "state", "updated_at"])
    audit_record(
        actor=actor,
        action="demand.call_back",
        target=demand,
        summary=demand.get_satisfaction_display(),
        changes={"state": [Demand.State.DONE, Demand.State.CALLED_BACK], "satisfaction": satisfaction},
    )
    return demand


@transaction.atomic
def demand_category_save(*, actor: User | None, category: DemandCategory, changed: list[str]) -> DemandCategory:
    """Demand categories (with their deadline and needed skill) are data kept by 组织部 in the admin."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护需求类别。")
    if category.deadline_working_days is not None and category.deadline_working_days < 1:
        raise ValidationError("办理时限至少为 1 个工作日。")
    created = category.pk is None
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action=f"demand_category.{'create' if created else 'update'}",
        target=category,
        changes={name: snapshot(category, [name])[name] for name in changed},
    )
    return category


# The daily reminder job -------------------------------------------------------------------------------------


def demands_overdue_remind(*, today: datetime.date) -> dict[str, int]:
    """每日: each demand still open past its deadline reminds who must act — the assigned member, or the leaders of
    the assigned team, or else (not assigned, or nobody there has an account) the secretary of the demand's
    organisation. The key names the demand and its deadline, so each is reminded once per person, however often
    the job runs; a demand handed to someone new reminds the new assignee.

    Overdue itself is derived (the list shows it first, with its days late); nothing is stored. Not one
    transaction around the run: each reminder commits on its own (see `notification_send`), so a failure halfway
    keeps what was sent and a re-run sends only the rest."""
    demands = list(demands_open_overdue(today=today))
    leaders: dict[int, list[User]] = {}
    for membership in TeamMembership.objects.filter(
        team_id__in={d.assigned_team_id for d in demands if d.assigned_team_id},
        state=TeamMembership.State.ACTIVE,
        role=TeamMembership.Role.LEADER,
        person__user__is_active=True,
    ).select_related("person__user"):
        leaders.setdefault(membership.team_id, []).append(membership.person.user)
    secretaries = secretary_users_for(organisations={d.organisation for d in demands}, on=today)
    summary = {"overdue": len(demands), "reminded": 0, "no_account": 0}
    for demand in demands:
        assignee = demand.assigned_person.user if demand.assigned_person_id else None
        if assignee is not None and assignee.is_active:
            recipients = [assignee]
        else:
            recipients = leaders.get(demand.assigned_team_id, []) or secretaries[demand.organisation_id]
        if not recipients:
            summary["no_account"] += 1
        late = (today - demand.deadline).days
        for recipient in recipients:
            if notification_send(
                recipient=recipient,
                key=f"demand-overdue:{demand.pk}:{demand.deadline:%Y%m%d}",
                title=f"群众需求逾期未办结：{demand.category.name}（#{demand.pk}）",
                body=(
                    f"{demand.organisation.name}于 {demand.received_on:%Y年%m月%d日} 受理的群众需求，办理期限为 "
                    f"{demand.deadline:%Y年%m月%d日}，已逾期 {late} 天，当前状态：{demand.get_state_display()}。"
                    "请尽快办理并登记办理结果。"
                ),
                url=reverse("services:demand_detail", args=[demand.pk]),
            ):
                summary["reminded"] += 1
    return summary
