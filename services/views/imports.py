"""Registers of past activities: import (upload → preview → confirm) and the activities export.

Staff tools, like the roster's: a user who manages no organisation gets 404."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches import resources as branch_resources
from branches.selectors import organisation_get_for_user, scope_for
from portal.lib.xlsx import XLSX_CONTENT_TYPE
from services import actions, resources, selectors
from services.forms.activities import ActivityFilter
from services.forms.imports import ActivityImportForm
from volunteers.selectors import led_team_ids


def _require_managing_scope(request: HttpRequest) -> None:
    if not scope_for(request.user).manages_anything:
        raise Http404("页面不存在。")


def _xlsx_response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def _preview(request: HttpRequest, result, organisation, file_name: str, token: str | None) -> HttpResponse:
    context = {"result": result, "token": token, "organisation": organisation, "file_name": file_name}
    return render(request, "services/import_preview.html", context)


@login_required
def activity_import(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    form = ActivityImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = actions.activity_register_import(
            actor=request.user, organisation=data["organisation"], dataset=data["dataset"], dry_run=True
        )
        token = None
        if not result.has_problems and result.records:
            token = branch_resources.roster_upload_store(
                user=request.user,
                organisation=data["organisation"],
                file_name=data["file"].name,
                content=data["content"],
            )
        return _preview(request, result, data["organisation"], data["file"].name, token)
    return render(request, "services/import_upload.html", {"form": form})


@login_required
@require_POST
def activity_import_confirm(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    upload = branch_resources.roster_upload_load(user=request.user, token=request.POST.get("token", ""))
    if upload is None:
        raise Http404("导入文件不存在或已过期，请重新上传。")
    organisation = organisation_get_for_user(user=request.user, pk=upload.organisation_id)
    dataset = branch_resources.roster_dataset_load(file_name=upload.file_name, content=upload.content)
    result = actions.activity_register_import(
        actor=request.user, organisation=organisation, dataset=dataset, dry_run=False, file_name=upload.file_name
    )
    if result.has_problems:
        messages.error(request, _("文件未导入：数据与预览时相比已有变化，请按下表修改后重新上传。"))
        return _preview(request, result, organisation, upload.file_name, None)
    branch_resources.roster_upload_discard(token=upload.token)
    written = result.written or {}
    messages.success(
        request,
        _("已导入活动 %(activities)d 个、参与记录 %(participations)d 条，审核时长 %(approved)d 条。")
        % {key: written.get(key, 0) for key in ("activities", "participations", "approved")},
    )
    if written.get("own_pending"):
        messages.info(request, _("您本人的 %(n)d 条时长须由他人审核，仍为待审核。") % {"n": written["own_pending"]})
    return redirect("services:activity_list")


@login_required
@require_GET
def activity_import_template(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    return _xlsx_response(resources.register_template_xlsx(), "活动登记模板.xlsx")


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
    return _xlsx_response(content, f"服务活动-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns = [
    path("activities/import/", activity_import, name="activity_import"),
    path("activities/import/confirm/", activity_import_confirm, name="activity_import_confirm"),
    path("activities/import/template/", activity_import_template, name="activity_import_template"),
    path("activities/export/", activity_export, name="activity_export"),
]
