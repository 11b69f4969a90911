"""Working-day arithmetic (ORM-free): weekends and public holidays are skipped, make-up workdays (调休上班) count.

The calendar itself (which dates are holidays or make-up workdays) is data kept by 组织部; callers pass it in.
"""

import datetime
from collections.abc import Collection


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
