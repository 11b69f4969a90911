"""Faults real systems meet: Redis down (pages and writes go on, /healthz says degraded, the work waits and runs
once Redis is back, nothing lost or doubled), the database gone mid-request (a clean Chinese error page and no
partial write) and a worker killed mid-job (delivered again, built once)."""

import socket

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from branches.models import Organisation
from evaluations.models import Rating
from portal.models import AuditEvent
from reports import actions as report_actions
from reports.models import ReportExport
from tests.evaluations.test_rating_actions import make_activity
from tests.evaluations.test_rating_public import opened, url

LAST_YEAR = timezone.localdate().year - 1


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _point_celery_at(url: str, *, eager: bool) -> None:
    """Re-points the Celery app's broker for this test. The app caches its producer pool; kombu keeps one pool
    per broker address, so dropping the app's reference makes the next publish use the pool of `url`."""
    from portal.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """Redis as it is in an outage: the configured address answers nothing (nobody listens on that port)."""
    dead = f"redis://127.0.0.1:{_unused_port()}/0"
    settings.REDIS_URL = dead
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": dead}}
    _point_celery_at(dead, eager=False)
    yield dead
    _point_celery_at(settings.CELERY_BROKER_URL, eager=settings.CELERY_TASK_ALWAYS_EAGER)


def _post_demand(client):
    """A secretary enters a demand; the request's own exceptions become the 500 page, as in production."""
    from services.models import DemandCategory

    client.raise_request_exception = False
    return client.post(
        reverse("services:demand_create"),
        {
            "organisation": Organisation.objects.get(name="党支部A").pk,
            "channel": "hotline",
            "category": DemandCategory.objects.order_by("pk").first().pk,
            "content": "路灯坏了",
            "requester_name": "王大爷",
            "requester_phone": "13900000000",
            "received_on": timezone.localdate().isoformat(),
        },
    )


@pytest.fixture
def fake_builder(monkeypatch):
    monkeypatch.setattr(report_actions, "yearly_report_xlsx", lambda **kwargs: b"PK-fake")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_pages_and_writes_go_on_and_the_queued_work_runs_once_redis_is_back(
    cast, login, client, redis_down, fake_builder, django_capture_on_commit_callbacks
):
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app
    from reports.tasks import report_exports_resume_task

    health = client.get(reverse("healthz")).json()
    assert (health["status"], health["broker"], health["database"]) == ("degraded", "down", "ok")

    # The public keeps rating: the per-address limit fails open, one rating per device still holds.
    activity = make_activity(cast)
    opened(client, activity)
    assert client.post(url(activity), {"level": "5"}).status_code == 302
    assert client.post(url(activity), {"level": "1"}).status_code == 409
    assert Rating.objects.filter(activity=activity).count() == 1

    # Staff pages render, and starting a report is accepted: the row waits, queued, for the broker.
    secretary = login(cast.secretary)
    assert secretary.get(reverse("home")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("reports:report_list"), {"year": LAST_YEAR, "organisation": cast.branch_a.pk})
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.QUEUED

    # Redis is back: the resume job, run by a real worker, builds the waiting export — once.
    _point_celery_at(settings.CELERY_BROKER_URL, eager=False)
    ReportExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - report_actions.RESUME_AFTER)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        assert report_exports_resume_task.delay().get(timeout=30) == {"resumed": 1}
        assert report_exports_resume_task.delay().get(timeout=30) == {"resumed": 0}
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE and export.file.read() == b"PK-fake"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_gone_mid_request_gives_a_clean_page_and_writes_nothing(cast, login, monkeypatch):
    """The connection is killed by the server between the action's first write and its audit record."""
    import psycopg2

    from services.actions import demands as demand_actions
    from services.models import Demand

    real_audit = demand_actions.audit_record

    def audit_after_the_connection_dies(**kwargs):
        pid = connection.connection.info.backend_pid
        settings_dict = connections["default"].settings_dict
        killer = psycopg2.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"] or "postgres",
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
        )
        try:
            killer.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            killer.close()  # psycopg2's `with` would only commit, and a stray session blocks dropping the test DB
        return real_audit(**kwargs)

    monkeypatch.setattr(demand_actions, "audit_record", audit_after_the_connection_dies)
    response = _post_demand(login(cast.secretary))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务暂时不可用" in page and "没有保存" in page
    connection.close()  # the test's own connection was the one killed
    assert not Demand.objects.filter(content="路灯坏了").exists()


@pytest.mark.django_db
def test_an_error_page_is_chinese_and_says_nothing_was_saved(cast, login, monkeypatch):
    """The same page on any database: an action failing half-way leaves nothing behind."""
    from django.db import OperationalError

    from services.actions import demands as demand_actions
    from services.models import Demand

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(demand_actions, "audit_record", database_gone)
    response = _post_demand(login(cast.secretary))
    assert response.status_code == 500 and "没有保存" in response.content.decode()
    assert not Demand.objects.exists()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_it_to_another_worker_and_its_effect_happens_once(cast):
    """A real worker process takes the yearly-report job and is killed (SIGKILL) in the middle of it: the message,
    never acknowledged, is delivered again once the visibility timeout has passed, another worker builds the
    report, and it is built once. The job is held mid-way by a row lock the test keeps on the export."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psycopg2

    from portal.celery import app
    from reports.tasks import report_export_run_task

    export = ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary)
    db = connections["default"].settings_dict
    address = f"{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://{address}/{db['NAME']}",  # the test's own database
        "CELERY_VISIBILITY_TIMEOUT": "3",
    }
    queue = settings.CELERY_TASK_DEFAULT_QUEUE

    def worker() -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "solo", "-Q", queue, "-l", "WARNING"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)

    lock = psycopg2.connect(dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1")
    first = second = None
    try:
        app.control.purge()
        cursor = lock.cursor()
        cursor.execute("SELECT id FROM reports_reportexport WHERE id = %s FOR UPDATE", [export.pk])
        _point_celery_at(settings.CELERY_BROKER_URL, eager=False)
        report_export_run_task.delay(export.pk)
        first = worker()
        # The job has started when its claim (an UPDATE of the export) waits for the test's lock.
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock(db["NAME"]):
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        lock.rollback()  # the lock goes; the killed job's statement went with its connection
        second = worker()
        deadline = time.monotonic() + 90
        while ReportExport.objects.get(pk=export.pk).status != ReportExport.Status.DONE:
            assert time.monotonic() < deadline, "the job was not delivered again"
            time.sleep(0.5)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        lock.close()
        _point_celery_at(settings.CELERY_BROKER_URL, eager=settings.CELERY_TASK_ALWAYS_EAGER)
    export.refresh_from_db()
    assert export.file and export.progress == 100
    assert AuditEvent.objects.filter(action="report.done", object_id=str(export.pk)).count() == 1


def _waiting_for_a_lock(database: str) -> bool:
    """Asked on the test's own connection (autocommit): within the lock's transaction the statistics views would
    show the same snapshot every time."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [database]
        )
        return cursor.fetchone()[0] > 0
