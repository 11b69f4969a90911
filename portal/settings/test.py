"""Tests: the same settings as any run, with a fast password hasher and mail kept in memory."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# Parallel test workers share one Redis, and every test starts with cache.clear() (FLUSHDB): give each worker
# its own Redis database for the cache, or one worker's clear would reset another's rate-limit counters mid-test.
if REDIS_URL:  # noqa: F405
    _base, _, _db = REDIS_URL.rpartition("/")  # noqa: F405
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    CACHES["default"]["LOCATION"] = f"{_base}/{(int(_db or 0) + 1 + _worker) % 16}"  # noqa: F405
