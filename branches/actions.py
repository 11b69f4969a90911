"""Writes for the branches app: each validates, runs in one transaction and records an audit event."""

import datetime
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from branches.models import (
    MANAGING_ROLES,
    MEMBER_STATUSES,
    PUBLICITY_STATUSES,
    CalendarDay,
    Grid,
    HostUnit,
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    PoliticalStatus,
    Role,
    RoleAssignment,
    RuleSettings,
    StatusStep,
)
from branches.selectors import mobile_members_due, scope_for, secretary_users_for
from portal.actions import initial_password_assign, notification_send, user_active_set
from portal.audit import audit_event, audit_record, diff, snapshot
from portal.lib import idnumbers
from portal.lib.workdays import OFFICIAL_CALENDAR_SOURCE, official_calendar, official_calendar_years
from portal.models import AuditEvent, User

PERSON_FIELDS = ["name", "gender", "birth_date", "phone", "education", "organisation", "host", "grid"]


def _require_scope(actor: User | None, organisation: Organisation) -> None:
    """Writes into an organisation need that organisation in the actor's managed scope (None: a system job)."""
    if actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("所选党组织不在您的管理范围内。")


def _not_future(date: datetime.date, label: str) -> None:
    if date > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天。")


def id_number_fields(id_number: str) -> dict[str, Any]:
    """The stored forms of an ID number (masked + keyed hash), or a Chinese error."""
    id_number = idnumbers.normalise(id_number)
    if not id_number:
        return {"id_number_masked": "", "id_number_hash": None}
    if not idnumbers.is_valid(id_number):
        raise ValidationError("身份证号码无效（应为 18 位且校验位正确）。")
    return {
        "id_number_masked": idnumbers.mask(id_number),
        "id_number_hash": idnumbers.keyed_hash(id_number, settings.PERSONAL_DATA_KEY),
    }


def person_find_by_id_number(id_number: str) -> Person | None:
    fields = id_number_fields(id_number)
    if not fields["id_number_hash"]:
        return None
    return Person.objects.filter(id_number_hash=fields["id_number_hash"]).first()


# Organisations ----------------------------------------------------------------------------------------------


# Party groups are the leaves of the tree: nothing is set up under them.
LEAF_KINDS = (Organisation.Kind.PARTY_GROUP, Organisation.Kind.FUNCTIONAL_GROUP, Organisation.Kind.TEMPORARY_GROUP)


def organisation_create_problems(
    *,
    actor: User | None,
    name: str,
    kind: str,
    parent: Organisation | None,
    code_taken: bool = False,
    founded_on: datetime.date | None = None,
) -> list[str]:
    """What stops a new organisation, without queries (the caller says whether its code is taken): the rules of
    organisation_create, which the organisation import applies row by row."""
    problems = []
    if not (name or "").strip():
        problems.append("名称不能为空。")
    if kind not in Organisation.Kind.values:
        problems.append("未知的组织类别。")
    if code_taken:
        problems.append("该组织编码已被使用。")
    if founded_on and founded_on > timezone.localdate():
        problems.append("成立日期不能晚于今天。")
    if parent is None:
        if actor is not None and not scope_for(actor).everything:
            problems.append("只有组织部可以新建顶层党组织。")
    else:
        if actor is not None and not scope_for(actor).covers_path(parent.path):
            problems.append("上级党组织不在您的管理范围内。")
        if parent.is_archived:
            problems.append(f"上级党组织“{parent.name}”已撤销。")
        if parent.kind in LEAF_KINDS:
            problems.append(f"{parent.get_kind_display()}下不能再设党组织。")
    return problems


@dataclass(frozen=True)
class NewOrganisation:
    """One organisation to set up. `parent`: a registered organisation, the code of one earlier in the same list,
    or None for a top-level organisation. `fields`: phone, address, founded_on."""

    name: str
    kind: str
    code: str | None = None
    parent: "Organisation | str | None" = None
    fields: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def organisation_create(
    *, actor: User | None, name: str, kind: str, parent: Organisation | None = None, code: str | None = None, **extra
) -> Organisation:
    return organisations_create(actor=actor, organisations=[NewOrganisation(name, kind, code, parent, extra)])[0]


