"""Organisational life: plan, update, hold and archive meetings; attendance, leave, notes and attachments.
Validated, atomic, audited. `actor=None` is the system (tests, set-up, the demo) and skips the access checks.

An archived meeting is never edited: every action that would change it refuses with ARCHIVED; a correction is a
MeetingNote (meeting_note_add), which is the one thing an archived meeting still takes.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Organisation, Person, PoliticalStatus
from branches.selectors import scope_for, secretary_users_for
from meetings.models import Meeting, MeetingAttachment, MeetingAttendance, MeetingNote
from meetings.selectors import COMMITTEE_KINDS, DUE, expected_people, meeting_cadence, meeting_can_write
from portal.actions import notification_send
from portal.audit import audit_record, diff, snapshot
from portal.lib.photos import photo_jpeg, read_bounded
from portal.models import User
from services.models import Activity

ARCHIVED = "会议已归档，不能修改；如需更正，请添加更正说明。"
EDITABLE_FIELDS = ["topic", "starts_at", "place", "host", "recorder", "lecturer", "minutes", "decisions", "activity"]
AUDITED_FIELDS = [*EDITABLE_FIELDS, "state", "quorum_met"]
MAX_ATTACHMENTS_PER_UPLOAD = 10
MAX_ATTACHMENTS_PER_MEETING = 30
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
Status = MeetingAttendance.Status
Decision = MeetingAttendance.LeaveDecision


def _require_write(actor: User | None, meeting: Meeting) -> None:
    if actor is not None and not meeting_can_write(user=actor, meeting=meeting):
        raise ValidationError("该会议不在您的管理范围内。")


def _refuse_archived(meeting: Meeting) -> None:
    if meeting.state == Meeting.State.ARCHIVED:
        raise ValidationError(ARCHIVED)


def _locked(meeting: Meeting) -> Meeting:
    """The meeting row, locked for this transaction: state changes, attendance and leave serialise on it."""
    return Meeting.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=meeting.pk)


def _state(meeting: Meeting, fields: list[str]) -> dict[str, Any]:
    """The audit snapshot, its time to the minute in local time (not a UTC timestamp with microseconds)."""
    state = snapshot(meeting, fields)
    if "starts_at" in state:
        state["starts_at"] = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    return state


def _clean(value: str | None) -> str:
    return (value or "").strip()


# Planning ----------------------------------------------------------------------------------------------------


def meeting_plan_problems(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    lecturer: Person | None = None,
    activity: Activity | None = None,
    meeting: Meeting | None = None,
) -> list[str]:
    """What is wrong with a meeting's organisation, kind, lecturer and linked activity: the rules meeting_plan and
    meeting_update share (`meeting`: the one being edited, which may keep its own activity)."""
    problems = []
    if actor is not None and not scope_for(actor).covers_path(organisation.path):
        problems.append("所选党组织不在您的管理范围内。")
    if organisation.is_archived:
        problems.append("该党组织已撤销。")
    if kind in COMMITTEE_KINDS and not expected_people(organisation=organisation, kind=kind).exists():
        problems.append("该党组织没有在任的委员，不能召开支部委员会。")
    if kind == Meeting.Kind.LECTURE and lecturer is None:
        problems.append("党课请填写授课人。")
    if kind != Meeting.Kind.LECTURE and lecturer is not None:
        problems.append("只有党课需要填写授课人。")
    if activity is not None:
        if kind != Meeting.Kind.THEME_DAY:
            problems.append("只有主题党日可以关联服务活动。")
        if not activity.organisation.path.startswith(organisation.path):
            problems.append("关联的服务活动须由本党组织或其下级组织开展。")
        other = Meeting.objects.filter(activity=activity).exclude(pk=meeting.pk if meeting else None)
        if other.exists():
            problems.append("该服务活动已关联另一次主题党日。")
    return problems


def expected_sync(*, meeting: Meeting) -> int:
    """Brings the meeting's attendance rows in line with who is expected now (new members in; those who left the
    organisation out, unless something was recorded for them). Returns the number of rows added."""
    expected = set(expected_people(organisation=meeting.organisation, kind=meeting.kind).values_list("pk", flat=True))
    rows = {row.person_id: row for row in meeting.attendances.all()}
    missing = expected - set(rows)
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, person_id=person_id) for person_id in sorted(missing)]
    )
    # Rows the system made and nobody touched: no longer expected, they go (nothing a user made is lost).
    stale = [
        row.pk
        for person_id, row in rows.items()
        if person_id not in expected and row.status == Status.UNMARKED and row.leave_decision == Decision.NONE
    ]
    if stale:
        MeetingAttendance.objects.filter(pk__in=stale).delete()
    return len(missing)


@transaction.atomic
def meeting_plan(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    topic: str,
    starts_at: datetime.datetime,
    place: str,
    host: Person | None = None,
    recorder: Person | None = None,
    lecturer: Person | None = None,
    activity: Activity | None = None,
    review_round_id: int | None = None,
) -> Meeting:
    problems = meeting_plan_problems(
        actor=actor, organisation=organisation, kind=kind, lecturer=lecturer, activity=activity
    )
    if review_round_id is not None and kind != Meeting.Kind.REVIEW:
        problems.append("只有民主评议可以关联评议轮次。")
    if problems:
        raise ValidationError(problems)
    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        topic=_clean(topic),
        starts_at=starts_at,
        place=_clean(place),
        host=host,
        recorder=recorder,
        lecturer=lecturer,
        activity=activity,
        review_round_id=review_round_id,
        created_by=actor,
    )
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    expected_sync(meeting=meeting)
    audit_record(
        actor=actor,
        action="meeting.plan",
        target=meeting,
        summary=f"{organisation} {meeting}",
        changes=_state(meeting, ["kind", "topic", "starts_at", "place"]),
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: User | None, meeting: Meeting, **fields: Any) -> Meeting:
    meeting = _locked(meeting)
    _require_write(actor, meeting)
    _refuse_archived(meeting)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改：{', '.join(sorted(unknown))}")
    before = _state(meeting, AUDITED_FIELDS)
    for name, value in fields.items():
        setattr(meeting, name, _clean(value) if isinstance(value, str) else value)
    problems = meeting_plan_problems(
        actor=actor,
        organisation=meeting.organisation,
        kind=meeting.kind,
        lecturer=meeting.lecturer,
        activity=meeting.activity,
        meeting=meeting,
    )
    if problems:
        raise ValidationError(problems)
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    if meeting.state == Meeting.State.PLANNED:
        expected_sync(meeting=meeting)
    audit_record(
        actor=actor,
        action="meeting.update",
        target=meeting,
        summary=str(meeting),
        changes=diff(before, _state(meeting, AUDITED_FIELDS)),
    )
    return meeting


# Holding and attendance -------------------------------------------------------------------------------------


def quorum_met(*, meeting: Meeting) -> bool | None:
    """法定人数 (DOMAIN §9): a 支部党员大会 needs more than half of its voting members (正式党员) present; a 支委会
    more than half of the committee. None for the kinds where it does not apply. Flagged, never refused."""
    rows = list(meeting.attendances.values_list("status", "person__political_status"))
    if meeting.kind == Meeting.Kind.GENERAL:
        voters = [status for status, political in rows if political == PoliticalStatus.FULL]
    elif meeting.kind == Meeting.Kind.COMMITTEE:
        voters = [status for status, _political in rows]
    else:
        return None
    present = sum(1 for status in voters if status == Status.PRESENT)
    return bool(voters) and present * 2 > len(voters)


def _quorum_update(meeting: Meeting) -> None:
    value = quorum_met(meeting=meeting)
    if value != meeting.quorum_met:
        meeting.quorum_met = value
        meeting.save(update_fields=["quorum_met", "updated_at"])


def meeting_hold_problem(meeting: Meeting, now: datetime.datetime | None = None) -> str | None:
    """Why the meeting cannot be recorded as held now (None: it can); the detail page asks before offering it."""
    if meeting.state == Meeting.State.ARCHIVED:
        return ARCHIVED
    if meeting.state != Meeting.State.PLANNED:
        return "只有计划召开的会议可以登记为已召开。"
    if meeting.starts_at > (now or timezone.now()):
        return "会议尚未开始，不能登记为已召开。"
    return None


@transaction.atomic
def meeting_hold(*, actor: User | None, meeting: Meeting, minutes: str = "", decisions: str = "") -> Meeting:
    """Records that the meeting took place, with its minutes and decisions. Whether it reached its quorum is worked
    out from the attendance (now and whenever the attendance changes) and flagged 「未达到法定人数」, not refused."""
    meeting = _locked(meeting)
    _require_write(actor, meeting)
    problem = meeting_hold_problem(meeting)
    if problem:
        raise ValidationError(problem)
    before = _state(meeting, AUDITED_FIELDS)
    meeting.state = Meeting.State.HELD
    meeting.held_at = timezone.now()
    meeting.minutes = _clean(minutes) or meeting.minutes
    meeting.decisions = _clean(decisions) or meeting.decisions
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    expected_sync(meeting=meeting)
    meeting.quorum_met = quorum_met(meeting=meeting)
    meeting.save(update_fields=["quorum_met", "updated_at"])
    audit_record(
        actor=actor,
        action="meeting.hold",
        target=meeting,
        summary=str(meeting),
        changes=diff(before, _state(meeting, AUDITED_FIELDS)),
    )
    return meeting


@dataclass(frozen=True)
class AttendanceMark:
    person_id: int
    status: str
    leave_reason: str = ""


def attendance_record_problem(meeting: Meeting, now: datetime.datetime | None = None) -> str | None:
    """Why no attendance can be recorded now (None: it can): the sheet says so before anyone taps in vain."""
    if meeting.state == Meeting.State.ARCHIVED:
        return ARCHIVED
    if meeting.starts_at > (now or timezone.now()):
        return "会议开始后才能登记出勤。"
    return None


@transaction.atomic
def attendance_record(*, actor: User | None, meeting: Meeting, marks: list[AttendanceMark]) -> int:
    """The one path for attendance: a list of marks (the phone sheet posts them all; one mark is a list of one).
    Every mark is checked before anything is written. 请假 recorded here by the secretary counts as approved."""
    meeting = _locked(meeting)
    _require_write(actor, meeting)
    problem = attendance_record_problem(meeting)
    if problem:
        raise ValidationError(problem)
    rows = {row.person_id: row for row in meeting.attendances.select_related("person")}
    problems = []
    for mark in marks:
        if mark.person_id not in rows:
            problems.append(f"人员（编号 {mark.person_id}）不在本次会议的应到人员中。")
        elif mark.status not in Status.values:
            problems.append(f"{rows[mark.person_id].person.name}：出勤状态无效。")
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    changed = []
    for mark in marks:
        row = rows[mark.person_id]
        reason = _clean(mark.leave_reason) or row.leave_reason
        if row.status == mark.status and reason == row.leave_reason:
            continue
        row.status = mark.status
        row.leave_reason = reason
        row.recorded_by = actor
        if mark.status == Status.LEAVE and row.leave_decision != Decision.APPROVED:
            row.leave_decision, row.leave_decided_by, row.leave_decided_at = Decision.APPROVED, actor, now
        changed.append(row)
    MeetingAttendance.objects.bulk_update(
        changed, ["status", "leave_reason", "leave_decision", "leave_decided_by", "leave_decided_at", "recorded_by"]
    )
    _quorum_update(meeting)
    counts = {status: sum(1 for row in rows.values() if row.status == status) for status in Status.values}
    audit_record(
        actor=actor,
        action="meeting.attendance",
        target=meeting,
        summary=f"{meeting}：登记出勤 {len(changed)} 人",
        changes={"changed": len(changed), **counts},
    )
    return len(changed)


# Leave -------------------------------------------------------------------------------------------------------


def leave_request_problem(
    *, meeting: Meeting, attendance: MeetingAttendance | None, now: datetime.datetime | None = None
) -> str | None:
    """Why this member cannot ask for leave now (None: they can); 我的组织生活 and the meeting page ask it before
    offering the 「请假」 button."""
    if meeting.state == Meeting.State.ARCHIVED:
        return ARCHIVED
    if attendance is None:
        return "您不在本次会议的应到人员中。"
    if meeting.state != Meeting.State.PLANNED or meeting.starts_at <= (now or timezone.now()):
        return "会议已开始，不能再请假。"
    if attendance.leave_decision == Decision.APPROVED:
        return "您的请假已获批准。"
    return None


@transaction.atomic
def leave_request(*, actor: User, meeting: Meeting, reason: str) -> MeetingAttendance:
    """A member asks for leave, before the meeting starts, with a reason; the secretary approves or declines."""
    meeting = _locked(meeting)
    person_id = scope_for(actor).person_id
    row = meeting.attendances.select_for_update().filter(person_id=person_id).first() if person_id else None
    problem = leave_request_problem(meeting=meeting, attendance=row)
    if problem:
        raise ValidationError(problem)
    reason = _clean(reason)
    if not reason:
        raise ValidationError("请填写请假事由。")
    row.status = Status.LEAVE
    row.leave_reason = reason[:200]
    row.leave_decision = Decision.PENDING
    row.leave_decided_by = row.leave_decided_at = None
    row.save()
    audit_record(actor=actor, action="meeting.leave_request", target=meeting, summary=f"请假：{reason}"[:300])
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    for user in secretary_users_for(organisations=[meeting.organisation]).get(meeting.organisation.pk, []):
        key = f"meeting-leave:{row.pk}:{timezone.now():%Y%m%d%H%M%S%f}"
        title = f"{row.person.name} 申请请假：{meeting}"
        transaction.on_commit(lambda u=user, k=key, t=title: notification_send(recipient=u, key=k, title=t, url=url))
    return row


@transaction.atomic
def leave_decide(*, actor: User | None, attendance: MeetingAttendance, approve: bool) -> MeetingAttendance:
    meeting = _locked(attendance.meeting)
    _require_write(actor, meeting)
    _refuse_archived(meeting)
    row = MeetingAttendance.objects.select_for_update().select_related("person").get(pk=attendance.pk)
    if row.leave_decision != Decision.PENDING:
        raise ValidationError("没有待批准的请假。")
    row.leave_decision = Decision.APPROVED if approve else Decision.DECLINED
    # Declined: the member is expected after all; 缺席 if they do not come.
    row.status = Status.LEAVE if approve else Status.UNMARKED
    row.leave_decided_by = actor
    row.leave_decided_at = timezone.now()
    row.save()
    _quorum_update(meeting)
    audit_record(
        actor=actor,
        action="meeting.leave_decide",
        target=meeting,
        summary=f"{row.person.name} 请假{'已批准' if approve else '未批准'}",
        changes={"person": row.person_id, "approve": approve},
    )
    return row


# Archiving, notes, attachments ------------------------------------------------------------------------------


def meeting_archive_problems(meeting: Meeting) -> list[str]:
    """What must be done before the meeting is archived (empty: it can be): the detail page lists them."""
    if meeting.state == Meeting.State.ARCHIVED:
        return [ARCHIVED]
    if meeting.state != Meeting.State.HELD:
        return ["只有已召开的会议可以归档。"]
    problems = []
    if not meeting.minutes.strip():
        problems.append("请先填写会议纪要。")
    unmarked = meeting.attendances.filter(status=Status.UNMARKED).count()
    if unmarked:
        problems.append(f"还有 {unmarked} 人未登记出勤。")
    pending = meeting.attendances.filter(leave_decision=Decision.PENDING).count()
    if pending:
        problems.append(f"还有 {pending} 条请假待批准。")
    return problems


@transaction.atomic
def meeting_archive(*, actor: User | None, meeting: Meeting) -> Meeting:
    meeting = _locked(meeting)
    _require_write(actor, meeting)
    problems = meeting_archive_problems(meeting)
    if problems:
        raise ValidationError(problems)
    meeting.state = Meeting.State.ARCHIVED
    meeting.archived_at = timezone.now()
    meeting.save(update_fields=["state", "archived_at", "updated_at"])
    audit_record(
        actor=actor,
        action="meeting.archive",
        target=meeting,
        summary=str(meeting),
        changes={"state": ["held", "archived"]},
    )
    return meeting


@transaction.atomic
def meeting_note_add(*, actor: User | None, meeting: Meeting, text: str) -> MeetingNote:
    """A correction or addition, the one change an archived meeting still takes."""
    meeting = _locked(meeting)
    _require_write(actor, meeting)
    text = _clean(text)
    if not text:
        raise ValidationError("请填写更正说明。")
    note = MeetingNote(meeting=meeting, text=text, author=actor)
    note.full_clean(exclude=["author"])
    note.save()
    audit_record(actor=actor, action="meeting.note", target=meeting, summary=text[:300], changes={"note": note.pk})
    return note


def _attachment_content(upload: UploadedFile, position: int) -> tuple[str, bytes]:
    """(kind, bytes to store): a PDF as it is (its first bytes say it is one), anything else must be a photo,
    cleaned as visit photos are (portal.lib.photos)."""
    label = f"第 {position} 个附件（{upload.name}）"
    upload.seek(0)
    if upload.read(5) == b"%PDF-":
        return MeetingAttachment.Kind.DOCUMENT, read_bounded(upload, limit=DOCUMENT_MAX_BYTES, label=label)
    try:
        return MeetingAttachment.Kind.PHOTO, photo_jpeg(upload, label=label, limit=settings.VISIT_PHOTO_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError(f"{error.messages[0]}（文件只能上传 PDF。）") from error


@transaction.atomic
def meeting_attachments_add(*, actor: User | None, meeting: Meeting, files: list[UploadedFile]) -> int:
    """Photos (JPEG/PNG/WebP, cleaned) and PDF documents; every file is checked before anything is written."""
    meeting = _locked(meeting)
    _require_write(actor, meeting)
    _refuse_archived(meeting)
    if not files:
        raise ValidationError("请选择要上传的照片或文件。")
    if len(files) > MAX_ATTACHMENTS_PER_UPLOAD:
        raise ValidationError(f"每次最多上传 {MAX_ATTACHMENTS_PER_UPLOAD} 个附件（您选择了 {len(files)} 个）。")
    if meeting.attachments.count() + len(files) > MAX_ATTACHMENTS_PER_MEETING:
        raise ValidationError(f"每次会议最多 {MAX_ATTACHMENTS_PER_MEETING} 个附件。")
    contents = [(_attachment_content(upload, position), upload.name) for position, upload in enumerate(files, 1)]
    saved: list[MeetingAttachment] = []
    try:
        for (kind, content), name in contents:
            attachment = MeetingAttachment(meeting=meeting, kind=kind, name=(name or "")[:120], uploaded_by=actor)
            attachment.file.save("upload", ContentFile(content), save=False)  # upload_to names it
            saved.append(attachment)
            attachment.save()
    except Exception:
        for attachment in saved:  # the transaction rolls back the rows; the files go with them
            attachment.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="meeting.attachments",
        target=meeting,
        summary=f"{meeting}：上传附件 {len(saved)} 个",
        changes={"attachments": [a.pk for a in saved]},
    )
    return len(saved)


# Reminders ---------------------------------------------------------------------------------------------------


def meetings_due_remind(*, today: datetime.date) -> dict[str, int]:
    """组织生活 (monthly, on the 20th: before the month — or quarter, or year — ends): each branch's secretary hears
    which kinds are still 待开 in the current period (DOMAIN §9). 党小组会 only for a branch with party groups, the
    支委会 only for one with a committee. One reminder per branch and month (its key names both), so a re-run
    sends nothing; each reminder commits on its own, as the other reminder jobs do."""
    branches = list(Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS, is_archived=False).order_by("path"))
    with_groups = set(
        Organisation.objects.filter(kind=Organisation.Kind.PARTY_GROUP, is_archived=False).values_list(
            "path", flat=True
        )
    )
    secretaries = secretary_users_for(organisations=branches, on=today)
    summary = {"branches": len(branches), "due": 0, "reminded": 0, "no_account": 0}
    for branch in branches:
        due = []
        for row in meeting_cadence(organisation=branch, year=today.year, today=today):
            if not any(period.status == DUE for period in row.periods):
                continue
            if row.kind == Meeting.Kind.GROUP and not any(p.startswith(branch.path) for p in with_groups):
                continue
            if row.kind in COMMITTEE_KINDS and not expected_people(organisation=branch, kind=row.kind).exists():
                continue
            due.append(row.label)
        if not due:
            continue
        summary["due"] += 1
        recipients = secretaries.get(branch.pk, [])
        if not recipients:
            summary["no_account"] += 1
        for user in recipients:
            if notification_send(
                recipient=user,
                key=f"meetings-due:{branch.pk}:{today:%Y%m}",
                title=f"组织生活提醒：{branch.name}本期尚未召开{'、'.join(due)}",
                body="请在本期结束前召开并在平台登记（组织生活 → 安排会议），逾期将记为未按期。",
                url=reverse("meetings:meeting_list") + f"?organisation={branch.pk}",
            ):
                summary["reminded"] += 1
    return summary
