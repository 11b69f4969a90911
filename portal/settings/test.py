"""Tests: the same settings as any run, with a fast password hasher and mail kept in memory."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "portal.sms.LocmemBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# Parallel test workers share one Redis, and every test starts with cache.clear() (FLUSHDB): give each worker
# its own Redis database for the cache, or one worker's clear would reset another's rate-limit counters mid-test.
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if REDIS_URL:  # noqa: F405
    _base, _, _db = REDIS_URL.rpartition("/")  # noqa: F405
    CACHES["default"]["LOCATION"] = f"{_base}/{(int(_db or 0) + 1 + _worker) % 16}"  # noqa: F405
# They share the broker too: a Celery worker started by one test process must not take a task queued by another
# (it would run it against the wrong test database), so each process queues on its own.
CELERY_TASK_DEFAULT_QUEUE = f"celery-test-{_worker}"
# Tasks run in-process in tests, with or without Redis; the tests that prove the broker path (a real worker on
# Redis) turn this off for their duration.
CELERY_TASK_ALWAYS_EAGER = True
