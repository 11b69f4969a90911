"""The branches jobs, each run twice (the second run changes nothing). The mobile-member job (every 2 months):
reports falling due remind the member, overdue ones also the branch secretary; each reminder once per record and
due date. The calendar job (weekly): this year's and next year's holidays once, and 组织部 reminded once of a near
year the calendar package does not know."""

import datetime

import pytest
from django.urls import resolve

from branches.actions import mobile_departure_record, mobile_report_record, reference_row_save
from branches.models import CalendarDay, MobileReport
from branches.tasks import calendar_fill_task, mobile_reports_remind_task
from portal.models import JobRun, Notification, User
from tests.jobs import run as run_task
from tests.jobs import sent

pytestmark = pytest.mark.django_db


def run(**kwargs) -> dict:
    return run_task(mobile_reports_remind_task, **kwargs)


def depart(person, leave: datetime.date):
    return mobile_departure_record(actor=None, person=person, leave_date=leave, destination="广东省深圳市")


def test_due_and_overdue_reports_reminded_once_each(cast, mailoutbox):
    User.objects.filter(username__in=["member", "secretary"]).update(email="x@example.org")
    member = depart(cast.member_person, datetime.date(2025, 1, 10))  # due 10 March, overdue after the 17th
    no_login = depart(cast.person_b, datetime.date(2025, 1, 10))  # branch B, no account
    depart(cast.person_a, datetime.date(2025, 5, 1))  # due 1 July: after the next run, not yet announced

    summary = run(today="2025-03-20")

    assert summary == {"due": 2, "overdue": 2, "reminded": 3, "no_account": 1}
    assert sent() == sorted(
        [
            ("member", f"mobile-report-due:{member.pk}:20250310"),
            ("secretary", f"mobile-report-overdue:{member.pk}:20250310"),
            ("outsider", f"mobile-report-overdue:{no_login.pk}:20250310"),  # B's record: B's secretary only
        ]
    )
    notice = Notification.objects.get(recipient__username="member")
    assert "2025年03月10日" in notice.title
    assert resolve(notice.url).url_name == "mobile_detail"
    assert sorted(mail.to[0] for mail in mailoutbox) == ["x@example.org", "x@example.org"]
    assert JobRun.objects.get(name="mobile-reports-remind").outcome == JobRun.Outcome.OK

    before, mails = sent(), len(mailoutbox)
    assert run(today="2025-03-20") == {"due": 2, "overdue": 2, "reminded": 0, "no_account": 1}
    assert sent() == before
    assert len(mailoutbox) == mails


def test_a_report_moves_the_due_date_and_the_next_period_is_announced_afresh(cast):
    record = depart(cast.member_person, datetime.date(2025, 1, 10))
    run(today="2025-03-01")  # due 10 March, not overdue yet: the member only
    assert sent() == [("member", f"mobile-report-due:{record.pk}:20250310")]

    mobile_report_record(
        actor=None, mobile_member=record, kind=MobileReport.Kind.WRITTEN, date=datetime.date(2025, 3, 8), content="汇报"
    )
    assert run(today="2025-05-01") == {"due": 1, "overdue": 0, "reminded": 1, "no_account": 0}
    assert sent() == [
        ("member", f"mobile-report-due:{record.pk}:20250310"),
        ("member", f"mobile-report-due:{record.pk}:20250508"),
    ]
    assert run(today="2025-05-01")["reminded"] == 0


def test_a_returned_member_is_not_reminded(cast):
    from branches.actions import mobile_return_record

    record = depart(cast.member_person, datetime.date(2025, 1, 10))
    mobile_return_record(actor=None, mobile_member=record, date=datetime.date(2025, 2, 1))
    assert run(today="2025-03-20") == {"due": 0, "overdue": 0, "reminded": 0, "no_account": 0}
    assert not Notification.objects.exists()


# The holiday calendar (weekly) --------------------------------------------------------------------------------


def test_calendar_fill_job_fills_this_year_and_next_once(cast):
    first = run_task(calendar_fill_task, today="2025-06-02")
    assert first == {"added": {"2025": 33, "2026": 39}, "unknown_years": [], "reminded": 0}
    kept = sorted(CalendarDay.objects.values_list("date", "kind", "name"))
    assert len(kept) == 72 and {day.year for day, _, _ in kept} == {2025, 2026}

    second = run_task(calendar_fill_task, today="2025-06-02")
    assert second == {"added": {"2025": 0, "2026": 0}, "unknown_years": [], "reminded": 0}
    assert sorted(CalendarDay.objects.values_list("date", "kind", "name")) == kept
    assert list(JobRun.objects.filter(name="calendar-fill").values_list("outcome", flat=True)) == ["ok", "ok"]


def test_calendar_fill_job_reminds_the_org_department_of_a_year_nobody_knows_once(cast, mailoutbox):
    User.objects.filter(username="orgadmin").update(email="zzb@example.org")
    # A December in a future no release of the package knows: this year and next are unknown and not entered.
    summary = run_task(calendar_fill_task, today="2098-12-01")

    assert summary == {"added": {}, "unknown_years": [2098, 2099], "reminded": 2}
    assert sent() == [("orgadmin", "calendar-missing:2098"), ("orgadmin", "calendar-missing:2099")]
    notice = Notification.objects.get(key="calendar-missing:2099")
    assert "2099" in notice.title and "calendar_fill" in notice.body
    assert resolve(notice.url).url_name == "branches_calendarday_changelist"
    assert [mail.to for mail in mailoutbox] == [["zzb@example.org"], ["zzb@example.org"]]

    assert run_task(calendar_fill_task, today="2098-12-01")["reminded"] == 0
    assert len(sent()) == 2 and len(mailoutbox) == 2


def test_calendar_fill_job_is_quiet_when_next_year_is_entered_by_hand_or_not_near(cast):
    reference_row_save(
        actor=cast.orgadmin,
        instance=CalendarDay(date=datetime.date(2099, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦"),
        changed=["date", "kind", "name"],
    )
    # June: next year is not near yet; this year (2098) is, and nobody entered it
    assert run_task(calendar_fill_task, today="2098-06-01")["reminded"] == 1
    # December: 2099 has a holiday entered by hand, so only 2098 (already reminded) is missing
    assert run_task(calendar_fill_task, today="2098-12-01")["reminded"] == 0
    assert sent() == [("orgadmin", "calendar-missing:2098")]
