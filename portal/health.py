"""What /healthz and 系统状态 report: the database, the broker, a worker's heartbeat, beat's last tick, and whether
the media folder takes files.

The worker writes its heartbeat (celery's heartbeat_sent, every few seconds, written at most every
HEARTBEAT_WRITE_SECONDS) and beat's tick task writes its time (every minute) into the cache, which web and worker
share (Redis). Without Redis (the embedded default) tasks run in the web process: there is no worker or beat to
watch, and both say "inline".
"""

import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

WORKER_KEY = "health:worker-heartbeat"
BEAT_KEY = "health:beat-tick"
HEARTBEAT_WRITE_SECONDS = 15
_last_heartbeat_write: datetime.datetime | None = None


def _stamp_write(key: str, now: datetime.datetime) -> None:
    cache.set(key, now.isoformat(), timeout=7 * 24 * 3600)


def _stamp_read(key: str) -> datetime.datetime | None:
    value = cache.get(key)
    return datetime.datetime.fromisoformat(value) if value else None


def worker_heartbeat_record(*, force: bool = False, now: datetime.datetime | None = None) -> None:
    """Called from the worker's heartbeat: the time this worker was last alive (written every 15 s at most)."""
    global _last_heartbeat_write  # per worker process: spares the cache a write every 2 s
    now = now or timezone.now()
    last = _last_heartbeat_write
    if force or last is None or (now - last).total_seconds() >= HEARTBEAT_WRITE_SECONDS:
        _stamp_write(WORKER_KEY, now)
        _last_heartbeat_write = now


def beat_tick_record(*, now: datetime.datetime | None = None) -> None:
    """The tick task (queued by beat every minute, run by a worker)."""
    _stamp_write(BEAT_KEY, now or timezone.now())


def broker_state() -> str:
    """'ok', 'down', or 'embedded' (no Redis configured: tasks run in-process)."""
    if not settings.REDIS_URL:
        return "embedded"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return "down"
    return "ok"


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        return "down"
    return "ok"


def media_state() -> str:
    """'ok' when a file can be created (and removed) in MEDIA_ROOT, as uploads and reports will; else 'not_writable'."""
    try:
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.MEDIA_ROOT, prefix=".healthz-"):
            pass
    except OSError:
        return "not_writable"
    return "ok"


def _freshness(stamp: datetime.datetime | None, *, limit: int, now: datetime.datetime) -> str:
    if stamp is None or (now - stamp).total_seconds() > limit:
        return "stale"
    return "ok"


def health_facts(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The facts and the overall status: 'down' when the database fails (nothing works), 'degraded' when anything
    else does (pages work; background work or uploads do not), else 'ok'."""
    now = now or timezone.now()
    facts: dict[str, Any] = {"database": database_state(), "broker": broker_state()}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        facts.update(worker="inline", worker_seen_at=None, beat="inline", beat_tick_at=None)
    else:
        seen, tick = _stamp_read(WORKER_KEY), _stamp_read(BEAT_KEY)
        facts["worker"] = _freshness(seen, limit=settings.HEALTH_WORKER_STALE_SECONDS, now=now)
        facts["worker_seen_at"] = timezone.localtime(seen).isoformat() if seen else None
        facts["beat"] = _freshness(tick, limit=settings.HEALTH_BEAT_STALE_SECONDS, now=now)
        facts["beat_tick_at"] = timezone.localtime(tick).isoformat() if tick else None
    facts["media"] = media_state()
    if facts["database"] != "ok":
        status = "down"
    elif facts["broker"] == "down" or "stale" in (facts["worker"], facts["beat"]) or facts["media"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, **facts}
