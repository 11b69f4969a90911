"""Reads for the branches app. Access is decided here: what lies outside a user's scope does not exist (404)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.http import Http404
from django.utils import timezone

from branches.models import (
    MANAGING_ROLES,
    CalendarDay,
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    Role,
    RoleAssignment,
    RuleSettings,
)
from portal.lib.workdays import add_working_days
from portal.models import User
from portal.selectors import user_sees_everything


@dataclass(frozen=True)
class Scope:
    """What a user may see and change.

    `everything`: 组织部 staff. `paths`: the subtrees (materialised paths) the user manages through a current
    managing role; they may read and write there. `person_id`: the user's own person record (read only).
    """

    everything: bool = False
    paths: tuple[str, ...] = ()
    person_id: int | None = None

    @property
    def manages_anything(self) -> bool:
        return self.everything or bool(self.paths)

    def organisation_q(self, prefix: str = "") -> Q:
        """A filter for rows whose organisation (reached through `prefix`) lies in a managed subtree."""
        if self.everything:
            # Always true, and it stays true when OR-ed with another filter (an empty Q() would vanish there).
            return Q(pk__isnull=False)
        if not self.paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{prefix}path__startswith": path}) for path in self.paths))

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(root) for root in self.paths)


def scope_for(user: User) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = Scope()
    elif user_sees_everything(user):
        scope = Scope(everything=True)
    else:
        today = timezone.localdate()
        person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
        paths = (
            RoleAssignment.objects.filter(
                person__user=user,
                role__in=MANAGING_ROLES,
                start_date__lte=today,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
            .values_list("organisation__path", flat=True)
        )
        # A subtree inside another managed subtree adds nothing: keep the outermost roots only.
        roots = sorted(set(paths))
        kept = tuple(p for p in roots if not any(p != r and p.startswith(r) for r in roots))
        scope = Scope(paths=kept, person_id=person_id)
    user._portal_scope = scope
    return scope


def check_write(user: User, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您没有修改此记录的权限。")


# Organisations ----------------------------------------------------------------------------------------------


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    scope = scope_for(user)
    return Organisation.objects.filter(scope.organisation_q()).order_by("path")


def organisation_choices_for_user(*, user: User) -> QuerySet[Organisation]:
    """Organisations a user may put people or records into."""
    return organisation_list_for_user(user=user).filter(is_archived=False)


def organisation_default_for_user(*, user: User, choices: QuerySet[Organisation]) -> Organisation | None:
    """The organisation a form preselects among `choices` (the user's organisation choices): the only one; else
    the top of the user's single managed subtree (a branch secretary's branch, above its party groups); else the
    user's own organisation. None when the user must choose (组织部, several subtrees). At most three queries."""
    first_two = list(choices[:2])
    if len(first_two) == 1:
        return first_two[0]
    if not first_two:
        return None
    scope = scope_for(user)
    if len(scope.paths) == 1 and not scope.everything:
        root = choices.filter(path=scope.paths[0]).first()
        if root is not None:
            return root
    if scope.person_id:
        return choices.filter(people__pk=scope.person_id).first()
    return None


def organisation_get_for_user(*, user: User, pk: int) -> Organisation:
    """Organisations are only visible to those who manage them, so every visible one is also writable."""
    organisation = organisation_list_for_user(user=user).filter(pk=pk).first()
    if organisation is None:
        raise Http404("党组织不存在。")
    return organisation


def organisation_subtree(*, organisation: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(path__startswith=organisation.path)


def organisation_children(*, organisation: Organisation) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
        .annotate(people_count=Count("people", filter=Q(people__is_active_member=True)))
        .order_by("path")
    )


def organisation_status_counts(*, organisation: Organisation) -> dict[str, int]:
    """Active people per political status in the organisation's subtree."""
    rows = (
        Person.objects.filter(organisation__path__startswith=organisation.path, is_active_member=True)
        .values("political_status")
        .annotate(n=Count("pk"))
    )
    return {row["political_status"]: row["n"] for row in rows}


