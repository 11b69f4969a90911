"""Activities, participation and hours: validated, atomic, audited."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import Organisation, Person
from branches.selectors import scope_for
from portal.audit import audit_record, diff, snapshot
from portal.models import User
from services.models import Activity, ActivityCategory, HoursEntry, Participation
from services.selectors import activity_can_write
from services.selectors.activities import walk_in_allowed_q
from volunteers.models import Team
from volunteers.selectors import team_can_write

EDITABLE_FIELDS = ["title", "category", "target_group", "place", "starts_at", "ends_at", "capacity", "description"]
CLOSE_FIGURES = ["served_people", "served_households", "money_raised", "money_lent", "money_donated", "goods"]
MAX_HOURS_PER_ENTRY = Decimal(24)


def _require_write(actor: User | None, activity: Activity) -> None:
    if actor is not None and not activity_can_write(user=actor, activity=activity):
        raise ValidationError("该活动不在您的管理范围内。")


def _locked(activity: Activity) -> Activity:
    """The activity row, locked for this transaction: state changes and sign-ups serialise on it."""
    # of=self: the team join is an outer join, which PostgreSQL cannot lock (and need not).
    return Activity.objects.select_for_update(of=("self",)).select_related("organisation", "team").get(pk=activity.pk)


def check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError("结束时间必须晚于开始时间。")
    if ends_at - starts_at > datetime.timedelta(days=7):
        raise ValidationError("单次活动不能超过 7 天，请分次登记。")


# Activities -------------------------------------------------------------------------------------------------


def activity_organiser_problems(
    *, actor: User | None, organisation: Organisation | None, team: Team | None
) -> tuple[Organisation | None, list[str]]:
    """Who organises an activity — the organisation, or the team's own when only a team is named — and what is
    wrong with it: the rules activity_create and the register import share.

    A team belongs with an organisation when either lies in the other's subtree: a branch's own team, or a team
    of the committee above serving one of its branches."""
    problems = []
    if team is not None:
        if team.is_archived:
            problems.append(f"服务队“{team.name}”已撤销。")
        if actor is not None and not team_can_write(user=actor, team=team):
            problems.append("所选服务队不在您的管理范围内。")
        if organisation is not None and not (
            team.organisation.path.startswith(organisation.path) or organisation.path.startswith(team.organisation.path)
        ):
            problems.append("服务队不属于所选党组织，也不属于它的上级党组织。")
        organisation = organisation or team.organisation
    if organisation is None:
        return None, [*problems, "请选择组织单位或服务队。"]
    if team is None and actor is not None and not scope_for(actor).covers_path(organisation.path):
        problems.append("所选党组织不在您的管理范围内。")
    return organisation, problems


@transaction.atomic
def activity_create(
    *,
    actor: User | None,
    title: str,
    category: ActivityCategory,
    place: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    organisation: Organisation | None = None,
    team: Team | None = None,
    publish: bool = False,
    **fields: Any,
) -> Activity:
    """A new activity, in draft — or published at once with `publish` (「保存并发布」: one step fewer for an activity
    logged afterwards, which must be published before its attendance). Organised by an organisation, or by a team
    (then owned by the team's organisation)."""
    organisation, problems = activity_organiser_problems(actor=actor, organisation=organisation, team=team)
    if problems:
        raise ValidationError(problems)
    check_times(starts_at, ends_at)
    activity = Activity(
        title=(title or "").strip(),
        category=category,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        organisation=organisation,
        team=team,
        created_by=actor,
        **fields,
    )
    activity.full_clean(exclude=["created_by"])
    activity.save()
    audit_record(actor=actor, action="activity.create", target=activity, summary=activity.title)
    if publish:
        activity = _transition(actor, activity, to=Activity.State.PUBLISHED, allowed_from=(Activity.State.DRAFT,))
    return activity


@transaction.atomic
def activity_update(*, actor: User | None, activity: Activity, **fields: Any) -> Activity:
    activity = _locked(activity)
    _require_write(actor, activity)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改：{', '.join(sorted(unknown))}")
    if activity.state not in (Activity.State.DRAFT, Activity.State.PUBLISHED):
        raise ValidationError("活动已结束，不能再修改。")
    before = snapshot(activity, list(fields))
    for name, value in fields.items():
        setattr(activity, name, value)
    check_times(activity.starts_at, activity.ends_at)
    taken = activity.participations.filter(state__in=Participation.TAKING_A_PLACE).count()
    if activity.capacity is not None and activity.capacity < taken:
        raise ValidationError(f"名额不能少于已报名人数（{taken} 人）。")
    activity.full_clean(exclude=["created_by"])
    activity.save()
    audit_record(
        actor=actor, action="activity.update", target=activity, changes=diff(before, snapshot(activity, list(fields)))
    )
    return activity


def _transition(actor: User | None, activity: Activity, *, to: str, allowed_from: tuple, summary: str = "") -> Activity:
    if activity.state not in allowed_from:
        raise ValidationError(f"“{activity.get_state_display()}”状态的活动不能执行此操作。")
    before = activity.state
    activity.state = to
    activity.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor, action=f"activity.{to}", target=activity, summary=summary, changes={"state": [before, to]}
    )
    return activity


