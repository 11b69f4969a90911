"""/healthz: the database and broker, a worker's heartbeat, beat's last tick and the media folder; "degraded" (still
200: the pages work) when one of the latter is stale or failing, "down" (503) only when the database is."""

import datetime

import pytest
from django.core.cache import cache

from portal import health
from portal.celery import app
from portal.tasks import beat_tick_task

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 8, 9, 30, tzinfo=datetime.UTC)


def ago(seconds: int) -> datetime.datetime:
    return NOW - datetime.timedelta(seconds=seconds)


@pytest.fixture
def with_worker(settings):
    """As in production: tasks go to a worker and beat (not run in-process)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # In memory: the Redis cache drops a write that takes over a second (IGNORE_EXCEPTIONS), as on a loaded machine.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.HEALTH_WORKER_STALE_SECONDS = 120
    settings.HEALTH_BEAT_STALE_SECONDS = 300
    cache.delete_many([health.WORKER_KEY, health.BEAT_KEY])
    yield
    cache.delete_many([health.WORKER_KEY, health.BEAT_KEY])


def test_embedded_default_has_no_worker_or_beat_to_watch_and_is_ok(client):
    body = client.get("/healthz").json()
    assert (body["worker"], body["beat"], body["media"]) == ("inline", "inline", "ok")
    assert body["status"] == "ok"


def test_fresh_heartbeat_and_tick_are_ok_with_their_times(with_worker):
    health.worker_heartbeat_record(force=True, now=ago(30))
    health.beat_tick_record(now=ago(90))
    facts = health.health_facts(now=NOW)
    assert (facts["worker"], facts["beat"], facts["status"]) == ("ok", "ok", "ok")
    assert facts["worker_seen_at"] == "2026-12-08T17:29:30+08:00"
    assert facts["beat_tick_at"] == "2026-12-08T17:28:30+08:00"


@pytest.mark.parametrize(
    ("worker_age", "beat_age", "worker", "beat"),
    [
        (121, 60, "stale", "ok"),  # the worker died: its heartbeat is older than HEALTH_WORKER_STALE_SECONDS
        (10, 301, "ok", "stale"),  # beat died (or no worker takes its tick)
        (None, None, "stale", "stale"),  # never seen since Redis was emptied
    ],
)
def test_a_stale_worker_or_beat_makes_the_status_degraded(client, with_worker, worker_age, beat_age, worker, beat):
    if worker_age is not None:
        health.worker_heartbeat_record(force=True, now=ago(worker_age))
    if beat_age is not None:
        health.beat_tick_record(now=ago(beat_age))
    facts = health.health_facts(now=NOW)
    assert (facts["worker"], facts["beat"], facts["status"]) == (worker, beat, "degraded")


def test_healthz_degraded_still_answers_200_with_every_field(client, with_worker):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "broker", "worker", "worker_seen_at", "beat", "beat_tick_at", "media"}
    assert body["status"] == "degraded" and body["worker"] == "stale"


def test_a_media_folder_that_takes_no_file_makes_the_status_degraded(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"  # under a file: cannot be created, as on a read-only or full disk
    body = client.get("/healthz").json()
    assert (body["media"], body["status"]) == ("not_writable", "degraded")


def test_a_missing_media_folder_is_created_and_nothing_is_left_in_it(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert client.get("/healthz").json()["media"] == "ok"
    assert list((tmp_path / "media").iterdir()) == []


def test_database_down_is_503(client, monkeypatch):
    monkeypatch.setattr(health, "database_state", lambda: "down")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "down"


def test_the_heartbeat_is_written_at_most_every_15_seconds(with_worker):
    health.worker_heartbeat_record(force=True, now=ago(20))
    health.worker_heartbeat_record(now=ago(10))  # 10 s later: not written
    assert health.health_facts(now=NOW)["worker_seen_at"] == "2026-12-08T17:29:40+08:00"
    health.worker_heartbeat_record(now=ago(4))  # 16 s after the last write
    assert health.health_facts(now=NOW)["worker_seen_at"] == "2026-12-08T17:29:56+08:00"


def test_the_tick_task_records_beat_and_twice_is_harmless(with_worker):
    beat_tick_task.apply()
    first = cache.get(health.BEAT_KEY)
    beat_tick_task.apply()
    assert first and cache.get(health.BEAT_KEY) >= first
    assert health.health_facts()["beat"] == "ok"


def test_beat_queues_the_tick_every_minute_outside_the_jobs_registry(settings):
    tick = app.conf.beat_schedule["beat-tick"]
    assert (tick["task"], tick["schedule"], tick["options"]["expires"]) == ("portal.tasks.beat_tick_task", 60.0, 55)
    assert "beat-tick" not in settings.CELERY_BEAT_SCHEDULE  # the jobs (JobRun, 系统状态) stay as they were
    assert set(settings.CELERY_BEAT_SCHEDULE) < set(app.conf.beat_schedule)


def test_celery_signals_feed_the_heartbeat(with_worker):
    from celery import signals

    signals.worker_ready.send(sender=None)
    assert health.health_facts()["worker"] == "ok"
    assert signals.heartbeat_sent.receivers
