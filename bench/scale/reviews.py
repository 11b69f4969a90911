"""The year's 民主评议 (a closed yearly round per branch, with self, peer and organisation scores) and 评星晋级 (an
assessment per branch). The arithmetic is the application's: mass scores, weighted totals and grades through the
helpers `review_round_close` uses, the figures through the assessment selector's `_figures` and the stars through
`stars_for` — only the counting behind them is done here in memory instead of by queries."""

import datetime
import json
from collections import defaultdict
from decimal import Decimal

from bench.scale.world import Org, World
from evaluations.actions.assessment import stars_for
from evaluations.actions.reviews import (
    DEFAULT_WEIGHTS,
    MASS_POINTS_SHARE,
    MASS_RATINGS_SHARE,
    _round1,
    grades_for,
    ratings_score,
    weighted_total,
)
from evaluations.demo.assessment import EVIDENCE, UNMET_ORDER
from evaluations.demo.reviews import FOLLOW_UP_NOTE, LOW_SELF_TEXT, SELF_TEXTS
from evaluations.models import BranchAssessment, PeerScore, Rating, ReviewRound, ReviewSheet
from evaluations.selectors.assessment import CHECKLIST, _figures
from services.models import Activity as ActivityModel
from services.models import Participation

PEERS_EACH = 4  # each member scores the next four of the branch


def _clamp(value: float) -> Decimal:
    return Decimal(str(round(max(0.0, min(100.0, value)), 1)))


def _rated_levels(world: World) -> dict[int, tuple[int, int]]:
    """person id → (sum of levels, number of ratings) of the rated activities they attended in the year: what
    `mass_scores` reads with one grouped query."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for activity in world.activities:
        if not activity.ratings or not world.first <= activity.starts.astimezone(world.tz).date() <= world.last:
            continue
        level_sum = sum(level for _id, level, _at in activity.ratings)
        count = len(activity.ratings)
        for _pid, person, _role, state, _hours in activity.people:
            if state == Participation.State.ATTENDED:
                out[person.id][0] += level_sum
                out[person.id][1] += count
    return {person: (values[0], values[1]) for person, values in out.items()}


def build_reviews(world: World) -> dict[str, list[tuple]]:
    rng = world.rng("reviews")
    levels = _rated_levels(world)
    opens, closes = datetime.date(world.year, 12, 1), world.last
    rounds, sheets, peers = [], [], []
    branches = [b for b in world.branches() if any(p.member for p in b.people)]
    sheet_counter = world.counter(ReviewSheet)
    peer_counter = world.counter(PeerScore)
    created = world.loader.stamp(world.at(opens, 9))
    closed = world.loader.stamp(world.at(closes, 18))
    weights = DEFAULT_WEIGHTS
    for round_id, branch in zip(world.ids(ReviewRound, len(branches)), branches, strict=True):
        rounds.append(
            (
                round_id,
                branch.id,
                ReviewRound.Kind.YEARLY,
                world.year,
                None,
                ReviewRound.State.CLOSED,
                opens,
                closes,
                weights["self"],
                weights["mutual"],
                weights["mass"],
                weights["organisation"],
                created,
                closed,
            )
        )
        members = sorted((p for p in branch.people if p.member), key=lambda p: (p.name, p.id))
        base = {p.id: rng.uniform(45, 56) if rng.random() < 0.01 else rng.uniform(72, 93) for p in members}
        received: dict[int, list[Decimal]] = defaultdict(list)
        n = len(members)
        for i, rater in enumerate(members):
            for step in range(1, min(PEERS_EACH, n - 1) + 1):
                ratee = members[(i + step) % n]
                score = _clamp(base[ratee.id] + rng.uniform(-3, 3))
                received[ratee.id].append(score)
                peers.append((next(peer_counter), round_id, rater.id, ratee.id, score, created, created))
        # mass: ratings part (own, or the branch average) 80 %, points part 20 % — as mass_scores computes it
        ratings = {
            p.id: ratings_score(Decimal(levels[p.id][0]) / Decimal(levels[p.id][1])) for p in members if p.id in levels
        }
        average = sum(ratings.values()) / len(ratings) if ratings else None
        points = {p.id: world.points_totals[p.id] for p in members if p.id in world.points_totals}
        highest = max((max(total, 0) for total in points.values()), default=0)
        rows, totals = [], {}
        for person in members:
            rating_part = ratings.get(person.id, average)
            points_part = (
                min(Decimal(100), Decimal(max(points.get(person.id, 0), 0)) / Decimal(highest) * 100)
                if highest
                else None
            )
            parts = [
                (value, share)
                for value, share in ((rating_part, MASS_RATINGS_SHARE), (points_part, MASS_POINTS_SHARE))
                if value is not None
            ]
            mass = _round1(sum(v * s for v, s in parts) / sum(s for _, s in parts)) if parts else None
            low = base[person.id] < 60
            self_score = Decimal(60) if low else _clamp(base[person.id] + 3)
            organisation = _clamp(base[person.id] + rng.uniform(-2, 2))
            scores = received.get(person.id)
            mutual = _round1(sum(scores) / len(scores)) if scores else None
            total = weighted_total(
                [
                    (self_score, weights["self"]),
                    (mutual, weights["mutual"]),
                    (mass, weights["mass"]),
                    (organisation, weights["organisation"]),
                ]
            )
            sheet_id = next(sheet_counter)
            totals[sheet_id] = total
            text = LOW_SELF_TEXT if low else SELF_TEXTS[sheet_id % len(SELF_TEXTS)]
            rows.append([sheet_id, round_id, person.id, text, self_score, organisation, mutual, mass, total])
        grades = grades_for(totals, members=len(members))
        for row in rows:
            grade = grades[row[0]]
            note = FOLLOW_UP_NOTE if grade == ReviewSheet.Grade.UNQUALIFIED else ""
            sheets.append((*row, grade, note, created, closed))
        world.rounds[branch.id] = (round_id, [(row[0], grades[row[0]]) for row in rows])
    return {"rounds": rounds, "sheets": sheets, "peers": peers}


def write_reviews(world: World, rows: dict[str, list[tuple]]) -> None:
    columns = ["id", "organisation_id", "kind", "year", "half", "state", "opens_on", "closes_on", "weight_self"]
    columns += ["weight_mutual", "weight_mass", "weight_organisation", "created_at", "updated_at"]
    world.loader.write(ReviewRound, columns, rows["rounds"])
    columns = ["id", "round_id", "person_id", "self_text", "self_score", "organisation_score", "mutual_score"]
    columns += ["mass_score", "total", "grade", "follow_up_note", "created_at", "updated_at"]
    world.loader.write(ReviewSheet, columns, rows["sheets"])
    columns = ["id", "round_id", "rater_id", "ratee_id", "score", "created_at", "updated_at"]
    world.loader.write(PeerScore, columns, rows["peers"])


# Branch assessment -------------------------------------------------------------------------------------------


def _subtree_of(world: World, branches: list[Org]) -> dict[int, int]:
    """organisation id → the branch whose subtree holds it (branches do not nest)."""
    owner = {}
    by_path = {b.path: b.id for b in branches}
    step = len(world.orgs[0].path)
    for org in world.orgs:
        for end in range(step, len(org.path) + 1, step):
            if org.path[:end] in by_path:
                owner[org.id] = by_path[org.path[:end]]
                break
    return owner


def branch_counts(world: World, today: datetime.date) -> dict[int, dict]:
    """The counts behind each branch's figures, as `branch_figures` counts them (see its module docstring)."""
    branches = world.branches()
    owner = _subtree_of(world, branches)
    counts: dict[int, dict] = {b.id: defaultdict(int) for b in branches}
    first, last = world.first, world.last
    attended: set[int] = set()
    for activity in world.activities:
        if not first <= activity.starts.astimezone(world.tz).date() <= last:
            continue
        for _pid, person, _role, state, _hours in activity.people:
            if state == Participation.State.ATTENDED:
                attended.add(person.id)
        branch = owner.get(activity.org.id)
        if branch is None:
            continue
        if activity.state in ActivityModel.HELD_STATES:
            counts[branch]["activities"] += 1
    for activity in world.activities:
        branch = owner.get(activity.org.id)
        if branch is None:
            continue
        for _id, level, created in activity.ratings:
            if first <= created.astimezone(world.tz).date() <= last:
                counts[branch]["ratings"] += 1
                counts[branch]["ratings_good"] += level >= Rating.SATISFIED_FROM
                counts[branch]["ratings_level_sum"] += level
    for person in world.people:
        branch = owner.get(person.org.id)
        if branch is not None and person.member:
            counts[branch]["members"] += 1
            counts[branch]["participants"] += person.id in attended
    last_due = min(last, today)
    for _id, org_id, _person, _state, done_on, deadline in world.demands:
        branch = owner.get(org_id)
        if branch is not None and first <= deadline <= last_due:
            counts[branch]["demands_due"] += 1
            counts[branch]["demands_on_time"] += done_on is not None and done_on <= deadline
    for branch_id, (_round_id, sheets) in world.rounds.items():
        branch = owner.get(branch_id)
        if branch is None:
            continue
        counts[branch]["review_rounds"] += 1
        counts[branch]["review_sheets"] += len(sheets)
        counts[branch]["reviews_graded"] += sum(1 for _sheet, grade in sheets if grade)
    return counts