@transaction.atomic
def activity_publish(*, actor: User | None, activity: Activity) -> Activity:
    activity = _locked(activity)
    _require_write(actor, activity)
    return _transition(actor, activity, to=Activity.State.PUBLISHED, allowed_from=(Activity.State.DRAFT,))


@transaction.atomic
def activity_cancel(*, actor: User | None, activity: Activity, reason: str) -> Activity:
    activity = _locked(activity)
    _require_write(actor, activity)
    if not (reason or "").strip():
        raise ValidationError("请填写取消原因。")
    if activity.participations.attended().exists():
        raise ValidationError("已登记出勤的活动不能取消。")
    activity.cancel_reason = reason.strip()
    activity.save(update_fields=["cancel_reason", "updated_at"])
    return _transition(
        actor,
        activity,
        to=Activity.State.CANCELLED,
        allowed_from=(Activity.State.DRAFT, Activity.State.PUBLISHED),
        summary=reason,
    )


@transaction.atomic
def activity_end(*, actor: User | None, activity: Activity) -> Activity:
    """Ends the activity (stops sign-ups). Possible once it has started."""
    activity = _locked(activity)
    _require_write(actor, activity)
    return _end(actor, activity)


def _end(actor: User | None, activity: Activity) -> Activity:
    if timezone.now() < activity.starts_at:
        raise ValidationError("活动尚未开始，不能结束。")
    return _transition(actor, activity, to=Activity.State.ENDED, allowed_from=(Activity.State.PUBLISHED,))


def activity_close_state_problem(activity: Activity, now: datetime.datetime | None = None) -> str | None:
    """Why the activity's state does not allow closing it (None: it does). An ended activity closes; so does a
    published one whose end time has passed — logged afterwards, it is ended and closed in one step. The activity
    page asks this before offering the close form."""
    if activity.state == Activity.State.ENDED:
        return None
    if activity.state == Activity.State.PUBLISHED and activity.ends_at <= (now or timezone.now()):
        return None
    return "只有已结束（或已过结束时间）的活动可以关闭。"


def activity_close_problem(activity: Activity, now: datetime.datetime | None = None) -> str | None:
    """Why the activity cannot be closed now (None: it can): its state, a sign-up not yet marked, nobody attended.
    activity_close refuses with it; the attendance sheet offers the close form only when there is none."""
    problem = activity_close_state_problem(activity, now)
    if problem:
        return problem
    unmarked = activity.participations.filter(state=Participation.State.SIGNED_UP).count()
    if unmarked:
        return f"还有 {unmarked} 人未登记出勤，不能关闭。"
    if not activity.participations.attended().exists():
        return "没有出勤记录的活动不能关闭。"
    return None


