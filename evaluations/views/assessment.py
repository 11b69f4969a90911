"""Branch assessment pages (评星晋级): the scoped list, the form (the 六有 checklist with the figures measured now),
an assessment's page (checklist, frozen figures, stars) and the comparison of a committee's branches (a sortable
table and a bar chart drawn by static/js/assessment.js from data passed with json_script).

A branch secretary sees their own branch's assessments, read-only; the level above (党委/党总支) and 组织部 assess.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluations.actions.assessment import THRESHOLDS, branch_assess, thresholds_met
from evaluations.forms.assessment import AssessmentForm, YearForm
from evaluations.selectors import assessment as selectors
from portal.web import apply_action, paginate


def _id(value: str | None) -> int | None:
    """An id from the address: absent → None; anything but digits → 404 (a broken link, not a form)."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404("页面不存在。")
    return int(value)


def default_year(today: datetime.date | None = None) -> int:
    """The year being assessed by default: the past year in January–March (assessments of a year are made early
    in the next), otherwise this year."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month <= 3 else today.year


def _figure_rows(figures: dict) -> list[dict]:
    met = thresholds_met(figures)
    return [
        {
            "key": key,
            "label": label,
            "unit": unit,
            "value": figures.get(key),
            "threshold": THRESHOLDS[key],
            "met": met[key],
        }
        for key, (label, unit) in selectors.FIGURES.items()
    ]


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    selectors.assessment_area_check(user=request.user)
    form = YearForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("年度有误，已显示全部年度。"))
    year = form.selected_year()
    page = paginate(request, selectors.assessment_list_for_user(user=request.user, year=year))
    context = {
        "form": form,
        "year": year,
        "page": page,
        "years": selectors.assessment_years_for_user(user=request.user),
        "can_assess": selectors.assessable_branches(user=request.user).exists(),
    }
    return render(request, "evaluations/assessment_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_form(request: HttpRequest) -> HttpResponse:
    organisation = selectors.assessment_form_target(
        user=request.user, organisation_id=_id(request.GET.get("organisation"))
    )
    year_form = YearForm(request.GET or None)
    year = year_form.selected_year() or default_year()
    existing = selectors.assessment_existing(organisation=organisation, year=year) if organisation else None
    initial = {"organisation": organisation, "year": year}
    if existing is not None:
        initial |= {name: getattr(existing, name) for name in AssessmentForm.checklist_fields()}
    form = AssessmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        assessment = apply_action(
            request,
            form,
            lambda data: branch_assess(actor=request.user, **form.action_kwargs()),
            _("评星结果已保存。"),
        )
        if assessment:
            return redirect(assessment)
    figures = selectors.branch_figures(organisation=organisation, year=year) if organisation else None
    context = {
        "form": form,
        "organisation": organisation,
        "year": year,
        "existing": existing,
        "figure_rows": _figure_rows(figures) if figures else None,
        "figures": figures,
    }
    return render(request, "evaluations/assessment_form.html", context)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, pk=pk)
    context = {
        "assessment": assessment,
        "checklist": selectors.checklist_rows(assessment),
        "checklist_count": selectors.checklist_count(assessment),
        "figure_rows": _figure_rows(assessment.figures),
        "figures": assessment.figures,
        "can_assess": selectors.assessment_can_assess(user=request.user, organisation=assessment.organisation),
    }
    return render(request, "evaluations/assessment_detail.html", context)


def _chart_data(rows: list[selectors.ComparisonRow]) -> dict:
    keys = [key for key in selectors.FIGURES if key != "activities_per_member"]
    return {
        "labels": [row.organisation.name for row in rows],
        "stars": [row.stars for row in rows],
        "series": [
            {"name": _(selectors.FIGURES[key][0]), "data": [row.figures.get(key) for row in rows]} for key in keys
        ],
        "text": {"percent": _("%"), "stars": _("星级"), "unrated": _("未评定")},
    }


@login_required
def assessment_compare(request: HttpRequest) -> HttpResponse:
    parent = selectors.comparison_parent(user=request.user, parent_id=_id(request.GET.get("parent")))
    form = YearForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("年度有误，已显示默认年度。"))
    year = form.selected_year() or default_year()
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.SORT_KEYS else "name"
    rows = selectors.comparison_sorted(selectors.comparison(user=request.user, parent=parent, year=year), sort)
    context = {
        "parent": parent,
        "parents": selectors.comparison_parents(user=request.user),
        "year": year,
        "sort": sort,
        "rows": rows,
        "figure_labels": selectors.FIGURES,
        "thresholds": THRESHOLDS,
        "data": _chart_data(rows),
    }
    return render(request, "evaluations/assessment_compare.html", context)


urlpatterns = [
    path("evaluations/assessments/", assessment_list, name="assessment_list"),
    path("evaluations/assessments/new/", assessment_form, name="assessment_form"),
    path("evaluations/assessments/compare/", assessment_compare, name="assessment_compare"),
    path("evaluations/assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
]
