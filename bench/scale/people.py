"""People with their dated status steps and membership events, roles (with logins for every current secretary),
and 党建指导员 for the instructor-covered hosts.

Names, ID numbers, phones, education and the dated steps come from the demo district's planner
(`branches.demo.people.Planner`), seeded here: one way of making a plausible person. ID numbers are stored the way
`branches.actions.id_number_fields` stores them (masked, and a keyed hash), never in clear.
"""

import datetime
import random
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password

from bench.scale.world import DAY, Org, Person, World
from branches.actions import id_number_fields, secretary_group_ensure
from branches.demo.data import DUTIES, TEAMS
from branches.demo.people import YOUNGEST, Planner
from branches.models import (
    PUBLICITY_STATUSES,
    MembershipEvent,
    PoliticalStatus,
    Role,
    RoleAssignment,
    StatusStep,
)
from branches.models import Person as PersonModel
from portal.models import User

P = PoliticalStatus
PASSWORD = "scale12345"
ADMIN = "scale_admin"
SIZE = {
    "retired": 1.4,
    "village": 1.3,
    "community": 1.2,
    "agency": 1.0,
    "school": 0.9,
    "enterprise": 0.7,
    "social": 0.5,
}
BORN = {  # birth years of full members, as years before the generated year
    "retired": (92, 62),
    "community": (85, 25),
    "village": (82, 25),
    "enterprise": (58, 25),
    "school": (60, 25),
    "agency": (60, 25),
    "social": (65, 25),
}
DEGREES = ("agency", "school")  # branches whose staff mostly have degrees (the planner's STAFF_WITH_DEGREES)


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split by `weights` (largest remainder), each at least `minimum`; the parts add up exactly."""
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError(f"{total} cannot give {minimum} to each of {len(weights)}")
    whole = sum(weights)
    raw = [weight / whole * rest for weight in weights]
    counts = [int(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [minimum + count for count in counts]


def build_people(world: World) -> dict[str, list[tuple]]:
    """Every person of every branch; returns the rows of status steps and membership events."""
    scale, rng, last = world.scale, world.rng("people"), world.last
    planner = Planner(last)
    planner.rng = rng
    branches = world.branches()
    weights = [
        SIZE.get(b.btype, 1.0) * (0.4 if b.kind == "joint_branch" else 1.0) * rng.lognormvariate(0, 0.55)
        for b in branches
    ]
    members = allocate(scale.members, weights, minimum=3)
    others = allocate(scale.others, weights)
    left = allocate(scale.left, weights)
    ids = iter(world.ids(PersonModel, scale.people))
    steps, events = [], []
    step_ids = world.counter(StatusStep)
    event_ids = world.counter(MembershipEvent)
    for branch, n_members, n_others, n_left in zip(branches, members, others, left, strict=True):
        plan = [P.FULL if rng.random() < 0.93 else P.PROBATIONARY for _ in range(n_members)]
        plan += [P.FULL] * n_left
        plan += [
            rng.choices([P.MASSES, P.APPLICANT, P.ACTIVIST, P.DEVELOPMENT_TARGET], [55, 15, 15, 15])[0]
            for _ in range(n_others)
        ]
        for index, status in enumerate(plan):
            gender = rng.choice(["male", "female"])
            old, young = BORN.get(branch.btype, (80, 25))
            if status != P.FULL:
                old, young = (70, 18) if branch.btype != "retired" else (85, 55)
            high = min(last.year - young, last.year - YOUNGEST[status])
            low = min(last.year - old, high)
            birth = datetime.date(planner.between(low, high), 1, 1) + planner.days(0, 364)
            person = Person(next(ids), branch, planner.name(gender), gender, birth, status)
            id_fields = id_number_fields(planner.id_number(birth, gender))
            phone = planner.phone() if rng.random() < (0.7 if birth.year < 1955 else 0.92) else ""
            education = planner.education("jiguan" if branch.btype in DEGREES else "", birth.year)
            grid = rng.choice(branch.grid_ids) if branch.grid_ids and rng.random() < 0.96 else None
            host = branch.host_id if branch.btype != "community" or rng.random() < 0.1 else None
            person.extra = (phone, id_fields["id_number_masked"], id_fields["id_number_hash"], education, host, grid)
            person.steps = planner.steps(status, birth)
            for step, date in person.steps:
                publicity = (date - 12 * DAY, date - 5 * DAY) if step in PUBLICITY_STATUSES else (None, None)
                at = world.loader.stamp(world.at(date, 16))
                steps.append((next(step_ids), person.id, step, date, *publicity, "", at, at))
            if status in (P.FULL, P.PROBATIONARY):
                _starting_event(world, rng, person, events, event_ids)
                if index >= n_members and index < n_members + n_left:
                    _ending_event(world, rng, person, events, event_ids)
                elif status == P.FULL and branch.btype in ("community", "village", "retired"):
                    retire_on = birth + relativedelta(years=60 if gender == "male" else 55)
                    if person.started < retire_on <= last:
                        person.retired = True
                        at = world.loader.stamp(world.at(retire_on, 16))
                        row = (next(event_ids), person.id, branch.id, MembershipEvent.Kind.RETIRE, retire_on, "", None)
                        events.append((*row, at, at))
            person.member = person.active and status in (P.FULL, P.PROBATIONARY)
            branch.people.append(person)
            world.people.append(person)
    return {"steps": steps, "events": events}


def _starting_event(world: World, rng: random.Random, person: Person, events: list, ids: Iterator[int]) -> None:
    """The join (dated by the 预备党员 step), or for one full member in twelve a transfer in from outside the
    district (they joined elsewhere: no join event here)."""
    probationary = dict(person.steps)[P.PROBATIONARY]
    full_on = person.full_on
    created = world.at(probationary, 16)
    if full_on and rng.random() < 1 / 12:
        date = min(world.last - 30 * DAY, max(full_on + 60 * DAY, world.last - rng.randint(100, 2000) * DAY))
        person.started = date
        events.append(
            (
                next(ids),
                person.id,
                person.org.id,
                MembershipEvent.Kind.TRANSFER_IN,
                date,
                "由区外转入组织关系",
                None,
                created,
                created,
            )
        )
    else:
        person.started = probationary
        events.append(
            (next(ids), person.id, person.org.id, MembershipEvent.Kind.JOIN, probationary, "", None, created, created)
        )


def _ending_event(world: World, rng: random.Random, person: Person, events: list, ids: Iterator[int]) -> None:
    """A member who left the roll during the year: transferred out, died or exited (after their start)."""
    earliest = max(world.first, person.started + DAY)
    date = earliest + rng.randint(0, max(0, (world.last - earliest).days)) * DAY
    kind, note = rng.choices(
        [
            (MembershipEvent.Kind.TRANSFER_OUT, "组织关系转往区外"),
            (MembershipEvent.Kind.DEATH, "因病去世"),
            (MembershipEvent.Kind.EXIT, "按规定予以除名"),
        ],
        [75, 20, 5],
    )[0]
    person.active = False
    events.append((next(ids), person.id, person.org.id, kind, date, note, None, world.at(date, 16), world.at(date, 16)))


# Roles, logins and instructors -------------------------------------------------------------------------------


class _Pool:
    """Each branch's full members still free for a post, most senior first (shuffled among equals)."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.free: dict[int, list[Person]] = {}
        settled = world.last - relativedelta(years=3)
        for branch in world.branches():
            people = [
                p
                for p in branch.people
                if p.member and p.status == P.FULL and (not p.retired or branch.btype == "retired")
            ]
            rng.shuffle(people)
            people.sort(key=lambda p: p.full_on > settled)  # settled members first, otherwise in random order
            self.free[branch.id] = people

    def take(self, branches: list[Org]) -> Person | None:
        for branch in branches:
            while self.free.get(branch.id):
                person = self.free[branch.id].pop(0)
                if person.free:
                    person.free = False
                    return person
        return None