def organisation_headcount_on(*, organisation: Organisation, on: datetime.date) -> int:
    """Party members in the subtree on a date, from membership events (the last join/transfer/exit per person)."""
    latest = MembershipEvent.objects.filter(
        person=OuterRef("pk"),
        date__lte=on,
        kind__in=MembershipEvent.STARTING + MembershipEvent.ENDING,
    ).order_by("-date", "-pk")
    return (
        Person.objects.annotate(
            last_kind=Subquery(latest.values("kind")[:1]),
            last_path=Subquery(latest.values("organisation__path")[:1]),
        )
        .filter(last_kind__in=MembershipEvent.STARTING, last_path__startswith=organisation.path)
        .count()
    )


def organisation_current_roles(*, organisation: Organisation) -> QuerySet[RoleAssignment]:
    today = timezone.localdate()
    return (
        RoleAssignment.objects.filter(organisation=organisation, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .select_related("person")
        .order_by("role", "start_date")
    )


# People -----------------------------------------------------------------------------------------------------


def person_list_for_user(*, user: User) -> QuerySet[Person]:
    scope = scope_for(user)
    people = Person.objects.select_related("organisation", "grid", "host")
    if scope.manages_anything:
        return people.filter(scope.organisation_q("organisation__"))
    return people.filter(pk=scope.person_id) if scope.person_id else people.none()


def person_create_check(*, user: User) -> None:
    """Adding people is a staff tool: for a user who manages nothing it does not exist (404, as the roster pages)."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def person_get_for_user(*, user: User, pk: int, write: bool = False) -> Person:
    person = person_list_for_user(user=user).filter(pk=pk).first()
    if person is None:
        raise Http404("人员不存在。")
    if write:
        check_write(user, scope_for(user).covers_path(person.organisation.path))
    return person


def account_link_choices_for_user(*, user: User) -> QuerySet[User]:
    """Accounts a manager may link to a person on the person page: active, linked to nobody, not 组织部's (those
    have the whole tree already). Empty for a user who manages nothing."""
    if not scope_for(user).manages_anything:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, person__isnull=True, is_superuser=False, is_org_department=False
    ).order_by("username")


def person_history(*, person: Person) -> dict[str, QuerySet]:
    return {
        "steps": person.status_steps.order_by("date", "pk"),
        "events": person.events.select_related("organisation").order_by("date", "pk"),
        "roles": person.roles.select_related("organisation").order_by("-start_date"),
        "mobile_records": person.mobile_records.order_by("-leave_date"),
    }


# Mobile members ---------------------------------------------------------------------------------------------


def mobile_member_list_for_user(*, user: User, open_only: bool = False) -> QuerySet[MobileMember]:
    scope = scope_for(user)
    records = MobileMember.objects.select_related("person", "person__organisation").annotate(
        last_report=Max("reports__date", filter=Q(reports__kind__in=MobileReport.REPORT_KINDS))
    )
    if open_only:
        records = records.filter(returned_on__isnull=True)
    if scope.manages_anything:
        return records.filter(scope.organisation_q("person__organisation__"))
    return records.filter(person_id=scope.person_id) if scope.person_id else records.none()


def mobile_overdue_through(*, today: datetime.date, rules: RuleSettings) -> datetime.date:
    """The last date a record's latest report (or, without one, its leave date) may have and the record be overdue
    on `today`: `MobileMember.is_overdue` turned into a bound on that date, so that SQL can filter on it.

    Overdue means today > base + N months + grace, i.e. base + N months < today − grace. Adding months is monotone
    (31 January + 1 month = 28 February), so the bases that qualify are all those up to one date, found a few days
    around (today − grace − N months)."""
    cutoff = today - datetime.timedelta(days=rules.mobile_report_grace_days)
    return _last_base_before(cutoff, rules)


def _last_base_before(cutoff: datetime.date, rules: RuleSettings) -> datetime.date:
    """The last base date (latest report, or leave date) whose next report falls due before `cutoff`."""
    interval = relativedelta(months=rules.mobile_report_interval_months)
    guess = cutoff - interval
    for offset in range(4, -8, -1):
        day = guess + datetime.timedelta(days=offset)
        if day + interval < cutoff:
            return day
    raise AssertionError("unreachable: month ends differ by at most three days")


def mobile_due_q(
    *, today: datetime.date | None = None, rules: RuleSettings | None = None, last_report: str = "last_report"
) -> Q:
    """Open records whose next report falls due by the end of `today`'s month — overdue ones included (overdue is
    past the due date and the grace): 本月应汇报或已逾期, what the monthly briefing and the home page count."""
    today = today or timezone.localdate()
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    through = _last_base_before(month_end + datetime.timedelta(days=1), rules or RuleSettings.current())
    base = Coalesce(F(last_report), F("leave_date"))
    return Q(returned_on__isnull=True) & Q(LessThanOrEqual(base, Value(through)))


def mobile_overdue_q(
    *, today: datetime.date | None = None, rules: RuleSettings | None = None, last_report: str = "last_report"
) -> Q:
    """Open records whose report is overdue on `today`, in SQL (the same as `MobileMember.is_overdue`).
    `last_report` names the annotation holding the date of the latest report (None: none yet, the leave date
    counts). Never NULL, so the condition can be negated (`exclude`) safely."""
    through = mobile_overdue_through(today=today or timezone.localdate(), rules=rules or RuleSettings.current())
    base = Coalesce(F(last_report), F("leave_date"))
    return Q(returned_on__isnull=True) & Q(LessThanOrEqual(base, Value(through)))


def mobile_member_get_for_user(*, user: User, pk: int, write: bool = False) -> MobileMember:
    record = mobile_member_list_for_user(user=user).filter(pk=pk).first()
    if record is None:
        raise Http404("流动党员记录不存在。")
    if write:
        check_write(user, scope_for(user).covers_path(record.person.organisation.path))
    return record


def mobile_member_rows(*, records: QuerySet[MobileMember]) -> list[dict]:
    """Each record with its due date and overdue flag (derived, never stored); overdue ones first."""
    rules = RuleSettings.current()
    today = timezone.localdate()
    rows = [
        {
            "record": record,
            "next_due": None if record.returned_on else record.next_due(record.last_report, rules),
            "overdue": record.is_overdue(record.last_report, rules, today),
        }
        for record in records
    ]
    rows.sort(key=lambda row: (not row["overdue"], row["record"].returned_on is not None))
    return rows


def organisation_tree_for_user(*, user: User) -> QuerySet[Organisation]:
    """The user's organisations in tree order, each with its active headcount (one query)."""
    return organisation_list_for_user(user=user).annotate(
        people_count=Count("people", filter=Q(people__is_active_member=True))
    )


