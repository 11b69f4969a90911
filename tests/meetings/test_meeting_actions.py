"""Meeting actions: the happy paths, every refusal with its Chinese message, and archived immutability."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from branches.models import Person, PoliticalStatus
from meetings import actions
from meetings.models import Meeting, MeetingAttachment, MeetingAttendance
from portal.models import AuditEvent, Notification
from services.actions import activity_create
from services.models import Activity, ActivityCategory
from tests.factories import member
from tests.meetings.conftest import mark_all, plan

pytestmark = pytest.mark.django_db
Status = MeetingAttendance.Status


def statuses(meeting: Meeting) -> dict[str, str]:
    return dict(meeting.attendances.values_list("person__name", "status"))


# Planning ----------------------------------------------------------------------------------------------------


def test_plan_snapshots_expected_attendees_by_kind(cast):
    general = plan(cast.branch_a, actor=cast.secretary)
    assert set(statuses(general)) == {"甲书记", "甲党员", "甲群众党员"}
    assert set(statuses(general).values()) == {Status.UNMARKED}
    committee = plan(cast.branch_a, kind=Meeting.Kind.COMMITTEE, actor=cast.secretary)
    assert set(statuses(committee)) == {"甲书记"}  # the committee: current 书记/副书记/委员 only
    assert AuditEvent.objects.filter(action="meeting.plan", object_id=str(general.pk)).exists()


def test_plan_leaves_out_non_members_and_people_off_the_roll(cast):
    gone = member(cast.branch_a, name="已转出党员")
    Person.objects.filter(pk=gone.pk).update(is_active_member=False)  # as a 转出 event leaves it
    from tests.factories import PersonFactory

    PersonFactory(organisation=cast.branch_a, name="群众甲", political_status=PoliticalStatus.MASSES)
    meeting = plan(cast.branch_a)
    assert "已转出党员" not in statuses(meeting) and "群众甲" not in statuses(meeting)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": Meeting.Kind.LECTURE}, "党课请填写授课人。"),
        ({"kind": Meeting.Kind.GENERAL, "lecturer": "secretary"}, "只有党课需要填写授课人。"),
        ({"kind": Meeting.Kind.GENERAL, "review_round_id": 3}, "只有民主评议可以关联评议轮次。"),
    ],
)
def test_plan_refusals(cast, fields, message):
    if fields.get("lecturer") == "secretary":
        fields["lecturer"] = cast.secretary_person
    with pytest.raises(ValidationError) as error:
        plan(cast.branch_a, actor=cast.secretary, **fields)
    assert message in error.value.messages
    assert not Meeting.objects.exists()


def test_plan_outside_scope_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        plan(cast.branch_a, actor=cast.outsider)
    assert "所选党组织不在您的管理范围内。" in error.value.messages


def test_committee_meeting_needs_a_committee(cast):
    with pytest.raises(ValidationError) as error:
        plan(cast.general_branch, kind=Meeting.Kind.COMMITTEE)
    assert "该党组织没有在任的委员，不能召开支部委员会。" in error.value.messages


def _activity(organisation) -> Activity:
    starts = timezone.now() - datetime.timedelta(hours=3)
    return activity_create(
        actor=None,
        title="主题党日志愿服务",
        category=ActivityCategory.objects.get(code="health"),
        place="社区",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        organisation=organisation,
    )


def test_theme_day_links_one_service_activity_once(cast):
    activity = _activity(cast.branch_a)
    meeting = plan(cast.branch_a, kind=Meeting.Kind.THEME_DAY, activity=activity)
    assert activity.meeting == meeting
    with pytest.raises(ValidationError) as error:
        plan(cast.branch_a, kind=Meeting.Kind.THEME_DAY, activity=activity)
    assert "该服务活动已关联另一次主题党日。" in error.value.messages
    with pytest.raises(ValidationError) as error:
        plan(cast.branch_a, kind=Meeting.Kind.GENERAL, activity=_activity(cast.branch_a))
    assert "只有主题党日可以关联服务活动。" in error.value.messages
    with pytest.raises(ValidationError) as error:
        plan(cast.branch_a, kind=Meeting.Kind.THEME_DAY, activity=_activity(cast.branch_b))
    assert "关联的服务活动须由本党组织或其下级组织开展。" in error.value.messages


def test_update_changes_fields_and_refuses_unknown_and_outsider(cast, future_meeting):
    meeting = actions.meeting_update(actor=cast.secretary, meeting=future_meeting, topic="新主题", place="会议室")
    assert (meeting.topic, meeting.place) == ("新主题", "会议室")
    with pytest.raises(ValidationError) as error:
        actions.meeting_update(actor=cast.secretary, meeting=meeting, kind=Meeting.Kind.LIFE)
    assert error.value.messages == ["不能直接修改：kind"]
    with pytest.raises(ValidationError) as error:
        actions.meeting_update(actor=cast.outsider, meeting=meeting, topic="x")
    assert error.value.messages == ["该会议不在您的管理范围内。"]


def test_update_of_a_planned_meeting_takes_in_new_members(cast, future_meeting):
    member(cast.branch_a, name="新转入党员")
    actions.meeting_update(actor=None, meeting=future_meeting, topic="再议")
    assert "新转入党员" in statuses(future_meeting)


# Holding, attendance, quorum --------------------------------------------------------------------------------


def test_hold_refuses_a_meeting_not_yet_started(cast, future_meeting):
    with pytest.raises(ValidationError) as error:
        actions.meeting_hold(actor=cast.secretary, meeting=future_meeting)
    assert error.value.messages == ["会议尚未开始，不能登记为已召开。"]
    future_meeting.refresh_from_db()
    assert future_meeting.state == Meeting.State.PLANNED


def test_hold_twice_is_refused(cast, past_meeting):
    actions.meeting_hold(actor=cast.secretary, meeting=past_meeting, minutes="纪要")
    with pytest.raises(ValidationError) as error:
        actions.meeting_hold(actor=cast.secretary, meeting=past_meeting)
    assert error.value.messages == ["只有计划召开的会议可以登记为已召开。"]


def test_general_meeting_quorum_counts_full_members_only(cast, past_meeting):
    """3 voting members: 2 present is a quorum, 1 is not; a probationary member present does not count."""
    trainee = member(cast.branch_a, name="预备党员甲")
    trainee.political_status = PoliticalStatus.PROBATIONARY
    trainee.save()
    actions.expected_sync(meeting=past_meeting)
    mark = actions.AttendanceMark
    actions.attendance_record(
        actor=cast.secretary,
        meeting=past_meeting,
        marks=[mark(cast.secretary_person.pk, Status.PRESENT), mark(trainee.pk, Status.PRESENT)],
    )
    held = actions.meeting_hold(actor=cast.secretary, meeting=past_meeting, minutes="纪要")
    assert held.state == Meeting.State.HELD and held.quorum_met is False  # 1 of 3 voters: flagged, not refused
    actions.attendance_record(actor=cast.secretary, meeting=held, marks=[mark(cast.member_person.pk, Status.PRESENT)])
    held.refresh_from_db()
    assert held.quorum_met is True


def test_committee_quorum_and_other_kinds_have_none(cast):
    committee = plan(cast.branch_a, kind=Meeting.Kind.COMMITTEE)
    mark_all(committee, Status.ABSENT)
    committee.refresh_from_db()
    assert committee.quorum_met is False
    lecture = plan(cast.branch_a, kind=Meeting.Kind.LECTURE, lecturer=cast.secretary_person)
    mark_all(lecture, Status.ABSENT)
    lecture.refresh_from_db()
    assert lecture.quorum_met is None


def test_attendance_refusals_change_nothing(cast, past_meeting, future_meeting):
    mark = actions.AttendanceMark
    with pytest.raises(ValidationError) as error:
        actions.attendance_record(
            actor=cast.secretary, meeting=future_meeting, marks=[mark(cast.member_person.pk, Status.PRESENT)]
        )
    assert error.value.messages == ["会议开始后才能登记出勤。"]
    with pytest.raises(ValidationError) as error:
        actions.attendance_record(
            actor=cast.secretary,
            meeting=past_meeting,
            marks=[mark(cast.member_person.pk, Status.PRESENT), mark(cast.person_b.pk, Status.PRESENT)],
        )
    assert error.value.messages == [f"人员（编号 {cast.person_b.pk}）不在本次会议的应到人员中。"]
    with pytest.raises(ValidationError) as error:
        actions.attendance_record(actor=cast.secretary, meeting=past_meeting, marks=[mark(cast.member_person.pk, "x")])
    assert error.value.messages == ["甲党员：出勤状态无效。"]
    with pytest.raises(ValidationError) as error:
        actions.attendance_record(
            actor=cast.outsider, meeting=past_meeting, marks=[mark(cast.member_person.pk, Status.PRESENT)]
        )
    assert error.value.messages == ["该会议不在您的管理范围内。"]
    assert set(statuses(past_meeting).values()) == {Status.UNMARKED}


def test_leave_recorded_by_the_secretary_counts_as_approved(cast, past_meeting):
    actions.attendance_record(
        actor=cast.secretary,
        meeting=past_meeting,
        marks=[actions.AttendanceMark(cast.member_person.pk, Status.LEAVE, leave_reason="出差")],
    )
    row = past_meeting.attendances.get(person=cast.member_person)
    assert (row.status, row.leave_reason, row.leave_decision) == (Status.LEAVE, "出差", "approved")
    assert row.leave_decided_by == cast.secretary


# Leave -------------------------------------------------------------------------------------------------------


def test_leave_request_and_approval(cast, future_meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = actions.leave_request(actor=cast.member, meeting=future_meeting, reason="  出差  ")
    assert (row.status, row.leave_reason, row.leave_decision) == (Status.LEAVE, "出差", "pending")
    # the branch secretary hears of it
    assert Notification.objects.filter(recipient=cast.secretary, title__contains="甲党员 申请请假").exists()
    row = actions.leave_decide(actor=cast.secretary, attendance=row, approve=True)
    assert (row.status, row.leave_decision, row.leave_decided_by) == (Status.LEAVE, "approved", cast.secretary)
    with pytest.raises(ValidationError) as error:
        actions.leave_request(actor=cast.member, meeting=future_meeting, reason="再请")
    assert error.value.messages == ["您的请假已获批准。"]
    with pytest.raises(ValidationError) as error:
        actions.leave_decide(actor=cast.secretary, attendance=row, approve=False)
    assert error.value.messages == ["没有待批准的请假。"]


def test_declined_leave_puts_the_member_back_on_the_list(cast, future_meeting):
    row = actions.leave_request(actor=cast.member, meeting=future_meeting, reason="家中有事")
    row = actions.leave_decide(actor=cast.secretary, attendance=row, approve=False)
    assert (row.status, row.leave_decision) == (Status.UNMARKED, "declined")


def test_leave_refusals(cast, past_meeting, future_meeting):
    with pytest.raises(ValidationError) as error:
        actions.leave_request(actor=cast.member, meeting=past_meeting, reason="出差")
    assert error.value.messages == ["会议已开始，不能再请假。"]
    with pytest.raises(ValidationError) as error:
        actions.leave_request(actor=cast.member, meeting=future_meeting, reason="   ")
    assert error.value.messages == ["请填写请假事由。"]
    with pytest.raises(ValidationError) as error:
        actions.leave_request(actor=cast.outsider, meeting=future_meeting, reason="出差")
    assert error.value.messages == ["您不在本次会议的应到人员中。"]
    row = actions.leave_request(actor=cast.member, meeting=future_meeting, reason="出差")
    with pytest.raises(ValidationError) as error:
        actions.leave_decide(actor=cast.outsider, attendance=row, approve=True)
    assert error.value.messages == ["该会议不在您的管理范围内。"]
    row.refresh_from_db()
    assert row.leave_decision == "pending"


# Archiving and immutability ---------------------------------------------------------------------------------


def _archived(cast) -> Meeting:
    meeting = plan(cast.branch_a)
    mark_all(meeting, Status.PRESENT)
    meeting = actions.meeting_hold(actor=cast.secretary, meeting=meeting, minutes="纪要", decisions="决定")
    return actions.meeting_archive(actor=cast.secretary, meeting=meeting)


def test_archive_lists_what_is_missing(cast, past_meeting, future_meeting):
    with pytest.raises(ValidationError) as error:
        actions.meeting_archive(actor=cast.secretary, meeting=future_meeting)
    assert error.value.messages == ["只有已召开的会议可以归档。"]
    held = actions.meeting_hold(actor=cast.secretary, meeting=past_meeting)
    with pytest.raises(ValidationError) as error:
        actions.meeting_archive(actor=cast.secretary, meeting=held)
    assert error.value.messages == ["请先填写会议纪要。", "还有 3 人未登记出勤。"]


def test_archived_meeting_is_never_edited(cast):
    meeting = _archived(cast)
    assert meeting.state == Meeting.State.ARCHIVED and meeting.archived_at is not None
    refusals = [
        lambda: actions.meeting_update(actor=cast.secretary, meeting=meeting, topic="改"),
        lambda: actions.meeting_hold(actor=cast.secretary, meeting=meeting),
        lambda: actions.meeting_archive(actor=cast.secretary, meeting=meeting),
        lambda: mark_all(meeting, Status.ABSENT, actor=cast.secretary),
        lambda: actions.leave_request(actor=cast.member, meeting=meeting, reason="补请"),
        lambda: actions.meeting_attachments_add(
            actor=cast.secretary, meeting=meeting, files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")]
        ),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError) as error:
            refuse()
        assert error.value.messages == [actions.ARCHIVED]
    meeting.refresh_from_db()
    assert meeting.topic == "学习贯彻会议精神" and set(statuses(meeting).values()) == {Status.PRESENT}


def test_a_correction_is_a_note(cast):
    meeting = _archived(cast)
    note = actions.meeting_note_add(actor=cast.secretary, meeting=meeting, text="纪要第二条应为……")
    assert list(meeting.notes.all()) == [note] and note.author == cast.secretary
    with pytest.raises(ValidationError) as error:
        actions.meeting_note_add(actor=cast.secretary, meeting=meeting, text=" ")
    assert error.value.messages == ["请填写更正说明。"]
    with pytest.raises(ValidationError) as error:
        actions.meeting_note_add(actor=cast.outsider, meeting=meeting, text="越权")
    assert error.value.messages == ["该会议不在您的管理范围内。"]


# Attachments -------------------------------------------------------------------------------------------------


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def test_attachments_photo_cleaned_and_pdf_kept(cast, past_meeting):
    files = [SimpleUploadedFile("p.png", _png()), SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF")]
    assert actions.meeting_attachments_add(actor=cast.secretary, meeting=past_meeting, files=files) == 2
    photo, document = MeetingAttachment.objects.order_by("pk")
    assert photo.kind == "photo" and photo.file.name.endswith(".jpg") and photo.file.read()[:2] == b"\xff\xd8"
    assert document.kind == "document" and document.name == "纪要.pdf" and document.file.read() == b"%PDF-1.4\n%%EOF"


def test_attachments_refuse_anything_else_and_write_nothing(cast, past_meeting):
    files = [SimpleUploadedFile("p.png", _png()), SimpleUploadedFile("x.exe", b"MZ\x90\x00")]
    with pytest.raises(ValidationError) as error:
        actions.meeting_attachments_add(actor=cast.secretary, meeting=past_meeting, files=files)
    assert "第 2 个附件（x.exe）不是有效的图片文件" in error.value.messages[0]
    assert "文件只能上传 PDF" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        actions.meeting_attachments_add(actor=cast.secretary, meeting=past_meeting, files=[])
    assert error.value.messages == ["请选择要上传的照片或文件。"]
    assert not MeetingAttachment.objects.exists()