def build_roles(world: World, hosts: list[list]) -> list[tuple]:
    """Secretaries, deputies and committee members of every branch, general branch and committee; 组织员 and
    联络员 of the committees; 党建指导员 for the instructor-covered hosts; a change of secretary in one branch in
    twenty. Returns the role rows."""
    rng = world.rng("roles")
    pool = _Pool(world, rng)
    rows: list[tuple] = []
    ids = world.counter(RoleAssignment)
    last = world.last

    def assign(person: Person | None, org: Org, role: str, liaison: str = "", start=None, end=None) -> None:
        if person is None:
            return
        if start is None:
            earliest = max(person.full_on or person.started or last, last - 5 * 365 * DAY) + 60 * DAY
            start = min(last, earliest + rng.randint(0, max(0, (last - earliest).days)) * DAY)
        created = world.at(start, 11)
        rows.append((next(ids), person.id, org.id, role, liaison, start, end, created, created))
        if role == Role.SECRETARY and end is None:
            org.secretary = person

    for index, branch in enumerate(world.branches()):
        full = len(pool.free[branch.id])
        if index % 20 == 7 and full >= 2:  # a change of secretary during the year
            changed = last - rng.randint(30, 300) * DAY
            assign(pool.take([branch]), branch, Role.SECRETARY, start=changed - 5 * 365 * DAY, end=changed)
            assign(pool.take([branch]), branch, Role.SECRETARY, start=changed)
        else:
            assign(pool.take([branch]), branch, Role.SECRETARY)
        if full >= 10:
            assign(pool.take([branch]), branch, Role.DEPUTY)
        for offset, duty in enumerate(DUTIES[: 3 if full >= 12 else 1 if full >= 7 else 0]):
            liaison = f"{duty}，联系{TEAMS[(index + offset) % len(TEAMS)]}"
            assign(pool.take([branch]), branch, Role.COMMITTEE_MEMBER, liaison)
    for org in world.orgs:
        if org.kind not in ("committee", "general_branch"):
            continue
        below = [b for b in world.branches() if b.path.startswith(org.path) and b is not org]
        own = [b for b in org.children if b.kind == "branch" and b.btype == "agency"][:1]
        source = own + below if org.kind == "committee" else below
        assign(pool.take(source), org, Role.SECRETARY)
        assign(pool.take(source), org, Role.DEPUTY)
        for index, duty in enumerate(DUTIES if org.kind == "committee" else DUTIES[:1]):
            assign(pool.take(source), org, Role.COMMITTEE_MEMBER, f"{duty}，联系{TEAMS[index % len(TEAMS)]}")
        if org.kind == "committee":
            assign(pool.take(source), org, Role.ORGANISER, "负责发展党员和党员教育管理")
            assign(pool.take(source), org, Role.COUNSELLOR, "联系非公企业和社会组织党建工作")
    by_id = {org.id: org for org in world.orgs}
    for row in hosts:
        if row[3] != "instructor":
            continue
        supervisor = by_id[row[4]]
        below = [b for b in world.branches() if b.path.startswith(supervisor.path)]
        person = pool.take(below)
        if person is not None:
            row[5] = person.id
            assign(person, supervisor, Role.INSTRUCTOR, f"指导{row[1]}党建工作")
    return rows


