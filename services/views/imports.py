"""The activities export (registers of past activities come in through the import pipeline, portal.imports)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from branches.selectors import scope_for
from portal.web import xlsx_response
from services import actions, selectors
from services.forms.activities import ActivityFilter
from volunteers.selectors import led_team_ids


@login_required
@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    """The activity list's filters over the activities the user manages (organisation scope or led teams):
    a member's view of other branches' activities is not exported with their attendance."""
    scope = scope_for(request.user)
    led = led_team_ids(user=request.user)
    if not scope.manages_anything and not led:
        raise Http404("页面不存在。")
    managed = selectors.activity_list_for_user(user=request.user).filter(
        scope.organisation_q("organisation__") | Q(team_id__in=led)
    )
    activities = ActivityFilter(request.GET, queryset=managed, user=request.user)
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    content = actions.activity_export(actor=request.user, activities=activities.qs, filters=filters)
    return xlsx_response(content, f"服务活动-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("activities/export/", activity_export, name="activity_export"),
]
