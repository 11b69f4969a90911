"""Periodic jobs of organisations and people. Each is thin: one action, a small summary out."""

import datetime

from celery import shared_task
from django.utils import timezone

from branches.actions import mobile_reports_remind
from portal.jobs import ScheduledJob


@shared_task(base=ScheduledJob)
def mobile_reports_remind_task(today: str | None = None) -> dict:
    """流动党员汇报 (every 2 months): reports falling due reminded, overdue ones flagged to the branch secretary.
    A re-run sends nothing new (each reminder names its record and due date)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return mobile_reports_remind(today=day)
