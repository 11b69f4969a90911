"""The dashboard page (工作看板): a year and a subtree; the figures come from `selectors.dashboard_for_user`, the
charts are drawn by static/js/dashboard.js from the data passed with json_script."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports.dashboards import selectors
from reports.dashboards.forms import DashboardForm


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    # Refused (403) for those who manage nothing; an organisation outside the scope does not exist (404).
    organisation = selectors.dashboard_organisation_for_user(user=request.user, pk=request.GET.get("organisation"))
    form = DashboardForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid_field("year"):
        messages.warning(request, _("年度有误，已显示本年度的看板。"))
    year = form.chosen_year()
    data = selectors.dashboard_for_user(user=request.user, year=year, organisation=organisation)
    return render(request, "reports/dashboards/dashboard.html", {"form": form, "dashboard": data})


app_name = "dashboards"
urlpatterns = [
    path("", dashboard, name="dashboard"),
]
