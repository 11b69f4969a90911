"""Periodic jobs of evaluations. Each is thin: one action, a small summary out."""

import datetime

from celery import shared_task
from django.utils import timezone

from evaluations.actions.points import points_settle

# In the first days of January the previous year is settled once more: its December activities close late.
LATE_SETTLE_DAYS = 5


@shared_task
def points_settle_task(year: int | None = None) -> dict:
    """积分结算 (monthly, and on 1 January, which also books the new year's base): every entry the rules give so
    far. A re-run books nothing new (each source has a unique key)."""
    today = timezone.localdate()
    years = [year] if year else [today.year]
    if not year and today.month == 1 and today.day <= LATE_SETTLE_DAYS:
        years.insert(0, today.year - 1)
    result = {}
    for settle_year in years:
        until = today if settle_year == today.year else datetime.date(settle_year, 12, 31)
        result[str(settle_year)] = sum(points_settle(year=settle_year, until=until).values())
    return result


# Member reviews (民主评议): the half-yearly mutual round opened in January and July, closed when due ------------


@shared_task
def review_rounds_open_task(today: str | None = None) -> dict:
    """Opens this half year's 相互评议打分 for every branch that does not have it yet (a re-run opens nothing)."""
    from evaluations.actions.reviews import half_of, review_rounds_open_all
    from evaluations.models import ReviewRound

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return review_rounds_open_all(kind=ReviewRound.Kind.MUTUAL, year=day.year, half=half_of(day), today=day)


@shared_task
def review_rounds_close_due_task(today: str | None = None) -> dict:
    """Closes the rounds past their closing date and computes their results (a re-run closes nothing)."""
    from evaluations.actions.reviews import review_rounds_close_due

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return review_rounds_close_due(today=day)
