"""Reads on yearly report exports: the history a user may see, one export within scope."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from branches.selectors import scope_for
from portal.models import User
from reports.models import ReportExport


def report_export_list_for_user(*, user: User) -> QuerySet[ReportExport]:
    """组织部 sees every export; a secretary sees the exports of the subtrees they manage (whoever started them)."""
    scope = scope_for(user)
    if not scope.manages_anything:
        raise PermissionDenied("年度报告仅供党组织书记、委员和组织部使用。")
    exports = ReportExport.objects.select_related("organisation", "requested_by")
    if scope.everything:
        return exports
    return exports.filter(Q(organisation__isnull=False) & scope.organisation_q("organisation__"))


def report_export_get_for_user(*, user: User, pk: int) -> ReportExport:
    try:
        return report_export_list_for_user(user=user).get(pk=pk)
    except ReportExport.DoesNotExist:
        raise Http404("没有这份年度报告，或它不在您的范围内。") from None