@transaction.atomic
def activity_close(*, actor: User | None, activity: Activity, **figures: Any) -> Activity:
    """Closes an activity with its served figures: attendance must be complete and someone attended. A published
    activity past its end is ended first (the trail shows 结束 then 关闭; a refusal undoes both)."""
    activity = _locked(activity)
    _require_write(actor, activity)
    unknown = set(figures) - set(CLOSE_FIGURES)
    if unknown:
        raise ValidationError(f"未知的字段：{', '.join(sorted(unknown))}")
    problem = activity_close_problem(activity)
    if problem:
        raise ValidationError(problem)
    if activity.state == Activity.State.PUBLISHED:
        activity = _end(actor, activity)
    for name, value in figures.items():
        if isinstance(value, Decimal | int) and value < 0:
            raise ValidationError("数字不能为负。")
        setattr(activity, name, value)
    activity.full_clean(exclude=["created_by"])
    activity.save(update_fields=[*figures, "updated_at"])
    return _transition(
        actor, activity, to=Activity.State.CLOSED, allowed_from=(Activity.State.ENDED,), summary="服务成效已登记"
    )


# Participation ----------------------------------------------------------------------------------------------


@transaction.atomic
def participation_sign_up(*, actor: User, activity: Activity, person: Person | None = None) -> Participation:
    """A member signs up (for themselves; a secretary may sign up someone in scope). The activity row is locked,
    so two people taking the last place at the same moment cannot both get it."""
    activity = _locked(activity)
    scope = scope_for(actor)
    if person is None:
        if not scope.person_id:
            raise ValidationError("您的账号未关联人员档案，不能报名。")
        person = Person.objects.get(pk=scope.person_id)
    elif person.pk != scope.person_id:
        _require_write(actor, activity)
    if activity.state != Activity.State.PUBLISHED:
        raise ValidationError("只有已发布的活动可以报名。")
    if timezone.now() >= activity.ends_at:  # as selectors.activities.sign_up_open_q, which lists the open ones
        raise ValidationError("活动已结束，不能报名。")
    existing = Participation.objects.filter(activity=activity, person=person).first()
    if existing is not None and existing.state != Participation.State.WITHDRAWN:
        raise ValidationError("已报名。")
    taken = activity.participations.filter(state__in=Participation.TAKING_A_PLACE).count()
    if activity.capacity is not None and taken >= activity.capacity:
        raise ValidationError("名额已满。")
    participation = existing or Participation(activity=activity, person=person)
    participation.state = Participation.State.SIGNED_UP
    participation.save()
    audit_record(actor=actor, action="participation.sign_up", target=participation, summary=str(participation))
    return participation


@transaction.atomic
def participation_withdraw(*, actor: User, participation: Participation) -> Participation:
    participation = (
        Participation.objects.select_for_update().select_related("activity__organisation").get(pk=participation.pk)
    )
    if participation.person_id != scope_for(actor).person_id:
        _require_write(actor, participation.activity)
    if participation.state != Participation.State.SIGNED_UP:
        raise ValidationError("当前状态不能取消报名。")
    if timezone.now() >= participation.activity.starts_at:
        raise ValidationError("活动已开始，不能取消报名。")
    participation.state = Participation.State.WITHDRAWN
    participation.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="participation.withdraw", target=participation, summary=str(participation))
    return participation


def check_hours(hours: Decimal) -> None:
    if hours <= 0 or hours > MAX_HOURS_PER_ENTRY:
        raise ValidationError("服务时长应大于 0 且不超过 24 小时。")


def _original_entry(participation: Participation) -> HoursEntry | None:
    return participation.hours_entries.filter(corrects__isnull=True).first()


def attendance_record_problem(activity: Activity, now: datetime.datetime | None = None) -> str | None:
    """Why attendance cannot be recorded for the activity now (None: it can): it must be published or ended, and
    have started. attendance_record refuses with it; the attendance sheet asks it to say so before anyone types a
    sheet in vain."""
    if activity.state not in (Activity.State.PUBLISHED, Activity.State.ENDED):
        return "只有已发布或已结束的活动可以登记出勤。"
    if (now or timezone.now()) < activity.starts_at:
        return "活动开始后才能登记出勤。"
    return None


