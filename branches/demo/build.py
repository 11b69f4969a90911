"""Building the demo district through the actions, and the counts the command prints.

Every row is written by an action (organisations, grids and hosts, people and their steps, events, roles, mobile
members, accounts), so the demo data passes the same checks and leaves the same audit trail as real data. The 组织部
account `orgadmin` is created first and is the actor of everything else.
"""

import datetime
import random
from functools import partial

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.utils import timezone

from branches import actions, selectors
from branches.demo.data import (
    COMMITTEE_CODE,
    DUTIES,
    GRIDS,
    HOSTS,
    INSTRUCTORS,
    MOBILE,
    ORGANISATIONS,
    PEOPLE,
    SEED,
    TEAMS,
    code_for,
)
from branches.demo.logins import ORGADMIN, orgadmin_ensure
from branches.demo.people import DAY, PersonPlan, Planner
from branches.models import (
    PUBLICITY_STATUSES,
    Grid,
    HostUnit,
    MembershipEvent,
    MobileReport,
    Organisation,
    Person,
    PoliticalStatus,
    Role,
    RuleSettings,
)
from portal.models import User

MASS_FLAGS = {"工": "has_trade_union", "青": "has_youth_league", "妇": "has_womens_federation"}


def demo_exists() -> bool:
    return Organisation.objects.filter(code=COMMITTEE_CODE).exists()


def demo_build(*, today: datetime.date | None = None) -> None:
    """Builds the whole district. Call inside one transaction; it assumes the district is not there yet."""
    today = today or timezone.localdate()
    actor = orgadmin_ensure()
    rng = random.Random(SEED + 1)  # the people have their own generator: adding a role here changes no name
    orgs = _organisations(actor)
    grids = _grids(actor, orgs)
    hosts = _hosts(actor, orgs, grids)
    pool = _Pool(today)
    for plan in Planner(today).plan():
        pool.add(plan, _person_create(actor, plan, orgs, hosts, grids))
    _roles(actor, orgs, pool, rng, today)
    _instructors(actor, orgs, grids, pool, rng, today)
    _mobile_members(actor, pool, today)


# Organisations, grids, host units -----------------------------------------------------------------------------


def _organisations(actor: User) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for index, (key, name, kind, parent, address) in enumerate(ORGANISATIONS):
        orgs[key] = actions.organisation_create(
            actor=actor,
            name=name,
            kind=kind,
            parent=orgs[parent] if parent else None,
            code=code_for(key),
            address=address,
            phone=f"0715-86{index * 379 + 1021:05d}" if kind not in _GROUP_KINDS else "",
        )
    return orgs


_GROUP_KINDS = (Organisation.Kind.PARTY_GROUP, Organisation.Kind.FUNCTIONAL_GROUP, Organisation.Kind.TEMPORARY_GROUP)


def _grids(actor: User, orgs: dict[str, Organisation]) -> dict[str, Grid]:
    grids: dict[str, Grid] = {}
    for key, name, level, parent, org in GRIDS:
        grid = Grid(
            name=name, level=level, parent=grids[parent] if parent else None, organisation=orgs[org] if org else None
        )
        actions.reference_row_save(actor=actor, instance=grid, changed=["name", "level", "parent", "organisation"])
        grids[key] = grid
    return grids


def _host_save(actor: User, row: tuple, orgs: dict[str, Organisation], grids: dict[str, Grid], **extra) -> HostUnit:
    name, sector, formation, org, grid, staff, mass = row
    host = HostUnit(
        name=name,
        sector=sector,
        formation=formation,
        organisation=orgs[org] if org else None,
        grid=grids[grid],
        staff_count=staff,
        **{field: True for flag, field in MASS_FLAGS.items() if flag in mass},
        **extra,
    )
    changed = ["name", "sector", "formation", "organisation", "grid", "staff_count", *extra]
    actions.reference_row_save(actor=actor, instance=host, changed=changed)
    return host


