"""Follow-up pages (差评整改): the scoped list (overdue first) and the follow-up page with its three steps (callback,
rectification, closing). Access → form → action → redirect with a message."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations.actions.follow_ups import follow_up_call_back as call_back_action
from evaluations.actions.follow_ups import follow_up_close as close_action
from evaluations.actions.follow_ups import follow_up_rectify as rectify_action
from evaluations.forms.follow_ups import CallBackForm, CloseForm, FollowUpFilter, RectifyForm
from evaluations.models import FollowUp
from evaluations.selectors import follow_ups as selectors
from portal.web import paginate, post_on

# state → (the form that fits it, the context name the template looks for)
NEXT_STEP = {
    FollowUp.State.OPEN: (CallBackForm, "callback_form"),
    FollowUp.State.CALLED_BACK: (RectifyForm, "rectify_form"),
    FollowUp.State.RECTIFIED: (CloseForm, "close_form"),
}


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    selectors.follow_up_list_check(user=request.user)
    follow_ups = FollowUpFilter(
        request.GET, queryset=selectors.follow_up_list_for_user(user=request.user), user=request.user
    )
    page = paginate(request, follow_ups.qs)
    selectors.follow_up_mark_days_overdue(page.object_list)
    return render(request, "evaluations/follow_up_list.html", {"filter": follow_ups, "page": page})


@login_required
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk)
    context = {
        "follow_up": follow_up,
        "rating": follow_up.rating,
        "activity": follow_up.rating.activity,
        "deadline_status": selectors.follow_up_deadline_status(follow_up=follow_up),
    }
    if follow_up.state in NEXT_STEP and selectors.follow_up_can_write(user=request.user, follow_up=follow_up):
        form_class, name = NEXT_STEP[follow_up.state]
        context[name] = form_class()
    return render(request, "evaluations/follow_up_detail.html", context)


@login_required
@require_POST
def follow_up_call_back(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        follow_up,
        lambda data: call_back_action(actor=request.user, follow_up=follow_up, **data),
        _("已登记回访，请落实整改。"),
        form=CallBackForm(request.POST),
    )


@login_required
@require_POST
def follow_up_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        follow_up,
        lambda data: rectify_action(actor=request.user, follow_up=follow_up, **data),
        _("已登记整改情况。"),
        form=RectifyForm(request.POST),
    )


@login_required
@require_POST
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        follow_up,
        lambda data: close_action(actor=request.user, follow_up=follow_up, **data),
        _("该差评整改已办结。"),
        form=CloseForm(request.POST),
    )


urlpatterns = [
    path("evaluations/follow-ups/", follow_up_list, name="follow_up_list"),
    path("evaluations/follow-ups/<int:pk>/", follow_up_detail, name="follow_up_detail"),
    path("evaluations/follow-ups/<int:pk>/call-back/", follow_up_call_back, name="follow_up_call_back"),
    path("evaluations/follow-ups/<int:pk>/rectify/", follow_up_rectify, name="follow_up_rectify"),
    path("evaluations/follow-ups/<int:pk>/close/", follow_up_close, name="follow_up_close"),
]
