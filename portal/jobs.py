"""Scheduled jobs: the base task that records every run, so `run_job --list` can show the last run and outcome.

A job is a task named in settings.CELERY_BEAT_SCHEDULE. Declare it with `@shared_task(base=ScheduledJob)`; the run
is recorded whether beat queued it, a worker picked it up, or `manage.py run_job NAME` ran it in-process.
"""

import datetime
import logging
from typing import Any

from celery import Task
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal import actions

logger = logging.getLogger(__name__)


def job_name_for_task(task_name: str) -> str:
    """The schedule's name for a task (one task per job), or the task's own name for an unscheduled one."""
    for job_name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry["task"] == task_name:
            return job_name
    return task_name


def cron_text(schedule: object) -> str:
    """A crontab as its five fields (minute hour day month weekday), the way operators read schedules."""
    fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    if all(hasattr(schedule, f"_orig_{field}") for field in fields):
        return "cron " + " ".join(str(getattr(schedule, f"_orig_{field}")) for field in fields)
    return str(schedule)


def next_due(schedule: Any, *, after: datetime.datetime) -> datetime.datetime:
    """When beat will next queue a job with this schedule, after the given moment (in TIME_ZONE)."""
    after = timezone.localtime(after)
    if isinstance(schedule, crontab):
        start, delta, _now = schedule.remaining_delta(after)
        return start + delta
    return after + schedule.run_every


class ScheduledJob(Task):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        run = actions.job_run_start(name=job_name_for_task(self.name))
        try:
            result = super().__call__(*args, **kwargs)
        except Exception as error:
            actions.job_run_finish(run=run, error=error)
            raise
        actions.job_run_finish(run=run, summary=result)
        return result


def enqueue(task: Task, *args: Any) -> bool:
    """Queues a task from a web request. With the broker down it logs and returns False instead of failing the
    request: callers keep the work as a queued row that a scheduled job resumes once the broker is back."""
    try:
        task.delay(*args)
    except OperationalError:
        logger.warning("消息队列不可用，任务 %s%r 留待恢复后执行", task.name, args)
        return False
    return True
