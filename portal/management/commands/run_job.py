"""Run a scheduled job by hand, or list them: `manage.py run_job --list`, `manage.py run_job NAME`."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.celery import app


class Command(BaseCommand):
    help = "列出或手动运行定时任务（与 Celery beat 调度同一份清单）。"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="任务名（见 --list）")
        parser.add_argument("--list", action="store_true", help="列出所有定时任务")

    def handle(self, *args, name: str | None = None, list: bool = False, **options):
        schedule = settings.CELERY_BEAT_SCHEDULE
        if list or not name:
            for job_name, entry in schedule.items():
                self.stdout.write(
                    f"{job_name}\t{entry['schedule']}\t{entry['task']}\t{settings.JOB_DESCRIPTIONS.get(job_name, '')}"
                )
            return
        if name not in schedule:
            raise CommandError(f"没有名为“{name}”的任务。可用：{', '.join(schedule) or '（无）'}")
        app.loader.import_default_modules()  # registers every app's tasks
        task = app.tasks[schedule[name]["task"]]
        # Run in this process, whatever the broker: a job run by hand must not wait for a worker.
        result = task.apply(args=schedule[name].get("args", ()), kwargs=schedule[name].get("kwargs", {}))
        if result.failed():
            raise CommandError(f"任务失败：{result.result!r}")
        self.stdout.write(json.dumps(result.result, ensure_ascii=False, default=str))
