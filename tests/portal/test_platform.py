"""The platform pieces: /healthz, the job runner, the Celery wiring, the audit helper."""

import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.tasks import sessions_clear_task


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    expected_broker = "ok" if settings.REDIS_URL else "embedded"
    assert body["broker"] == expected_broker
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_says_degraded_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    body = client.get("/healthz").json()
    assert (body["status"], body["database"], body["broker"]) == ("degraded", "ok", "down")


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def _expired_session() -> None:
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timezone.timedelta(days=1)
    )


@pytest.mark.django_db
def test_run_job_lists_each_job_with_its_schedule_and_last_run(capsys):
    call_command("run_job", "sessions-clear")
    capsys.readouterr()
    call_command("run_job", "--list")
    rows = {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.strip().splitlines()[1:]}
    assert set(rows) == set(settings.CELERY_BEAT_SCHEDULE)
    assert rows["sessions-clear"][1] == "cron 17 3 * * *"
    assert rows["sessions-clear"][3] == "成功"
    never_run = next(name for name in rows if name != "sessions-clear")
    assert rows[never_run][2:4] == ["从未运行", "—"]


@pytest.mark.django_db
def test_a_failed_job_run_is_listed_as_failed_with_its_error(capsys, monkeypatch):
    from portal import tasks

    def broken() -> int:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(tasks, "sessions_clear", broken)
    with pytest.raises(CommandError, match="任务失败"):
        call_command("run_job", "sessions-clear")
    call_command("run_job", "--list")
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("sessions-clear"))
    assert "失败" in row and "磁盘已满" in row


@pytest.mark.django_db
def test_run_job_runs_a_job_and_twice_changes_nothing(capsys):
    _expired_session()
    call_command("run_job", "sessions-clear")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"deleted": 1}
    call_command("run_job", "sessions-clear")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"deleted": 0}
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_run_job_unknown_name_is_a_clear_error():
    with pytest.raises(CommandError, match="没有名为"):
        call_command("run_job", "no-such-job")


def test_every_scheduled_job_is_a_registered_task():
    from portal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert set(settings.JOB_DESCRIPTIONS) == set(settings.CELERY_BEAT_SCHEDULE)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_job_runs_through_a_real_celery_worker_and_redis(celery_worker):
    """End to end: the task is queued on the Redis broker, a real worker consumes it, the result comes back."""
    _expired_session()
    assert sessions_clear_task.delay().get(timeout=30) == {"deleted": 1}
    assert sessions_clear_task.delay().get(timeout=30) == {"deleted": 0}
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_audit_record_keeps_actor_target_and_changes(cast):
    from portal.audit import audit_record
    from portal.models import AuditEvent

    event = audit_record(actor=cast.secretary, action="test.touch", target=cast.person_a, changes={"name": ["a", "b"]})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.object_type, stored.object_id) == (
        cast.secretary,
        "branches.Person",
        str(cast.person_a.pk),
    )
    assert stored.changes == {"name": ["a", "b"]}
