"""Periodic jobs of organisational life. Each is thin: one action, a small summary out."""

import datetime

from celery import shared_task
from django.utils import timezone

from meetings.actions import meetings_due_remind
from portal.jobs import ScheduledJob


@shared_task(base=ScheduledJob)
def meetings_due_remind_task(today: str | None = None) -> dict:
    """组织生活 (monthly, on the 20th): each branch secretary reminded of the kinds still 待开 this period. A re-run
    sends nothing new (one reminder per branch and month)."""
    return meetings_due_remind(today=datetime.date.fromisoformat(today) if today else timezone.localdate())
