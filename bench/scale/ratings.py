"""The public ratings of the year's activities and the follow-up (整改) of every 差评. Ratings fall in the rating
window (from the start until `EvaluationRules.rating_days_after_end` days after the end), placed as the ratings
demo places them; each follow-up is due `follow_up_working_days` working days after its rating, the holiday
calendar applied, as `follow_up_open` computes it."""

import datetime
import types

from bench.scale.world import DAY, World
from branches.selectors import working_calendar
from evaluations.demo.follow_ups import CALLBACK_NOTES, CLOSING_NOTE, RECTIFICATIONS
from evaluations.demo.ratings import LEVELS, WEIGHTS, _comment, _rated_at
from evaluations.models import EvaluationRules, FollowUp, Rating
from portal.lib.workdays import add_working_days
from services.models import Activity as ActivityModel


def build_ratings(world: World) -> list[tuple]:
    """Exactly the scale's number of ratings over about a quarter of the closed activities (2–15 each, then one
    more or one fewer here and there); levels weighted as in the ratings demo (a few 差评)."""
    rng = world.rng("ratings")
    target = world.scale.ratings
    closed = [a for a in world.activities if a.state == ActivityModel.State.CLOSED]
    share = min(0.9, target / max(1, len(closed) * 8.5))
    counts = {a.id: rng.randint(2, 15) for a in closed if rng.random() < share}
    rated = [a for a in closed if a.id in counts]
    total = sum(counts.values())
    while total != target:
        activity = rng.choice(rated)
        if total < target and counts[activity.id] < 40:
            counts[activity.id] += 1
            total += 1
        elif total > target and counts[activity.id] > 1:
            counts[activity.id] -= 1
            total -= 1
    days = EvaluationRules.current().rating_days_after_end
    far = datetime.datetime(world.year + 1, 12, 31, tzinfo=world.tz)
    rows = []
    ids = iter(world.ids(Rating, target))
    for activity in rated:
        window = types.SimpleNamespace(starts_at=activity.starts, ends_at=activity.ends)
        for number in range(counts[activity.id]):
            level = rng.choices(LEVELS, WEIGHTS)[0]
            created = _rated_at(rng, window, days, far)
            rating_id = next(ids)
            activity.ratings.append((rating_id, level, created))
            rows.append(
                (rating_id, activity.id, level, _comment(rng, level), f"scale-{activity.id}-{number}", "", created)
            )
    return rows


def build_follow_ups(world: World, today: datetime.date) -> list[tuple]:
    """Every 差评's follow-up, due in N working days (the holiday calendar applied); most closed long since, a few
    still open, called back or rectified. One in three was found not justified on the callback."""
    holidays, workdays = working_calendar()
    due_days = EvaluationRules.current().follow_up_working_days
    rows = []
    bad = [(a, r) for a in world.activities for r in a.ratings if r[1] <= Rating.BAD_UP_TO]
    ids = iter(world.ids(FollowUp, len(bad)))
    S = FollowUp.State
    for number, (activity, (rating_id, _level, created)) in enumerate(bad):
        rated_on = created.astimezone(world.tz).date()
        due = add_working_days(rated_on, due_days, holidays, workdays)
        steps = (0, 1, 2, 3, 3, 3, 3, 3, 3, 3)[number % 10]
        callback, rectified, closed = (min(rated_on + n * DAY, today) for n in (2, 9, 12))
        upheld = number % 3 != 1
        follow_up_id = next(ids)
        state = (S.OPEN, S.CALLED_BACK, S.RECTIFIED, S.CLOSED)[steps]
        assignee = activity.org.secretary_user
        row = (
            follow_up_id,
            rating_id,
            activity.org.id,
            assignee,
            due,
            state,
            callback if steps >= 1 else None,
            CALLBACK_NOTES[number % 3] if steps >= 1 else "",
            RECTIFICATIONS[number % 3] if steps >= 2 else "",
            rectified if steps >= 2 else None,
            upheld if steps >= 2 else None,
            closed if steps >= 3 else None,
            CLOSING_NOTE if steps >= 3 else "",
            world.at(rated_on, 12),
            world.at(max(rated_on, min(closed, today)), 12),
        )
        rows.append(row)
        if steps >= 2:
            world.follow_ups.append((follow_up_id, activity, upheld, rectified))
    return rows


def write_ratings(world: World, ratings: list[tuple], follow_ups: list[tuple]) -> None:
    columns = ["id", "activity_id", "level", "comment", "device", "address_hash", "created_at"]
    world.loader.write(Rating, columns, ratings)
    columns = ["id", "rating_id", "organisation_id", "assignee_id", "due_on", "state", "callback_on", "callback_note"]
    columns += ["rectification", "rectified_on", "upheld", "closed_on", "closing_note", "created_at", "updated_at"]
    world.loader.write(FollowUp, columns, follow_ups)
