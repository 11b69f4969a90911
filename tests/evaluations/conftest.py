"""Helpers for the evaluation tests: activities to rate, and ratings — the one place ratings are made.

A rating given now goes through the public page's action (`rating_submit`, which opens the follow-up of a 差评).
A rating given on a fixed date (deadline arithmetic, periods, months) cannot: `created_at` is set by the database
and the rating window is checked against now. That set-up creates the row, moves its `created_at`, and opens the
follow-up with `follow_up_open`, exactly as `rating_submit` would have on that day."""

import datetime
import itertools

from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_open
from evaluations.actions.ratings import rating_submit
from evaluations.models import FollowUp, Rating
from services import actions as service_actions
from services.models import Activity, ActivityCategory
from tests.factories import RatingFactory

HOUR = datetime.timedelta(hours=1)
_devices = itertools.count(1)


def activity(cast, *, organisation=None, team=None, title="便民理发", category="convenience") -> Activity:
    """A published activity that started an hour ago (open for rating)."""
    now = timezone.now()
    created = service_actions.activity_create(
        actor=None,
        title=title,
        category=ActivityCategory.objects.get(code=category),
        place="社区活动室",
        starts_at=now - HOUR,
        ends_at=now + 2 * HOUR,
        organisation=organisation if team is None else None,
        team=team,
    )
    return service_actions.activity_publish(actor=None, activity=created)


def rate(activity: Activity, level: int, *, comment: str = "", at: datetime.datetime | None = None) -> Rating:
    """One rating of `activity`; with `at`, given at that moment (see the module's docstring)."""
    device = f"test-device-{next(_devices):06d}"
    if at is None:
        return rating_submit(activity=activity, level=level, comment=comment, device=device, address="10.0.0.1")
    rating = RatingFactory(activity=activity, level=level, comment=comment, device=device)
    Rating.objects.filter(pk=rating.pk).update(created_at=at)
    rating.refresh_from_db()
    if rating.is_bad:
        follow_up_open(rating=rating)
    return rating


def local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An aware moment on a local (Asia/Shanghai) date."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def bad_follow_up(activity: Activity, *, level: int = 2, comment: str = "服务态度差", at=None) -> FollowUp:
    return FollowUp.objects.get(rating=rate(activity, level, comment=comment, at=at))
