"""Organisational-life pages: the meeting list with its cadence table, the meeting page with its state changes,
the plan/edit form, the phone attendance sheet, leave, notes, attachments and 我的组织生活.
Access → form → action → redirect with a message."""

import copy
import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.selectors import organisation_choices_for_user, organisation_default_for_user, scope_for
from meetings import actions, selectors
from meetings.forms import (
    AttachmentForm,
    AttendanceSheetForm,
    HoldForm,
    LeaveDecideForm,
    LeaveRequestForm,
    MeetingFilter,
    MeetingForm,
    MeetingPlanForm,
    NoteForm,
)
from meetings.models import Meeting, MeetingAttachment, MeetingAttendance
from portal.web import apply_action, form_errors_to_messages, paginate, post_on


def _cadence(request: HttpRequest, meetings: MeetingFilter) -> dict:
    """The cadence table for the organisation filtered on (or the user's own one), for the year filtered on."""
    if not scope_for(request.user).manages_anything:
        return {}
    data = meetings.form.cleaned_data if meetings.form.is_valid() else {}
    organisation = data.get("organisation") or organisation_default_for_user(
        user=request.user, choices=organisation_choices_for_user(user=request.user)
    )
    if organisation is None:
        return {}
    year = data.get("year") or timezone.localdate().year
    rows = selectors.meeting_cadence(organisation=organisation, year=year)
    return {"cadence": rows, "cadence_organisation": organisation, "cadence_year": year}


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = MeetingFilter(
        request.GET, queryset=selectors.meeting_list_for_user(user=request.user), user=request.user
    )
    context = {
        "filter": meetings,
        "page": paginate(request, meetings.qs),
        "may_plan": scope_for(request.user).manages_anything,
        **_cadence(request, meetings),
    }
    return render(request, "meetings/meeting_list.html", context)


@login_required
def meeting_plan(request: HttpRequest) -> HttpResponse:
    selectors.meeting_scope_check(user=request.user)
    form = MeetingPlanForm(request.POST or None, user=request.user)
    if request.method == "POST":
        meeting = apply_action(
            request, form, lambda data: actions.meeting_plan(actor=request.user, **data), _("已安排会议。")
        )
        if meeting:
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    form = MeetingForm(request.POST or None, instance=copy.copy(meeting), user=request.user)
    if request.method == "POST":
        done = apply_action(
            request,
            form,
            lambda data: actions.meeting_update(actor=request.user, meeting=meeting, **data),
            _("已保存。"),
        )
        if done:
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    can_write = selectors.meeting_can_write(user=request.user, meeting=meeting)
    mine = selectors.my_attendance_for(user=request.user, meeting=meeting)
    context = {
        "meeting": meeting,
        "can_write": can_write,
        "attendances": list(selectors.meeting_attendances(meeting=meeting)) if can_write else [],
        "mine": mine,
        "may_ask_leave": mine is not None
        and meeting.state == Meeting.State.PLANNED
        and meeting.starts_at > timezone.now()
        and mine.leave_decision != MeetingAttendance.LeaveDecision.APPROVED,
        "attachments": list(selectors.meeting_attachments(meeting=meeting)),
        "notes": list(meeting.notes.order_by("created_at", "pk")),
        "hold_problem": actions.meeting_hold_problem(meeting),
        "archive_problems": actions.meeting_archive_problems(meeting),
        "hold_form": HoldForm(initial={"minutes": meeting.minutes, "decisions": meeting.decisions}),
        "leave_form": LeaveRequestForm(),
        "note_form": NoteForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_POST
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        meeting,
        lambda data: actions.meeting_hold(actor=request.user, meeting=meeting, **data),
        _("已登记为已召开。"),
        form=HoldForm(request.POST),
    )


@login_required
@require_POST
def meeting_archive(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        meeting,
        lambda data: actions.meeting_archive(actor=request.user, meeting=meeting),
        _("已归档。归档后会议记录不能再修改，如需更正请添加更正说明。"),
    )


@login_required
@require_POST
def meeting_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        meeting,
        lambda data: actions.meeting_note_add(actor=request.user, meeting=meeting, text=data["text"]),
        _("已添加更正说明。"),
        form=NoteForm(request.POST),
    )


@login_required
@require_POST
def attachments_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        meeting,
        lambda data: actions.meeting_attachments_add(actor=request.user, meeting=meeting, files=data["files"]),
        _("附件已上传。"),
        form=AttachmentForm(request.POST, request.FILES),
    )


@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("附件不存在。")) from error
    content_type = mimetypes.guess_type(attachment.file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    extension = attachment.file.name.rsplit(".", 1)[-1]
    # Photos open in the page; documents download (a PDF is never rendered from our origin).
    disposition = "inline" if attachment.kind == MeetingAttachment.Kind.PHOTO else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="meeting-{attachment.meeting_id}-{attachment.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    form = AttendanceSheetForm(request.POST or None, attendances=list(selectors.meeting_attendances(meeting=meeting)))
    if request.method == "POST":
        done = apply_action(
            request,
            form,
            lambda data: actions.attendance_record(
                actor=request.user,
                meeting=meeting,
                marks=[actions.AttendanceMark(person_id=pid, status=status) for pid, status in form.marks()],
            ),
            _("出勤已保存。"),
        )
        if done:
            return redirect("meetings:attendance_sheet", pk=meeting.pk)
    context = {"meeting": meeting, "form": form, "problem": actions.attendance_record_problem(meeting)}
    return render(request, "meetings/attendance_sheet.html", context)


@login_required
@require_POST
def leave_request(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    if not apply_action(
        request,
        form := LeaveRequestForm(request.POST),
        lambda data: actions.leave_request(actor=request.user, meeting=meeting, reason=data["reason"]),
        _("已提交请假申请，等待书记批准。"),
    ):
        form_errors_to_messages(request, form)
    return redirect("meetings:my_meetings" if request.POST.get("next") == "mine" else meeting)


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int, attendance_pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk, write=True)
    attendance = get_object_or_404(MeetingAttendance, meeting=meeting, pk=attendance_pk)
    form = LeaveDecideForm(request.POST)
    return post_on(
        request,
        meeting,
        lambda data: actions.leave_decide(actor=request.user, attendance=attendance, approve=data["approve"]),
        _("已处理请假申请。"),
        form=form,
    )


@login_required
def my_meetings(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.my_attendances(user=request.user))
    # Each row with whether 「请假」 is open to it: the action's own rule, asked, not restated.
    rows = [(row, actions.leave_request_problem(meeting=row.meeting, attendance=row) is None) for row in page]
    return render(request, "meetings/my_meetings.html", {"page": page, "rows": rows, "leave_form": LeaveRequestForm()})


app_name = "meetings"

urlpatterns = [
    path("", meeting_list, name="meeting_list"),
    path("new/", meeting_plan, name="meeting_plan"),
    path("mine/", my_meetings, name="my_meetings"),
    path("<int:pk>/", meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", meeting_update, name="meeting_update"),
    path("<int:pk>/hold/", meeting_hold, name="meeting_hold"),
    path("<int:pk>/archive/", meeting_archive, name="meeting_archive"),
    path("<int:pk>/notes/", meeting_note_add, name="meeting_note_add"),
    path("<int:pk>/attachments/", attachments_add, name="attachments_add"),
    path("<int:pk>/attendance/", attendance_sheet, name="attendance_sheet"),
    path("<int:pk>/leave/", leave_request, name="leave_request"),
    path("<int:pk>/leave/<int:attendance_pk>/", leave_decide, name="leave_decide"),
    path("attachments/<int:pk>/", attachment_file, name="attachment_file"),
]