def organisation_page(*, organisation: Organisation) -> dict:
    """Everything an organisation's page shows, each part one query."""
    people = (
        Person.objects.filter(organisation=organisation, is_active_member=True).select_related("grid").order_by("name")
    )
    status_counts = organisation_status_counts(organisation=organisation)
    full_members = status_counts.get("full", 0)
    minimum = RuleSettings.current().single_branch_min_full_members
    return {
        "organisation": organisation,
        "ancestors": Organisation.objects.get_ancestors(organisation),
        "children": organisation_children(organisation=organisation),
        "people": people[:50],
        "people_total": people.count(),
        "roles": organisation_current_roles(organisation=organisation),
        "hosts": organisation.hosts.select_related("instructor").order_by("name"),
        "grids": organisation.grids.order_by("name"),
        "status_counts": [
            (label, status_counts.get(value, 0)) for value, label in Person._meta.get_field("political_status").choices
        ],
        "headcount": organisation_headcount_on(organisation=organisation, on=timezone.localdate()),
        "full_member_minimum": minimum,
        "below_minimum": organisation.is_branch and full_members < minimum,
    }


def working_calendar() -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
    """(holidays, make-up workdays) for portal.lib.workdays, in one query."""
    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    return frozenset(holidays), frozenset(workdays)


