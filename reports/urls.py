"""The pages of the top layer: the home page (/), the yearly reports (/reports/) and the dashboards (/dashboards/).
The root URLconf (portal.urls) includes this at "", so every path and name is what it was under portal."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from reports.home import home_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/home.html", home_for_user(user=request.user))


urlpatterns = [
    path("", home, name="home"),
    path("reports/", include("reports.views")),
    path("dashboards/", include("reports.dashboards.views")),
]
