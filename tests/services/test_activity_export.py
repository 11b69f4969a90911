"""The activities export: the user's scope only, user text never a formula, Chinese headers, constant queries."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from services import actions
from services.models import ActivityCategory
from services.resources import EXPORT_ACTIVITY_HEADERS, EXPORT_ATTENDANCE_HEADERS
from tests.harness import at_most

pytestmark = pytest.mark.django_db
EXPORT = reverse("services:activity_export")


def _register(cast, organisation, title, people, days_ago=5):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    record = actions.ActivityRecord(
        title=title,
        category=ActivityCategory.objects.get(code="health"),
        place="社区",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        organisation=organisation,
        participants=[actions.ParticipantRecord(person=p) for p in people],
        figures={"served_people": 10},
    )
    actions.activities_register_bulk(actor=cast.orgadmin, activities=[record])


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_export_has_two_chinese_sheets_only_the_users_scope_and_no_formulas(cast, login):
    _register(cast, cast.branch_a, "=cmd|' /C calc'!A0", [cast.person_a, cast.member_person])
    _register(cast, cast.branch_b, "乙支部活动", [cast.person_b])
    response = login(cast.secretary).get(EXPORT)
    assert response.status_code == 200
    book = _workbook(response)
    activities, attendance = book["活动"], book["出勤"]
    assert [c.value for c in activities[1]] == EXPORT_ACTIVITY_HEADERS
    assert [c.value for c in attendance[1]] == EXPORT_ATTENDANCE_HEADERS
    rows = list(activities.iter_rows(min_row=2))
    assert len(rows) == 1
    title = rows[0][0]
    assert title.value == "=cmd|' /C calc'!A0" and title.data_type == "s"
    assert rows[0][8].value == 2 and rows[0][10].value == 4  # 人次, 时长合计
    names = {row[2].value for row in attendance.iter_rows(min_row=2)}
    assert names == {cast.person_a.name, cast.member_person.name}
    event = AuditEvent.objects.get(action="activity.export")
    assert event.changes["activities"] == 1 and event.changes["attendance"] == 2


def test_export_filters_by_date_range(cast, login):
    _register(cast, cast.branch_a, "近期", [cast.person_a], days_ago=3)
    _register(cast, cast.branch_a, "早期", [cast.person_a], days_ago=60)
    start = timezone.localdate() - datetime.timedelta(days=10)
    response = login(cast.secretary).get(EXPORT, {"start": start.isoformat()})
    titles = [row[0].value for row in _workbook(response)["活动"].iter_rows(min_row=2)]
    assert titles == ["近期"]


def test_member_who_manages_nothing_gets_404(cast, login):
    assert login(cast.member).get(EXPORT).status_code == 404


def test_export_queries_do_not_grow_with_activities(cast, login):
    client = login(cast.secretary)
    _register(cast, cast.branch_a, "一", [cast.person_a])
    with at_most(30) as few:
        client.get(EXPORT)
    for index in range(8):
        _register(cast, cast.branch_a, f"活动{index}", [cast.person_a, cast.member_person], days_ago=index + 1)
    with at_most(len(few.captured_queries)):
        client.get(EXPORT)
