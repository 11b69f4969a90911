"""People: creating (one or a roster), updating, status steps, membership events, the roster export."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.actions.common import PERSON_FIELDS, date_not_future, id_number_fields, scope_require
from branches.models import (
    PUBLICITY_STATUSES,
    MembershipEvent,
    Organisation,
    Person,
    PoliticalStatus,
    StatusStep,
)
from portal.actions import user_active_set
from portal.audit import audit_event, audit_record, diff, snapshot
from portal.lib import idnumbers
from portal.models import AuditEvent, User

# People -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPerson:
    """One person to register: `fields` are the other facts of PERSON_FIELDS (gender, birth date, phone, …)."""

    name: str
    organisation: Organisation
    id_number: str = ""
    political_status: str = PoliticalStatus.MASSES
    status_date: datetime.date | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    name: str,
    organisation: Organisation,
    id_number: str = "",
    political_status: str = PoliticalStatus.MASSES,
    status_date: datetime.date | None = None,
    **fields: Any,
) -> Person:
    """A new person. A starting status other than 群众 is recorded as its first dated step."""
    new = NewPerson(name, organisation, id_number, political_status, status_date, fields)
    return people_create(actor=actor, people=[new])[0]


@transaction.atomic
def people_create(*, actor: User | None, people: list[NewPerson]) -> list[Person]:
    """New people, written together (a district's roster is ten thousand rows): one person is the same call.

    A starting status other than 群众 is recorded as the person's first dated step, and 预备党员/正式党员 as their
    join (a membership event), as status_step_add and membership_event_record would record them for someone new;
    every person gets the audit events those actions write. Nothing is written unless every person is valid."""
    for organisation in {new.organisation.pk: new.organisation for new in people}.values():
        scope_require(actor, organisation)
    built = [_new_person(new) for new in people]
    hashes = [person.id_number_hash for person in built if person.id_number_hash]
    if len(set(hashes)) != len(hashes):
        raise ValidationError("该身份证号码重复。")
    for start in range(0, len(hashes), 500):  # SQLite's limit on query parameters
        if Person.objects.filter(id_number_hash__in=hashes[start : start + 500]).exists():
            raise ValidationError("该身份证号码已登记。")
    Person.objects.bulk_create(built, batch_size=1000)

    steps, events, audit = [], [], []
    for new, person in zip(people, built, strict=True):
        audit.append(audit_event(actor=actor, action="person.create", target=person, summary=person.name))
        if person.political_status == PoliticalStatus.MASSES:
            continue
        date = new.status_date
        steps.append(StatusStep(person=person, status=person.political_status, date=date))
        changes = {"political_status": [PoliticalStatus.MASSES, person.political_status]}
        audit.append(audit_event(actor=actor, action="person.status_step", target=person, changes=changes))
        if person.political_status in (PoliticalStatus.PROBATIONARY, PoliticalStatus.FULL):
            event = MembershipEvent(
                person=person, organisation=person.organisation, kind=MembershipEvent.Kind.JOIN, date=date
            )
            event.recorded_by = actor if actor is not None and actor.is_authenticated else None
            events.append(event)
            audit.append(
                audit_event(
                    actor=actor,
                    action=f"person.event.{MembershipEvent.Kind.JOIN}",
                    target=person,
                    summary=f"{event.get_kind_display()} {date:%Y-%m-%d}",
                )
            )
    StatusStep.objects.bulk_create(steps, batch_size=1000)
    MembershipEvent.objects.bulk_create(events, batch_size=1000)
    AuditEvent.objects.bulk_create(audit, batch_size=1000)
    return built


# The fields person_new_problems speaks of, as forms and sheets name them.
PERSON_LABELS = {
    "name": "姓名",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "political_status": "政治面貌",
    "status_date": "取得日期",
}


def person_new_problems(
    *,
    name: str,
    id_number: str = "",
    birth_date: datetime.date | None = None,
    political_status: str = PoliticalStatus.MASSES,
    status_date: datetime.date | None = None,
) -> dict[str, list[str]]:
    """What is wrong with a new person's facts, by field (messages read after the field's label, PERSON_LABELS):
    the one statement of these rules, which the create form, `people_create` and the roster import all apply."""
    problems: dict[str, list[str]] = {}

    def problem(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if not (name or "").strip():
        problem("name", "不能为空。")
    elif len(name.strip()) > 60:
        problem("name", "不能超过 60 个字。")
    id_number = idnumbers.normalise(id_number)
    if id_number and not idnumbers.is_valid(id_number):
        problem("id_number", "无效（应为 18 位且校验位正确）。")
    elif id_number and birth_date is None:
        birth_date = idnumbers.birth_date(id_number)
    today = timezone.localdate()
    if birth_date and birth_date > today:
        problem("birth_date", "不能晚于今天。")
    if political_status not in PoliticalStatus.values:
        problem("political_status", "未知的政治面貌。")
    elif political_status != PoliticalStatus.MASSES:
        label = PoliticalStatus(political_status).label
        if status_date is None:
            problem("status_date", f"政治面貌为“{label}”时须填写取得该政治面貌的日期。")
        elif status_date > today:
            problem("status_date", "不能晚于今天。")
        elif birth_date and status_date < birth_date:
            problem("status_date", "不能早于出生日期。")
    return problems


def _new_person(new: NewPerson) -> Person:
    """The person to insert, checked, with their starting status (its step and join event follow)."""
    status = new.political_status or PoliticalStatus.MASSES
    fields = dict(new.fields)
    problems = person_new_problems(
        name=new.name,
        id_number=new.id_number,
        birth_date=fields.get("birth_date"),
        political_status=status,
        status_date=new.status_date,
    )
    if problems:
        raise ValidationError(
            [f"{PERSON_LABELS[field]}{message}" for field, messages in problems.items() for message in messages]
        )
    name = new.name.strip()
    id_number = idnumbers.normalise(new.id_number)
    if id_number and not fields.get("birth_date"):
        fields["birth_date"] = idnumbers.birth_date(id_number)
    if id_number and not fields.get("gender"):
        fields["gender"] = idnumbers.gender(id_number)
    person = Person(
        name=name, organisation=new.organisation, political_status=status, **id_number_fields(id_number), **fields
    )
    # The organisation, grid and host are rows in hand (the organisation checked against the scope): validating
    # each foreign key would ask the database once per person whether its row exists.
    person.full_clean(exclude=["id_number_hash", "user", "organisation", "grid", "host"])
    return person


@transaction.atomic
def person_update(*, actor: User | None, person: Person, id_number: str | None = None, **fields: Any) -> Person:
    """Edits the person's own facts; status, membership and roles change only through their own actions."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改：{', '.join(sorted(unknown))}")
    scope_require(actor, person.organisation)
    if "organisation" in fields and fields["organisation"] != person.organisation:
        scope_require(actor, fields["organisation"])
        if person.events.exists():
            # Headcounts come from events: a member changes organisation only by 转出 and 转入.
            raise ValidationError("党员变更所在党组织须通过“转出/转入”办理，不能直接修改。")
    # The masked ID number is in `before` too: a new number is audited as old → new, the same number not at all.
    before = snapshot(person, [*fields, "id_number_masked"])
    for name, value in fields.items():
        setattr(person, name, value)
    if id_number is not None and idnumbers.normalise(id_number):
        id_fields = id_number_fields(id_number)
        clash = Person.objects.filter(id_number_hash=id_fields["id_number_hash"]).exclude(pk=person.pk)
        if clash.exists():
            raise ValidationError("该身份证号码已登记。")
        for name, value in id_fields.items():
            setattr(person, name, value)
        fields["id_number_masked"] = id_fields["id_number_masked"]
    person.full_clean(exclude=["id_number_hash", "user"])
    person.save()
    changes = diff(before, snapshot(person, list(fields)))
    if changes:
        audit_record(actor=actor, action="person.update", target=person, changes=changes)
    return person


