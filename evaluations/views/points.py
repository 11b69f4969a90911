"""党员积分 pages: 我的积分 and the printable 积分卡 (every member), the branch points table with its export and
红星榜 (secretaries), manual adjustments (request below, approve above), the rule sets (everyone reads; 组织部
makes a new version) and settling now (组织部). Access → form → action → redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.selectors import scope_for
from evaluations.actions import points as actions
from evaluations.forms.points import AdjustmentRequestForm, ReasonForm, RuleSetVersionForm
from evaluations.models import PointsRule
from evaluations.selectors import points as selectors
from portal.web import apply_action, form_errors_to_messages, paginate, xlsx_response


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# 我的积分 ---------------------------------------------------------------------------------------------------


@login_required
def my_points(request: HttpRequest) -> HttpResponse:
    person = selectors.my_person(user=request.user)
    year = selectors.year_from(request.GET.get("year"))
    points = selectors.my_points(person_id=person.pk, year=year)
    page = paginate(request, points.entries)
    page.object_list = selectors.with_source_urls(page.object_list, user=request.user)
    chart = {"months": [f"{month}月" for month in range(1, 13)], "points": points.by_month, "label": _("积分")}
    this_year = timezone.localdate().year
    context = {"points": points, "page": page, "chart": chart, "years": range(this_year, this_year - 3, -1)}
    return render(request, "evaluations/points_me.html", context)


@login_required
def points_card(request: HttpRequest) -> HttpResponse:
    person = selectors.my_person(user=request.user)
    year = selectors.year_from(request.GET.get("year"))
    points = selectors.my_points(person_id=person.pk, year=year)
    return render(request, "evaluations/points_card.html", {"points": points, "today": timezone.localdate()})


# Branch table, export, 红星榜 --------------------------------------------------------------------------------


@login_required
def branch_points(request: HttpRequest) -> HttpResponse:
    organisation = selectors.points_organisation_get_for_user(user=request.user, pk=request.GET.get("organisation"))
    year = selectors.year_from(request.GET.get("year"))
    people = selectors.branch_points_table(user=request.user, organisation=organisation, year=year)
    minimum, maximum = selectors.points_band_from(request.GET.get("min_points"), request.GET.get("max_points"))
    people = selectors.points_in_band(people=people, minimum=minimum, maximum=maximum)
    codes = [(code, label) for code, label in PointsRule.Code.choices]
    page = paginate(request, people, per_page=50)
    for person in page.object_list:
        person.rule_values = [getattr(person, f"rule_{code}") for code, _label in codes]
    context = {
        "organisation": organisation,
        "year": year,
        "page": page,
        "codes": codes,
        "organisations": selectors.points_organisations_for_user(user=request.user),
        "band": (minimum, maximum) if minimum is not None or maximum is not None else None,
    }
    return render(request, "evaluations/points_branch.html", context)


@login_required
def branch_points_export(request: HttpRequest) -> HttpResponse:
    organisation = selectors.points_organisation_get_for_user(user=request.user, pk=request.GET.get("organisation"))
    year = selectors.year_from(request.GET.get("year"))
    people = selectors.branch_points_table(user=request.user, organisation=organisation, year=year)
    data = actions.points_branch_export(actor=request.user, organisation=organisation, year=year, people=people)
    return xlsx_response(data, f"积分-{organisation.name}-{year}.xlsx")


@login_required
def red_star_board(request: HttpRequest) -> HttpResponse:
    organisation = selectors.board_organisation_get_for_user(user=request.user, pk=request.GET.get("organisation"))
    year, quarter = selectors.current_quarter()
    year = selectors.year_from(request.GET.get("year") or str(year))
    quarter = int(request.GET.get("quarter")) if request.GET.get("quarter") in ("1", "2", "3", "4") else quarter
    rows = selectors.red_star_board(organisation=organisation, year=year, quarter=quarter)
    context = {
        "organisation": organisation,
        "year": year,
        "quarter": quarter,
        "rows": rows,
        "quarters": (1, 2, 3, 4),
        "organisations": selectors.points_organisations_for_user(user=request.user),
    }
    return render(request, "evaluations/points_red_stars.html", context)


# Adjustments and reversals ----------------------------------------------------------------------------------


@login_required
def points_adjustments(request: HttpRequest) -> HttpResponse:
    selectors.points_area_check(user=request.user)
    form = AdjustmentRequestForm(people=selectors.adjustment_people_for_user(user=request.user))
    context = {
        "form": form,
        "adjustments": selectors.adjustments_for_user(user=request.user),
        "reason_form": ReasonForm(),
    }
    return render(request, "evaluations/points_adjustments.html", context)


@login_required
@require_POST
def points_adjustment_request(request: HttpRequest) -> HttpResponse:
    selectors.points_area_check(user=request.user)
    form = AdjustmentRequestForm(request.POST, people=selectors.adjustment_people_for_user(user=request.user))
    done = apply_action(
        request,
        form,
        lambda data: actions.points_adjustment_request(actor=request.user, **data),
        _("已提交积分调整，待上级党组织审批。"),
    )
    if not done:
        form_errors_to_messages(request, form)
    return redirect("evaluations:points_adjustments")


@login_required
@require_POST
def points_adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = selectors.adjustment_get_for_user(user=request.user, pk=pk)
    approve = request.POST.get("approve") == "1"
    try:
        actions.points_adjustment_decide(actor=request.user, adjustment=adjustment, approve=approve)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已批准，积分已记入。") if approve else _("已驳回。"))
    return redirect("evaluations:points_adjustments")


@login_required
@require_POST
def points_entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    done = apply_action(
        request,
        form,
        lambda data: actions.points_entry_reverse(actor=request.user, entry=entry, reason=data["reason"]),
        _("已冲销（另记一条相反的积分）。"),
    )
    if not done:
        form_errors_to_messages(request, form)
    return redirect("evaluations:points_adjustments")


# Rules and settling -----------------------------------------------------------------------------------------


@login_required
def points_rules(request: HttpRequest) -> HttpResponse:
    """Everyone may read the rules (a member should know what earns points); 组织部 sees the form and versions."""
    year = selectors.year_from(request.GET.get("year"))
    rule_sets = selectors.rule_sets_for_year(year=year)
    current = next((rule_set for rule_set in rule_sets if rule_set.is_current), None)
    editable = scope_for(request.user).everything
    context = {
        "year": year,
        "current": current,
        "rule_sets": rule_sets if editable else [],
        "form": RuleSetVersionForm(rule_set=current) if editable and current else None,
        "defaults": [(PointsRule.Code(code).label, p, cap) for code, (p, cap) in actions.DEFAULT_RULES.items()],
        "editable": editable,
    }
    return render(request, "evaluations/points_rules.html", context)


def _org_department(request: HttpRequest) -> None:
    if not scope_for(request.user).everything:
        raise Http404("页面不存在。")


@login_required
@require_POST
def points_rules_new_version(request: HttpRequest) -> HttpResponse:
    _org_department(request)
    year = selectors.year_from(request.POST.get("year"))
    current = actions.rule_set_for_year(year=year)
    form = RuleSetVersionForm(request.POST, rule_set=current)
    done = apply_action(
        request,
        form,
        lambda data: actions.rule_set_new_version(
            actor=request.user, rule_set=current, changes=form.changes(), note=data["note"]
        ),
        _("已发布新版积分规则；已记入的积分不受影响。"),
    )
    if not done:
        form_errors_to_messages(request, form)
    return redirect(f"{reverse('evaluations:points_rules')}?year={year}")


@login_required
@require_POST
def points_settle_now(request: HttpRequest) -> HttpResponse:
    _org_department(request)
    year = selectors.year_from(request.POST.get("year"))
    counts = actions.points_settle(year=year)
    labels = dict(PointsRule.Code.choices)
    detail = "，".join(f"{labels[code]} {n} 条" for code, n in counts.items() if n) or _("没有新的积分")
    messages.success(request, _("%(year)s 年积分已结算：%(detail)s。") % {"year": year, "detail": detail})
    return redirect(f"{reverse('evaluations:points_rules')}?year={year}")


urlpatterns = [
    path("evaluations/points/me/", my_points, name="my_points"),
    path("evaluations/points/me/card/", points_card, name="points_card"),
    path("evaluations/points/branch/", branch_points, name="branch_points"),
    path("evaluations/points/branch/export/", branch_points_export, name="branch_points_export"),
    path("evaluations/points/red-stars/", red_star_board, name="red_star_board"),
    path("evaluations/points/adjustments/", points_adjustments, name="points_adjustments"),
    path("evaluations/points/adjustments/request/", points_adjustment_request, name="points_adjustment_request"),
    path("evaluations/points/adjustments/<int:pk>/decide/", points_adjustment_decide, name="points_adjustment_decide"),
    path("evaluations/points/entries/<int:pk>/reverse/", points_entry_reverse, name="points_entry_reverse"),
    path("evaluations/points/rules/", points_rules, name="points_rules"),
    path("evaluations/points/rules/new-version/", points_rules_new_version, name="points_rules_new_version"),
    path("evaluations/points/settle/", points_settle_now, name="points_settle_now"),
]
