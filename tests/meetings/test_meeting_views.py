"""Meeting pages: happy paths, GET → 405 on every write, the outsider (secretary of B) → 404, members see their own."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meetings import actions
from meetings.models import Meeting, MeetingAttendance
from tests.harness import page_queries
from tests.meetings.conftest import mark_all, plan

pytestmark = pytest.mark.django_db
Status = MeetingAttendance.Status

WRITES = ["meeting_hold", "meeting_archive", "meeting_note_add", "attachments_add", "leave_request"]


def url(name: str, *args) -> str:
    return reverse(f"meetings:{name}", args=args)


def test_list_shows_scope_and_cadence(cast, login):
    plan(cast.branch_a, topic="A支部大会")
    plan(cast.branch_b, topic="B支部大会")
    page = login(cast.secretary).get(url("meeting_list")).content.decode()
    assert "A支部大会" in page and "B支部大会" not in page
    assert "党支部A · " in page and "按期开展情况" in page and "支部委员会" in page


def test_list_filters_by_kind_year_and_state(cast, login):
    plan(cast.branch_a, topic="大会议题")
    plan(cast.branch_a, kind=Meeting.Kind.COMMITTEE, topic="支委议题")
    client = login(cast.secretary)
    page = client.get(url("meeting_list"), {"kind": "committee"}).content.decode()
    assert "支委议题" in page and "大会议题" not in page
    page = client.get(url("meeting_list"), {"year": timezone.localdate().year - 1}).content.decode()
    assert "支委议题" not in page and "大会议题" not in page
    page = client.get(url("meeting_list"), {"state": "held"}).content.decode()
    assert "没有符合条件的会议。" in page
    assert client.get(url("meeting_list"), {"year": "99999999"}).status_code == 200  # refused by the filter form


def test_member_sees_only_own_meetings(cast, login):
    plan(cast.branch_a, topic="全体党员大会")
    committee = plan(cast.branch_a, kind=Meeting.Kind.COMMITTEE, topic="支委会议题")
    client = login(cast.member)
    page = client.get(url("meeting_list")).content.decode()
    assert "全体党员大会" in page and "支委会议题" not in page and "按期开展情况" not in page
    assert client.get(url("meeting_detail", committee.pk)).status_code == 404
    mine = client.get(url("my_meetings")).content.decode()
    assert "全体党员大会" in mine and "支委会议题" not in mine
    assert client.get(url("meeting_plan")).status_code == 404


def test_plan_and_edit(cast, login):
    client = login(cast.secretary)
    assert client.get(url("meeting_plan")).status_code == 200
    starts = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("meeting_plan"),
        {
            "organisation": cast.branch_a.pk,
            "kind": "lecture",
            "topic": "党史学习",
            "starts_at": starts,
            "place": "会议室",
        },
    )
    assert response.status_code == 200 and "党课请填写授课人。" in response.content.decode()
    response = client.post(
        url("meeting_plan"),
        {
            "organisation": cast.branch_a.pk,
            "kind": "lecture",
            "topic": "党史学习",
            "starts_at": starts,
            "place": "会议室",
            "lecturer": cast.secretary_person.pk,
        },
    )
    meeting = Meeting.objects.get(topic="党史学习")
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.attendances.count() == 3
    response = client.post(
        url("meeting_update", meeting.pk),
        {"topic": "党史学习（二）", "starts_at": starts, "place": "会议室", "lecturer": cast.secretary_person.pk},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "党史学习（二）"


def test_outsider_gets_404_everywhere(cast, login):
    meeting = plan(cast.branch_a)
    row = meeting.attendances.first()
    client = login(cast.outsider)
    for name in ["meeting_detail", "meeting_update", "attendance_sheet"]:
        assert client.get(url(name, meeting.pk)).status_code == 404, name
    for name in WRITES:
        assert client.post(url(name, meeting.pk), {"reason": "x", "text": "x"}).status_code == 404, name
    assert client.post(url("leave_decide", meeting.pk, row.pk), {"approve": "1"}).status_code == 404


def test_writes_refuse_get(cast, login):
    meeting = plan(cast.branch_a)
    row = meeting.attendances.first()
    client = login(cast.secretary)
    for name in WRITES:
        assert client.get(url(name, meeting.pk)).status_code == 405, name
    assert client.get(url("leave_decide", meeting.pk, row.pk)).status_code == 405


def test_member_cannot_write(cast, login):
    meeting = plan(cast.branch_a)
    client = login(cast.member)
    assert client.get(url("meeting_update", meeting.pk)).status_code == 403
    assert client.get(url("attendance_sheet", meeting.pk)).status_code == 403
    assert client.post(url("meeting_hold", meeting.pk)).status_code == 403


def test_attendance_sheet_hold_archive_and_note(cast, login):
    meeting = plan(cast.branch_a)
    client = login(cast.secretary)
    sheet = client.get(url("attendance_sheet", meeting.pk)).content.decode()
    assert "甲党员" in sheet and "出席" in sheet and "请假" in sheet and "缺席" in sheet
    body = {f"status_{cast.member_person.pk}": "leave", "all_present": "1"}
    assert client.post(url("attendance_sheet", meeting.pk), body).status_code == 302
    assert dict(meeting.attendances.values_list("person__name", "status")) == {
        "甲书记": Status.PRESENT,
        "甲党员": Status.LEAVE,
        "甲群众党员": Status.PRESENT,
    }
    assert client.post(url("meeting_hold", meeting.pk), {"minutes": "学习了……", "decisions": ""}).status_code == 302
    assert client.post(url("meeting_archive", meeting.pk)).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.ARCHIVED and meeting.minutes == "学习了……"
    page = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert "添加更正说明" in page and url("meeting_update", meeting.pk) not in page
    assert client.post(url("meeting_note_add", meeting.pk), {"text": "更正：时间为19:30"}).status_code == 302
    assert meeting.notes.get().text == "更正：时间为19:30"
    # a refusal comes back on the page as a message
    response = client.post(url("attachments_add", meeting.pk), {"files": SimpleUploadedFile("a.pdf", b"%PDF-1")})
    assert actions.ARCHIVED in [str(m) for m in response.wsgi_request._messages]


def test_archive_refusal_is_shown(cast, login):
    meeting = plan(cast.branch_a)
    actions.meeting_hold(actor=None, meeting=meeting)
    client = login(cast.secretary)
    page = client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert "请先填写会议纪要。" in page and "还有 3 人未登记出勤。" in page
    client.post(url("meeting_archive", meeting.pk))
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD


def test_member_asks_leave_from_my_page_and_secretary_decides(cast, login):
    meeting = plan(cast.branch_a, hours_from_now=24, topic="下周党员大会")
    client = login(cast.member)
    page = client.get(url("my_meetings")).content.decode()
    assert "下周党员大会" in page and "提交请假" in page
    response = client.post(url("leave_request", meeting.pk), {"reason": "出差", "next": "mine"})
    assert response.status_code == 302 and response.url == url("my_meetings")
    row = meeting.attendances.get(person=cast.member_person)
    assert (row.status, row.leave_decision) == (Status.LEAVE, "pending")
    client = login(cast.secretary)
    assert "批准请假" in client.get(url("meeting_detail", meeting.pk)).content.decode()
    assert client.post(url("leave_decide", meeting.pk, row.pk), {"approve": "1"}).status_code == 302
    row.refresh_from_db()
    assert row.leave_decision == "approved"


def test_no_leave_button_once_started(cast, login):
    plan(cast.branch_a, hours_from_now=-1, topic="已开始的会")
    page = login(cast.member).get(url("my_meetings")).content.decode()
    assert "已开始的会" in page and "提交请假" not in page


def test_attachment_served_only_within_scope(cast, login):
    meeting = plan(cast.branch_a)
    actions.meeting_attachments_add(actor=None, meeting=meeting, files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")])
    attachment = meeting.attachments.get()
    response = login(cast.member).get(url("attachment_file", attachment.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"
    assert response["Content-Disposition"].startswith("attachment;")
    assert login(cast.outsider).get(url("attachment_file", attachment.pk)).status_code == 404


# Query counts ------------------------------------------------------------------------------------------------


def _meetings(cast, n: int) -> None:
    for i in range(n):
        meeting = plan(cast.branch_a, topic=f"会议{i}", hours_from_now=-2 - i)
        mark_all(meeting, Status.PRESENT)
        actions.meeting_hold(actor=None, meeting=meeting, minutes="纪要")


@pytest.mark.parametrize(
    ("user", "name"), [("secretary", "meeting_list"), ("member", "meeting_list"), ("member", "my_meetings")]
)
def test_list_pages_do_not_grow_with_rows(cast, login, user, name):
    client = login(getattr(cast, user))
    _meetings(cast, 2)
    client.get(url(name))  # warm caches
    few = page_queries(client, url(name), 15)
    _meetings(cast, 6)
    assert page_queries(client, url(name), 15) == few


def test_attendance_sheet_does_not_grow_with_rows(cast, login):
    from tests.factories import member

    meeting = plan(cast.branch_a)
    client = login(cast.secretary)
    few = page_queries(client, url("attendance_sheet", meeting.pk), 12)
    for i in range(6):
        member(cast.branch_a, name=f"新党员{i}")
    actions.expected_sync(meeting=meeting)
    assert page_queries(client, url("attendance_sheet", meeting.pk), 12) == few
    assert page_queries(client, url("meeting_detail", meeting.pk), 16) > 0