@transaction.atomic
def status_step_add(
    *,
    actor: User | None,
    person: Person,
    status: str,
    date: datetime.date,
    publicity_start: datetime.date | None = None,
    publicity_end: datetime.date | None = None,
    note: str = "",
) -> Person:
    """Moves a person one or more steps forward. Reaching 预备党员 records the join as a membership event."""
    person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
    scope_require(actor, person.organisation)
    date_not_future(date, "日期")
    if PoliticalStatus.rank(status) <= PoliticalStatus.rank(person.political_status):
        raise ValidationError(f"政治面貌只能向前推进：当前为“{person.get_political_status_display()}”。")
    last = person.status_steps.order_by("-date").first()
    if last is not None and date < last.date:
        raise ValidationError(f"日期不能早于上一步（{last.get_status_display()}，{last.date:%Y年%m月%d日}）。")
    if publicity_start and publicity_end and publicity_end < publicity_start:
        raise ValidationError("公示结束日期不能早于开始日期。")
    if (publicity_start or publicity_end) and status not in PUBLICITY_STATUSES:
        raise ValidationError("只有发展对象、预备党员和转正需要公示。")
    person.status_steps.create(
        status=status, date=date, publicity_start=publicity_start, publicity_end=publicity_end, note=note
    )
    before = person.political_status
    person.political_status = status
    person.save(update_fields=["political_status", "updated_at"])
    audit_record(
        actor=actor, action="person.status_step", target=person, changes={"political_status": [before, status]}
    )
    joined = person.events.filter(kind__in=MembershipEvent.STARTING).exists()
    if status in (PoliticalStatus.PROBATIONARY, PoliticalStatus.FULL) and not joined:
        membership_event_record(
            actor=actor, person=person, kind=MembershipEvent.Kind.JOIN, date=date, organisation=person.organisation
        )
    return person


