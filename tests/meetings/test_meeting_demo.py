"""The demo year of organisational life (meetings.demo), on the demo district without the service year."""

import datetime

import pytest

from branches.demo.build import demo_build
from branches.demo.data import BRANCH_A, MEMBER_PHONE, code_for
from branches.models import Organisation, Person
from meetings import selectors
from meetings.demo import meetings_demo_ensure, meetings_demo_summary
from meetings.models import Meeting, MeetingAttendance

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 8)


def test_demo_year_with_every_kind_missed_periods_and_a_second_run_adding_nothing():
    demo_build(today=TODAY)
    meetings_demo_ensure(actor=None, today=TODAY)
    counts = (Meeting.objects.count(), MeetingAttendance.objects.count())
    assert set(Meeting.objects.values_list("kind", flat=True)) >= {
        "general",
        "committee",
        "group",
        "lecture",
        "theme_day",
        "life",
    }
    assert Meeting.objects.filter(state=Meeting.State.ARCHIVED).count() > 100
    assert MeetingAttendance.objects.filter(status="leave").exclude(leave_reason="").exists()
    assert MeetingAttendance.objects.filter(status="absent").exists()
    # the 离退休 branch missed its 支委会 in July and August on purpose
    retired = Organisation.objects.get(code=code_for("retired"))
    rows = selectors.meeting_cadence(organisation=retired, year=2026, today=TODAY)
    committee = next(row for row in rows if row.kind == Meeting.Kind.COMMITTEE)
    assert [p.status for p in committee.periods[5:9]] == ["on_time", "missed", "missed", "on_time"]
    # the demo member has a year of meetings to look at
    member = Person.objects.get(phone=MEMBER_PHONE, organisation__code=code_for(BRANCH_A))
    assert MeetingAttendance.objects.filter(person=member).count() > 15
    assert "组织生活：会议" in meetings_demo_summary()[0]

    meetings_demo_ensure(actor=None, today=TODAY)
    assert (Meeting.objects.count(), MeetingAttendance.objects.count()) == counts