def _hosts(actor: User, orgs: dict[str, Organisation], grids: dict[str, Grid]) -> dict[str, HostUnit]:
    """Every host but the instructor ones, which need their instructor (a person) first."""
    return {row[0]: _host_save(actor, row, orgs, grids) for row in HOSTS if row[2] != HostUnit.Formation.INSTRUCTOR}


# People -------------------------------------------------------------------------------------------------------


def _person_create(
    actor: User, plan: PersonPlan, orgs: dict[str, Organisation], hosts: dict[str, HostUnit], grids: dict[str, Grid]
) -> Person:
    organisation = orgs[plan.org]
    fields = dict(
        actor=actor,
        name=plan.name,
        organisation=organisation,
        id_number=plan.id_number,
        gender=plan.gender,
        phone=plan.phone,
        education=plan.education,
        host=hosts.get(plan.host or ""),
        grid=grids.get(plan.grid or ""),
    )
    steps = list(plan.steps)
    if plan.transfer_in:
        # The transfer in comes first: a member who joined elsewhere has no join event in this district.
        person = actions.person_create(**fields)
        actions.membership_event_record(
            actor=actor,
            person=person,
            kind=MembershipEvent.Kind.TRANSFER_IN,
            date=plan.transfer_in,
            organisation=organisation,
            note="由区外转入组织关系",
        )
    elif steps:
        status, date = steps.pop(0)
        person = actions.person_create(**fields, political_status=status, status_date=date)
    else:
        person = actions.person_create(**fields)
    for status, date in steps:
        publicity = {}
        if status in PUBLICITY_STATUSES:  # 公示 of at least five working days, before the branch meeting
            publicity = {"publicity_start": date - 12 * DAY, "publicity_end": date - 5 * DAY}
        person = actions.status_step_add(actor=actor, person=person, status=status, date=date, **publicity)
    event = partial(actions.membership_event_record, actor=actor, person=person)
    if plan.retire_on:
        event(kind=MembershipEvent.Kind.RETIRE, date=plan.retire_on)
    if plan.died_on:
        event(kind=MembershipEvent.Kind.DEATH, date=plan.died_on)
    if plan.transfer_out:
        target = orgs[plan.move_to].name if plan.move_to else "区外"
        event(kind=MembershipEvent.Kind.TRANSFER_OUT, date=plan.transfer_out, note=f"组织关系转往{target}")
        if plan.move_to:
            event(
                kind=MembershipEvent.Kind.TRANSFER_IN,
                date=plan.transfer_out + 5 * DAY,
                organisation=orgs[plan.move_to],
                note=f"由{organisation.name}转入",
            )
    return person


