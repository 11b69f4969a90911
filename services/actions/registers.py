"""Registers of past activities: one bulk path for the spreadsheet import and the demo year; the export."""

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
from portal.audit import audit_record
from portal.models import User
from services.actions.activities import CLOSE_FIGURES, activity_organiser_problems, check_hours, check_times
from services.models import Activity, ActivityCategory, HoursEntry, Participation
from volunteers.models import Team, TeamMembership

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
    organisation, organiser_problems = activity_organiser_problems(
        actor=actor, organisation=record.organisation, team=record.team
    )
    problems += [(None, message) for message in organiser_problems]
    if organisation is None:
        return problems
    if not record.title.strip():
        problems.append((None, "活动名称不能为空。"))
    if not record.place.strip():
        problems.append((None, "地点不能为空。"))
    try:
        check_times(record.starts_at, record.ends_at)
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
    # An attended participant without hours gets the activity's length, checked as attendance_record checks it: a
    # few minutes round to 0 hours (the hours table refuses 0 at the write, hours_entry_not_zero) and a
    # multi-day activity would give one entry of more than 24 hours.
    length = Activity(starts_at=record.starts_at, ends_at=record.ends_at).duration_hours
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
                check_hours(participant.hours)
            except ValidationError as error:
                problems += [(index, message) for message in error.messages]
        elif participant.attended and record.ends_at > record.starts_at:  # wrong times are reported above
            try:
                check_hours(length)
            except ValidationError:
                problems.append(
                    (
                        index,
                        f"未填写服务时长，按活动时长计为 {length} 小时，应大于 0 且不超过 24 小时，请填写服务时长。",
                    )
                )
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
