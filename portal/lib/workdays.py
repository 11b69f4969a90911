"""Working-day arithmetic (ORM-free): weekends and public holidays are skipped, make-up workdays (调休上班) count.

The calendar itself (which dates are holidays or make-up workdays) is data kept by 组织部; callers pass it in.
`official_calendar` reads the State Council's published arrangements from the `chinesecalendar` package, which
the branches app copies into that data (calendar_fill); the package knows a year once its maintainers have added
the arrangement (published each November or December), so a new release of it brings the next year.
"""

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar.constants import Holiday

# The package names each day by the festival's English name; the portal shows the Chinese one.
FESTIVAL_NAMES = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.national_day.value: "国庆节",
    Holiday.anti_fascist_70th_day.value: "抗战胜利70周年纪念日",
}
UNKNOWN_FESTIVAL = "法定节假日"  # a festival a later release of the package might add before this table knows it
MAKE_UP_SUFFIX = "调休上班"
OFFICIAL_CALENDAR_SOURCE = f"chinesecalendar {chinese_calendar.__version__}"  # named in the audit of a fill


@dataclass(frozen=True)
class OfficialDay:
    date: datetime.date
    is_holiday: bool  # False: a make-up workday (调休上班)
    name: str


def official_calendar_years() -> frozenset[int]:
    """The years whose arrangement the installed package knows."""
    return frozenset(day.year for day in chinese_calendar.holidays) | frozenset(
        day.year for day in chinese_calendar.workdays
    )


def official_calendar(years: Iterable[int]) -> list[OfficialDay]:
    """Every public holiday and make-up workday of the given years, by date, with Chinese names: 国庆节 and
    国庆节调休上班. Days off that fall on a weekend inside a holiday are holidays too, as the arrangement lists them."""
    wanted = set(years)
    days = [
        OfficialDay(day, True, FESTIVAL_NAMES.get(name, UNKNOWN_FESTIVAL))
        for day, name in chinese_calendar.holidays.items()
        if day.year in wanted
    ]
    days += [
        OfficialDay(day, False, FESTIVAL_NAMES.get(name, "") + MAKE_UP_SUFFIX)
        for day, name in chinese_calendar.workdays.items()
        if day.year in wanted
    ]
    return sorted(days, key=lambda official: official.date)


def is_working_day(
    day: datetime.date, holidays: Collection[datetime.date] = (), workdays: Collection[datetime.date] = ()
) -> bool:
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(
    start: datetime.date,
    days: int,
    holidays: Collection[datetime.date] = (),
    workdays: Collection[datetime.date] = (),
) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted): received on a Friday with a
    5-day deadline, the deadline is the next Friday."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            remaining -= 1
    return day


def working_days_between(
    start: datetime.date,
    end: datetime.date,
    holidays: Collection[datetime.date] = (),
    workdays: Collection[datetime.date] = (),
) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day, holidays, workdays)
    return count