def working_day_deadline(*, start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start`, with 组织部's holiday calendar applied."""
    holidays, workdays = working_calendar()
    return add_working_days(start, days, holidays, workdays)


# Who a scheduled reminder goes to ---------------------------------------------------------------------------


def secretary_users_for(
    *, organisations: Iterable[Organisation], on: datetime.date | None = None, inherit: bool = True
) -> dict[int, list[User]]:
    """organisation id → the active accounts of its current secretaries (书记), in order of appointment. With
    `inherit`, an organisation without one (a party group, a branch between secretaries) gets those of the nearest
    organisation above that has one: someone who manages it must hear of its overdue work. One query."""
    organisations = list(organisations)
    on = on or timezone.localdate()
    step = Organisation.steplen
    if inherit:
        prefixes = {o.path[:end] for o in organisations for end in range(step, len(o.path) + 1, step)}
    else:
        prefixes = {o.path for o in organisations}
    roles = (
        RoleAssignment.objects.filter(
            organisation__path__in=prefixes,
            role=Role.SECRETARY,
            start_date__lte=on,
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .select_related("person__user", "organisation")
        .order_by("organisation__path", "start_date", "pk")
    )
    by_path: dict[str, list[User]] = defaultdict(list)
    for role in roles:
        if role.person.user not in by_path[role.organisation.path]:
            by_path[role.organisation.path].append(role.person.user)
    result = {}
    for organisation in organisations:
        ancestors = (organisation.path[:end] for end in range(len(organisation.path), 0, -step))
        result[organisation.pk] = next((by_path[path] for path in ancestors if by_path.get(path)), [])
    return result


def committee_secretary_users(*, on: datetime.date | None = None) -> list[User]:
    """The active accounts of the current secretaries of 党委 and 党总支 (the committees above the branches)."""
    on = on or timezone.localdate()
    holders = (
        RoleAssignment.objects.filter(
            role=Role.SECRETARY,
            organisation__kind__in=(Organisation.Kind.COMMITTEE, Organisation.Kind.GENERAL_BRANCH),
            start_date__lte=on,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .values("person__user_id")
    )
    return list(User.objects.filter(is_active=True, pk__in=holders).order_by("pk"))


def mobile_records_due(*, today: datetime.date) -> QuerySet[MobileMember]:
    """Every open record whose report falls due this month or is overdue on `today` (`mobile_due_q`), counting
    only what had happened by then (the monthly briefing; not scoped: the system)."""
    return (
        MobileMember.objects.filter(leave_date__lte=today)
        .annotate(
            last_report=Max(
                "reports__date", filter=Q(reports__kind__in=MobileReport.REPORT_KINDS, reports__date__lte=today)
            )
        )
        .filter(mobile_due_q(today=today))
    )


def mobile_members_due(*, today: datetime.date, organisation: Organisation | None = None) -> list[dict]:
    """The open departure records (of a subtree, or all), each with its next report's due date and whether it is
    overdue on `today` (past the due date and the grace period) — derived, as on the list page."""
    rules = RuleSettings.current()
    records = (
        MobileMember.objects.filter(returned_on__isnull=True, leave_date__lte=today)
        .select_related("person__organisation", "person__user")
        .annotate(
            last_report=Max(
                "reports__date", filter=Q(reports__kind__in=MobileReport.REPORT_KINDS, reports__date__lte=today)
            )
        )
        .order_by("person__organisation__path", "pk")
    )
    if organisation is not None:
        records = records.filter(person__organisation__path__startswith=organisation.path)
    return [
        {
            "record": record,
            "next_due": record.next_due(record.last_report, rules),
            "overdue": record.is_overdue(record.last_report, rules, today),
        }
        for record in records
    ]
