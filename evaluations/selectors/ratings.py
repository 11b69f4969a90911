"""Public ratings: reads. The short link ↔ activity, the rating window, and an activity's rating summary."""

import datetime

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from evaluations.models import EvaluationRules, Rating
from portal.lib import shortlinks
from services.models import Activity

RATING_LINK_KIND = "rate"
# Only these activities have a QR code and take ratings: a draft was never announced, a cancelled one never held.
RATEABLE_STATES = (Activity.State.PUBLISHED, Activity.State.ENDED, Activity.State.CLOSED)

OPEN = "open"
NOT_YET = "not_yet"
CLOSED = "closed"
UNAVAILABLE = "unavailable"


def activity_is_rateable(activity: Activity) -> bool:
    return activity.state in RATEABLE_STATES


def rating_code(activity: Activity) -> str:
    return shortlinks.make(RATING_LINK_KIND, activity.pk, settings.SHORTLINK_KEY)


def rating_given_by_device(*, activity: Activity, device: str) -> bool:
    """Whether this phone (its device cookie) has rated the activity already: its GET shows the thanks, not a form
    that would only be refused once filled in."""
    return bool(device) and Rating.objects.filter(activity=activity, device=device).exists()


def activity_for_rating_code(code: str) -> Activity | None:
    """The activity a genuine rating code stands for; None when forged, malformed, unknown or a draft (a draft's
    code was never shown to anyone). Cancelled activities are returned: their page says so."""
    pk = shortlinks.read(RATING_LINK_KIND, code, settings.SHORTLINK_KEY)
    if pk is None:
        return None
    return Activity.objects.select_related("organisation").exclude(state=Activity.State.DRAFT).filter(pk=pk).first()


def rating_window(activity: Activity, *, days: int | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """(opens_at, closes_at): from the activity's start until N days (default 7) after its end; closes_at itself is
    already outside."""
    if days is None:
        days = EvaluationRules.current().rating_days_after_end
    return activity.starts_at, activity.ends_at + datetime.timedelta(days=days)


def rating_availability(
    activity: Activity, *, now: datetime.datetime | None = None, days: int | None = None
) -> tuple[str, datetime.datetime, datetime.datetime]:
    """(OPEN | NOT_YET | CLOSED | UNAVAILABLE, opens_at, closes_at) — the one place the window is decided, for the
    page and for the action alike."""
    opens_at, closes_at = rating_window(activity, days=days)
    now = now or timezone.now()
    if not activity_is_rateable(activity):
        state = UNAVAILABLE
    elif now < opens_at:
        state = NOT_YET
    elif now >= closes_at:
        state = CLOSED
    else:
        state = OPEN
    return state, opens_at, closes_at


def rating_summary(*, activity: Activity) -> dict:
    """Count, average, satisfaction rate (share of ratings ≥ 3) and per-level counts, in one query."""
    levels = {f"n{value}": Count("pk", filter=Q(level=value)) for value in Rating.Level.values}
    row = Rating.objects.filter(activity=activity).aggregate(count=Count("pk"), average=Avg("level"), **levels)
    count = row["count"]
    satisfied = sum(row[f"n{value}"] for value in Rating.Level.values if value >= Rating.SATISFIED_FROM)
    return {
        "count": count,
        "average": row["average"],
        "satisfaction": satisfied * 100 / count if count else None,
        "bad": count - satisfied,
        "levels": [
            {
                "value": value,
                "label": label,
                "count": row[f"n{value}"],
                "percent": row[f"n{value}"] * 100 / count if count else 0,
            }
            for value, label in Rating.Level.choices  # 5 … 1, as on the form
        ],
    }


def rating_comments(*, activity: Activity) -> QuerySet[Rating]:
    """The ratings with a comment, newest first (the staff page pages through them)."""
    return (
        Rating.objects.filter(activity=activity)
        .exclude(comment="")
        .only("pk", "level", "comment", "created_at")
        .order_by("-created_at", "-pk")
    )
