"""The schedule (CELERY_BEAT_SCHEDULE): every entry is a registered ScheduledJob with a description, every cadence of
DOMAIN §6 is there at its time, and every job can be run by hand twice with the second run sending nothing."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command

from portal.celery import app
from portal.jobs import ScheduledJob
from portal.management.commands.run_job import cron_text
from portal.models import JobRun, Notification

# DOMAIN §6, job by job: name → (task, "minute hour day-of-month month day-of-week") in Asia/Shanghai.
CADENCES = {
    # Daily: overdue demands and follow-ups flagged (and reminded)
    "demands-overdue-remind": ("services.tasks.demands_overdue_remind_task", "30 7 * * *"),
    "follow-ups-overdue-remind": ("evaluations.tasks.follow_ups_overdue_remind_task", "35 7 * * *"),
    "review-rounds-close": ("evaluations.tasks.review_rounds_close_due_task", "40 3 * * *"),
    # Monthly: points settled; pairing-visit gaps flagged; the monthly briefing list
    "points-settle": ("evaluations.tasks.points_settle_task", "30 1 1 * *"),
    "pairing-gaps-remind": ("services.tasks.pairing_gaps_remind_task", "45 7 1 * *"),
    "monthly-briefing": ("evaluations.tasks.monthly_briefing_send_task", "0 8 1 * *"),
    # Monthly, on the 20th: organisational life still due this period (DOMAIN §9)
    "meetings-due-remind": ("meetings.tasks.meetings_due_remind_task", "15 8 20 * *"),
    # Every 2 months: mobile-member reports due, overdue flagged and reminded
    "mobile-reports-remind": ("branches.tasks.mobile_reports_remind_task", "10 8 1 1,3,5,7,9,11 *"),
    # Quarterly: pairing inspection summary, 红星榜
    "pairing-inspection": ("services.tasks.pairing_inspection_send_task", "20 8 1 1,4,7,10 *"),
    "red-stars-publish": ("evaluations.tasks.red_stars_publish_task", "30 8 1 1,4,7,10 *"),
    # Half-yearly: the mutual-scoring round opened in January and July (and closed by review-rounds-close)
    "review-rounds-open": ("evaluations.tasks.review_rounds_open_task", "30 2 1 1,7 *"),
    # Yearly: team review (December), pledge appraisal, member review round, branch assessment, the yearly report
    # (January, for the last year); the points reset is the 1 January run of points-settle (it books the base).
    "team-review": ("services.tasks.team_review_propose_task", "0 2 1 12 *"),
    "pledge-appraisal-remind": ("services.tasks.pledge_appraisal_remind_task", "40 8 1 12 *"),
    "review-rounds-yearly-open": ("evaluations.tasks.review_rounds_yearly_open_task", "50 8 1 12 *"),
    "assessment-remind": ("evaluations.tasks.assessment_remind_task", "0 9 10 1 *"),
    "yearly-report": ("reports.tasks.report_export_yearly_task", "0 4 15 1 *"),
    # DOMAIN §8: holidays and make-up workdays come pre-filled from a maintained calendar library (weekly).
    "calendar-fill": ("branches.tasks.calendar_fill_task", "50 2 * * 1"),
}


def test_every_entry_is_a_registered_scheduled_job():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        assert isinstance(app.tasks[entry["task"]], ScheduledJob), name
        assert set(entry) <= {"task", "schedule", "args", "kwargs", "options"}, name  # beat's own keys only


def test_every_job_is_described_in_chinese():
    assert set(settings.JOB_DESCRIPTIONS) == set(settings.CELERY_BEAT_SCHEDULE)
    for name, description in settings.JOB_DESCRIPTIONS.items():
        assert any("\u4e00" <= char <= "\u9fff" for char in description), name


def test_one_task_per_job():
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert len(tasks) == len(set(tasks))  # the run record names the job by its task


@pytest.mark.parametrize("name", sorted(CADENCES))
def test_each_cadence_of_domain_6_is_scheduled(name):
    task, cron = CADENCES[name]
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    assert entry["task"] == task
    assert cron_text(entry["schedule"]) == f"cron {cron}"


def test_the_points_reset_is_the_first_of_january_run_of_points_settle():
    schedule = settings.CELERY_BEAT_SCHEDULE["points-settle"]["schedule"]
    assert 1 in schedule.month_of_year and schedule.day_of_month == {1}


def test_the_schedule_runs_in_shanghai_time():
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_every_job_runs_by_hand_and_twice_sends_nothing_new(cast, capsys, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("reports.actions.yearly_report_xlsx", lambda **kwargs: b"PK workbook")
    for name in settings.CELERY_BEAT_SCHEDULE:
        call_command("run_job", name)
        json.loads(capsys.readouterr().out.strip().splitlines()[-1])  # a small JSON summary
        before = sorted(Notification.objects.values_list("recipient_id", "key"))
        call_command("run_job", name)
        second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert sorted(Notification.objects.values_list("recipient_id", "key")) == before, name
        assert second.get("reminded", 0) == 0 and second.get("opened", 0) == 0, name
        assert list(JobRun.objects.filter(name=name).values_list("outcome", flat=True)) == ["ok", "ok"], name
