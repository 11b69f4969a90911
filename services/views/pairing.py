"""Pairing help pages (结对帮扶): the list, households, the pairing page with its visits, the printable contact card,
photos served through a scoped view, and the 一帮一 register export. Access → form → action → redirect.

Photos never have a public URL: they live under MEDIA_ROOT/private/ (not served by any URL pattern) and reach the
browser only through `visit_photo`, which asks the selector whether the user may see the pairing."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches.selectors import scope_for
from portal.web import apply_action, paginate, post_on, xlsx_response
from services.actions import pairing as actions
from services.forms.pairing import EndForm, HouseholdForm, PairingCreateForm, PairingFilter, PlanForm, VisitForm
from services.models import Pairing
from services.selectors import pairing as selectors


def _require_managing_scope(request: HttpRequest) -> None:
    """Registering households and pairings is a staff tool: for a member it does not exist (404)."""
    if not scope_for(request.user).manages_anything:
        raise Http404(_("页面不存在。"))


@login_required
def pairing_list(request: HttpRequest) -> HttpResponse:
    pairings = PairingFilter(
        request.GET, queryset=selectors.pairing_list_for_user(user=request.user), user=request.user
    )
    page = paginate(request, pairings.qs)
    context = {
        "filter": pairings,
        "page": page,
        "rows": selectors.pairing_rows(user=request.user, pairings=page.object_list),
        "manages": scope_for(request.user).manages_anything,
        "query": request.GET.urlencode(),
    }
    return render(request, "services/pairing_list.html", context)


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST":
        household = apply_action(
            request,
            form,
            lambda data: actions.household_create(actor=request.user, **data),
            _("已登记帮扶对象，请为其安排帮扶党员。"),
        )
        if household:
            return redirect(f"{reverse('services:pairing_create')}?household={household.pk}")
    return render(request, "services/household_form.html", {"form": form})


@login_required
def pairing_create(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    form = PairingCreateForm(
        request.POST or None, user=request.user, initial={"household": request.GET.get("household")}
    )
    if request.method == "POST":
        pairing = apply_action(
            request,
            form,
            lambda data: actions.pairing_create(actor=request.user, **data),
            _("已建立结对。"),
        )
        if pairing:
            return redirect(pairing)
    return render(request, "services/pairing_form.html", {"form": form})


def _detail(request: HttpRequest, pairing: Pairing, visit_form: VisitForm | None = None, status: int = 200):
    user = request.user
    can_write = selectors.pairing_can_write(user=user, pairing=pairing)
    visible = selectors.household_details_visible(user=user, pairing_or_household=pairing)
    context = {
        "pairing": pairing,
        "household": selectors.household_shown(pairing.household, visible=visible),
        "visits": selectors.pairing_visits(pairing=pairing),
        "missed": selectors.missed_months(pairings=[pairing])[pairing.pk],
        "can_write": can_write,
        "can_visit": selectors.pairing_can_visit(user=user, pairing=pairing),
        "visit_form": visit_form or VisitForm(),
        "end_reason": selectors.pairing_end_reason(pairing=pairing) if pairing.ended_on else "",
    }
    if can_write and pairing.ended_on is None:
        context |= {
            "plan_form": PlanForm(initial={"content": pairing.content, "help_plan": pairing.help_plan}),
            "end_form": EndForm(),
        }
    return render(request, "services/pairing_detail.html", context, status=status)


@login_required
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.pairing_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    """On a refusal the page comes back with the notes kept (the photos must be chosen again)."""
    pairing = selectors.pairing_get_for_user(user=request.user, pk=pk, visit=True)
    form = VisitForm(request.POST, request.FILES)
    done = apply_action(
        request,
        form,
        lambda data: actions.visit_record(actor=request.user, pairing=pairing, **data),
        _("已登记走访。"),
    )
    if done:
        return redirect(pairing)
    return _detail(request, pairing, visit_form=form)


@login_required
@require_POST
def pairing_plan(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = selectors.pairing_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        pairing,
        lambda data: actions.pairing_update_plan(actor=request.user, pairing=pairing, **data),
        _("已保存帮扶计划。"),
        form=PlanForm(request.POST),
    )


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = selectors.pairing_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        pairing,
        lambda data: actions.pairing_end(actor=request.user, pairing=pairing, **data),
        _("结对已结束，记录和走访仍保留。"),
        form=EndForm(request.POST),
    )


@login_required
def pairing_card(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = selectors.pairing_get_for_user(user=request.user, pk=pk)
    visible = selectors.household_details_visible(user=request.user, pairing_or_household=pairing)
    context = {"pairing": pairing, "household": selectors.household_shown(pairing.household, visible=visible)}
    return render(request, "services/pairing_card.html", context)


@login_required
@require_GET
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.visit_photo_get_for_user(user=request.user, pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("照片文件不存在。")) from error
    content_type = mimetypes.guess_type(photo.image.name)[0] or "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="visit-photo-{photo.pk}.jpg"'
    return response


@login_required
@require_GET
def pairing_register_export(request: HttpRequest) -> FileResponse:
    """The list's filters over the pairings of the organisations the user manages (a helper's own pairing of
    another branch is not in a register they keep)."""
    _require_managing_scope(request)
    scope = scope_for(request.user)
    managed = selectors.pairing_list_for_user(user=request.user).filter(scope.organisation_q("organisation__"))
    pairings = PairingFilter(request.GET, queryset=managed, user=request.user)
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    content = actions.pairing_register_export(actor=request.user, pairings=pairings.qs, filters=filters)
    name = f"一帮一登记册-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(content, name)


urlpatterns = [
    path("pairing/", pairing_list, name="pairing_list"),
    path("pairing/new/", pairing_create, name="pairing_create"),
    path("pairing/households/new/", household_create, name="household_create"),
    path("pairing/register/export/", pairing_register_export, name="pairing_register_export"),
    path("pairing/photos/<int:pk>/", visit_photo, name="visit_photo"),
    path("pairing/<int:pk>/", pairing_detail, name="pairing_detail"),
    path("pairing/<int:pk>/card/", pairing_card, name="pairing_card"),
    path("pairing/<int:pk>/visits/new/", visit_add, name="visit_add"),
    path("pairing/<int:pk>/plan/", pairing_plan, name="pairing_plan"),
    path("pairing/<int:pk>/end/", pairing_end, name="pairing_end"),
]
