"""The year's points ledger, booked as `evaluations.actions.points.points_settle(year=…, until=31 December)` would
book it from the rows generated before: the same candidates, the same source keys (`attended:participation:<id>`,
`base:<year>:<person>`, `pairing_visit:<pairing>:<YYYY-MM>` …), the same order when applying the monthly caps, the
same exemptions from deductions. A real settle run afterwards therefore finds every key booked and books nothing
(the demo-scale test checks it). The rule set itself is made by the action (`rule_set_for_year`).
"""

import datetime
import math
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from bench.scale.world import World
from branches.models import RuleSettings
from evaluations.actions.points import (
    HIGH_SATISFACTION_MIN_RATINGS,
    HIGH_SATISFACTION_RATE,
    is_long_term_mobile,
    rule_set_for_year,
)
from evaluations.models import PointsEntry, PointsRule, Rating
from services.models import Activity as ActivityModel
from services.models import Demand, Participation, Pledge

Code = PointsRule.Code
Source = PointsEntry.Source


def _candidates(world: World) -> list[tuple]:
    """(date, source id, code, person, source type, key, units) — sorted, this is the settle's order."""
    first, last = world.first, world.last
    out: list[tuple] = []
    St, R = Participation.State, Participation.Role
    for activity in world.activities:
        if activity.state != ActivityModel.State.CLOSED:
            continue
        day = activity.starts.astimezone(world.tz).date()
        if not first <= day <= last:
            continue
        levels = [level for _id, level, _at in activity.ratings]
        satisfied = len(levels) >= HIGH_SATISFACTION_MIN_RATINGS and Decimal(
            sum(1 for level in levels if level >= Rating.SATISFIED_FROM)
        ) >= HIGH_SATISFACTION_RATE * len(levels)
        for pid, person, role, state, hours in activity.people:
            if state == St.NO_SHOW:
                out.append((day, pid, Code.NO_SHOW, person, Source.PARTICIPATION, f"no_show:participation:{pid}", 1))
                continue
            if state != St.ATTENDED:
                continue
            out.append((day, pid, Code.ATTENDED, person, Source.PARTICIPATION, f"attended:participation:{pid}", 1))
            whole = math.floor(hours or 0)
            if whole > 0:
                out.append((day, pid, Code.HOUR, person, Source.PARTICIPATION, f"hour:participation:{pid}", whole))
            if role == R.ORGANISER:
                out.append(
                    (day, pid, Code.ORGANISED, person, Source.PARTICIPATION, f"organised:participation:{pid}", 1)
                )
            if satisfied:
                out.append(
                    (
                        day,
                        pid,
                        Code.HIGH_SATISFACTION,
                        person,
                        Source.PARTICIPATION,
                        f"high_satisfaction:participation:{pid}",
                        1,
                    )
                )
    for demand_id, _org, person, state, done_on, deadline in world.demands:
        if (
            person is not None
            and state in (Demand.State.DONE, Demand.State.CALLED_BACK)
            and done_on is not None
            and first <= done_on <= last
            and done_on <= deadline
        ):
            out.append(
                (
                    done_on,
                    demand_id,
                    Code.DEMAND_ON_TIME,
                    person,
                    Source.DEMAND,
                    f"demand_on_time:demand:{demand_id}",
                    1,
                )
            )
    seen = set()
    for visit_id, pairing_id, helper, day in sorted(world.visits, key=lambda v: (v[3], v[0])):
        if not first <= day <= last:
            continue
        key = f"pairing_visit:{pairing_id}:{day:%Y-%m}"
        if key not in seen:
            seen.add(key)
            out.append((day, visit_id, Code.PAIRING_VISIT, helper, Source.VISIT, key, 1))
    for pledge_id, person, result, appraised in world.pledges:
        if result == Pledge.Result.FULFILLED and first <= appraised <= last:
            out.append(
                (
                    appraised,
                    pledge_id,
                    Code.PLEDGE_FULFILLED,
                    person,
                    Source.PLEDGE,
                    f"pledge_fulfilled:pledge:{pledge_id}",
                    1,
                )
            )
    rules = RuleSettings.current()
    interval = relativedelta(months=rules.mobile_report_interval_months)
    grace = datetime.timedelta(days=rules.mobile_report_grace_days)
    with_report = {r[1] for r in world.mobile_reports if first <= r[5] <= last}
    previous: dict[int, datetime.date] = {}
    for report_id, record_id, person, leave, _kind, day in sorted(
        world.mobile_reports, key=lambda r: (r[1], r[5], r[0])
    ):
        if record_id not in with_report or day > last:
            continue
        since = previous.get(record_id, leave)
        previous[record_id] = day
        if day >= first and day <= since + interval + grace:
            out.append(
                (
                    day,
                    report_id,
                    Code.MOBILE_REPORT,
                    person,
                    Source.MOBILE_REPORT,
                    f"mobile_report:report:{report_id}",
                    1,
                )
            )
    for follow_up_id, activity, upheld, rectified_on in world.follow_ups:
        if not upheld or not first <= rectified_on <= last:
            continue
        for _pid, person, role, state, _hours in activity.people:
            if role == Participation.Role.ORGANISER and state != Participation.State.WITHDRAWN:
                out.append(
                    (
                        rectified_on,
                        follow_up_id,
                        Code.UPHELD_BAD_RATING,
                        person,
                        Source.FOLLOW_UP,
                        f"upheld_bad_rating:follow_up:{follow_up_id}:{person.id}",
                        1,
                    )
                )
    for person in world.people:
        if person.member:
            out.append((first, world.year, Code.BASE, person, Source.YEAR, f"base:{world.year}:{person.id}", 1))
    out.sort(key=lambda c: (c[0], c[1], c[2], c[3].id))
    return out


def build_points(world: World) -> list[tuple]:
    rule_set = rule_set_for_year(year=world.year)
    rules = {rule.code: rule for rule in rule_set.rules.all()}
    mobile: dict[int, list[tuple]] = defaultdict(list)  # person → (leave, returned) of each departure record
    for person_id, leave, returned in world.mobile_records:
        mobile[person_id].append((leave, returned))
    used: dict[tuple[int, str, int], int] = defaultdict(int)
    rows = []
    ids = world.counter(PointsEntry)
    totals = world.points_totals
    for day, source_id, code, person, source_type, key, units in _candidates(world):
        rule = rules[code]
        points = rule.points * units
        if points == 0 or not person.member:
            continue
        if points < 0 and (person.retired or is_long_term_mobile(mobile.get(person.id, []), day)):
            continue  # exempt from deductions
        if rule.monthly_cap:
            slot = (person.id, code, day.month)
            points = min(points, rule.monthly_cap - used[slot])
            if points <= 0:
                continue
            used[slot] += points
        # booked by the monthly settle early in the next month
        settled = world.loader.stamp(
            datetime.datetime(day.year + (day.month == 12), day.month % 12 + 1, 1, 2, tzinfo=world.tz)
        )
        rows.append(
            (
                next(ids),
                person.id,
                person.org.id,
                day,
                points,
                rule.pk,
                source_type,
                source_id,
                key,
                "",
                None,
                None,
                settled,
            )
        )
        totals[person.id] = totals.get(person.id, 0) + points
    return rows


def write_points(world: World, rows: list[tuple]) -> None:
    columns = ["id", "person_id", "organisation_id", "date", "points", "rule_id", "source_type", "source_id"]
    columns += ["source_key", "note", "reverses_id", "created_by_id", "created_at"]
    world.loader.write(PointsEntry, columns, rows)
