"""Periodic jobs of service work. Each is thin: ids in, one action, a small summary out."""

import datetime

from celery import shared_task
from django.utils import timezone

from portal.jobs import ScheduledJob
from services.actions import team_review_run
from services.actions.demands import demands_overdue_remind
from services.actions.pairing import pairing_gaps_remind, pairing_inspection_send
from services.actions.pledges import pledge_appraisal_remind


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(base=ScheduledJob)
def team_review_propose_task(year: int | None = None) -> dict:
    """队伍梳理 (each December): the year's proposals for every team; a re-run proposes nothing new."""
    return team_review_run(actor=None, year=year or timezone.localdate().year)


@shared_task(base=ScheduledJob)
def demands_overdue_remind_task(today: str | None = None) -> dict:
    """Daily: demands open past their deadline remind their assignee (else the secretary), once per demand."""
    return demands_overdue_remind(today=_day(today))


@shared_task(base=ScheduledJob)
def pairing_gaps_remind_task(today: str | None = None) -> dict:
    """Monthly: helpers of pairings without a visit last month are reminded, once per pairing and month."""
    return pairing_gaps_remind(today=_day(today))


@shared_task(base=ScheduledJob)
def pairing_inspection_send_task(today: str | None = None) -> dict:
    """Quarterly: the pairing inspection summary of the quarter just ended, once per recipient and quarter."""
    return pairing_inspection_send(today=_day(today))


@shared_task(base=ScheduledJob)
def pledge_appraisal_remind_task(year: int | None = None, today: str | None = None) -> dict:
    """Year end (December): the year's pledges not yet appraised are announced for appraisal, once per
    organisation and pledge. Run by hand in the first half of a year, it is the year just ended."""
    day = _day(today)
    return pledge_appraisal_remind(year=year or (day.year if day.month >= 7 else day.year - 1), today=day)