@transaction.atomic
def organisations_create(*, actor: User | None, organisations: list[NewOrganisation]) -> list[Organisation]:
    """New organisations, written together (a district's tree is thousands): one organisation is the same call.

    The tree's paths are computed here as treebeard's add_child would compute them — the next step after the
    parent's last child — with one query per registered parent instead of four per organisation; parents come
    before their children in the list. Every organisation is checked (organisation_create_problems) before
    anything is written; each gets its audit event."""
    codes = [(new.code or "").strip() for new in organisations if (new.code or "").strip()]
    taken: set[str] = set()
    for start in range(0, len(codes), 500):  # SQLite's limit on query parameters
        taken |= set(Organisation.objects.filter(code__in=codes[start : start + 500]).values_list("code", flat=True))
    steplen = Organisation.steplen
    last_step: dict[str, int] = {}  # parent path ("" for the roots) → the last step used under it
    grown: dict[int, int] = {}  # registered parent pk → children added
    built: list[Organisation] = []
    by_code: dict[str, Organisation] = {}
    problems: list[str] = []
    for new in organisations:
        code = (new.code or "").strip() or None
        parent = by_code.get(new.parent) if isinstance(new.parent, str) else new.parent
        if isinstance(new.parent, str) and parent is None:
            problems.append(f"“{new.name}”：上级编号“{new.parent}”须在它之前。")
            continue
        found = organisation_create_problems(
            actor=actor,
            name=new.name,
            kind=new.kind,
            parent=parent,
            code_taken=code in taken or code in by_code,
            founded_on=new.fields.get("founded_on"),
        )
        problems += [f"“{new.name}”：{message}" if len(organisations) > 1 else message for message in found]
        base = parent.path if parent is not None else ""
        if base not in last_step and parent is not None and parent.pk is None:
            last_step[base] = 0  # a parent set up in this call has no children yet
        if base not in last_step:
            siblings = Organisation.objects.filter(path__startswith=base, depth=len(base) // steplen + 1)
            last = siblings.order_by("-path").values_list("path", flat=True).first()
            last_step[base] = Organisation._str2int(last[-steplen:]) if last else 0
        last_step[base] += 1
        depth = len(base) // steplen + 1
        organisation = Organisation(
            name=new.name.strip(),
            kind=new.kind,
            code=code,
            path=Organisation._get_path(base, depth, last_step[base]),
            depth=depth,
            numchild=0,
            **new.fields,
        )
        if parent is not None:
            parent.numchild += 1
            if parent.pk is not None:
                grown[parent.pk] = grown.get(parent.pk, 0) + 1
        built.append(organisation)
        if code:
            by_code[code] = organisation
    if problems:
        raise ValidationError(problems[:50])
    for organisation in built:
        organisation.full_clean(exclude=["path", "depth", "numchild", "code"], validate_unique=False)
    Organisation.objects.bulk_create(built, batch_size=1000)
    for pk, count in grown.items():
        Organisation.objects.filter(pk=pk).update(numchild=F("numchild") + count)
    AuditEvent.objects.bulk_create(
        [audit_event(actor=actor, action="organisation.create", target=o, summary=o.name) for o in built],
        batch_size=1000,
    )
    return built


@transaction.atomic
def organisation_update(*, actor: User | None, organisation: Organisation, **fields: Any) -> Organisation:
    _require_scope(actor, organisation)
    before = snapshot(organisation, list(fields))
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean(exclude=["path", "depth", "numchild"])
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.update",
        target=organisation,
        changes=diff(before, snapshot(organisation, list(fields))),
    )
    return organisation


@transaction.atomic
def organisation_move(*, actor: User | None, organisation: Organisation, new_parent: Organisation) -> Organisation:
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以调整组织隶属关系。")
    if new_parent.path.startswith(organisation.path):
        raise ValidationError("不能把党组织移到它自己或下级组织之下。")
    old_parent = Organisation.objects.get_parent(organisation)
    Organisation.objects.move(organisation, new_parent, pos="last-child")
    organisation.refresh_from_db()
    audit_record(
        actor=actor,
        action="organisation.move",
        target=organisation,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
    )
    return organisation


