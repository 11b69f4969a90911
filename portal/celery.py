"""The Celery application. Configuration comes from Django settings (CELERY_*), the schedule included."""

import os

from celery import Celery

# Production settings unless DJANGO_SETTINGS_MODULE names others (manage.py names the development ones first, and the
# tests theirs), so `celery -A portal worker` without its environment file refuses to start rather than run on defaults.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Logging (the portal's JSON lines, task id in place of request id), the worker's heartbeat and beat's tick.
from portal import celery_signals  # noqa: E402, F401
