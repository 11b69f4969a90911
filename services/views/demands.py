"""Demand pages: the scoped list (overdue first), entry by a secretary, the demand page with its three state
changes (assign, result, callback), and the public form (no login, rate-limited, spam-resistant).
Access → form → action → redirect with a message."""

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from branches.selectors import scope_for
from portal.lib.masking import mask_phone
from portal.web import apply_action, paginate, post_on
from services.actions.demands import demand_assign as assign_action
from services.actions.demands import demand_call_back as call_back_action
from services.actions.demands import demand_complete as complete_action
from services.actions.demands import demand_receive
from services.forms.demands import (
    AssignForm,
    CallBackForm,
    CompleteForm,
    DemandFilter,
    DemandForm,
    PublicDemandForm,
)
from services.models import Demand
from services.selectors import demands as selectors

DONE_SALT = "services.public_demand.done"
DONE_MAX_AGE = 24 * 60 * 60  # the reference page may be reopened for a day


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    demands = DemandFilter(request.GET, queryset=selectors.demand_list_for_user(user=request.user), user=request.user)
    page = paginate(request, demands.qs)
    context = {"filter": demands, "page": page, "may_create": scope_for(request.user).manages_anything}
    return render(request, "services/demand_list.html", context)


@login_required
def demand_create(request: HttpRequest) -> HttpResponse:
    selectors.demand_create_check(user=request.user)
    form = DemandForm(request.POST or None, user=request.user)
    if request.method == "POST":
        demand = apply_action(
            request,
            form,
            lambda data: demand_receive(actor=request.user, **data),
            _("已受理群众需求，请及时交办。"),
        )
        if demand:
            return redirect(demand)
    return render(request, "services/demand_form.html", {"form": form})


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_for_user(user=request.user, pk=pk)
    can_write = selectors.demand_can_write(user=request.user, demand=demand)
    context = {
        "demand": demand,
        "can_write": can_write,
        "deadline_status": selectors.demand_deadline_status(demand=demand),
        "phone": demand.requester_phone if can_write else mask_phone(demand.requester_phone),
    }
    if can_write and demand.state in Demand.OPEN_STATES:
        context["assign_form"] = AssignForm(
            people=selectors.demand_assignee_choices(user=request.user, demand=demand),
            teams=selectors.demand_team_choices(user=request.user),
        )
    if can_write and demand.state == Demand.State.ASSIGNED:
        context["complete_form"] = CompleteForm()
    if can_write and demand.state == Demand.State.DONE:
        context["callback_form"] = CallBackForm()
    return render(request, "services/demand_detail.html", context)


@login_required
@require_POST
def demand_assign(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        demand,
        lambda data: assign_action(actor=request.user, demand=demand, **data),
        _("已交办。"),
        form=AssignForm(
            request.POST,
            people=selectors.demand_assignee_choices(user=request.user, demand=demand),
            teams=selectors.demand_team_choices(user=request.user),
        ),
    )


@login_required
@require_POST
def demand_complete(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        demand,
        lambda data: complete_action(actor=request.user, demand=demand, **data),
        _("已登记办理结果，请及时回访。"),
        form=CompleteForm(request.POST),
    )


@login_required
@require_POST
def demand_call_back(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        demand,
        lambda data: call_back_action(actor=request.user, demand=demand, **data),
        _("已登记回访，该需求已办结归档。"),
        form=CallBackForm(request.POST),
    )


# The public form ---------------------------------------------------------------------------------------------


def _public_missing(request: HttpRequest) -> HttpResponse:
    return render(request, "services/public_demand_missing.html", status=404)


@ratelimit(key="ip", rate="5/h", method="POST", block=True)
def public_demand(request: HttpRequest, org_pk: int) -> HttpResponse:
    """No login. Refusals (honeypot, stamp too fresh/old/forged, bad input) are a Chinese message; nothing stored."""
    organisation = selectors.public_demand_organisation(pk=org_pk)
    if organisation is None:
        return _public_missing(request)
    form = PublicDemandForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        demand = apply_action(
            request,
            form,
            lambda data: demand_receive(
                actor=None,
                organisation=organisation,
                channel=Demand.Channel.ONLINE,
                category=data["category"],
                content=data["content"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                requester_address=data["requester_address"],
            ),
            _("已收到您反映的需求。"),
        )
        if demand:
            token = signing.dumps(demand.pk, salt=DONE_SALT)
            return redirect(reverse("services:public_demand_done", args=[organisation.pk, token]))
    context = {"form": form, "organisation": organisation, "stamp": form.stamp_to_render()}
    return render(request, "services/public_demand.html", context)


def public_demand_done(request: HttpRequest, org_pk: int, token: str) -> HttpResponse:
    """The reference number and the deadline, reached only through the signed link the form redirects to."""
    try:
        pk = signing.loads(token, salt=DONE_SALT, max_age=DONE_MAX_AGE)
    except signing.BadSignature:
        return _public_missing(request)
    demand = Demand.objects.select_related("organisation", "category").filter(pk=pk, organisation_id=org_pk).first()
    if demand is None:
        return _public_missing(request)
    return render(request, "services/public_demand_done.html", {"demand": demand})


urlpatterns = [
    path("demands/", demand_list, name="demand_list"),
    path("demands/new/", demand_create, name="demand_create"),
    path("demands/<int:pk>/", demand_detail, name="demand_detail"),
    path("demands/<int:pk>/assign/", demand_assign, name="demand_assign"),
    path("demands/<int:pk>/complete/", demand_complete, name="demand_complete"),
    path("demands/<int:pk>/call-back/", demand_call_back, name="demand_call_back"),
    path("public/<int:org_pk>/demand/", public_demand, name="public_demand"),
    path("public/<int:org_pk>/demand/done/<str:token>/", public_demand_done, name="public_demand_done"),
]