def build_users(world: World) -> tuple[list[tuple], list[tuple]]:
    """A 组织部 login (`scale_admin`) and one login per current secretary (`sec<organisation id>`), all with the
    password PASSWORD (hashed once: the hash is the same for every account, which only a benchmark may do)."""
    password = make_password(PASSWORD)
    joined = world.at(world.first.replace(year=world.year - 1), 9)
    secretaries = [org for org in world.orgs if org.secretary is not None]
    ids = iter(world.ids(User, 1 + len(secretaries)))
    admin = next(ids)
    world.admin_user = admin
    users = [(admin, password, None, False, ADMIN, "组织部", "", "", True, True, joined, None, True, joined, joined)]
    group = secretary_group_ensure().pk
    through = User.groups.through
    memberships = []
    phones: set[str] = set()
    for org, user_id in zip(secretaries, ids, strict=False):
        person = org.secretary
        phone = person.extra[0] or None
        if phone in phones:
            phone = None
        phones.add(phone)
        person.user_id = user_id
        org.secretary_user = user_id
        users.append(
            (
                user_id,
                password,
                None,
                False,
                f"sec{org.id}",
                person.name,
                "",
                "",
                True,
                True,
                joined,
                phone,
                False,
                joined,
                joined,
            )
        )
    for row_id, user in zip(world.ids(through, len(users) - 1), users[1:], strict=True):
        memberships.append((row_id, user[0], group))
    return users, memberships


# Writing -----------------------------------------------------------------------------------------------------


def write_people(world: World, rows: dict[str, list[tuple]], roles: list[tuple]) -> None:
    loader = world.loader
    created = loader.stamp(world.at(world.first.replace(year=world.year - 3), 9))
    columns = ["id", "name", "gender", "birth_date", "phone", "id_number_masked", "id_number_hash", "education"]
    columns += ["organisation_id", "host_id", "grid_id", "political_status", "is_active_member", "is_retired"]
    columns += ["user_id", "created_at", "updated_at"]
    loader.write(
        PersonModel,
        columns,
        (
            (
                p.id,
                p.name,
                p.gender,
                p.birth,
                p.extra[0],
                p.extra[1],
                p.extra[2],
                p.extra[3],
                p.org.id,
                p.extra[4],
                p.extra[5],
                p.status,
                p.active,
                p.retired,
                p.user_id,
                created,
                created,
            )
            for p in world.people
        ),
    )
    columns = ["id", "person_id", "status", "date", "publicity_start", "publicity_end", "note", "created_at"]
    loader.write(StatusStep, [*columns, "updated_at"], rows["steps"])
    columns = ["id", "person_id", "organisation_id", "kind", "date", "note", "recorded_by_id", "created_at"]
    loader.write(MembershipEvent, [*columns, "updated_at"], rows["events"])
    columns = ["id", "person_id", "organisation_id", "role", "liaison", "start_date", "end_date", "created_at"]
    loader.write(RoleAssignment, [*columns, "updated_at"], roles)


def write_users(world: World, users: list[tuple], memberships: list[tuple]) -> None:
    columns = ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email"]
    columns += ["is_staff", "is_active", "date_joined", "phone", "is_org_department", "created_at", "updated_at"]
    columns += ["initial_password"]  # none pending: these accounts log in with their password
    columns += ["notify_email", "notify_sms"]  # 提醒方式: the defaults (e-mail where there is an address, no SMS)
    world.loader.write(User, columns, [(*user, "", True, False) for user in users])
    world.loader.write(User.groups.through, ["id", "user_id", "group_id"], memberships)
