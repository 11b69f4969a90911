"""Accounts of people: opening (one or in bulk), linking, resetting the initial password."""

import datetime
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from branches.actions.common import scope_require
from branches.models import (
    MANAGING_ROLES,
    Person,
    RoleAssignment,
)
from branches.selectors import scope_for
from portal.actions import initial_password_assign
from portal.audit import audit_event, audit_record
from portal.models import AuditEvent, User

# Accounts ---------------------------------------------------------------------------------------------------


@transaction.atomic
def person_account_create(*, actor: User | None, person: Person, username: str, password: str) -> User:
    """Gives a person a login. Accounts come from staff or imports, never from open sign-up."""
    from django.contrib.auth import get_user_model

    scope_require(actor, person.organisation)
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
        scope_require(actor, organisation)
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
    scope_require(actor, person.organisation)
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
    scope_require(actor, person.organisation)
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
