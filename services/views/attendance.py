"""The attendance sheet (phones first), walk-ins, the hours approval queue, corrections and the hours checker.

Access: the sheet and walk-ins need write access to the activity (outside scope 404, visible but not writable
403); the hours pages exist only for those who manage an organisation or lead a team (else 404) and only ever
touch entries from selectors.hours_entries_for_user / hours_pending_for_user — posted ids are never trusted.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.web import apply_action, form_errors_to_messages, paginate
from services import actions, selectors
from services.forms.activities import CloseForm
from services.forms.attendance import AttendanceSheetForm, HoursCorrectForm, WalkInForm
from services.models import Activity, HoursEntry, Participation

WALK_IN_CHOICES = 300  # the roster lists at most this many people; the search box narrows it


def _sheet_participations(activity: Activity) -> list[Participation]:
    return list(selectors.activity_participants(activity=activity).exclude(state=Participation.State.WITHDRAWN))


@login_required
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    form = AttendanceSheetForm(request.POST or None, participations=_sheet_participations(activity), activity=activity)
    if request.method == "POST":
        counts = apply_action(
            request,
            form,
            lambda data: actions.attendance_record(actor=request.user, activity=activity, marks=form.marks()),
            _("出勤已保存。"),
        )
        if counts:
            return redirect("services:attendance_sheet", pk=activity.pk)
    q = request.GET.get("q", "").strip()
    roster = list(
        selectors.walk_in_candidates_for_user(user=request.user, activity=activity, q=q)[: WALK_IN_CHOICES + 1]
    )
    context = {
        "activity": activity,
        "form": form,
        "can_record": actions.attendance_record_problem(activity) is None,
        "walk_in_form": WalkInForm(people=selectors.walk_in_candidates_for_user(user=request.user, activity=activity)),
        "roster": roster[:WALK_IN_CHOICES],
        "roster_truncated": len(roster) > WALK_IN_CHOICES,
        "roster_limit": WALK_IN_CHOICES,
        "q": q,
        # Everyone marked and someone attended: close here, without going back to the activity page.
        "close_form": CloseForm() if actions.activity_close_problem(activity) is None else None,
    }
    return render(request, "services/attendance_sheet.html", context)


@login_required
@require_POST
def attendance_walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    form = WalkInForm(request.POST, people=selectors.walk_in_candidates_for_user(user=request.user, activity=activity))
    done = apply_action(
        request,
        form,
        lambda data: actions.participations_walk_in(
            actor=request.user, activity=activity, people=list(data["people"]), role=data["role"], hours=data["hours"]
        ),
        _("已添加 %(n)d 人，记为出勤。") % {"n": len(set(form.data.getlist("people")))},
    )
    if not done:
        form_errors_to_messages(request, form)
    return redirect("services:attendance_sheet", pk=activity.pk)


@login_required
def hours_pending(request: HttpRequest) -> HttpResponse:
    selectors.hours_scope_check(user=request.user)
    page = paginate(request, selectors.hours_pending_for_user(user=request.user), per_page=50)
    # Each row with the reason it cannot be approved (None: it can): the action's own rule, asked, not restated.
    rows = [(entry, actions.hours_approve_problems(actor=request.user, entry=entry)) for entry in page]
    return render(request, "services/hours_pending.html", {"page": page, "rows": rows})


@login_required
@require_POST
def hours_approve(request: HttpRequest) -> HttpResponse:
    selectors.hours_scope_check(user=request.user)
    ids = [value for value in request.POST.getlist("entries") if value.isascii() and value.isdigit()]
    # Only entries still pending in the user's scope: anything else posted is ignored.
    entries = list(selectors.hours_pending_for_user(user=request.user).filter(pk__in=ids))
    if not entries:
        messages.warning(request, _("没有选中可审核的记录。"))
        return redirect(_queue_url(request))
    result = actions.hours_approve_batch(actor=request.user, entries=entries)
    text = _("已批准 %(n)d 条") % {"n": result.approved}
    if result.skipped:
        names: dict[str, list[str]] = {}
        for entry, reason in result.skipped:
            names.setdefault(reason.rstrip("。"), []).append(entry.participation.person.name)
        reasons = "；".join(f"{reason}（{'、'.join(people)}）" for reason, people in names.items())
        text += _("；跳过 %(n)d 条：%(reasons)s") % {"n": len(result.skipped), "reasons": reasons}
    (messages.success if not result.skipped else messages.warning)(request, text + "。")
    return redirect(_queue_url(request))


def _queue_url(request: HttpRequest) -> str:
    """Back to the page of the queue the user was on (a number only: never an open redirect)."""
    page = request.POST.get("page", "")
    url = reverse("services:hours_pending")
    return f"{url}?page={page}" if page.isascii() and page.isdigit() else url


@login_required
def hours_correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(selectors.hours_entries_for_user(user=request.user), pk=pk)
    form = HoursCorrectForm(request.POST or None, initial={"corrected_total": _approved_total(entry)})
    if request.method == "POST":
        correction = apply_action(
            request,
            form,
            lambda data: actions.hours_correct(actor=request.user, entry=entry, **data),
            _("已提交更正，待审核。"),
        )
        if correction:
            return redirect("services:attendance_sheet", pk=entry.participation.activity_id)
    return render(request, "services/hours_correct.html", {"entry": entry, "form": form})


def _approved_total(entry: HoursEntry) -> Decimal:
    """The participation's current approved hours (the correction form starts from them)."""
    participant = selectors.activity_participants(activity=entry.participation.activity).get(pk=entry.participation_id)
    return participant.approved_hours


@login_required
def hours_checker(request: HttpRequest) -> HttpResponse:
    selectors.hours_scope_check(user=request.user)
    since = _parse_date(request, request.GET.get("since", ""))
    checks = selectors.suspicious_hours_for_user(user=request.user, since=since)
    return render(request, "services/hours_checker.html", {"since": since, **checks})


def _parse_date(request: HttpRequest, value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        messages.warning(request, _("日期格式不正确（应为 YYYY-MM-DD），已忽略。"))
        return None


urlpatterns = [
    path("activities/<int:pk>/attendance/", attendance_sheet, name="attendance_sheet"),
    path("activities/<int:pk>/attendance/walk-in/", attendance_walk_in, name="attendance_walk_in"),
    path("hours/pending/", hours_pending, name="hours_pending"),
    path("hours/approve/", hours_approve, name="hours_approve"),
    path("hours/<int:pk>/correct/", hours_correct, name="hours_correct"),
    path("hours/checker/", hours_checker, name="hours_checker"),
]
