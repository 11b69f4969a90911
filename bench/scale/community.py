"""The community registers of the year: demands with deadlines in working days, pledges with items, progress and
the year-end appraisal, pairing help with monthly visits, and posts. Texts come from the demo builders' lists."""

import datetime
from decimal import Decimal

from bench.scale.work import _approver, pool_of
from bench.scale.world import DAY, World
from branches.selectors import working_calendar
from portal.lib.workdays import add_working_days
from services.demo.demands import ADDRESSES, CONTENTS, NAMES, NOTES, RESULTS
from services.demo.pairing import GIVEN, SITUATION_NOTES, STREETS, SURNAMES, VISIT_NOTES
from services.demo.pledges import (
    COMMENTS,
    MEMBER_PLEDGES,
    ORGANISATION_PLEDGES,
    POSTS,
    RATINGS,
    SUPERVISION_PHONE,
)
from services.demo.pledges import NOTES as PROGRESS_NOTES
from services.demo.pledges import RESULTS as PLEDGE_RESULTS
from services.models import (
    Demand,
    DemandCategory,
    Household,
    Pairing,
    PairingVisit,
    Pledge,
    PledgeItem,
    PledgeProgress,
    Post,
)


def _weighted_branches(world: World):
    branches = [b for b in world.branches() if pool_of(b)]
    return branches, [len(pool_of(b)) for b in branches]


# Demands -----------------------------------------------------------------------------------------------------


def build_demands(world: World, today: datetime.date) -> list[tuple]:
    """Received through the year from every channel; most done within their deadline and called back, some done
    late, the last fortnight's partly still open at the year's end."""
    rng, first, last = world.rng("demands"), world.first, world.last
    holidays, workdays = working_calendar()
    categories = list(DemandCategory.objects.order_by("order", "pk").values_list("pk", "code", "deadline_working_days"))
    branches, weights = _weighted_branches(world)
    picks = rng.choices(range(len(branches)), weights, k=world.scale.demands)
    channels = Demand.Channel.values
    S = Demand.State
    rows = []
    for demand_id, pick in zip(world.ids(Demand, world.scale.demands), picks, strict=True):
        branch = branches[pick]
        category_id, code, days = rng.choice(categories)
        received = first + rng.randint(0, (last - first).days) * DAY
        deadline = add_working_days(received, days or 5, holidays, workdays)
        name = rng.choice(NAMES)
        recent = received > last - 14 * DAY
        state = rng.choices([S.RECEIVED, S.ASSIGNED], [3, 7])[0] if recent and rng.random() < 0.6 else S.CALLED_BACK
        if state == S.CALLED_BACK and rng.random() < 0.2:
            state = S.DONE
        person = team = None
        if state != S.RECEIVED:
            helpers = [p for p in pool_of(branch) if p.member]
            if branch.squad is not None and (rng.random() < 0.25 or not helpers):
                team = branch.squad
            elif helpers:
                person = rng.choice(helpers)
            else:
                state = S.RECEIVED
        done_on = callback_on = None
        if state in (S.DONE, S.CALLED_BACK):
            if rng.random() < 0.12:
                done_on = deadline + rng.randint(1, 6) * DAY  # done late: overdue stays on the record
            else:
                done_on = received + rng.randint(0, max(0, (deadline - received).days)) * DAY
            if done_on > last:
                state, done_on = S.ASSIGNED, None  # still being handled when the year ended
        if state == S.CALLED_BACK:
            callback_on = min(done_on + rng.randint(0, 3) * DAY, today)
        recorder = _approver(world, branch)
        satisfaction = rng.choices(Demand.Satisfaction.values, [14, 5, 1])[0] if callback_on else ""
        rows.append(
            (
                demand_id,
                branch.id,
                channels[demand_id % len(channels)],
                category_id,
                rng.choice(CONTENTS.get(code, CONTENTS["other"])),
                name,
                f"139{rng.randint(0, 99_999_999):08d}" if name else "",
                rng.choice(ADDRESSES) if name else "",
                received,
                deadline,
                state,
                person and person.id,
                team and team.id,
                rng.choice(RESULTS) if done_on else "",
                done_on,
                callback_on,
                satisfaction,
                rng.choice(NOTES) if callback_on else "",
                recorder,
                world.at(received, 9),
                world.at(callback_on or done_on or received, 17),
            )
        )
        world.demands.append((demand_id, branch.id, person, state, done_on, deadline))
    return rows