@transaction.atomic
def rule_settings_update(*, actor: User, **fields: Any) -> RuleSettings:
    if not scope_for(actor).everything:
        raise ValidationError("只有组织部可以修改组织工作参数。")
    rules = RuleSettings.objects.select_for_update().order_by("pk").first() or RuleSettings()
    before = snapshot(rules, list(fields))
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    audit_record(actor=actor, action="rules.update", target=rules, changes=diff(before, snapshot(rules, list(fields))))
    return rules


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
        _require_scope(actor, organisation)
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
    _require_scope(actor, person.organisation)
    if "organisation" in fields and fields["organisation"] != person.organisation:
        _require_scope(actor, fields["organisation"])
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
    _require_scope(actor, person.organisation)
    _not_future(date, "日期")
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
    _not_future(date, "事件日期")
    if kind == MembershipEvent.Kind.TRANSFER_IN:
        if organisation is None:
            raise ValidationError("转入须选择接收的党组织。")
        if person.is_active_member and person.events.exists():
            raise ValidationError("此人仍在册，请先由原党组织办理转出。")
    else:
        organisation = person.organisation
    _require_scope(actor, organisation)
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


# Roles ------------------------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    person: Person,
    organisation: Organisation,
    role: str,
    start_date: datetime.date,
    liaison: str = "",
) -> RoleAssignment:
    _require_scope(actor, organisation)
    _require_scope(actor, person.organisation)  # nobody hands a role (and with it a scope) to someone they don't manage
    if role not in Role.values:
        raise ValidationError("未知职务。")
    today = timezone.localdate()
    current = RoleAssignment.objects.filter(person=person, organisation=organisation, role=role, start_date__lte=today)
    if current.filter(end_date__isnull=True).exists():
        raise ValidationError("此人已担任该职务。")
    assignment = RoleAssignment.objects.create(
        person=person, organisation=organisation, role=role, start_date=start_date, liaison=liaison
    )
    audit_record(actor=actor, action="role.assign", target=assignment, summary=str(assignment))
    return assignment


@transaction.atomic
def role_end(*, actor: User | None, assignment: RoleAssignment, end_date: datetime.date) -> RoleAssignment:
    _require_scope(actor, assignment.organisation)
    if assignment.end_date is not None:
        raise ValidationError("该任职已结束。")
    if end_date < assignment.start_date:
        raise ValidationError("离任日期不能早于任职日期。")
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date", "updated_at"])
    audit_record(actor=actor, action="role.end", target=assignment, summary=str(assignment))
    return assignment


# Mobile members ---------------------------------------------------------------------------------------------


@transaction.atomic
def mobile_departure_record(
    *, actor: User | None, person: Person, leave_date: datetime.date, **fields: Any
) -> MobileMember:
    _require_scope(actor, person.organisation)
    _not_future(leave_date, "外出日期")
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
    _require_scope(actor, mobile_member.person.organisation)
    _not_future(date, "汇报日期")
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
    _require_scope(actor, mobile_member.person.organisation)
    _not_future(date, "返回日期")
    if mobile_member.returned_on is not None:
        raise ValidationError("该党员已登记返回。")
    if date < mobile_member.leave_date:
        raise ValidationError("返回日期不能早于外出日期。")
    mobile_member.returned_on = date
    mobile_member.save(update_fields=["returned_on", "updated_at"])
    audit_record(actor=actor, action="mobile.return", target=mobile_member, summary=f"{date:%Y-%m-%d}")
    return mobile_member


# Accounts ---------------------------------------------------------------------------------------------------


@transaction.atomic
def person_account_create(*, actor: User | None, person: Person, username: str, password: str) -> User:
    """Gives a person a login. Accounts come from staff or imports, never from open sign-up."""
    from django.contrib.auth import get_user_model

    _require_scope(actor, person.organisation)
    if person.user_id:
        raise ValidationError("此人已有登录账号。")
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError("用户名已被使用。")
    phone = person.phone if person.phone and not user_model.objects.filter(phone=person.phone).exists() else None
    user = user_model(username=username, first_name=person.name, phone=phone)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    audit_record(actor=actor, action="account.create", target=user, summary=f"{person.name} ({username})")
    return user


