"""Periodic jobs of evaluations. Each is thin: one action, a small summary out."""

import datetime

from celery import shared_task
from django.utils import timezone

from evaluations.actions.points import points_settle
from portal.jobs import ScheduledJob

# In the first days of January the previous year is settled once more: its December activities close late.
LATE_SETTLE_DAYS = 5


@shared_task(base=ScheduledJob)
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


@shared_task(base=ScheduledJob)
def review_rounds_open_task(today: str | None = None) -> dict:
    """Opens this half year's 相互评议打分 for every branch that does not have it yet (a re-run opens nothing)."""
    from evaluations.actions.reviews import half_of, review_rounds_open_all
    from evaluations.models import ReviewRound

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return review_rounds_open_all(kind=ReviewRound.Kind.MUTUAL, year=day.year, half=half_of(day), today=day)


@shared_task(base=ScheduledJob)
def review_rounds_close_due_task(today: str | None = None) -> dict:
    """Closes the rounds past their closing date and computes their results (a re-run closes nothing)."""
    from evaluations.actions.reviews import review_rounds_close_due

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return review_rounds_close_due(today=day)


@shared_task(base=ScheduledJob)
def review_rounds_yearly_open_task(year: int | None = None, today: str | None = None) -> dict:
    """年度民主评议 (December): the year's round opened for every branch that lacks it, and announced once."""
    from evaluations.actions.reviews import review_rounds_yearly_open

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return review_rounds_yearly_open(year=year or day.year, today=day)


# Reminders: overdue follow-ups (daily), the monthly briefing, 红星榜 (quarterly), branch assessment (January) ----


@shared_task(base=ScheduledJob)
def follow_ups_overdue_remind_task(today: str | None = None) -> dict:
    """Daily: follow-ups (整改) open past their due date remind the branch secretary, once per follow-up."""
    from evaluations.actions.follow_ups import follow_ups_overdue_remind

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return follow_ups_overdue_remind(today=day)


@shared_task(base=ScheduledJob)
def monthly_briefing_send_task(today: str | None = None) -> dict:
    """Monthly (the 1st): each branch secretary's 月度工作提示 of the branch's open items, once per month."""
    from evaluations.actions.reminders import monthly_briefing_send

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return monthly_briefing_send(today=day)


@shared_task(base=ScheduledJob)
def red_stars_publish_task(today: str | None = None) -> dict:
    """Quarterly: the 红星榜 of the quarter just ended announced to each branch and the members on it, once."""
    from evaluations.actions.reminders import quarter_just_ended, red_stars_publish

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    year, quarter = quarter_just_ended(day)
    return red_stars_publish(year=year, quarter=quarter, today=day)


@shared_task(base=ScheduledJob)
def assessment_remind_task(year: int | None = None, today: str | None = None) -> dict:
    """评星晋级 (January, for the year just ended): branches not yet assessed, reminded to them and their assessors."""
    from evaluations.actions.assessment import assessment_remind

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return assessment_remind(year=year or day.year - 1, today=day)
