"""Yearly report pages: the form and history, the progress of one export (polled by htmx), the download.
Access → form → action → redirect with a message."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.web import apply_action, paginate
from reports import actions, selectors
from reports.forms import ReportExportForm
from reports.models import ReportExport


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    exports = selectors.report_export_list_for_user(user=request.user)
    form = ReportExportForm(request.POST or None, user=request.user)
    if request.method == "POST":
        export = apply_action(
            request,
            form,
            lambda data: actions.report_export_start(actor=request.user, **data),
            _("已开始生成年度报告，完成后即可下载。"),
        )
        if export:
            return redirect("reports:report_list")
    context = {"form": form, "page": paginate(request, exports, per_page=20)}
    return render(request, "reports/report_list.html", context)


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One history row; while the export runs, the row asks to be fetched again (htmx polling)."""
    export = selectors.report_export_get_for_user(user=request.user, pk=pk)
    return render(request, "reports/report_row.html", {"export": export})


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    export = selectors.report_export_get_for_user(user=request.user, pk=pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404(_("报告尚未生成完成。"))
    actions.report_export_download_record(actor=request.user, export=export)
    filename = f"{export.year}年度报告-{export.scope_label}.xlsx"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)


app_name = "reports"
urlpatterns = [
    path("", report_list, name="report_list"),
    path("<int:pk>/", report_status, name="report_status"),
    path("<int:pk>/download/", report_download, name="report_download"),
]