# Opening accounts in bulk (开通账号), linking, resetting -----------------------------------------------------------

PHONE_LOGIN = re.compile(r"^1\d{10}$")
GENERATED_LOGIN_PREFIX = "m"


class AccountSkip:
    """Why a person got no account in an opening batch (shown on the 开通单 page and by the command)."""

    HAS_ACCOUNT = "已有账号"
    NOT_ACTIVE = "不在册"
    ROLES_BEYOND_SCOPE = "任职超出您的管理范围，须由上级党组织或组织部开通"


@dataclass(frozen=True)
class OpenedAccount:
    """One slip of the 开通单. The clear initial password exists only here, in memory, for the response or the
    file made right then; the database keeps its HMAC (portal.lib.initial_passwords)."""

    person: Person
    user: User
    password: str

    @property
    def expires_at(self) -> datetime.datetime:
        return self.user.initial_password_expires_at


@dataclass
class AccountsOpened:
    opened: list[OpenedAccount] = field(default_factory=list)
    skipped: dict[str, list[Person]] = field(default_factory=dict)

    @property
    def skipped_count(self) -> int:
        return sum(len(people) for people in self.skipped.values())


def _chunks(values: list, size: int = 400):
    """SQLite allows ~1000 parameters a query; PostgreSQL does not mind."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def account_roles_beyond_scope(*, actor: User | None, person_ids: list[int]) -> set[int]:
    """The people whose current managing roles reach outside the actor's scope. A login for them is a login with
    that wider scope, so the actor may not hand it out (open it, link it, reset its password): a branch secretary
    must not become the committee secretary who happens to be a member of the branch. One query per 400 people."""
    if actor is None or scope_for(actor).everything:
        return set()
    scope, today, beyond = scope_for(actor), timezone.localdate(), set()
    for chunk in _chunks(person_ids):
        roles = (
            RoleAssignment.objects.filter(person_id__in=chunk, role__in=MANAGING_ROLES, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
            .values_list("person_id", "organisation__path")
        )
        beyond |= {person_id for person_id, path in roles if not scope.covers_path(path)}
    return beyond


def _require_account_within_scope(actor: User | None, person: Person, user: User | None) -> None:
    if actor is None or scope_for(actor).everything:
        return
    if user is not None and (user.is_superuser or user.is_org_department):
        raise ValidationError("组织部账号只能由组织部管理。")
    if account_roles_beyond_scope(actor=actor, person_ids=[person.pk]):
        raise ValidationError(f"{person.name}的任职超出您的管理范围，须由上级党组织或组织部办理。")


def _logins_for(people: list[Person]) -> list[tuple[str, str | None]]:
    """(username, phone) for each person: the 11-digit mobile number when it is valid and no other account has it
    (as phone or as username) and nobody earlier in the batch took it; otherwise `m` + 6 random digits, unique."""
    phones = sorted({p.phone.strip() for p in people if PHONE_LOGIN.match((p.phone or "").strip())})
    taken: set[str] = set()
    for chunk in _chunks(phones):
        for phone, username in User.objects.filter(Q(phone__in=chunk) | Q(username__in=chunk)).values_list(
            "phone", "username"
        ):
            taken |= {phone, username}
    logins: list[tuple[str, str | None] | None] = []
    for person in people:
        phone = (person.phone or "").strip()
        if PHONE_LOGIN.match(phone) and phone not in taken:
            taken.add(phone)
            logins.append((phone, phone))
        else:
            logins.append(None)
    generated = _generated_logins(sum(1 for login in logins if login is None))
    return [login or (next(generated), None) for login in logins]


def _generated_logins(count: int):
    """`count` new login names `m` + 6 digits that no account has (usernames compare case-insensitively)."""
    rng = random.SystemRandom()
    names: set[str] = set()
    while len(names) < count:
        wanted = count - len(names)
        candidates = {f"{GENERATED_LOGIN_PREFIX}{rng.randrange(10**6):06d}" for _ in range(wanted)} - names
        existing: set[str] = set()
        for chunk in _chunks(sorted(candidates)):
            variants = chunk + [name.upper() for name in chunk]
            existing |= {
                name.lower() for name in User.objects.filter(username__in=variants).values_list("username", flat=True)
            }
        names |= candidates - existing
    return iter(names)


@transaction.atomic
def people_accounts_open(*, actor: User | None, people: QuerySet[Person]) -> AccountsOpened:
    """Opens an account for each of `people` (a queryset the caller limited to what it means) that has none.

    Login: the mobile number, or a generated name (see _logins_for). Password: a one-time initial password that
    expires after INITIAL_PASSWORD_DAYS; the real one stays unusable until the member chooses it at first login.
    Skipped, and said so: people who already have an account, who are no longer on the roll, or whose roles
    reach beyond the actor's scope. Opening twice opens nothing twice: the rows are locked and re-read here, so
    a concurrent opening of the same people waits and then skips them.

    Built for a district (70,000 people): users inserted together, people linked in one bulk update, audit
    events inserted together (one for the batch with every person id, one per account)."""
    people = list(
        people.select_for_update(of=("self",))
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")
    )
    for organisation in {person.organisation_id: person.organisation for person in people}.values():
        _require_scope(actor, organisation)
    beyond = account_roles_beyond_scope(actor=actor, person_ids=[p.pk for p in people if not p.user_id])
    result, skipped, todo = AccountsOpened(), defaultdict(list), []
    for person in people:
        if person.user_id:
            skipped[AccountSkip.HAS_ACCOUNT].append(person)
        elif not person.is_active_member:
            skipped[AccountSkip.NOT_ACTIVE].append(person)
        elif person.pk in beyond:
            skipped[AccountSkip.ROLES_BEYOND_SCOPE].append(person)
        else:
            todo.append(person)
    result.skipped = dict(skipped)

    now = timezone.now()
    users, secrets = [], []
    for person, (username, phone) in zip(todo, _logins_for(todo), strict=True):
        user = User(username=username, phone=phone, first_name=person.name[:150])
        secrets.append(initial_password_assign(user, now=now))
        users.append(user)
    try:
        User.objects.bulk_create(users, batch_size=1000)
    except IntegrityError as error:  # another opening took one of these login names a moment ago
        raise ValidationError("登录名与刚开通的账号冲突，请重试。") from error
    for person, user in zip(todo, users, strict=True):
        person.user, person.updated_at = user, now
    # One CASE per row for the link only; the timestamp is the same for all, a plain UPDATE (half the work).
    Person.objects.bulk_update(todo, ["user"], batch_size=500)
    for chunk in _chunks([person.pk for person in todo]):
        Person.objects.filter(pk__in=chunk).update(updated_at=now)

    audit = [
        audit_event(
            actor=actor,
            action="account.open",
            target=user,
            summary=f"{person.name}（{user.username}）",
            changes={"person": person.pk},
        )
        for person, user in zip(todo, users, strict=True)
    ]
    audit.append(
        audit_event(
            actor=actor,
            action="account.open_batch",
            object_type="branches.Person",
            summary=f"开通账号 {len(todo)} 个，跳过 {sum(len(v) for v in skipped.values())} 人",
            changes={
                "opened": [person.pk for person in todo],
                "skipped": {reason: [person.pk for person in group] for reason, group in skipped.items()},
            },
        )
    )
    AuditEvent.objects.bulk_create(audit, batch_size=1000)
    result.opened = [
        OpenedAccount(person=person, user=user, password=secret)
        for person, user, secret in zip(todo, users, secrets, strict=True)
    ]
    return result


@transaction.atomic
def person_account_open(*, actor: User | None, person: Person) -> OpenedAccount:
    """One person's account: the bulk opening for a list of one."""
    result = people_accounts_open(actor=actor, people=Person.objects.filter(pk=person.pk))
    if not result.opened:
        reason = next(iter(result.skipped), AccountSkip.HAS_ACCOUNT)
        raise ValidationError(f"未开通：{reason}。")
    return result.opened[0]


