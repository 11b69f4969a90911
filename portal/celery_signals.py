"""What the worker and beat do besides the jobs: log through the portal's formatter (portal.logs) with the task id
on every line of a task, beat's once-a-minute tick, and the worker's heartbeat (portal.health reads both)."""

import logging.config
from typing import Any

from celery import signals

from portal import logs
from portal.celery import app

# The tick: beat queues it every minute and a worker runs it, so a fresh tick proves beat AND a worker. Not in
# CELERY_BEAT_SCHEDULE, which lists the jobs (each recorded as a JobRun): a row a minute would bury them. A tick
# queued while no worker runs is dropped after a minute instead of piling up.
BEAT_TICK = {"task": "portal.tasks.beat_tick_task", "schedule": 60.0, "options": {"expires": 55}}


@app.on_after_configure.connect
def _add_beat_tick(sender: Any, **kwargs: Any) -> None:
    # A copy: the Django setting itself stays the jobs registry.
    sender.conf.beat_schedule = {**sender.conf.beat_schedule, "beat-tick": BEAT_TICK}


@signals.setup_logging.connect
def _portal_logging(**kwargs: Any) -> None:
    """Connected, so Celery leaves the root logger alone (no hijack): worker and beat log with settings.LOGGING."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


_task_tokens: dict[str, Any] = {}


@signals.task_prerun.connect
def _task_context(task_id: str, task: Any, **kwargs: Any) -> None:
    # A task run eagerly inside a request keeps the request id and adds its own task id.
    outer = logs.log_context.get() or {}
    _task_tokens[task_id] = logs.log_context.set({**outer, "task_id": task_id, "task_name": task.name})


@signals.task_postrun.connect
def _task_context_end(task_id: str, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            logs.log_context.reset(token)
        except ValueError:  # set in another context (a pool that runs prerun and postrun apart): nothing to undo
            logs.log_context.set(None)


@signals.heartbeat_sent.connect
def _worker_heartbeat(**kwargs: Any) -> None:
    from portal import health

    health.worker_heartbeat_record()


@signals.worker_ready.connect
def _worker_ready(**kwargs: Any) -> None:
    from portal import health

    health.worker_heartbeat_record(force=True)