def write_demands(world: World, rows: list[tuple]) -> None:
    columns = ["id", "organisation_id", "channel", "category_id", "content", "requester_name", "requester_phone"]
    columns += ["requester_address", "received_on", "deadline", "state", "assigned_person_id", "assigned_team_id"]
    columns += ["result", "done_on", "callback_on", "satisfaction", "callback_note", "recorded_by_id", "created_at"]
    world.loader.write(Demand, [*columns, "updated_at"], rows)


# Pledges -----------------------------------------------------------------------------------------------------


def build_pledges(world: World, today: datetime.date) -> dict[str, list[tuple]]:
    """Three in five members and every branch pledge for the year; progress through the year; every pledge
    appraised in the second half of December (已践诺 most, some 部分践诺, a few 未践诺)."""
    rng, first, last = world.rng("pledges"), world.first, world.last
    plan = []  # (branch, person or None)
    for branch in world.branches():
        plan += [(branch, p) for p in branch.people if p.member and rng.random() < 0.6]
        plan.append((branch, None))
    pledges, items, progress = [], [], []
    item_rows = []
    for pledge_id, (branch, person) in zip(world.ids(Pledge, len(plan)), plan, strict=True):
        title, rows = rng.choice(MEMBER_PLEDGES if person else ORGANISATION_PLEDGES)
        result = rng.choices(PLEDGE_RESULTS, [75, 20, 5])[0]
        index = PLEDGE_RESULTS.index(result)
        appraised = min(last - rng.randint(0, 15) * DAY, today)
        created = world.at(first + rng.randint(10, 60) * DAY, 10)
        pledges.append(
            (
                pledge_id,
                world.year,
                branch.id,
                person and person.id,
                title,
                COMMENTS[result],
                RATINGS[index],
                rng.choice(RATINGS[: index + 2]),
                result,
                appraised,
                False,
                created,
                world.at(appraised, 16),
            )
        )
        if person is not None:
            world.pledges.append((pledge_id, person, result, appraised))
        share = {0: (0.95, 1.1), 1: (0.5, 0.9), 2: (0.1, 0.4)}[index]
        for content, target, unit in rows:
            item_rows.append((pledge_id, content, Decimal(target), unit, created, share, branch))
    recorder_of = {}
    for item_id, (pledge_id, content, target, unit, created, share, branch) in zip(
        world.ids(PledgeItem, len(item_rows)), item_rows, strict=True
    ):
        items.append((item_id, pledge_id, content, target, unit, created, created))
        entries = rng.randint(1, 3)
        amount = max(Decimal(1), (target * Decimal(str(rng.uniform(*share))) / entries).quantize(Decimal(1)))
        if branch.id not in recorder_of:
            recorder_of[branch.id] = _approver(world, branch)
        for _ in range(entries):
            day = first + rng.randint(30, 350) * DAY
            moment = world.loader.stamp(world.at(day, 19))
            progress.append((item_id, day, amount, rng.choice(PROGRESS_NOTES), recorder_of[branch.id], moment, moment))
    progress = [(row_id, *row) for row_id, row in zip(world.ids(PledgeProgress, len(progress)), progress, strict=True)]
    return {"pledges": pledges, "items": items, "progress": progress}


def write_pledges(world: World, rows: dict[str, list[tuple]]) -> None:
    columns = ["id", "year", "organisation_id", "person_id", "title", "leader_comment", "mutual_rating"]
    columns += ["mass_rating", "result", "appraised_on", "is_withdrawn", "created_at", "updated_at"]
    world.loader.write(Pledge, columns, rows["pledges"])
    columns = ["id", "pledge_id", "content", "target", "unit", "created_at", "updated_at"]
    world.loader.write(PledgeItem, columns, rows["items"])
    columns = ["id", "item_id", "date", "amount", "note", "recorded_by_id", "created_at", "updated_at"]
    world.loader.write(PledgeProgress, columns, rows["progress"])


# Pairing help ------------------------------------------------------------------------------------------------


