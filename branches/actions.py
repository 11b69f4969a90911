"""Writes for the branches app: each validates, runs in one transaction and records an audit event."""

import datetime
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from branches.models import (
    MANAGING_ROLES,
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


@transaction.atomic
def organisation_create(
    *, actor: User | None, name: str, kind: str, parent: Organisation | None = None, code: str | None = None, **extra
) -> Organisation:
    if parent is None:
        if actor is not None and not scope_for(actor).everything:
            raise ValidationError("只有组织部可以新建顶层党组织。")
        organisation = Organisation.objects.add_root(dict(name=name, kind=kind, code=code or None, **extra))
    else:
        _require_scope(actor, parent)
        organisation = Organisation.objects.add_child(parent, dict(name=name, kind=kind, code=code or None, **extra))
    audit_record(actor=actor, action="organisation.create", target=organisation, summary=name)
    return organisation


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
        date = new.status_date or timezone.localdate()
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


def _new_person(new: NewPerson) -> Person:
    """The person to insert, checked, with their starting status (its step and join event follow)."""
    name = (new.name or "").strip()
    if not name:
        raise ValidationError("姓名不能为空。")
    id_number = idnumbers.normalise(new.id_number)
    fields = dict(new.fields)
    if id_number and not fields.get("birth_date"):
        fields["birth_date"] = idnumbers.birth_date(id_number)
    if id_number and not fields.get("gender"):
        fields["gender"] = idnumbers.gender(id_number)
    status = new.political_status or PoliticalStatus.MASSES
    if status != PoliticalStatus.MASSES:
        _not_future(new.status_date or timezone.localdate(), "日期")
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
def reference_row_save(*, actor: User | None, instance: HostUnit | Grid | CalendarDay, changed: list[str]) -> None:
    """Reference rows kept by 组织部 in the admin (host units, grids, the holiday calendar): validated, saved and
    audited in one step."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护单位、网格和节假日安排。")
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=f"{instance._meta.model_name}.{'create' if created else 'update'}",
        target=instance,
        changes={name: snapshot(instance, [name])[name] for name in changed},
    )


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


# Rosters ----------------------------------------------------------------------------------------------------


@transaction.atomic
def roster_import(
    *,
    actor: User | None,
    organisation: Organisation | None,
    dataset: Any,
    dry_run: bool,
    file_name: str = "",
) -> Any:
    """Imports a roster (a tablib Dataset) into `organisation` (rows with a blank 党组织 cell go there).

    Returns the resource's RosterResult. The dry run only validates and writes nothing. The real import first
    repeats the whole-file dry run and writes only when no row has a problem; then it runs in this transaction
    (a row failing at save time rolls back the whole file) and records one audit event for the file, besides
    the events person_create / person_update record for each person.
    """
    # The resource calls back into these actions from its save hook, hence the import here.
    from branches.resources import PersonResource

    if actor is not None and not scope_for(actor).manages_anything:
        raise ValidationError("您没有导入名册的权限。")
    if organisation is not None:
        _require_scope(actor, organisation)

    def run(dry: bool):
        return PersonResource(actor=actor, organisation=organisation).import_data(dataset, dry_run=dry)

    result = run(dry=True)
    if dry_run or result.has_problems:
        return result
    result = run(dry=False)
    if not result.has_problems:
        counts = result.counts()
        audit_record(
            actor=actor,
            action="person.roster_import",
            # The file's target organisation when there is one (the admin may import without a default).
            **({"target": organisation} if organisation is not None else {"object_type": "branches.Person"}),
            summary=(
                f"名册导入 {file_name}：新增 {counts['new']} 人，更新 {counts['update']} 人，无变化 {counts['skip']} 人"
            ),
            changes={"file": file_name, **counts},
        )
    return result


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
