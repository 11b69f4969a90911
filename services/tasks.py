"""Periodic jobs of service work. Each is thin: ids in, one action, a small summary out."""

from celery import shared_task
from django.utils import timezone

from services.actions import team_review_run


@shared_task
def team_review_propose_task(year: int | None = None) -> dict:
    """队伍梳理 (each December): the year's proposals for every team; a re-run proposes nothing new."""
    return team_review_run(actor=None, year=year or timezone.localdate().year)
