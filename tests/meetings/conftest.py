"""Helpers for the meetings tests: a meeting planned in the past or the future, through the actions."""

import datetime

import pytest
from django.utils import timezone

from meetings import actions
from meetings.models import Meeting


def plan(organisation, *, kind=Meeting.Kind.GENERAL, hours_from_now: float = -2, actor=None, **fields) -> Meeting:
    """A meeting of `organisation` starting `hours_from_now` (negative: already started)."""
    fields.setdefault("topic", "学习贯彻会议精神")
    fields.setdefault("place", "党员活动室")
    return actions.meeting_plan(
        actor=actor,
        organisation=organisation,
        kind=kind,
        starts_at=timezone.now() + datetime.timedelta(hours=hours_from_now),
        **fields,
    )


def mark_all(meeting: Meeting, status: str, *, actor=None) -> None:
    marks = [actions.AttendanceMark(person_id=row.person_id, status=status) for row in meeting.attendances.all()]
    actions.attendance_record(actor=actor, meeting=meeting, marks=marks)


@pytest.fixture
def past_meeting(cast) -> Meeting:
    return plan(cast.branch_a)


@pytest.fixture
def future_meeting(cast) -> Meeting:
    return plan(cast.branch_a, hours_from_now=48)