@transaction.atomic
def attendance_record(
    *, actor: User | None, activity: Activity, marks: dict[int, tuple[bool, Decimal | None]]
) -> dict[str, int]:
    """Marks attendance for the sheet: {participation id: (attended, hours)}. Attended people get a pending hours
    entry (default: the activity's length); a pending entry may be changed, an approved one never (correct it)."""
    activity = _locked(activity)
    _require_write(actor, activity)
    problem = attendance_record_problem(activity)
    if problem:
        raise ValidationError(problem)
    participations = {
        p.pk: p for p in activity.participations.filter(pk__in=marks).exclude(state=Participation.State.WITHDRAWN)
    }
    if set(marks) - set(participations):
        raise ValidationError("出勤表包含不属于本活动的记录。")
    counts = {"attended": 0, "no_show": 0}
    for pk, (attended, hours) in marks.items():
        participation = participations[pk]
        entry = _original_entry(participation)
        if attended:
            hours = hours if hours is not None else activity.duration_hours
            check_hours(hours)
            if entry is None:
                HoursEntry.objects.create(participation=participation, hours=hours, recorded_by=actor)
            elif entry.state == HoursEntry.State.PENDING and entry.hours != hours:
                entry.hours = hours
                entry.save(update_fields=["hours", "updated_at"])
            elif entry.state == HoursEntry.State.APPROVED and entry.hours != hours and not entry.corrections.exists():
                raise ValidationError(f"{participation.person.name} 的时长已审核，不能修改，请提交更正。")
            participation.state = Participation.State.ATTENDED
            counts["attended"] += 1
        else:
            if entry is not None and entry.state == HoursEntry.State.APPROVED:
                raise ValidationError(f"{participation.person.name} 的时长已审核，不能改为缺席。")
            if entry is not None:
                entry.delete()  # a pending entry is a draft of the sheet, not a record of work
            participation.state = Participation.State.NO_SHOW
            counts["no_show"] += 1
        participation.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="activity.attendance",
        target=activity,
        summary=f"出勤 {counts['attended']} 人，缺席 {counts['no_show']} 人",
        changes={
            str(pk): [attended, str(hours) if hours is not None else None] for pk, (attended, hours) in marks.items()
        },
    )
    return counts


@transaction.atomic
def participations_walk_in(
    *,
    actor: User | None,
    activity: Activity,
    people: list[Person],
    role: str = Participation.Role.VOLUNTEER,
    hours: Decimal | None = None,
) -> list[Participation]:
    """People who came without signing up (picked from the roster, several at once): added as attended, each with a
    pending hours entry (default: the activity's length). All or none: every person is checked before anything is
    written, and the sheet's audit event records them together."""
    activity = _locked(activity)
    _require_write(actor, activity)
    if not people:
        raise ValidationError("请至少选择一人。")
    on_sheet = set(
        Participation.objects.filter(activity=activity, person__in=people)
        .exclude(state=Participation.State.WITHDRAWN)
        .values_list("person_id", flat=True)
    )
    allowed = (
        set(
            Person.objects.filter(walk_in_allowed_q(user=actor, activity=activity))
            .filter(pk__in=[person.pk for person in people])
            .values_list("pk", flat=True)
        )
        if actor is not None
        else None
    )
    problems = []
    for person in people:
        if allowed is not None and person.pk not in allowed:
            problems.append(f"{person.name} 不在您的管理范围内。")
        elif person.pk in on_sheet:
            problems.append(f"{person.name} 已在名单中。")
    if problems:
        raise ValidationError(problems)
    participations = [
        Participation.objects.update_or_create(
            activity=activity,
            person=person,
            defaults={"role": role, "state": Participation.State.SIGNED_UP, "walk_in": True},
        )[0]
        for person in people
    ]
    attendance_record(actor=actor, activity=activity, marks={p.pk: (True, hours) for p in participations})
    return list(Participation.objects.filter(pk__in=[p.pk for p in participations]).order_by("pk"))


def participation_walk_in(
    *,
    actor: User | None,
    activity: Activity,
    person: Person,
    role: str = Participation.Role.VOLUNTEER,
    hours: Decimal | None = None,
) -> Participation:
    """One walk-in: a list of one."""
    (participation,) = participations_walk_in(actor=actor, activity=activity, people=[person], role=role, hours=hours)
    return participation


# Hours ------------------------------------------------------------------------------------------------------


