"""Activity pages: list, month, create/edit, the activity page with its state changes and sign-up, and the member's
own pages. Access → form → action → redirect with a message."""

import calendar
import copy
import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.selectors import scope_for
from portal.web import apply_action, paginate, post_on
from services import actions, selectors
from services.forms.activities import (
    ActivityCreateForm,
    ActivityFilter,
    ActivityForm,
    CancelForm,
    CloseForm,
    initial_copied_from,
)
from services.models import Participation
from volunteers.selectors import led_team_ids


def _may_create(request: HttpRequest) -> bool:
    return scope_for(request.user).manages_anything or bool(led_team_ids(user=request.user))


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    activities = ActivityFilter(
        request.GET, queryset=selectors.activity_list_for_user(user=request.user), user=request.user
    )
    page = paginate(request, activities.qs)
    return render(
        request,
        "services/activity_list.html",
        {"filter": activities, "page": page, "may_create": _may_create(request)},
    )


def _month_from(request: HttpRequest) -> datetime.date:
    """The month asked for; anything unreadable or absurd is the current month (never an error page)."""
    today = timezone.localdate()
    try:
        year, month = int(request.GET.get("year", today.year)), int(request.GET.get("month", today.month))
        if 2000 <= year <= 2100:
            return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        pass
    return today.replace(day=1)


@login_required
def activity_month(request: HttpRequest) -> HttpResponse:
    first = _month_from(request)
    days = selectors.activity_month(
        activities=selectors.activity_list_for_user(user=request.user), year=first.year, month=first.month
    )
    weeks = [
        [(day, days.get(day, [])) for day in week]
        for week in calendar.Calendar().monthdatescalendar(first.year, first.month)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    context = {"first": first, "weeks": weeks, "days": sorted(days.items()), "previous": previous, "next": following}
    return render(request, "services/activity_month.html", context | {"today": timezone.localdate()})


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    if not _may_create(request):
        raise Http404(_("页面不存在。"))  # a member, who runs nothing: as for anything outside their scope
    copy_of = request.GET.get("copy", "")
    initial = {}
    if copy_of.isascii() and copy_of.isdigit():  # 「复制为新活动」: one the user may see, else 404
        initial = initial_copied_from(selectors.activity_get_for_user(user=request.user, pk=int(copy_of)))
    form = ActivityCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        publish = "publish" in request.POST  # 「保存并发布」
        activity = apply_action(
            request,
            form,
            lambda data: actions.activity_create(actor=request.user, publish=publish, **data),
            _("已创建并发布活动。") if publish else _("已创建活动（草稿），发布后党员即可报名。"),
        )
        if activity:
            return redirect(activity)
    return render(request, "services/activity_form.html", {"form": form})


@login_required
def activity_update(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    # The form validates a copy: the action compares against the untouched row for its audit diff.
    form = ActivityForm(request.POST or None, instance=copy.copy(activity), user=request.user)
    if request.method == "POST":
        done = apply_action(
            request,
            form,
            lambda data: actions.activity_update(actor=request.user, activity=activity, **data),
            _("已保存。"),
        )
        if done:
            return redirect(activity)
    return render(request, "services/activity_form.html", {"form": form, "activity": activity})


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    can_write = selectors.activity_can_write(user=request.user, activity=activity)
    participants = list(selectors.activity_participants(activity=activity))
    person_id = scope_for(request.user).person_id
    context = {
        "activity": activity,
        "can_write": can_write,
        "participants": participants,
        "totals": selectors.activity_totals(participants=participants),
        "mine": next((p for p in participants if person_id and p.person_id == person_id), None),
        "has_person": bool(person_id),
        "is_full": activity.capacity is not None and activity.signed_up_count >= activity.capacity,
        "now": timezone.now(),
        "may_create": _may_create(request),
    }
    if can_write:
        context |= {
            "history": selectors.activity_history(activity=activity)[:50],
            "cancel_form": CancelForm(),
            "close_form": CloseForm(),
            # an activity logged afterwards closes in one step (the action ends it first)
            "can_close": actions.activity_close_state_problem(activity) is None,
        }
    return render(request, "services/activity_detail.html", context)


@login_required
@require_POST
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        activity,
        lambda data: actions.activity_publish(actor=request.user, activity=activity),
        _("活动已发布，党员可以报名了。"),
    )


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        activity,
        lambda data: actions.activity_cancel(actor=request.user, activity=activity, **data),
        _("活动已取消。"),
        form=CancelForm(request.POST),
    )


@login_required
@require_POST
def activity_end(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        activity,
        lambda data: actions.activity_end(actor=request.user, activity=activity),
        _("活动已结束，请登记出勤和服务时长。"),
    )


@login_required
@require_POST
def activity_close(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        activity,
        lambda data: actions.activity_close(actor=request.user, activity=activity, **data),
        _("活动已关闭，服务成效已登记。"),
        form=CloseForm(request.POST),
    )


@login_required
@require_POST
def activity_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=False)
    return post_on(
        request,
        activity,
        lambda data: actions.participation_sign_up(actor=request.user, activity=activity),
        _("报名成功。"),
    )


@login_required
@require_POST
def participation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The member withdraws their own sign-up for the activity `pk`."""
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    person_id = scope_for(request.user).person_id
    mine = selectors.my_participations(person_id=person_id).filter(activity=activity).first() if person_id else None
    if mine is None:
        raise Http404(_("您没有报名此活动。"))
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, write=False)
    return post_on(
        request,
        activity,
        lambda data: actions.participation_withdraw(actor=request.user, participation=mine),
        _("已取消报名。"),
    )


@login_required
def my_activities(request: HttpRequest) -> HttpResponse:
    person_id = scope_for(request.user).person_id
    if not person_id:
        return render(request, "services/my_no_person.html")
    page = paginate(request, selectors.my_participations(person_id=person_id))
    return render(request, "services/my_activities.html", {"page": page, "State": Participation.State})


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    person_id = scope_for(request.user).person_id
    if not person_id:
        return render(request, "services/my_no_person.html")
    standing = selectors.my_standing(person_id=person_id)
    today = timezone.localdate()
    by_month = selectors.hours_by_month(person_id=person_id, year=today.year)
    context = {
        "standing": standing,
        "stars": "★" * standing.stars + "☆" * max(0, 5 - standing.stars),
        "year": today.year,
        "months": [(month, by_month.get(month, 0)) for month in range(1, today.month + 1)],
        "year_total": sum(by_month.values(), 0),
    }
    return render(request, "services/my_hours.html", context)


urlpatterns = [
    path("activities/", activity_list, name="activity_list"),
    path("activities/month/", activity_month, name="activity_month"),
    path("activities/new/", activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_update, name="activity_update"),
    path("activities/<int:pk>/publish/", activity_publish, name="activity_publish"),
    path("activities/<int:pk>/cancel/", activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/end/", activity_end, name="activity_end"),
    path("activities/<int:pk>/close/", activity_close, name="activity_close"),
    path("activities/<int:pk>/sign-up/", activity_sign_up, name="activity_sign_up"),
    path("activities/<int:pk>/withdraw/", participation_withdraw, name="participation_withdraw"),
    path("me/activities/", my_activities, name="my_activities"),
    path("me/hours/", my_hours, name="my_hours"),
]