def build_assessments(world: World, today: datetime.date) -> list[tuple]:
    """Each branch's 六有 checklist (four to six items met mostly, with evidence texts from the demo) and its
    figures frozen as `branch_assess` freezes them; stars by the rule."""
    rng = world.rng("assessments")
    counts = branch_counts(world, today)
    rows = []
    branches = world.branches()
    assessed = world.at(min(datetime.date(world.year + 1, 1, 15), today), 10)
    for index, (row_id, branch) in enumerate(zip(world.ids(BranchAssessment, len(branches)), branches, strict=True)):
        figures = _figures(world.year, dict(counts[branch.id]))
        met = rng.choices([6, 5, 4, 3, 2], [30, 35, 20, 10, 5])[0]
        unmet = {UNMET_ORDER[(index + k) % len(UNMET_ORDER)] for k in range(len(CHECKLIST) - met)}
        checklist = []
        for key in CHECKLIST:
            ok = key not in unmet
            checklist += [ok, EVIDENCE[key].format(n=5 + index % 4, m=60 + 20 * (index % 5)) if ok else ""]
        stars = stars_for(checklist_count=met, figures=figures)
        rows.append(
            (
                row_id,
                branch.id,
                world.year,
                *checklist,
                json.dumps(figures, ensure_ascii=False),
                stars,
                world.admin_user,
                assessed,
                assessed,
            )
        )
    return rows


def write_assessments(world: World, rows: list[tuple]) -> None:
    columns = ["id", "organisation_id", "year"]
    for key in CHECKLIST:
        columns += [f"has_{key}", f"{key}_evidence"]
    columns += ["figures", "stars", "assessed_by_id", "created_at", "updated_at"]
    world.loader.write(BranchAssessment, columns, rows)
