"""Review pages (民主评议, 相互评议打分): the rounds list, opening a round, the round's page (the branch sheet for
writers; the member's own sheet and peer scoring for members), the steps posted from it and the Excel export.
Access → form → action → redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches.selectors import scope_for
from evaluations.actions import reviews as actions
from evaluations.forms.reviews import (
    OrganisationScoreForm,
    PeerScoresForm,
    ReviewFollowUpForm,
    ReviewRoundFilter,
    ReviewRoundForm,
    SelfEvaluationForm,
)
from evaluations.selectors import reviews as selectors
from portal.web import apply_action, form_errors_to_messages, paginate, xlsx_response


@login_required
@require_GET
def review_round_list(request: HttpRequest) -> HttpResponse:
    selectors.review_list_check(user=request.user)
    rounds = ReviewRoundFilter(
        request.GET, queryset=selectors.review_round_list_for_user(user=request.user), user=request.user
    )
    page = paginate(request, rounds.qs)
    can_open = scope_for(request.user).manages_anything
    context = {"page": page, "can_open": can_open, "filter": rounds}
    return render(request, "evaluations/review_round_list.html", context)


@login_required
def review_round_open(request: HttpRequest) -> HttpResponse:
    selectors.review_open_check(user=request.user)
    form = ReviewRoundForm(request.POST or None, user=request.user)
    if request.method == "POST":
        opened = apply_action(
            request,
            form,
            lambda data: actions.review_round_open(actor=request.user, **form.action_kwargs()),
            _("评议已开启，已为本支部每名党员建立评议表。"),
        )
        if opened:
            return redirect(opened)
    return render(request, "evaluations/review_round_form.html", {"form": form})


@login_required
@require_GET
def review_round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.review_round_get_for_user(user=request.user, pk=pk)
    context = selectors.review_round_detail(round=round_, user=request.user)
    is_open = round_.state == round_.State.OPEN
    if is_open and context["my_sheet"] is not None:
        if round_.kind == round_.Kind.YEARLY:
            sheet = context["my_sheet"]
            context["self_form"] = SelfEvaluationForm(initial={"text": sheet.self_text, "score": sheet.self_score})
        context["peer_form"] = PeerScoresForm(peers=context["peers"])
    return render(request, "evaluations/review_round_detail.html", context)


def _my_sheet(request: HttpRequest, round_):
    sheet = selectors.review_my_sheet(round=round_, user=request.user)
    if sheet is None:
        raise PermissionDenied("您不是本次评议的党员。")
    return sheet


@login_required
@require_POST
def review_self_submit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.review_round_get_for_user(user=request.user, pk=pk)
    sheet = _my_sheet(request, round_)
    form = SelfEvaluationForm(request.POST)
    if not apply_action(
        request,
        form,
        lambda data: actions.review_self_submit(actor=request.user, sheet=sheet, **data),
        _("自我评价已提交。"),
    ):
        form_errors_to_messages(request, form)
    return redirect(round_)


@login_required
@require_POST
def review_peer_scores(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.review_round_get_for_user(user=request.user, pk=pk)
    sheet = _my_sheet(request, round_)
    form = PeerScoresForm(request.POST, peers=selectors.review_peers_to_score(round=round_, sheet=sheet))
    if not apply_action(
        request,
        form,
        lambda data: actions.peer_scores_submit(actor=request.user, round=round_, scores=form.changed_scores()),
        _("互评打分已保存。"),
    ):
        form_errors_to_messages(request, form)
    return redirect(round_)


@login_required
@require_POST
def review_organisation_score(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = selectors.review_sheet_get_for_user(user=request.user, pk=pk, write=True)
    form = OrganisationScoreForm(request.POST)
    if not apply_action(
        request,
        form,
        lambda data: actions.review_organisation_score(actor=request.user, sheet=sheet, **data),
        _("已评定%(name)s的组织评价分。") % {"name": sheet.person.name},
    ):
        form_errors_to_messages(request, form)
    return redirect(sheet.round)


@login_required
@require_POST
def review_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = selectors.review_sheet_get_for_user(user=request.user, pk=pk, write=True)
    form = ReviewFollowUpForm(request.POST)
    if not apply_action(
        request,
        form,
        lambda data: actions.review_follow_up_record(actor=request.user, sheet=sheet, **data),
        _("已登记%(name)s的批评教育情况。") % {"name": sheet.person.name},
    ):
        form_errors_to_messages(request, form)
    return redirect(sheet.round)


def _round_step(request: HttpRequest, pk: int, step, success: str) -> HttpResponse:
    """Remind and close: buttons on the round's page; a refusal is shown there as a message."""
    round_ = selectors.review_round_get_for_user(user=request.user, pk=pk, write=True)
    try:
        step(actor=request.user, round=round_)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect(round_)


@login_required
@require_POST
def review_round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_step(request, pk, actions.review_round_remind, _("已记录催办，未提交的人员见下方名单。"))


@login_required
@require_POST
def review_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_step(request, pk, actions.review_round_close, _("评议已结束，评议结果已计算。"))


@login_required
@require_GET
def review_round_export(request: HttpRequest, pk: int) -> FileResponse:
    round_ = selectors.review_round_get_for_user(user=request.user, pk=pk, write=True)
    content = actions.review_round_export(actor=request.user, round=round_)
    name = f"民主评议-{round_.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(content, name)


R = "evaluations/reviews/"

urlpatterns = [
    path(R, review_round_list, name="review_round_list"),
    path(R + "new/", review_round_open, name="review_round_open"),
    path(R + "<int:pk>/", review_round_detail, name="review_round_detail"),
    path(R + "<int:pk>/self/", review_self_submit, name="review_self_submit"),
    path(R + "<int:pk>/peers/", review_peer_scores, name="review_peer_scores"),
    path(R + "<int:pk>/remind/", review_round_remind, name="review_round_remind"),
    path(R + "<int:pk>/close/", review_round_close, name="review_round_close"),
    path(R + "<int:pk>/export.xlsx", review_round_export, name="review_round_export"),
    path(R + "sheets/<int:pk>/organisation-score/", review_organisation_score, name="review_organisation_score"),
    path(R + "sheets/<int:pk>/follow-up/", review_follow_up, name="review_follow_up"),
]
