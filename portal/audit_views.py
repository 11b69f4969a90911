"""The audit-log viewer (审计日志) for 组织部 staff: every recorded action, newest first, filtered by who, what and
when. Everyone else gets 403 (the selector decides). Read-only: the log is append-only."""

import datetime
import json
from typing import Any

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import DateInput
from portal.models import AuditEvent
from portal.selectors import audit_event_list_for_user
from portal.web import paginate


def object_type_choices() -> list[tuple[str, str]]:
    """Every model as `app.Model` (what `audit_record` stores), labelled with its Chinese name: no query."""
    return sorted(
        ((model._meta.label, f"{model._meta.verbose_name}（{model._meta.label}）") for model in apps.get_models()),
        key=lambda choice: choice[0],
    )


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


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def change_lines(changes: Any) -> list[dict[str, str]]:
    """The changes JSON as lines a person can read: `field: before → after` for the [before, after] pairs that
    `portal.audit.diff` records, `field: value` for other facts (counts, filters), one line for anything else."""
    if isinstance(changes, dict):
        lines = []
        for key, value in changes.items():
            if isinstance(value, list) and len(value) == 2:
                lines.append({"field": key, "before": _text(value[0]), "after": _text(value[1])})
            else:
                lines.append({"field": key, "value": _text(value)})
        return lines
    return [{"field": "", "value": _text(changes)}] if changes else []


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    events = AuditEventFilter(request.GET, queryset=audit_event_list_for_user(user=request.user))
    page = paginate(request, events.qs, per_page=50)
    for event in page:
        event.change_lines = change_lines(event.changes)
    return render(request, "portal/audit_list.html", {"filter": events, "page": page})


app_name = "audit"
urlpatterns = [
    path("", audit_list, name="audit_list"),
]
