"""Writes for activities, participation and hours: validated, atomic, audited."""

import datetime
import hashlib
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
from services.selectors import activity_can_write, hours_by_person
from volunteers import actions as volunteers_actions
from volunteers.models import Team, TeamMembership
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


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError("结束时间必须晚于开始时间。")
    if ends_at - starts_at > datetime.timedelta(days=7):
        raise ValidationError("单次活动不能超过 7 天，请分次登记。")


# Activities -------------------------------------------------------------------------------------------------


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
    **fields: Any,
) -> Activity:
    """A new activity, in draft. Organised by an organisation, or by a team (then owned by the team's organisation)."""
    if team is not None:
        if actor is not None and not team_can_write(user=actor, team=team):
            raise ValidationError("所选服务队不在您的管理范围内。")
        if organisation is not None and not team.organisation.path.startswith(organisation.path):
            raise ValidationError("服务队不属于所选党组织。")
        organisation = organisation or team.organisation
    if organisation is None:
        raise ValidationError("请选择组织单位或服务队。")
    if team is None and actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("所选党组织不在您的管理范围内。")
    _check_times(starts_at, ends_at)
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
    _check_times(activity.starts_at, activity.ends_at)
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
    if activity.participations.filter(state=Participation.State.ATTENDED).exists():
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
    if timezone.now() < activity.starts_at:
        raise ValidationError("活动尚未开始，不能结束。")
    return _transition(actor, activity, to=Activity.State.ENDED, allowed_from=(Activity.State.PUBLISHED,))


@transaction.atomic
def activity_close(*, actor: User | None, activity: Activity, **figures: Any) -> Activity:
    """Closes an ended activity with its served figures: attendance must be complete and someone attended."""
    activity = _locked(activity)
    _require_write(actor, activity)
    unknown = set(figures) - set(CLOSE_FIGURES)
    if unknown:
        raise ValidationError(f"未知的字段：{', '.join(sorted(unknown))}")
    if activity.state != Activity.State.ENDED:
        raise ValidationError("只有已结束的活动可以关闭。")
    unmarked = activity.participations.filter(state=Participation.State.SIGNED_UP).count()
    if unmarked:
        raise ValidationError(f"还有 {unmarked} 人未登记出勤，不能关闭。")
    if not activity.participations.filter(state=Participation.State.ATTENDED).exists():
        raise ValidationError("没有出勤记录的活动不能关闭。")
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
    if timezone.now() >= activity.ends_at:
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


def _check_hours(hours: Decimal) -> None:
    if hours <= 0 or hours > MAX_HOURS_PER_ENTRY:
        raise ValidationError("服务时长应大于 0 且不超过 24 小时。")


def _original_entry(participation: Participation) -> HoursEntry | None:
    return participation.hours_entries.filter(corrects__isnull=True).first()


@transaction.atomic
def attendance_record(
    *, actor: User | None, activity: Activity, marks: dict[int, tuple[bool, Decimal | None]]
) -> dict[str, int]:
    """Marks attendance for the sheet: {participation id: (attended, hours)}. Attended people get a pending hours
    entry (default: the activity's length); a pending entry may be changed, an approved one never (correct it)."""
    activity = _locked(activity)
    _require_write(actor, activity)
    if activity.state not in (Activity.State.PUBLISHED, Activity.State.ENDED):
        raise ValidationError("只有已发布或已结束的活动可以登记出勤。")
    if timezone.now() < activity.starts_at:
        raise ValidationError("活动开始后才能登记出勤。")
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
            _check_hours(hours)
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
def participation_walk_in(
    *,
    actor: User | None,
    activity: Activity,
    person: Person,
    role: str = Participation.Role.VOLUNTEER,
    hours: Decimal | None = None,
) -> Participation:
    """Someone who came without signing up: added as attended, with a pending hours entry."""
    activity = _locked(activity)
    _require_write(actor, activity)
    if actor is not None and not _may_add(actor, activity, person):
        raise ValidationError("此人不在您的管理范围内。")
    if (
        Participation.objects.filter(activity=activity, person=person)
        .exclude(state=Participation.State.WITHDRAWN)
        .exists()
    ):
        raise ValidationError(f"{person.name} 已在名单中。")
    participation, _ = Participation.objects.update_or_create(
        activity=activity,
        person=person,
        defaults={"role": role, "state": Participation.State.SIGNED_UP, "walk_in": True},
    )
    attendance_record(actor=actor, activity=activity, marks={participation.pk: (True, hours)})
    participation.refresh_from_db()
    return participation