def hours_approve_problems(*, actor: User, entry: HoursEntry) -> str | None:
    """Why `actor` may not approve this entry (None: they may). The one home of the approval rules: the strict
    and the batch approval both ask it. `entry` needs its participation, activity and organisation loaded."""
    scope = scope_for(actor)
    participation = entry.participation
    if not activity_can_write(user=actor, activity=participation.activity):
        return "该活动不在您的管理范围内。"
    if participation.person_id == scope.person_id and not scope.everything:
        return "不能审核本人的服务时长。"
    if participation.state != Participation.State.ATTENDED:
        return f"{participation.person.name} 未登记出勤，时长不能审核。"
    return None


@dataclass(frozen=True)
class HoursApproval:
    """What a batch approval did: how many entries it approved, and each one it skipped with the reason."""

    approved: int
    skipped: list[tuple[HoursEntry, str]] = field(default_factory=list)


def _approve(actor: User, entries: list[HoursEntry], *, strict: bool) -> HoursApproval:
    locked = (
        HoursEntry.objects.select_for_update()
        .select_related("participation__activity__organisation", "participation__person")
        .filter(pk__in=[entry.pk for entry in entries])
        .order_by("pk")
    )
    approved: list[int] = []
    skipped: list[tuple[HoursEntry, str]] = []
    now = timezone.now()
    for entry in locked:
        if entry.state != HoursEntry.State.PENDING:
            continue  # approving twice changes nothing
        problem = hours_approve_problems(actor=actor, entry=entry)
        if problem is not None:
            if strict:
                raise ValidationError(problem)
            skipped.append((entry, problem))
            continue
        entry.state, entry.approved_by, entry.approved_at = HoursEntry.State.APPROVED, actor, now
        entry.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
        approved.append(entry.pk)
    if approved:
        audit_record(
            actor=actor,
            action="hours.approve",
            object_type="services.HoursEntry",
            summary=f"审核通过 {len(approved)} 条" + (f"，跳过 {len(skipped)} 条" if skipped else ""),
            changes={"entries": approved, "skipped": {str(entry.pk): reason for entry, reason in skipped}},
        )
    return HoursApproval(approved=len(approved), skipped=skipped)


@transaction.atomic
def hours_approve(*, actor: User, entries: list[HoursEntry]) -> int:
    """Approves pending entries, all or none: any entry the actor may not approve (another's scope, their own
    hours, not attended) refuses the whole call. Returns how many were approved."""
    return _approve(actor, entries, strict=True).approved


@transaction.atomic
def hours_approve_batch(*, actor: User, entries: list[HoursEntry]) -> HoursApproval:
    """The approval queue's button: approves every entry the actor may approve and skips the others, saying why
    (one's own hours among a page of 50 must not hold up the other 49)."""
    return _approve(actor, entries, strict=False)


@transaction.atomic
def hours_correct(*, actor: User, entry: HoursEntry, corrected_total: Decimal, note: str) -> HoursEntry:
    """Corrects an approved participation's hours by a new (pending) entry for the difference."""
    entry = (
        HoursEntry.objects.select_for_update().select_related("participation__activity__organisation").get(pk=entry.pk)
    )
    _require_write(actor, entry.participation.activity)
    if entry.state != HoursEntry.State.APPROVED or entry.corrects_id is not None:
        raise ValidationError("只能更正已审核的原始时长。")
    if not (note or "").strip():
        raise ValidationError("请说明更正原因。")
    check_hours(corrected_total)
    current = sum((e.hours for e in entry.participation.hours_entries.approved()), Decimal(0))
    if entry.corrections.filter(state=HoursEntry.State.PENDING).exists():
        raise ValidationError("已有待审核的更正。")
    delta = corrected_total - current
    if delta == 0:
        raise ValidationError("更正后的时长与现有时长相同。")
    correction = HoursEntry.objects.create(
        participation=entry.participation, hours=delta, corrects=entry, note=note.strip(), recorded_by=actor
    )
    audit_record(
        actor=actor, action="hours.correct", target=correction, changes={"hours": [str(current), str(corrected_total)]}
    )
    return correction
