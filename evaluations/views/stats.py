"""Satisfaction (满意度): a period, a grouping tab, a table and two charts. The figures come from
evaluations.selectors.stats; the charts are drawn by static/js/charts.js from data passed with json_script."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.forms.follow_ups import PeriodForm
from evaluations.selectors import stats
from evaluations.selectors.follow_ups import follow_up_list_check
from portal.lib.charts import axis_floor, distinct_labels

TABS = [
    ("organisation", gettext_lazy("按党组织")),
    ("activity", gettext_lazy("按活动")),
    ("team", gettext_lazy("按服务队")),
    ("category", gettext_lazy("按活动类别")),
]


def _chart_data(rows: list[stats.Satisfaction], months: list[stats.Satisfaction]) -> dict:
    def plain(row: stats.Satisfaction, short: str) -> dict:
        return {
            "label": row.label,  # the full name, for the tooltip (escaped there: names are user text)
            "short": short,  # the axis label: cut, but never the same as another bar's
            "count": row.count,
            "rate": float(row.rate) if row.rate is not None else None,
            "average": float(row.average) if row.average is not None else None,
        }

    groups = rows[:30]  # a chart of more bars than this is unreadable on a phone
    return {
        "groups": [
            plain(row, short) for row, short in zip(groups, distinct_labels([r.label for r in groups]), strict=True)
        ],
        "months": [plain(row, row.label) for row in months],
        # The rate axes start near the lowest rate: on a 0–100 axis 97 % and 100 % look the same.
        "rate_min": {
            "groups": axis_floor([row.rate for row in groups]),
            "months": axis_floor([row.rate for row in months]),
        },
        "text": {"rate": _("满意率（%）"), "average": _("平均分"), "count": _("评价数")},
    }


@login_required
def satisfaction(request: HttpRequest) -> HttpResponse:
    follow_up_list_check(user=request.user)  # a staff page, as the follow-ups: 404 for those who manage nothing
    form = PeriodForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("筛选条件有误，已显示本年度的统计。"))
    start, end, organisation = form.period()
    group_by = request.GET.get("by") if request.GET.get("by") in dict(TABS) else TABS[0][0]
    period = {"user": request.user, "start": start, "end": end, "organisation": organisation}
    rows = stats.satisfaction(group_by=group_by, **period)
    months = stats.satisfaction(group_by="month", **period)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "organisation": organisation,
        "tabs": TABS,
        "group_by": group_by,
        "rows": rows,
        "total": stats.satisfaction_total(**period),
        "data": _chart_data(rows, months),
    }
    return render(request, "evaluations/satisfaction.html", context)


urlpatterns = [
    path("evaluations/satisfaction/", satisfaction, name="satisfaction"),
]