def _may_add(actor: User, activity: Activity, person: Person) -> bool:
    """Walk-ins: people the actor manages, or members of the activity's team."""
    if scope_for(actor).covers_path(person.organisation.path):
        return True
    return (
        activity.team_id is not None
        and TeamMembership.objects.filter(
            team_id=activity.team_id, person=person, state=TeamMembership.State.ACTIVE
        ).exists()
    )


# Hours ------------------------------------------------------------------------------------------------------


@transaction.atomic
def hours_approve(*, actor: User, entries: list[HoursEntry]) -> int:
    """Approves pending entries of activities the actor may write; nobody approves their own hours."""
    scope = scope_for(actor)
    locked = (
        HoursEntry.objects.select_for_update()
        .select_related("participation__activity__organisation", "participation__person")
        .filter(pk__in=[entry.pk for entry in entries])
    )
    approved = 0
    now = timezone.now()
    for entry in locked:
        _require_write(actor, entry.participation.activity)
        if entry.state != HoursEntry.State.PENDING:
            continue  # approving twice changes nothing
        if entry.participation.person_id == scope.person_id and not scope.everything:
            raise ValidationError("不能审核本人的服务时长。")
        if entry.participation.state != Participation.State.ATTENDED:
            raise ValidationError(f"{entry.participation.person.name} 未登记出勤，时长不能审核。")
        entry.state, entry.approved_by, entry.approved_at = HoursEntry.State.APPROVED, actor, now
        entry.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
        approved += 1
    if approved:
        audit_record(
            actor=actor,
            action="hours.approve",
            object_type="services.HoursEntry",
            summary=f"审核通过 {approved} 条",
            changes={"entries": [entry.pk for entry in entries]},
        )
    return approved


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
    _check_hours(corrected_total)
    current = sum(
        (e.hours for e in entry.participation.hours_entries.filter(state=HoursEntry.State.APPROVED)), Decimal(0)
    )
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


# The yearly team review (队伍梳理) and reference data ----------------------------------------------------------


@transaction.atomic
def team_review_run(
    *, actor: User | None, year: int, today: datetime.date | None = None, teams: list[Team] | None = None
) -> dict[str, int]:
    """Makes the year's review proposals for every non-archived team (or the given ones): each team's current
    members' approved hours over the last 12 months (one query per team) go to volunteers' team_review_propose.
    Idempotent: a proposal is unique per membership and year, so a second run proposes nothing new."""
    today = today or timezone.localdate()
    if teams is None:
        teams = list(Team.objects.filter(is_archived=False).select_related("organisation"))
    for team in teams:
        if actor is not None and not team_can_write(user=actor, team=team):
            raise ValidationError("该服务队不在您的管理范围内。")
        if team.is_archived:
            raise ValidationError("已撤销的服务队不参加队伍梳理。")
    since = today - datetime.timedelta(days=365)
    proposed = 0
    for team in teams:
        members = TeamMembership.objects.filter(team=team, state=TeamMembership.State.ACTIVE).values("person_id")
        hours = hours_by_person(person_ids=members, since=since)
        proposed += volunteers_actions.team_review_propose(
            team=team, year=year, hours_last_12_months=hours, today=today
        )["proposed"]
    if actor is not None:
        # A run from a team's page: who asked for it (the job itself runs as the system, audited per team).
        audit_record(
            actor=actor,
            action="team.review_run",
            target=teams[0] if len(teams) == 1 else None,
            object_type="" if len(teams) == 1 else "volunteers.Team",
            summary=f"{year} 年度队伍梳理：新建议 {proposed} 条",
        )
    return {"teams": len(teams), "proposed": proposed}