def build_pairing(world: World) -> dict[str, list[tuple]]:
    """One household per pairing; pairs started up to two and a half years ago, a few ended during the year; a
    visit in most months of the year (one month in twelve missed)."""
    rng, first, last = world.rng("pairing"), world.first, world.last
    branches, weights = _weighted_branches(world)
    helpers_of = {b.id: [p for p in pool_of(b) if p.member and p.status == "full"] for b in branches}
    branches = [b for b in branches if helpers_of[b.id]]
    weights = [len(helpers_of[b.id]) for b in branches]
    situations = list(Household.Situation.values)
    n = world.scale.households
    picks = rng.choices(range(len(branches)), weights, k=n)
    households, pairings, visits = [], [], []
    visit_rows = []
    for household_id, pairing_id, pick in zip(world.ids(Household, n), world.ids(Pairing, n), picks, strict=True):
        branch = branches[pick]
        situation = situations[household_id % len(situations)]
        note, content = SITUATION_NOTES[situation]
        created = world.at(last - rng.randint(60, 900) * DAY, 10)
        grid = rng.choice(branch.grid_ids) if branch.grid_ids else None
        address = (
            f"{branch.place[:2]}{rng.choice(STREETS)}{rng.randint(1, 120)}号{rng.randint(1, 12)}栋"
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        )
        households.append(
            (
                household_id,
                branch.id,
                grid,
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                address,
                f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                situation,
                rng.randint(1, 5),
                note,
                created,
                created,
            )
        )
        helper = rng.choice(helpers_of[branch.id])
        started = created.date()
        ended = None
        if rng.random() < 0.05:
            ended = max(started, first) + rng.randint(30, 300) * DAY
            ended = ended if ended < last else None
        pairings.append(
            (
                pairing_id,
                helper.id,
                household_id,
                branch.id,
                started,
                ended,
                f"每月至少走访一次；{content}；遇到困难及时向支部报告。",
                content,
                created,
                world.at(ended, 10) if ended else created,
            )
        )
        month = max(started, first).replace(day=1)
        until = ended or last
        recorder = _approver(world, branch)
        while month <= until:
            if rng.random() >= 1 / 12:
                day = month + rng.randint(2, 26) * DAY
                day = min(max(day, started), until)
                if day.month == month.month and day.year == month.year:
                    visit_rows.append((pairing_id, helper, day, rng.choice(VISIT_NOTES), recorder))
            month = (month + 32 * DAY).replace(day=1)
    for visit_id, (pairing_id, helper, day, notes, recorder) in zip(
        world.ids(PairingVisit, len(visit_rows)), visit_rows, strict=True
    ):
        visits.append((visit_id, pairing_id, day, notes, recorder, world.at(day, 18), world.at(day, 18)))
        world.visits.append((visit_id, pairing_id, helper, day))
    return {"households": households, "pairings": pairings, "visits": visits}


def write_pairing(world: World, rows: dict[str, list[tuple]]) -> None:
    columns = ["id", "organisation_id", "grid_id", "head_name", "address", "phone", "situation", "size", "notes"]
    world.loader.write(Household, [*columns, "created_at", "updated_at"], rows["households"])
    columns = ["id", "helper_id", "household_id", "organisation_id", "started_on", "ended_on", "help_plan", "content"]
    world.loader.write(Pairing, [*columns, "created_at", "updated_at"], rows["pairings"])
    columns = ["id", "pairing_id", "date", "notes", "recorded_by_id", "created_at", "updated_at"]
    world.loader.write(PairingVisit, columns, rows["visits"])


# Posts -------------------------------------------------------------------------------------------------------


def build_posts(world: World) -> list[tuple]:
    rng = world.rng("posts")
    branches, weights = _weighted_branches(world)
    picks = rng.choices(range(len(branches)), weights, k=world.scale.posts)
    rows = []
    for post_id, pick in zip(world.ids(Post, world.scale.posts), picks, strict=True):
        branch = branches[pick]
        people = [p for p in pool_of(branch) if p.member] or pool_of(branch)
        kind, title, duties, content = POSTS[post_id % len(POSTS)]
        checked = world.last - rng.randint(3, 200) * DAY if rng.random() < 0.6 else None
        created = world.at(world.first - rng.randint(10, 700) * DAY, 10)
        rows.append(
            (
                post_id,
                kind,
                rng.choice(people).id,
                branch.id,
                title,
                duties,
                content,
                f"027-8866{post_id % 10_000:04d}",
                SUPERVISION_PHONE,
                checked,
                "岗位职责落实到位，群众评价好。" if checked else "",
                True,
                created,
                created,
            )
        )
    return rows


def write_posts(world: World, rows: list[tuple]) -> None:
    columns = ["id", "kind", "person_id", "organisation_id", "title", "duties", "service_content", "contact"]
    columns += ["supervision_phone", "last_checked_on", "check_note", "is_active", "created_at", "updated_at"]
    world.loader.write(Post, columns, rows)