@transaction.atomic
def person_account_link(*, actor: User | None, person: Person, user: User | None) -> Person:
    """Links an existing account to the person (their roles give it its scope at once), or unlinks it (None)."""
    person = Person.objects.select_for_update(of=("self",)).select_related("organisation", "user").get(pk=person.pk)
    _require_scope(actor, person.organisation)
    before = person.user
    if user is None:
        if before is None:
            return person
        _require_account_within_scope(actor, person, before)
    else:
        if person.user_id == user.pk:
            return person
        if person.user_id:
            raise ValidationError("此人已关联登录账号。")
        if not user.is_active:
            raise ValidationError("该账号已停用。")
        if Person.objects.filter(user=user).exists():
            raise ValidationError("该账号已关联到其他人员。")
        _require_account_within_scope(actor, person, user)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    audit_record(
        actor=actor,
        action="account.link" if user is not None else "account.unlink",
        target=person,
        summary=f"{person.name} · {(user or before).username}",
        changes={"user": [before.pk if before else None, user.pk if user else None]},
    )
    return person


@transaction.atomic
def person_password_reset(*, actor: User | None, person: Person) -> OpenedAccount:
    """重置密码: a new one-time initial password for the person's account, on a 开通单 of one. The old password
    stops working at once and the account's sessions end (Django checks the password hash)."""
    person = Person.objects.select_for_update().select_related("organisation").get(pk=person.pk)
    _require_scope(actor, person.organisation)
    if not person.user_id:
        raise ValidationError("此人还没有登录账号。")
    user = User.objects.select_for_update().get(pk=person.user_id)
    if not user.is_active:
        raise ValidationError("该账号已停用，不能重置密码。")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("不能在这里重置自己的密码，请使用“修改密码”。")
    _require_account_within_scope(actor, person, user)
    secret = initial_password_assign(user)
    user.save(update_fields=["password", "initial_password", "initial_password_expires_at", "updated_at"])
    audit_record(actor=actor, action="account.password_reset", target=user, summary=f"{person.name}（{user.username}）")
    return OpenedAccount(person=person, user=user, password=secret)