@transaction.atomic
def activity_category_save(*, actor: User | None, category: ActivityCategory, changed: list[str]) -> ActivityCategory:
    """Activity categories are data kept by 组织部 (the admin): validated, saved and audited in one step."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护活动类别。")
    created = category.pk is None
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action=f"activity_category.{'create' if created else 'update'}",
        target=category,
        changes={name: snapshot(category, [name])[name] for name in changed},
    )
    return category


# Registers of past activities (import, demo year) -----------------------------------------------------------
#
# A register is work already done and verified on paper: the activity, who came and for how long. One path
# writes it, whether it comes from a secretary's spreadsheet (`activity_register_import`) or the demo builder:
# `activities_register_bulk` checks every activity with the rules of the single actions (scope, team, times,
# who may be added, hours, closing) and then writes with bulk_create in this transaction. Walking each row
# through create → publish → sign up → attendance → end → approve → close would run ~20 queries per participant.


@dataclass
class ParticipantRecord:
    person: Person  # with `organisation` loaded
    role: str = Participation.Role.VOLUNTEER
    attended: bool = True
    hours: Decimal | None = None  # None: the activity's length


@dataclass
class ActivityRecord:
    title: str
    category: ActivityCategory
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    organisation: Organisation | None = None
    team: Team | None = None  # with `organisation` loaded
    target_group: str = ""
    description: str = ""
    participants: list[ParticipantRecord] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # CLOSE_FIGURES
    close: bool = True  # False: left ended, waiting to be closed
    approve: bool = True  # False: hours stay pending
    import_key: str | None = None


def activity_import_key(*, organisation_id: int, title: str, starts_at: datetime.datetime) -> str:
    """Finds an imported activity again: the same organisation, title and start is the same activity."""
    text = f"{organisation_id}|{title.strip()}|{starts_at.astimezone(datetime.UTC):%Y-%m-%dT%H:%M}"
    return hashlib.sha256(text.encode()).hexdigest()


def activity_record_problems(
    *,
    actor: User | None,
    record: ActivityRecord,
    team_members: set[tuple[int, int]],
    now: datetime.datetime | None = None,
) -> list[tuple[int | None, str]]:
    """What is wrong with one register entry, as (participant index or None for the activity, message).

    The rules of activity_create, participation_walk_in, attendance_record, hours_approve and activity_close,
    without queries: `team_members` holds the (team id, person id) pairs of active memberships."""
    now = now or timezone.now()
    problems: list[tuple[int | None, str]] = []
    scope = scope_for(actor) if actor is not None else None
    team, organisation = record.team, record.organisation
    if team is not None:
        if team.is_archived:
            problems.append((None, f"服务队“{team.name}”已撤销。"))
        if actor is not None and not team_can_write(user=actor, team=team):
            problems.append((None, "所选服务队不在您的管理范围内。"))
        if organisation is not None and not team.organisation.path.startswith(organisation.path):
            problems.append((None, "服务队不属于所选党组织。"))
        organisation = organisation or team.organisation
    if organisation is None:
        return [*problems, (None, "请选择组织单位或服务队。")]
    if team is None and scope is not None and not scope.covers_path(organisation.path):
        problems.append((None, "所选党组织不在您的管理范围内。"))
    if not record.title.strip():
        problems.append((None, "活动名称不能为空。"))
    if not record.place.strip():
        problems.append((None, "地点不能为空。"))
    try:
        _check_times(record.starts_at, record.ends_at)
    except ValidationError as error:
        problems += [(None, message) for message in error.messages]
    if record.ends_at >= now:
        problems.append((None, "活动尚未结束：只能登记已经结束的活动。"))
    unknown = set(record.figures) - set(CLOSE_FIGURES)
    if unknown:
        problems.append((None, f"未知的字段：{', '.join(sorted(unknown))}"))
    if any(isinstance(v, Decimal | int) and v < 0 for v in record.figures.values()):
        problems.append((None, "数字不能为负。"))
    if record.close and not any(p.attended for p in record.participants):
        problems.append((None, "没有出勤记录的活动不能关闭。"))
    seen: set[int] = set()
    for index, participant in enumerate(record.participants):
        person = participant.person
        if person.pk in seen:
            problems.append((index, f"{person.name} 已在名单中。"))
        seen.add(person.pk)
        if participant.role not in Participation.Role.values:
            problems.append((index, "角色应为组织者或志愿者。"))
        in_team = record.team is not None and (record.team.pk, person.pk) in team_members
        if scope is not None and not scope.covers_path(person.organisation.path) and not in_team:
            problems.append((index, "此人不在您的管理范围内。"))
        if participant.attended and participant.hours is not None:
            try:
                _check_hours(participant.hours)
            except ValidationError as error:
                problems += [(index, message) for message in error.messages]
    return problems


@transaction.atomic
def activities_register_bulk(*, actor: User | None, activities: list[ActivityRecord], source: str = "") -> dict:
    """Registers past activities with their attendance and hours, all or nothing, with one audit event.

    Each activity is ended (or closed with its figures); attended people get an hours entry (default: the
    activity's length), approved by the actor — except the actor's own hours, which stay pending as in
    hours_approve (nobody approves their own; 组织部 may). An activity whose import key is already registered is
    left as it is. Raises ValidationError listing every problem before anything is written."""
    now = timezone.now()
    scope = scope_for(actor) if actor is not None else None
    keys = [record.import_key for record in activities if record.import_key]
    existing = set(Activity.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
    records = [record for record in activities if record.import_key not in existing or not record.import_key]
    team_ids = {record.team.pk for record in records if record.team is not None}
    team_members = set(
        TeamMembership.objects.filter(team_id__in=team_ids, state=TeamMembership.State.ACTIVE).values_list(
            "team_id", "person_id"
        )
    )
    messages = []
    new_keys: set[str] = set()
    for record in records:
        if record.import_key and record.import_key in new_keys:
            messages.append(f"“{record.title}”：同一活动登记了两次。")
        new_keys.add(record.import_key)
        messages += [
            f"“{record.title}”：{message}"
            for _, message in activity_record_problems(actor=actor, record=record, team_members=team_members, now=now)
        ]
    if messages:
        raise ValidationError(messages[:50])

    built = []
    for record in records:
        activity = Activity(
            title=record.title.strip(),
            category=record.category,
            place=record.place.strip(),
            target_group=record.target_group.strip(),
            description=record.description,
            starts_at=record.starts_at,
            ends_at=record.ends_at,
            organisation=record.organisation or record.team.organisation,
            team=record.team,
            state=Activity.State.CLOSED if record.close else Activity.State.ENDED,
            import_key=record.import_key or None,
            created_by=actor,
            **(record.figures if record.close else {}),
        )
        try:
            # The foreign keys are instances in hand: checking that they exist would cost three queries each.
            activity.full_clean(
                exclude=["created_by", "organisation", "team", "category"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            messages += [f"“{record.title}”：{message}" for message in error.messages]
        built.append(activity)
    if messages:
        raise ValidationError(messages[:50])
    Activity.objects.bulk_create(built, batch_size=500)

    participations = []
    for activity, record in zip(built, records, strict=True):
        for participant in record.participants:
            state = Participation.State.ATTENDED if participant.attended else Participation.State.NO_SHOW
            participations.append(
                Participation(activity=activity, person=participant.person, role=participant.role, state=state)
            )
    Participation.objects.bulk_create(participations, batch_size=1000)

    entries, approved, own = [], 0, 0
    position = 0
    for activity, record in zip(built, records, strict=True):
        for participant in record.participants:
            participation = participations[position]
            position += 1
            if not participant.attended:
                continue
            entry = HoursEntry(
                participation=participation,
                hours=participant.hours if participant.hours is not None else activity.duration_hours,
                recorded_by=actor,
            )
            is_own = scope is not None and participant.person.pk == scope.person_id and not scope.everything
            own += int(record.approve and is_own)
            if record.approve and not is_own:
                entry.state, entry.approved_by, entry.approved_at = HoursEntry.State.APPROVED, actor, now
                approved += 1
            entries.append(entry)
    HoursEntry.objects.bulk_create(entries, batch_size=1000)

    counts = {
        "activities": len(built),
        "existing": len(activities) - len(records),
        "participations": len(participations),
        "hours_entries": len(entries),
        "approved": approved,
        "own_pending": own,
    }
    if built:
        audit_record(
            actor=actor,
            action="activity.register",
            object_type="services.Activity",
            summary=(
                f"登记已完成的活动{f'（{source}）' if source else ''}：{len(built)} 个，"
                f"参与记录 {len(participations)} 条，审核时长 {approved} 条"
            ),
            changes={**counts, "source": source, "activity_ids": [activity.pk for activity in built]},
        )
    return counts


@transaction.atomic
def activity_register_import(
    *, actor: User | None, organisation: Organisation | None, dataset: Any, dry_run: bool, file_name: str = ""
) -> Any:
    """Imports a register of past activities (a tablib Dataset; rows with a blank 党组织 cell go to
    `organisation`). Returns the resource's result. The dry run validates only; the real import validates the
    whole file again and writes, through activities_register_bulk, only when no row has a problem."""
    from services.resources import ActivityRegisterReader  # the reader builds ActivityRecords from here

    if actor is not None and not scope_for(actor).manages_anything:
        raise ValidationError("您没有导入活动的权限。")
    if organisation is not None and actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("所选党组织不在您的管理范围内。")
    result = ActivityRegisterReader(actor=actor, organisation=organisation).read(dataset)
    if dry_run or result.has_problems:
        return result
    result.written = activities_register_bulk(actor=actor, activities=result.records, source=file_name or "导入")
    return result


@transaction.atomic
def activity_export(*, actor: User, activities: Any, filters: dict[str, str] | None = None) -> bytes:
    """The activities (a queryset the caller limited to the actor's scope) and their attendance as .xlsx;
    the export is audited with its row counts."""
    from services.resources import activity_export_xlsx

    content, counts = activity_export_xlsx(activities)
    audit_record(
        actor=actor,
        action="activity.export",
        object_type="services.Activity",
        summary=f"导出活动 {counts['activities']} 个，出勤记录 {counts['attendance']} 条",
        changes={**counts, "filters": filters or {}},
    )
    return content