@transaction.atomic
def membership_event_record(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    date: datetime.date,
    organisation: Organisation | None = None,
    note: str = "",
) -> MembershipEvent:
    """Records a dated join, transfer, retirement, death or exit and keeps the person's current fields in step.

    A transfer in names the receiving organisation (which must be in the actor's scope); every other event
    happens in the person's current organisation.
    """
    person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
    date_not_future(date, "事件日期")
    if kind == MembershipEvent.Kind.TRANSFER_IN:
        if organisation is None:
            raise ValidationError("转入须选择接收的党组织。")
        if person.is_active_member and person.events.exists():
            raise ValidationError("此人仍在册，请先由原党组织办理转出。")
    else:
        organisation = person.organisation
    scope_require(actor, organisation)
    if kind != MembershipEvent.Kind.RETIRE and not person.is_active_member and kind not in MembershipEvent.STARTING:
        raise ValidationError("此人已不在册。")
    if kind == MembershipEvent.Kind.JOIN and person.political_status not in (
        PoliticalStatus.PROBATIONARY,
        PoliticalStatus.FULL,
    ):
        raise ValidationError("入党须先记录“预备党员”一步。")
    if kind == MembershipEvent.Kind.RETIRE and person.is_retired:
        raise ValidationError("此人已登记退休。")
    last = person.events.order_by("-date", "-pk").first()
    if last is not None and date < last.date:
        raise ValidationError(f"日期不能早于上一事件（{last.get_kind_display()}，{last.date:%Y年%m月%d日}）。")
    event = MembershipEvent.objects.create(
        person=person, organisation=organisation, kind=kind, date=date, note=note, recorded_by=actor
    )
    before = snapshot(person, ["organisation", "is_active_member", "is_retired"])
    if kind in MembershipEvent.STARTING:
        person.organisation = organisation
        person.is_active_member = True
    elif kind in MembershipEvent.ENDING:
        person.is_active_member = False
    elif kind == MembershipEvent.Kind.RETIRE:
        person.is_retired = True
    person.save(update_fields=["organisation", "is_active_member", "is_retired", "updated_at"])
    audit_record(
        actor=actor,
        action=f"person.event.{kind}",
        target=person,
        summary=f"{event.get_kind_display()} {date:%Y-%m-%d}",
        changes=diff(before, snapshot(person, ["organisation", "is_active_member", "is_retired"])),
    )
    # Leaving (转出, 去世, 出党) closes the person's account; a transfer in opens it again (DOMAIN §8).
    if person.user_id and (kind in MembershipEvent.ENDING or kind == MembershipEvent.Kind.TRANSFER_IN):
        user_active_set(
            actor=actor,
            user=User.objects.select_for_update().get(pk=person.user_id),
            active=kind == MembershipEvent.Kind.TRANSFER_IN,
            reason=f"{person.name} {event.get_kind_display()} {date:%Y-%m-%d}",
        )
    return event


# Exports ----------------------------------------------------------------------------------------------------


@transaction.atomic
def person_export(*, actor: User, people: Any, filters: dict[str, str] | None = None) -> bytes:
    """The people (a queryset the caller already limited to the actor's scope) as .xlsx; the export is audited."""
    from branches.resources import person_export_xlsx

    content, count = person_export_xlsx(people)
    audit_record(
        actor=actor,
        action="person.export",
        object_type="branches.Person",
        summary=f"导出人员名单 {count} 人",
        changes={"rows": count, "filters": filters or {}},
    )
    return content