@transaction.atomic
def host_unit_problems(host: HostUnit) -> dict[str, list[str]]:
    """What is wrong with a host unit's coverage, by field, without queries (the instructor loaded): the rules the
    admin's save and the host import both apply."""
    problems: dict[str, list[str]] = {}
    covered = host.formation != HostUnit.Formation.NONE
    if covered and host.organisation is None:
        problems["organisation"] = [f"组建方式为“{host.get_formation_display()}”时须填写党组织。"]
    if host.formation == HostUnit.Formation.INSTRUCTOR and host.instructor is None:
        problems["instructor"] = ["委派党建指导员的单位须填写指导员。"]
    if host.instructor is not None and host.instructor.political_status not in MEMBER_STATUSES:
        problems.setdefault("instructor", []).append(f"指导员{host.instructor.name}不是党员。")
    return problems


def reference_row_save(*, actor: User | None, instance: HostUnit | Grid | CalendarDay, changed: list[str]) -> None:
    """Reference rows kept by 组织部 in the admin (host units, grids, the holiday calendar): validated, saved and
    audited in one step."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护单位、网格和节假日安排。")
    if isinstance(instance, HostUnit) and (problems := host_unit_problems(instance)):
        raise ValidationError(problems)
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=f"{instance._meta.model_name}.{'create' if created else 'update'}",
        target=instance,
        changes={name: snapshot(instance, [name])[name] for name in changed},
    )


# The holiday calendar -----------------------------------------------------------------------------------------


def calendar_fill_years(*, today: datetime.date) -> list[int]:
    """The years a fill covers unless told: this year and next (the one whose arrangement comes each November or
    December), and any later year the package already knows."""
    return sorted({today.year, today.year + 1} | {year for year in official_calendar_years() if year > today.year})


@transaction.atomic
def calendar_fill(*, actor: User | None, years: Iterable[int] | None = None) -> dict[str, Any]:
    """Adds the public holidays and make-up workdays (调休上班) the `chinesecalendar` package knows for `years`
    (default: calendar_fill_years) on the dates the calendar does not have yet. A date already kept is left as it
    is — 组织部 may have edited it — so a second run adds nothing. Returns {"added": {"2026": 33, …},
    "unknown_years": [2027]}: the rows added per year the package knows, and the years it does not know yet."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护节假日安排。")
    wanted = sorted(set(years)) if years is not None else calendar_fill_years(today=timezone.localdate())
    known = official_calendar_years()
    kept = set(CalendarDay.objects.filter(date__year__in=wanted).values_list("date", flat=True))
    rows = [
        CalendarDay(
            date=official.date,
            kind=CalendarDay.Kind.HOLIDAY if official.is_holiday else CalendarDay.Kind.WORKDAY,
            name=official.name,
        )
        for official in official_calendar(wanted)
        if official.date not in kept
    ]
    # A date 组织部 enter in the admin at this very moment wins: the unique date skips ours.
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    added = {str(year): sum(row.date.year == year for row in rows) for year in wanted if year in known}
    summary = {"added": added, "unknown_years": [year for year in wanted if year not in known]}
    if rows:
        audit_record(
            actor=actor,
            action="calendarday.fill",
            object_type=CalendarDay._meta.label,
            summary="从节假日库补充节假日安排 "
            + "，".join(f"{year} 年 {count} 天" for year, count in added.items() if count),
            changes={**summary, "library": OFFICIAL_CALENDAR_SOURCE},
        )
    return summary


