"""The audit-log viewer (审计日志) for 组织部 staff: every recorded action, newest first, filtered by who, what and
when. Everyone else gets 403 (the selector decides). Read-only: the log is append-only."""

import datetime

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit_labels import OUR_APPS, action_label, change_rows, object_label
from portal.forms import DateInput
from portal.models import AuditEvent
from portal.selectors import audit_event_list_for_user
from portal.web import paginate


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of ours as `app.Model` (what `audit_record` stores), labelled with its Chinese name (and its
    app's where two share one): no query."""
    models = [model for model in apps.get_models() if model._meta.app_label in OUR_APPS]
    names = [str(model._meta.verbose_name) for model in models]
    choices = [
        (
            model._meta.label,
            f"{name}（{model._meta.app_config.verbose_name}）" if names.count(name) > 1 else name,
        )
        for model, name in zip(models, names, strict=True)
    ]
    return sorted(choices, key=lambda choice: choice[1])


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of a local (Asia/Shanghai) day: the range stays a plain comparison on the indexed column."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("操作人用户名"), field_name="actor__username", lookup_expr="iexact")
    action = django_filters.CharFilter(label=_("操作（前缀）"), field_name="action", lookup_expr="startswith")
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=object_type_choices)
    since = django_filters.DateFilter(label=_("日期从"), method="from_day", widget=DateInput())
    until = django_filters.DateFilter(label=_("日期至"), method="to_day", widget=DateInput())

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "since", "until"]

    def from_day(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(created_at__gte=_day_start(value))

    def to_day(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    events = AuditEventFilter(request.GET, queryset=audit_event_list_for_user(user=request.user))
    page = paginate(request, events.qs, per_page=50)
    for event in page:
        event.label = action_label(event.action, event.object_type)
        event.object_label = object_label(event.object_type)
        event.change_rows = change_rows(event.object_type, event.changes)
    return render(request, "portal/audit_list.html", {"filter": events, "page": page})


app_name = "audit"
urlpatterns = [
    path("", audit_list, name="audit_list"),
]
