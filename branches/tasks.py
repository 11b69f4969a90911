"""Periodic jobs of organisations and people. Each is thin: one action, a small summary out."""

import datetime

from celery import shared_task
from django.utils import timezone

from branches.actions import calendar_refresh, mobile_reports_remind
from portal.jobs import ScheduledJob


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(base=ScheduledJob)
def mobile_reports_remind_task(today: str | None = None) -> dict:
    """流动党员汇报 (every 2 months): reports falling due reminded, overdue ones flagged to the branch secretary.
    A re-run sends nothing new (each reminder names its record and due date)."""
    return mobile_reports_remind(today=_day(today))


@shared_task(base=ScheduledJob)
def calendar_fill_task(today: str | None = None) -> dict:
    """节假日安排 (weekly): this year's and next year's holidays and make-up workdays from the calendar package, on
    dates the calendar does not have yet; 组织部 reminded of a near year nobody knows. A re-run adds and sends
    nothing (a date kept is never written again; each reminder has its key)."""
    return calendar_refresh(today=_day(today))