def calendar_refresh(*, today: datetime.date) -> dict[str, Any]:
    """The weekly job: calendar_fill for calendar_fill_years(today); then, for a year the package does not know
    and whose deadlines are near (this year, or next year from December on) while the calendar has no holiday of
    it either (组织部 may have entered them by hand), a reminder to 组织部 — without one, working-day deadlines
    would silently count weekends only. Once per year and account (the reminder's key), so a re-run sends nothing.

    Not one transaction around the run: the fill is one, and each reminder commits on its own, as the other
    reminder jobs do."""
    summary = calendar_fill(actor=None, years=calendar_fill_years(today=today))
    near = [
        year
        for year in summary["unknown_years"]
        if year == today.year or (year == today.year + 1 and today.month == 12)
    ]
    entered = set(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY, date__year__in=near).values_list(
            "date__year", flat=True
        )
    )
    missing = [year for year in near if year not in entered]
    recipients = list(User.objects.filter(is_org_department=True, is_active=True).order_by("pk"))
    url = reverse("admin:branches_calendarday_changelist")
    reminded = 0
    for year in missing:
        for recipient in recipients:
            reminded += (
                notification_send(
                    recipient=recipient,
                    key=f"calendar-missing:{year}",
                    title=f"节假日安排尚无 {year} 年的法定节假日",
                    body=(
                        f"节假日库（{OFFICIAL_CALENDAR_SOURCE}）还没有 {year} 年的节假日安排，管理后台“节假日安排”中"
                        f"也没有 {year} 年的节假日。国务院公布安排后，请信息技术人员升级该库并运行 "
                        "manage.py calendar_fill，或在“节假日安排”中录入；在此之前，群众需求、差评整改等按工作日计算的"
                        "期限只跳过周末。"
                    ),
                    url=url,
                )
                is not None
            )
    return {**summary, "reminded": reminded}


SECRETARY_GROUP = "党组织书记"


def secretary_group_ensure():
    """The admin permissions every secretary's account carries; the admin itself narrows them to the scope."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=SECRETARY_GROUP)
    models = [
        "organisation",
        "person",
        "statusstep",
        "membershipevent",
        "roleassignment",
        "mobilemember",
        "mobilereport",
        "hostunit",
        "grid",
    ]
    wanted = Permission.objects.filter(content_type__app_label="branches", content_type__model__in=models).exclude(
        codename__startswith="delete_"
    )
    group.permissions.add(*wanted)
    return group


@transaction.atomic
def account_grant_secretary(*, actor: User | None, user: User) -> User:
    """Lets a secretary use the admin (scoped like the staff site)."""
    if actor is not None and not scope_for(actor).manages_anything:
        raise ValidationError("您没有开通管理权限的权限。")
    user.is_staff = True
    user.save(update_fields=["is_staff", "updated_at"])
    user.groups.add(secretary_group_ensure())
    audit_record(actor=actor, action="account.grant_secretary", target=user)
    return user


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
