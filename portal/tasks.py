"""Periodic jobs of the portal itself. Each is thin: ids in, one action, a small summary out."""

from celery import shared_task

from portal import health
from portal.actions import sessions_clear
from portal.jobs import ScheduledJob


@shared_task(base=ScheduledJob)
def sessions_clear_task() -> dict:
    return {"deleted": sessions_clear()}


@shared_task(ignore_result=True)
def beat_tick_task() -> None:
    """Queued by beat every minute (portal.celery_signals.BEAT_TICK), run by a worker: /healthz's "beat"."""
    health.beat_tick_record()


@shared_task(base=ScheduledJob)
def imports_sweep_task() -> dict:
    """Uploads previewed and left unconfirmed (they may hold ID numbers, encrypted) are deleted after 24 hours."""
    from portal.imports.storage import uploads_sweep

    return {"deleted": uploads_sweep()}
