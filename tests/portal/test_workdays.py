import datetime

import pytest

from portal.lib.workdays import add_working_days, is_working_day, working_days_between

D = datetime.date


def test_weekends_are_skipped():
    assert add_working_days(D(2026, 11, 20), 5) == D(2026, 11, 27)  # Friday + 5 → next Friday
    assert add_working_days(D(2026, 11, 21), 1) == D(2026, 11, 23)  # Saturday + 1 → Monday


def test_holidays_are_skipped_and_make_up_workdays_count():
    # National Day 2026 style: 1–7 October off, Saturday 10 October worked (调休).
    holidays = {D(2026, 10, day) for day in range(1, 8)}
    workdays = {D(2026, 10, 10)}
    assert add_working_days(D(2026, 9, 30), 1, holidays, workdays) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3, holidays, workdays) == D(2026, 10, 10)  # the make-up Saturday
    assert add_working_days(D(2026, 9, 30), 4, holidays, workdays) == D(2026, 10, 12)
    assert not is_working_day(D(2026, 10, 5), holidays, workdays)
    assert is_working_day(D(2026, 10, 10), holidays, workdays)


def test_zero_days_and_negative_days():
    assert add_working_days(D(2026, 11, 20), 0) == D(2026, 11, 20)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 11, 20), -1)


def test_working_days_between_counts_the_same_days_add_working_days_adds():
    holidays = {D(2026, 10, day) for day in range(1, 8)}
    start = D(2026, 9, 28)
    for days in range(0, 15):
        end = add_working_days(start, days, holidays)
        assert working_days_between(start, end, holidays) == days
