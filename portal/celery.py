"""The Celery application. Configuration comes from Django settings (CELERY_*), the schedule included."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Logging (the portal's JSON lines, task id in place of request id), the worker's heartbeat and beat's tick.
from portal import celery_signals  # noqa: E402, F401