class _Pool:
    """The full members of each organisation, handed out once each: leaders, instructors, mobile members."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.members: dict[str, list[tuple[PersonPlan, Person]]] = {}

    def add(self, plan: PersonPlan, person: Person) -> None:
        if plan.status == PoliticalStatus.FULL and plan.stays:
            self.members.setdefault(plan.org, []).append((plan, person))

    def take(self, org: str, *, full_years: int = 3, retired: bool = False) -> tuple[PersonPlan, Person]:
        """The next full member of `org` who has been one for `full_years` (retired ones only if allowed)."""
        before = self.today - relativedelta(years=full_years)
        for index, (plan, _person) in enumerate(self.members.get(org, [])):
            if plan.full_on <= before and (retired or not plan.retire_on):
                return self.members[org].pop(index)
        raise RuntimeError(f"演示数据配置有误：{org} 的正式党员不够分配职务。")


# Roles --------------------------------------------------------------------------------------------------------


def _roles(actor: User, orgs: dict[str, Organisation], pool: _Pool, rng: random.Random, today: datetime.date) -> None:
    def assign(entry, org: str, role: str, liaison: str = "", start: datetime.date | None = None):
        plan, person = entry
        if start is None:
            start = min(today, max(plan.full_on + 60 * DAY, today - rng.randint(200, 1700) * DAY))
        return actions.role_assign(
            actor=actor, person=person, organisation=orgs[org], role=role, start_date=start, liaison=liaison
        )

    def team(index: int, duty: str) -> str:
        return f"{duty}，联系{TEAMS[index % len(TEAMS)]}"

    branches = [row for row in ORGANISATIONS if row[2] in Organisation.BRANCH_KINDS]
    for index, (key, *_rest) in enumerate(branches):
        unit = PEOPLE[key]
        take = partial(pool.take, key, retired=unit.retire)
        if key == "hubin2":  # a change of secretary: the former one's term is dated and ended
            former = assign(take(full_years=8), key, Role.SECRETARY, start=today - 2200 * DAY)
            actions.role_end(actor=actor, assignment=former, end_date=today - 400 * DAY)
            assign(take(), key, Role.SECRETARY, start=today - 400 * DAY)
        else:
            assign(take(), key, Role.SECRETARY)
        if unit.full >= 10:
            assign(take(), key, Role.DEPUTY)
        for offset, duty in enumerate(DUTIES[: 3 if unit.full >= 12 else 1 if unit.full >= 7 else 0]):
            assign(take(), key, Role.COMMITTEE_MEMBER, team(index + offset, duty))

    general_branches = [row[0] for row in ORGANISATIONS if row[2] == Organisation.Kind.GENERAL_BRANCH]
    for index, key in enumerate(general_branches):
        children = [row[0] for row in branches if row[3] == key]
        picks = [pool.take(child, retired=PEOPLE[child].retire) for child in (children * 3)[:3]]
        assign(picks[0], key, Role.SECRETARY)
        assign(picks[1], key, Role.DEPUTY)
        assign(picks[2], key, Role.COMMITTEE_MEMBER, team(index, DUTIES[0]))

    # The 党工委's team works in the street office: its members belong to the 机关党支部.
    elected = today - relativedelta(years=2, months=4)
    assign(pool.take("jiguan"), "committee", Role.SECRETARY, start=elected)
    assign(pool.take("jiguan"), "committee", Role.DEPUTY, start=elected)
    for index, duty in enumerate(DUTIES):
        assign(pool.take("jiguan"), "committee", Role.COMMITTEE_MEMBER, team(index, duty), start=elected)
    assign(pool.take("jiguan"), "committee", Role.ORGANISER, "负责发展党员和党员教育管理")
    assign(pool.take("jiguan"), "committee", Role.COUNSELLOR, "联系非公企业和社会组织党建工作")


def _instructors(
    actor: User,
    orgs: dict[str, Organisation],
    grids: dict[str, Grid],
    pool: _Pool,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """Hosts without a party organisation yet: a 党建指导员 from the supervising organisation is assigned."""
    for row in HOSTS:
        if row[2] != HostUnit.Formation.INSTRUCTOR:
            continue
        _plan, person = pool.take(INSTRUCTORS[row[0]])
        _host_save(actor, row, orgs, grids, instructor=person)
        actions.role_assign(
            actor=actor,
            person=person,
            organisation=orgs[row[3]],
            role=Role.INSTRUCTOR,
            start_date=today - rng.randint(90, 700) * DAY,
            liaison=f"指导{row[0]}党建工作",
        )


# Mobile members -----------------------------------------------------------------------------------------------

WRITTEN = "书面汇报：在流入地党组织参加组织生活，按时交纳党费，参加了社区志愿服务。"
ORAL = "电话口头汇报近期思想、工作和参加组织生活情况。"
CHECK = "与流入地党组织电话核实：本人表现良好，按时参加组织生活。"
CONTENT = {MobileReport.Kind.WRITTEN: WRITTEN, MobileReport.Kind.ORAL: ORAL, MobileReport.Kind.CHECK: CHECK}
CHECK_OVERDUE = "多次电话联系本人未果；经流入地党组织核实仍在当地务工，已督促按时汇报。"


def _mobile_members(actor: User, pool: _Pool, today: datetime.date) -> None:
    """Six departures: one overdue, four on time (one not yet due), one returned; all dates relative to today."""
    rules = RuleSettings.current()
    interval = relativedelta(months=rules.mobile_report_interval_months)
    R = MobileReport.Kind
    # overdue: the last report lies more than one interval plus the grace period (and a margin) in the past
    last = today - interval - (rules.mobile_report_grace_days + 40) * DAY
    schedules = [
        (last - interval - relativedelta(months=1), [(R.WRITTEN, 25), (R.ORAL, None), (R.CHECK, -20)], None),
        (today - relativedelta(months=5), [(R.WRITTEN, 33), (R.ORAL, -20)], None),
        (today - relativedelta(months=9), [(R.WRITTEN, 58), (R.WRITTEN, 120), (R.CHECK, -60), (R.ORAL, -12)], None),
        (today - 20 * DAY, [], None),  # left recently: the first report is not due yet
        (today - relativedelta(months=3), [(R.ORAL, 40), (R.WRITTEN, -9)], None),
        (today - relativedelta(months=14), [(R.WRITTEN, 55), (R.ORAL, 120), (R.CHECK, 200)], today - 60 * DAY),
    ]
    for index, ((org, destination, host_organisation), (leave, reports, returned)) in enumerate(
        zip(MOBILE, schedules, strict=True)
    ):
        _plan, person = pool.take(org, full_years=2)
        record = actions.mobile_departure_record(
            actor=actor,
            person=person,
            leave_date=leave,
            destination=destination,
            expected_return=leave + relativedelta(years=1),
            contact_address=f"{destination}务工人员公寓 {index + 3} 栋",
            host_organisation=host_organisation,
            certificate_number=f"LD{leave:%Y}{4217 + index * 131:05d}",
        )
        for kind, offset in reports:
            # a positive offset counts days after leaving, a negative one days before today, None is `last`
            date = last if offset is None else leave + offset * DAY if offset > 0 else today + offset * DAY
            content = CHECK_OVERDUE if (kind == R.CHECK and index == 0) else CONTENT[kind]
            actions.mobile_report_record(actor=actor, mobile_member=record, kind=kind, date=date, content=content)
        if returned:
            actions.mobile_return_record(actor=actor, mobile_member=record, date=returned)


# Summary ---------------------------------------------------------------------------------------------------


def demo_summary() -> dict:
    """Counts for the command's output, read back from the database."""
    committee = Organisation.objects.get(code=COMMITTEE_CODE)
    organisations = Organisation.objects.filter(path__startswith=committee.path)
    hosts = HostUnit.objects.filter(name__in=[row[0] for row in HOSTS])
    people = Person.objects.filter(organisation__path__startswith=committee.path)
    orgadmin = User.objects.get(username__iexact=ORGADMIN)
    records = selectors.mobile_member_list_for_user(user=orgadmin)
    mobile = selectors.mobile_member_rows(records=records.filter(person__organisation__path__startswith=committee.path))
    return {
        "name": committee.name,
        "organisations": dict(organisations.values_list("kind").order_by().annotate(n=Count("pk"))),
        "hosts": dict(hosts.values_list("formation").order_by().annotate(n=Count("pk"))),
        "grids": Grid.objects.filter(name__in=[row[1] for row in GRIDS]).count(),
        "grids_unserved": Grid.objects.filter(name__in=[row[1] for row in GRIDS], organisation__isnull=True).count(),
        "people": dict(people.values_list("political_status").order_by().annotate(n=Count("pk"))),
        "mobile": len(mobile),
        "mobile_open": sum(1 for row in mobile if row["record"].returned_on is None),
        "mobile_overdue": sum(1 for row in mobile if row["overdue"]),
    }
