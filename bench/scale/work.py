"""Volunteer teams and memberships, and the year of activities with participations and approved hours.

Activities are closed as `services.actions.activities_register_bulk` closes a register (attended people get an
approved hours entry of the activity's length unless a shorter time was written); a person serves in at most one
activity a day, so the hours checker finds no overlaps the data did not mean to have.
"""

import datetime
import random
from decimal import Decimal

from bench.scale.world import DAY, Activity, Org, Person, Team, World
from services.demo.build import LENGTHS, SLOTS
from services.demo.data import CANCEL_REASONS, CATEGORIES, GOODS, SQUAD_CATEGORIES, SQUAD_KINDS
from services.models import Activity as ActivityModel
from services.models import ActivityCategory, HoursEntry, Participation
from volunteers.models import PersonSkill, Skill, TeamMembership
from volunteers.models import Team as TeamModel

MAX_SIZE = 40


def pool_of(org: Org) -> list[Person]:
    """Who an organisation's own activities draw on: its active people at home (not away as mobile members)."""
    return [p for p in org.people if p.active and not p.mobile]


# Teams -------------------------------------------------------------------------------------------------------


def build_teams(world: World) -> dict[str, list[tuple]]:
    """大队 for the root, every committee and general branch; a 分队 per branch under its parent's 大队; a 小组 per
    party group (not the temporary ones) under its branch's 分队. Memberships: leader, deputy, members; some
    applicants waiting; a few who left during the year."""
    rng, last = world.rng("teams"), world.last
    teams: list[Team] = []
    for org in world.orgs:
        if org.kind in ("committee", "general_branch"):
            short = org.name.removeprefix("中共").removesuffix("委员会").removesuffix("党工委").removesuffix("党委")
            org.brigade = Team(
                0, org, TeamModel.Level.BRIGADE, f"{short.removesuffix('党总支')}党员志愿服务大队", None, ""
            )
            teams.append(org.brigade)
    for index, branch in enumerate(world.branches()):
        kind = SQUAD_KINDS[index % len(SQUAD_KINDS)]
        squad = Team(
            0,
            branch,
            TeamModel.Level.SQUAD,
            f"{branch.name.removesuffix('党支部')}{kind}分队",
            branch.parent.brigade,
            kind,
        )
        branch.squad = squad
        teams.append(squad)
        for group in branch.groups:
            if group.kind != "temporary_group":
                name = f"{group.name.removesuffix('党小组')}志愿服务小组"
                group.squad = Team(0, group, TeamModel.Level.GROUP, name, squad, kind)
                teams.append(group.squad)
    for team, team_id in zip(teams, world.ids(TeamModel, len(teams)), strict=True):
        team.id = team_id
    roots = [team for team in teams if team.parent is None]
    children: dict[int, list[Team]] = {}
    for team in teams:
        if team.parent is not None:
            children.setdefault(team.parent.id, []).append(team)

    def paths(team: Team, parent_path: str | None, depth: int, step: int) -> None:
        team.path = TeamModel._get_path(parent_path, depth, step)
        team.depth = depth
        kids = children.get(team.id, [])
        team.numchild = len(kids)
        for position, child in enumerate(kids, start=1):
            paths(child, team.path, depth + 1, position)

    for step, team in enumerate(roots, start=1):
        paths(team, None, 1, step)
    world.teams = teams

    memberships: list[tuple] = []
    ids = world.counter(TeamMembership)
    created = world.at(world.first.replace(year=world.year - 2), 9)
    M, S = TeamMembership.Role, TeamMembership.State
    for team in teams:
        if team.level == TeamModel.Level.BRIGADE:
            below = [b for b in world.branches() if b.path.startswith(team.org.path)]
            pool = [p for b in rng.sample(below, min(len(below), 6)) for p in pool_of(b)[:3]]
            size = min(len(pool), rng.randint(5, 10))
        elif team.level == TeamModel.Level.SQUAD:
            pool = pool_of(team.org)
            size = min(len(pool), rng.randint(10, 25))
        else:
            pool = pool_of(team.org.parent)
            size = min(len(pool), rng.randint(5, 8))
        chosen = rng.sample(pool, size)
        team.members = chosen
        team.leader = chosen[0] if chosen else None
        for position, person in enumerate(chosen):
            role = (M.LEADER, M.DEPUTY)[position] if position < 2 else M.MEMBER
            joined = last - rng.randint(30, 2000) * DAY
            memberships.append(
                (next(ids), team.id, person.id, role, S.ACTIVE, None, joined, None, "", created, created)
            )
        if team.level != TeamModel.Level.SQUAD:
            continue
        members = set(chosen)
        outside = [p for p in pool if p not in members]
        for person in rng.sample(outside, min(len(outside), rng.choice([0, 0, 1, 2]))):
            applied = last - rng.randint(1, 40) * DAY
            memberships.append(
                (
                    next(ids),
                    team.id,
                    person.id,
                    M.MEMBER,
                    S.PENDING,
                    applied,
                    None,
                    None,
                    "",
                    world.at(applied),
                    world.at(applied),
                )
            )
        gone = [p for p in team.org.people if not p.active]
        if gone and rng.random() < 0.5:
            person = gone[0]
            left_on = max(world.first, last - rng.randint(5, 300) * DAY)
            joined = left_on - rng.randint(200, 1500) * DAY
            memberships.append(
                (
                    next(ids),
                    team.id,
                    person.id,
                    M.MEMBER,
                    S.LEFT,
                    None,
                    joined,
                    left_on,
                    TeamMembership.LeaveReason.TRANSFERRED,
                    created,
                    world.at(left_on),
                )
            )

    skills = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
    volunteers = sorted({p.id for team in teams for p in team.members})
    person_skills = []
    if skills:
        chosen_people = rng.sample(volunteers, len(volunteers) // 4)
        rows = [(person, skill) for person in chosen_people for skill in rng.sample(skills, rng.randint(1, 2))]
        person_skills = [
            (row_id, person, skill, created, created)
            for row_id, (person, skill) in zip(world.ids(PersonSkill, len(rows)), rows, strict=True)
        ]
    return {"memberships": memberships, "skills": person_skills}


def write_teams(world: World, rows: dict[str, list[tuple]]) -> None:
    created = world.at(world.first.replace(year=world.year - 2), 9)
    columns = ["id", "path", "depth", "numchild", "name", "level", "organisation_id", "description", "is_archived"]
    world.loader.write(
        TeamModel,
        [*columns, "created_at", "updated_at"],
        (
            (
                t.id,
                t.path,
                t.depth,
                t.numchild,
                t.name,
                t.level,
                t.org.id,
                f"{t.org.name}组建的党员志愿服务队伍。",
                False,
                created,
                created,
            )
            for t in world.teams
        ),
    )
    columns = ["id", "team_id", "person_id", "role", "state", "applied_on", "joined_on", "left_on", "leave_reason"]
    world.loader.write(TeamMembership, [*columns, "created_at", "updated_at"], rows["memberships"])
    world.loader.write(PersonSkill, ["id", "person_id", "skill_id", "created_at", "updated_at"], rows["skills"])


# Activities --------------------------------------------------------------------------------------------------


def _approver(world: World, org: Org) -> int:
    """Who approved an activity's hours: the secretary of its organisation (a party group's: its branch's)."""
    while org is not None:
        if org.secretary_user:
            return org.secretary_user
        org = org.parent
    return world.admin_user


def build_activities(world: World) -> None:
    """The year's activities; participants drawn so the participations add up exactly to the scale's number."""
    scale, rng = world.scale, world.rng("activities")
    categories = dict(ActivityCategory.objects.values_list("code", "pk"))
    codes = [code for code in CATEGORIES if code in categories]
    branches = [b for b in world.branches() if pool_of(b)]
    weights = [len(pool_of(b)) for b in branches]
    days = [world.first + n * DAY for n in range((world.last - world.first).days + 1)]
    day_weights = [1.6 if day.weekday() >= 5 else 1.0 for day in days]
    picks = rng.choices(range(len(branches)), weights, k=scale.activities)
    dates = rng.choices(days, day_weights, k=scale.activities)
    cancelled = set(rng.sample(range(scale.activities), scale.cancelled))
    ids = iter(world.ids(ActivityModel, scale.activities))
    plans: list[tuple[Activity, list[Person], Person | None]] = []
    for index, (pick, day) in enumerate(zip(picks, dates, strict=True)):
        branch = branches[pick]
        roll = rng.random()
        team, pool = None, pool_of(branch)
        if roll < 0.03 and branch.parent.brigade is not None and branch.parent.brigade.members:
            team = branch.parent.brigade
        elif roll < 0.58 and branch.squad is not None and len(branch.squad.members) >= 4:
            team = branch.squad
        elif roll < 0.68:
            groups = [g.squad for g in branch.groups if g.squad is not None and len(g.squad.members) >= 4]
            team = rng.choice(groups) if groups else None
        if team is not None:
            pool = team.members
        kind = team.kind if team is not None else ""
        if kind and rng.random() < 0.7:
            category = rng.choice([c for c in SQUAD_CATEGORIES.get(kind, codes) if c in categories] or codes)
        else:
            category = rng.choice(codes)
        hour, minute = rng.choice(SLOTS)
        length = rng.choice(LENGTHS if hour < 19 else LENGTHS[:5])
        starts = world.at(day, hour, minute)
        ends = starts + datetime.timedelta(hours=length)
        state = ActivityModel.State.CANCELLED if index in cancelled else ActivityModel.State.CLOSED
        activity = Activity(next(ids), team.org if team is not None else branch, team, category, starts, ends, state)
        activity.hours = Decimal(str(length))
        lead = team.leader if team is not None else branch.secretary
        plans.append((activity, pool, lead))
        world.activities.append(activity)
    _fill(world, rng, plans)


def _fill(world: World, rng: random.Random, plans: list[tuple[Activity, list[Person], Person | None]]) -> None:
    """Participants: a first pass to a drawn size (4–16), then one more here and there (or one fewer) until the
    total is exact. Nobody serves twice on one day."""
    busy: set[int] = set()
    chosen: dict[int, list[Person]] = {}
    open_plans = [plan for plan in plans if plan[0].state == ActivityModel.State.CLOSED]
    for activity, pool, lead in open_plans:
        day = activity.starts.toordinal()
        want = min(len(pool), rng.randint(4, 16))
        people = []
        if lead is not None and lead in pool and lead.id * 800_000 + day not in busy:
            people.append(lead)
            busy.add(lead.id * 800_000 + day)
        # a few more than wanted, in case some are busy that day; the whole pool only when that is not enough
        for candidates in (rng.sample(pool, min(len(pool), want + 4)), pool):
            for person in candidates:
                if len(people) >= want:
                    break
                key = person.id * 800_000 + day
                if key not in busy and person is not lead:
                    busy.add(key)
                    people.append(person)
            if len(people) >= want:
                break
        chosen[activity.id] = people
    total = sum(len(people) for people in chosen.values())
    target = world.scale.participations
    order = list(range(len(open_plans)))
    while total != target:
        rng.shuffle(order)
        moved = 0
        for position in order:
            if total == target:
                break
            activity, pool, _lead = open_plans[position]
            people = chosen[activity.id]
            day = activity.starts.toordinal()
            if total < target and len(people) < MAX_SIZE:
                for person in rng.sample(pool, min(len(pool), 12)):
                    key = person.id * 800_000 + day
                    if key not in busy:
                        busy.add(key)
                        people.append(person)
                        total += 1
                        moved += 1
                        break
            elif total > target and len(people) > 3:
                person = people.pop()
                busy.discard(person.id * 800_000 + day)
                total -= 1
                moved += 1
        if not moved:
            raise RuntimeError(f"参与人数无法凑足 {target}：可参加的人员不够，请调整规模参数。")
    part_ids = iter(world.ids(Participation, target))
    R, St = Participation.Role, Participation.State
    for activity, _pool, _lead in open_plans:
        for position, person in enumerate(chosen[activity.id]):
            if position == 0:
                role, state = R.ORGANISER, St.ATTENDED
            else:
                role = R.VOLUNTEER
                roll = rng.random()  # 94 % attended, 4.5 % no-show, 1.5 % withdrew
                state = St.ATTENDED if roll < 0.94 else St.NO_SHOW if roll < 0.985 else St.WITHDRAWN
            hours = None
            if state == St.ATTENDED:
                hours = activity.hours
                if rng.random() < 0.1 and activity.hours > 1:
                    hours = activity.hours - Decimal("0.5")
            activity.people.append((next(part_ids), person, role, state, hours))


def write_activities(world: World) -> None:
    rng = world.rng("activity-rows")
    categories = dict(ActivityCategory.objects.values_list("code", "pk"))
    closed = ActivityModel.State.CLOSED

    def activities():
        for a in world.activities:
            titles, places, groups = CATEGORIES[a.category]
            title = rng.choice(titles)
            figures = (None, None, None, None, None, "")
            if a.state == closed:
                served = rng.randint(8, 160)
                donated = Decimal(rng.randrange(500, 5000, 100)) if a.category == "hardship" else None
                goods = rng.choice(GOODS) if a.category == "hardship" else ""
                figures = (served, rng.randint(served // 3, served), None, None, donated, goods)
            reason = rng.choice(CANCEL_REASONS) if a.state != closed else ""
            creator = _approver(world, a.org)
            yield (
                a.id,
                title,
                a.org.id,
                a.team.id if a.team else None,
                categories[a.category],
                rng.choice(groups),
                rng.choice(places),
                a.starts,
                a.ends,
                rng.choice([None, None, 50]),
                f"{a.org.name}组织开展{title}活动。",
                a.state,
                *figures,
                reason,
                None,
                creator,
                a.starts - rng.randint(3, 14) * DAY,
                a.ends + DAY,
            )

    columns = ["id", "title", "organisation_id", "team_id", "category_id", "target_group", "place", "starts_at"]
    columns += ["ends_at", "capacity", "description", "state", "served_people", "served_households", "money_raised"]
    columns += ["money_lent", "money_donated", "goods", "cancel_reason", "import_key", "created_by_id", "created_at"]
    world.loader.write(ActivityModel, [*columns, "updated_at"], activities())

    stamp = world.loader.stamp

    def participations():
        for a in world.activities:
            signed_up, ended = stamp(a.starts - 3 * DAY), stamp(a.ends)
            for pid, person, role, state, _hours in a.people:
                yield (pid, a.id, person.id, role, state, False, signed_up, ended)

    columns = ["id", "activity_id", "person_id", "role", "state", "walk_in", "created_at", "updated_at"]
    world.loader.write(Participation, columns, participations())

    entry_ids = world.counter(HoursEntry)

    def entries():
        for a in world.activities:
            approver = _approver(world, a.org)
            recorded = stamp(a.ends + datetime.timedelta(hours=2))
            approved_at = stamp(a.ends + DAY)
            for pid, person, _role, _state, hours in a.people:
                if hours is None:
                    continue
                by = world.admin_user if person.user_id == approver else approver  # nobody approves their own
                yield (
                    next(entry_ids),
                    pid,
                    hours,
                    HoursEntry.State.APPROVED,
                    None,
                    "",
                    approver,
                    by,
                    approved_at,
                    recorded,
                    approved_at,
                )

    columns = ["id", "participation_id", "hours", "state", "corrects_id", "note", "recorded_by_id", "approved_by_id"]
    world.loader.write(HoursEntry, [*columns, "approved_at", "created_at", "updated_at"], entries())
