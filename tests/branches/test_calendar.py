"""The holiday calendar filled from the `chinesecalendar` package: 2025 as the State Council published it, Chinese
names, a date 组织部 kept is never touched, a second fill adds nothing, a year the package does not know is
reported, and the command IT staff run. Every year here is explicit: nothing depends on today."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from branches.actions import calendar_fill, calendar_fill_years, reference_row_save
from branches.models import CalendarDay
from branches.selectors import working_calendar, working_day_deadline
from portal.lib.workdays import official_calendar, official_calendar_years
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NATIONAL_DAY_2025 = [datetime.date(2025, 10, 1) + offset * DAY for offset in range(8)]
NOT_PUBLISHED = 2099  # a year no release of the package will know while these tests live


def rows(year: int) -> dict[datetime.date, tuple[str, str]]:
    return {row.date: (row.kind, row.name) for row in CalendarDay.objects.filter(date__year=year)}


def test_2025_is_filled_as_published_with_chinese_names(cast):
    summary = calendar_fill(actor=cast.orgadmin, years=[2025])

    kept = rows(2025)
    # 国庆节、中秋节: 1–8 October off (the 6th is 中秋节 itself), Sunday 28 September and Saturday 11 October worked
    assert [kept[day][0] for day in NATIONAL_DAY_2025] == [CalendarDay.Kind.HOLIDAY] * 8
    assert kept[datetime.date(2025, 10, 1)][1] == "国庆节"
    assert kept[datetime.date(2025, 10, 6)][1] == "中秋节"
    assert kept[datetime.date(2025, 9, 28)] == (CalendarDay.Kind.WORKDAY, "国庆节调休上班")
    assert kept[datetime.date(2025, 10, 11)] == (CalendarDay.Kind.WORKDAY, "国庆节调休上班")
    # the other festivals, one day each
    assert kept[datetime.date(2025, 1, 1)] == (CalendarDay.Kind.HOLIDAY, "元旦")
    assert kept[datetime.date(2025, 1, 29)] == (CalendarDay.Kind.HOLIDAY, "春节")
    assert kept[datetime.date(2025, 1, 26)] == (CalendarDay.Kind.WORKDAY, "春节调休上班")
    assert kept[datetime.date(2025, 4, 4)] == (CalendarDay.Kind.HOLIDAY, "清明节")
    assert kept[datetime.date(2025, 5, 1)] == (CalendarDay.Kind.HOLIDAY, "劳动节")
    assert kept[datetime.date(2025, 5, 31)] == (CalendarDay.Kind.HOLIDAY, "端午节")
    # ordinary days are not in the calendar, and every name is Chinese
    assert datetime.date(2025, 10, 9) not in kept and datetime.date(2025, 10, 12) not in kept
    assert all(name and not any("a" <= char.lower() <= "z" for char in name) for _, name in kept.values())

    assert summary == {"added": {"2025": len(kept)}, "unknown_years": []}
    assert len(kept) == len(official_calendar([2025])) == 33  # 28 days off, 5 make-up workdays
    event = AuditEvent.objects.get(action="calendarday.fill")
    assert event.actor == cast.orgadmin
    assert event.changes["added"] == {"2025": 33}
    assert "2025 年 33 天" in event.summary


def test_a_second_fill_adds_nothing_and_audits_nothing(cast):
    calendar_fill(actor=None, years=[2025])
    before = rows(2025)

    assert calendar_fill(actor=None, years=[2025]) == {"added": {"2025": 0}, "unknown_years": []}
    assert rows(2025) == before
    assert AuditEvent.objects.filter(action="calendarday.fill").count() == 1


def test_a_date_the_org_department_edited_is_left_alone(cast):
    # 组织部 kept 1 October as its own row, and (say) made 8 October a working day for the district
    reference_row_save(
        actor=cast.orgadmin,
        instance=CalendarDay(date=datetime.date(2025, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节（区定）"),
        changed=["date", "kind", "name"],
    )
    reference_row_save(
        actor=cast.orgadmin,
        instance=CalendarDay(date=datetime.date(2025, 10, 8), kind=CalendarDay.Kind.WORKDAY, name="区内值班"),
        changed=["date", "kind", "name"],
    )

    summary = calendar_fill(actor=None, years=[2025])

    kept = rows(2025)
    assert kept[datetime.date(2025, 10, 1)] == (CalendarDay.Kind.HOLIDAY, "国庆节（区定）")
    assert kept[datetime.date(2025, 10, 8)] == (CalendarDay.Kind.WORKDAY, "区内值班")
    assert kept[datetime.date(2025, 10, 2)] == (CalendarDay.Kind.HOLIDAY, "国庆节")
    assert summary["added"] == {"2025": 31}


def test_a_year_the_package_does_not_know_is_reported_and_the_known_ones_filled(cast):
    summary = calendar_fill(actor=None, years=[NOT_PUBLISHED, 2024])
    assert summary == {"added": {"2024": 36}, "unknown_years": [NOT_PUBLISHED]}
    assert not CalendarDay.objects.filter(date__year=NOT_PUBLISHED).exists()
    assert calendar_fill(actor=None, years=[NOT_PUBLISHED]) == {"added": {}, "unknown_years": [NOT_PUBLISHED]}
    assert AuditEvent.objects.filter(action="calendarday.fill").count() == 1  # nothing added: nothing to audit


def test_only_the_org_department_fills_the_calendar(cast):
    with pytest.raises(ValidationError, match="只有组织部"):
        calendar_fill(actor=cast.secretary, years=[2025])
    assert not CalendarDay.objects.exists()


def test_the_default_years_are_this_year_and_next_and_any_later_one_known():
    assert calendar_fill_years(today=datetime.date(2025, 6, 1)) == [2025, 2026]
    last_known = max(official_calendar_years())
    assert calendar_fill_years(today=datetime.date(last_known, 12, 1)) == [last_known, last_known + 1]
    assert calendar_fill_years(today=datetime.date(last_known - 3, 1, 1)) == list(range(last_known - 3, last_known + 1))


def test_deadlines_after_the_fill_skip_the_national_day_holidays(cast):
    friday = datetime.date(2025, 9, 26)
    assert working_day_deadline(start=friday, days=5) == datetime.date(2025, 10, 3)  # weekends only
    calendar_fill(actor=None, years=[2025])
    # Sun 28 Sep (worked) 1, Mon 29 2, Tue 30 3, [1–8 Oct off], Thu 9 4, Fri 10 5
    assert working_day_deadline(start=friday, days=5) == datetime.date(2025, 10, 10)
    holidays, workdays = working_calendar()
    assert set(NATIONAL_DAY_2025) <= holidays
    assert {datetime.date(2025, 9, 28), datetime.date(2025, 10, 11)} <= workdays


# The command ----------------------------------------------------------------------------------------------


def test_the_command_fills_the_years_named_and_says_what_it_did(cast):
    out = StringIO()
    call_command("calendar_fill", "--year", "2025", "--year", str(NOT_PUBLISHED), stdout=out)
    assert "2025 年：新增 33 天" in out.getvalue()
    assert f"{NOT_PUBLISHED} 年：节假日库尚无该年的安排" in out.getvalue()
    assert len(rows(2025)) == 33

    out = StringIO()
    call_command("calendar_fill", "--year", "2025", stdout=out)
    assert out.getvalue().strip() == "2025 年：已是最新，无需补充"


def test_the_command_refuses_an_absurd_year():
    with pytest.raises(CommandError, match="年度须在"):
        call_command("calendar_fill", "--year", "25")
    assert not CalendarDay.objects.exists()
