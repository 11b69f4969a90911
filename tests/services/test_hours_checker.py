"""The hours checker: each of selectors.suspicious_hours_for_user's three checks finds its pattern and leaves clean
data alone, and the page shows them (with a forgiving ?since= filter)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from services import actions, selectors
from services.models import Activity, HoursEntry
from tests.factories import member
from tests.services.hours_helpers import DAY, at, held

pytestmark = pytest.mark.django_db

URL = reverse("services:hours_checker")


def check(user, since=None) -> dict:
    return selectors.suspicious_hours_for_user(user=user, since=since)


# Overlapping activities -------------------------------------------------------------------------------------


def test_one_person_in_two_overlapping_activities_is_listed(cast):
    x = held(cast, "上午义诊", at(DAY, 8), 4, {cast.person_a: None, cast.member_person: None})
    y = held(cast, "中午义诊", at(DAY, 11), 3, {cast.person_a: None})
    rows = check(cast.secretary)["overlaps"]
    assert {(p.person, p.activity, p.other_activity_id) for p in rows} == {
        (cast.person_a, x, y.pk),
        (cast.person_a, y, x.pk),
    }


def test_back_to_back_activities_and_no_shows_are_not_overlaps(cast):
    held(cast, "上午", at(DAY, 8), 3, {cast.person_a: None})
    held(cast, "紧接着", at(DAY, 11), 3, {cast.person_a: None})  # starts when the first ends
    overlapping = held(cast, "同时", at(DAY, 9), 1, {cast.member_person: None})
    p = overlapping.participations.get()
    held(cast, "也同时", at(DAY, 9), 2, {cast.member_person: None})
    actions.attendance_record(actor=cast.secretary, activity=overlapping, marks={p.pk: (False, None)})
    assert check(cast.secretary)["overlaps"] == []


# More than 12 hours in one day ------------------------------------------------------------------------------


def test_more_than_12_hours_in_one_local_day_is_listed(cast):
    held(cast, "早班", at(DAY, 6), 8, {cast.person_a: Decimal(8)})
    held(cast, "晚班", at(DAY, 15), 7, {cast.person_a: Decimal("4.5")})
    rows = check(cast.secretary)["long_days"]
    assert rows == [
        {
            "participation__person_id": cast.person_a.pk,
            "participation__person__name": "甲群众党员",
            "day": datetime.date.fromisoformat(DAY),
            "total": Decimal("12.5"),
        }
    ]


def test_12_hours_or_hours_on_two_local_days_are_not_listed(cast):
    held(cast, "早班", at(DAY, 6), 6, {cast.person_a: Decimal(6)})
    held(cast, "晚班", at(DAY, 14), 6, {cast.person_a: Decimal(6)})  # exactly 12: allowed
    # 23:00 and 01:00 local: the same UTC day (15:00 and 17:00 UTC), different local days
    held(cast, "夜班", at(DAY, 47), 2, {cast.member_person: Decimal(8)})
    held(cast, "凌晨", at(DAY, 49), 6, {cast.member_person: Decimal(6)})
    assert check(cast.secretary)["long_days"] == []


# Recorded more than 30 days after the activity --------------------------------------------------------------


def test_entries_recorded_more_than_30_days_after_the_activity_are_listed(cast):
    late = held(cast, "补录的活动", at(DAY, 8), 3, {cast.person_a: None})
    prompt = held(cast, "及时的活动", at(DAY, 14), 3, {cast.member_person: None})
    # created_at is auto_now_add: move it (test set-up only)
    HoursEntry.objects.filter(participation__activity=late).update(
        created_at=late.ends_at + datetime.timedelta(days=31)
    )
    HoursEntry.objects.filter(participation__activity=prompt).update(
        created_at=prompt.ends_at + datetime.timedelta(days=29)
    )
    rows = check(cast.secretary)["late_entries"]
    assert [(e.participation.person, e.participation.activity) for e in rows] == [(cast.person_a, late)]


# Scope and the date filter ----------------------------------------------------------------------------------


def _everything_suspicious(cast) -> Activity:
    x = held(cast, "重叠甲", at(DAY, 8), 4, {cast.person_a: Decimal(8)})
    held(cast, "重叠乙", at(DAY, 10), 4, {cast.person_a: Decimal(8)})
    HoursEntry.objects.filter(participation__activity=x).update(created_at=x.ends_at + datetime.timedelta(days=40))
    return x


def test_checks_stay_within_scope(cast):
    _everything_suspicious(cast)
    assert all(check(cast.secretary)[name] for name in ("overlaps", "long_days", "late_entries"))
    assert all(check(cast.committee)[name] for name in ("overlaps", "long_days", "late_entries"))
    assert check(cast.outsider) == {"overlaps": [], "long_days": [], "late_entries": []}
    assert check(cast.member) == {"overlaps": [], "long_days": [], "late_entries": []}


def test_since_leaves_out_older_activities(cast):
    _everything_suspicious(cast)
    after = datetime.date.fromisoformat(DAY) + datetime.timedelta(days=1)
    assert check(cast.secretary, since=after) == {"overlaps": [], "long_days": [], "late_entries": []}
    assert check(cast.secretary, since=datetime.date.fromisoformat(DAY))["late_entries"]


# The page ---------------------------------------------------------------------------------------------------


def test_page_lists_each_check_with_links(cast, login):
    x = _everything_suspicious(cast)
    content = login(cast.secretary).get(URL).content.decode()
    assert content.count(x.get_absolute_url()) >= 2  # the overlap table and the late table
    assert reverse("branches:person_detail", args=[cast.person_a.pk]) in content
    assert "16.0" in content or "16" in content  # the long day's total
    assert "未发现" not in content


def test_clean_data_shows_nothing_found(cast, login):
    held(cast, "正常活动", at(DAY, 8), 3, {cast.person_a: None})
    content = login(cast.secretary).get(URL).content.decode()
    assert content.count("未发现") == 3


@pytest.mark.parametrize("since", ["2024-13-45", "abc", "2024/01/01", "0000-00-00"])
def test_bad_since_is_ignored_with_a_message(cast, login, since):
    _everything_suspicious(cast)
    response = login(cast.secretary).get(URL, {"since": since})
    assert response.status_code == 200
    content = response.content.decode()
    assert "日期格式不正确" in content
    assert "重叠甲" in content  # the filter was ignored, not applied


def test_good_since_filters_the_page(cast, login):
    _everything_suspicious(cast)
    later = (datetime.date.fromisoformat(DAY) + datetime.timedelta(days=1)).isoformat()
    content = login(cast.secretary).get(URL, {"since": later}).content.decode()
    assert "重叠甲" not in content and content.count("未发现") == 3
    assert f'value="{later}"' in content


def test_outsider_page_does_not_mention_branch_a(cast, login):
    _everything_suspicious(cast)
    member(cast.branch_b, name="乙人")
    content = login(cast.outsider).get(URL).content.decode()
    assert "重叠甲" not in content and "甲群众党员" not in content
