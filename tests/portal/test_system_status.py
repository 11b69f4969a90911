"""系统状态 (/status/): 组织部 only; every scheduled job with its last run, outcome and next due time, and the health
facts of /healthz; linked from 组织部's menu; queries do not grow with the run history."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import actions
from portal.jobs import next_due
from portal.models import JobRun
from portal.selectors import system_status_for_user

pytestmark = pytest.mark.django_db

URL = "/status/"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_reverse_name():
    assert reverse("system_status") == URL


@pytest.mark.parametrize("role", ["member", "secretary", "committee", "outsider"])
def test_everyone_but_the_org_department_is_refused(cast, login, role):
    response = login(getattr(cast, role)).get(URL)
    assert response.status_code == 403
    assert "sessions-clear" not in response.content.decode()


def test_the_menu_links_it_for_the_org_department_only(cast, login):
    assert f'href="{URL}"' in login(cast.orgadmin).get("/").content.decode()
    assert f'href="{URL}"' not in login(cast.secretary).get("/").content.decode()


def _runs(n: int) -> None:
    """n runs of each of two jobs, the last of sessions-clear failed."""
    for _ in range(n):
        for name in ("sessions-clear", "calendar-fill"):
            actions.job_run_finish(run=actions.job_run_start(name=name), summary={"n": 1})
    actions.job_run_finish(run=actions.job_run_start(name="sessions-clear"), error=RuntimeError("磁盘已满"))


def test_every_job_with_its_last_run_outcome_and_next_due_time(cast, login):
    _runs(2)
    response = login(cast.orgadmin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="status-job"') == len(settings.CELERY_BEAT_SCHEDULE)
    jobs = {job["name"]: job for job in response.context["jobs"]}
    assert jobs["sessions-clear"]["last_run"].outcome == JobRun.Outcome.FAILED
    assert jobs["calendar-fill"]["last_run"].outcome == JobRun.Outcome.OK
    assert jobs["monthly-briefing"]["last_run"] is None
    assert "磁盘已满" in html and "从未运行" in html
    assert settings.JOB_DESCRIPTIONS["monthly-briefing"] in html
    for check in ("database", "broker", "worker", "beat", "media"):
        assert f'data-testid="status-check-{check}"' in html


def test_next_due_times_in_shanghai_time():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tuesday_morning = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)
    assert next_due(schedule["monthly-briefing"]["schedule"], after=tuesday_morning) == datetime.datetime(
        2027, 1, 1, 8, 0, tzinfo=SHANGHAI
    )
    assert next_due(schedule["sessions-clear"]["schedule"], after=tuesday_morning) == datetime.datetime(
        2026, 12, 9, 3, 17, tzinfo=SHANGHAI
    )
    # calendar-fill: Mondays 02:50; from a Tuesday that is six days on; from 02:49 on a Monday, the same day.
    assert next_due(schedule["calendar-fill"]["schedule"], after=tuesday_morning) == datetime.datetime(
        2026, 12, 14, 2, 50, tzinfo=SHANGHAI
    )
    monday = datetime.datetime(2026, 12, 14, 2, 49, tzinfo=SHANGHAI)
    assert next_due(schedule["calendar-fill"]["schedule"], after=monday).day == 14
    every_ten = next_due(schedule["report-exports-resume"]["schedule"], after=tuesday_morning.replace(minute=3))
    assert every_ten == tuesday_morning.replace(minute=10)


def test_the_selector_shows_the_pinned_time_and_the_health_facts(cast):
    now = datetime.datetime(2026, 12, 8, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
    status = system_status_for_user(user=cast.orgadmin, now=now)
    briefing = next(job for job in status["jobs"] if job["name"] == "monthly-briefing")
    assert timezone.localtime(briefing["next_due"]) == datetime.datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI)
    checks = {check["key"]: check for check in status["checks"]}
    assert checks["worker"]["value"] == "inline" and "网站进程" in checks["worker"]["text"]
    assert status["status"] == "ok"


def _count(client, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_runs(cast, login, django_assert_max_num_queries):
    client = login(cast.orgadmin)
    _runs(1)
    _count(client, django_assert_max_num_queries)  # warm caches
    few = _count(client, django_assert_max_num_queries)
    _runs(15)
    assert _count(client, django_assert_max_num_queries) == few
