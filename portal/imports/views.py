"""The import pages, one set for every kind: upload → preview → confirm, and the template workbook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.imports import storage
from portal.imports.base import Importer, ImportResult, import_run
from portal.imports.files import sheet_read
from portal.imports.forms import ImportUploadForm
from portal.imports.registry import importer_class, importer_classes
from portal.imports.templates import template_xlsx
from portal.web import xlsx_response


def _importer_for(request: HttpRequest, kind: str) -> type[Importer]:
    """The kind's importer; 404 for an unknown kind or a user who may not import it (as for anything out of scope)."""
    importer = importer_class(kind)
    if importer is None or not importer.allowed(request.user):
        raise Http404("页面不存在。")
    return importer


def _organisation(importer: type[Importer], request: HttpRequest, pk: int | None):
    choices = importer.organisation_choices(request.user)
    if choices is None or pk is None:
        return None
    organisation = choices.filter(pk=pk).first()
    if organisation is None:
        raise Http404("页面不存在。")
    return organisation


def _preview(request: HttpRequest, result: ImportResult, file_name: str, token: str | None) -> HttpResponse:
    context = {"importer": result.importer, "result": result, "file_name": file_name, "token": token}
    return render(request, "imports/preview.html", context)


@login_required
def import_index(request: HttpRequest) -> HttpResponse:
    importers = [importer for importer in importer_classes() if importer.allowed(request.user)]
    if not importers:
        raise Http404("页面不存在。")
    titles = {importer.kind: importer.title for importer in importers}
    pending = [
        (upload, titles[upload.kind]) for upload in storage.uploads_pending(user=request.user) if upload.kind in titles
    ]
    return render(request, "imports/index.html", {"importers": importers, "pending": pending})


@login_required
@require_GET
def import_resume(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    """An upload previewed earlier and not confirmed: checked again now and previewed, with its confirm step."""
    importer = _importer_for(request, kind)
    upload = storage.upload_load(user=request.user, kind=kind, token=token)
    if upload is None:
        raise Http404("导入文件不存在或已过期，请重新上传。")
    organisation = _organisation(importer, request, upload.organisation_id)
    sheet = sheet_read(file_name=upload.file_name, content=upload.content)
    result = import_run(importer=importer(actor=request.user, organisation=organisation), sheet=sheet, commit=False)
    clean = not result.has_problems and result.has_changes
    # A file that can no longer be confirmed stays listed until 放弃 (a GET changes nothing) or it expires.
    return _preview(request, result, upload.file_name, upload.token if clean else None)


@login_required
@require_POST
def import_discard(request: HttpRequest, kind: str) -> HttpResponse:
    _importer_for(request, kind)
    upload = storage.upload_load(user=request.user, kind=kind, token=request.POST.get("token", ""))
    if upload is None:
        raise Http404("导入文件不存在或已过期。")
    storage.upload_discard(user=request.user, token=upload.token)
    messages.info(request, _("已放弃导入“%(name)s”，未写入任何数据。") % {"name": upload.file_name})
    return redirect("imports:index")


@login_required
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user, importer=importer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("organisation")
        file_name = data["file"].name
        result = import_run(
            importer=importer(actor=request.user, organisation=organisation), sheet=data["sheet"], commit=False
        )
        token = None
        if not result.has_problems and result.has_changes:
            token = storage.upload_store(
                user=request.user,
                kind=kind,
                organisation_id=organisation.pk if organisation else None,
                file_name=file_name,
                content=data["content"],
            )
        return _preview(request, result, file_name, token)
    return render(request, "imports/upload.html", {"importer": importer, "form": form})


@login_required
@require_POST
def import_confirm(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    upload = storage.upload_load(user=request.user, kind=kind, token=request.POST.get("token", ""))
    if upload is None:
        raise Http404("导入文件不存在或已过期，请重新上传。")
    organisation = _organisation(importer, request, upload.organisation_id)
    sheet = sheet_read(file_name=upload.file_name, content=upload.content)
    result = import_run(
        importer=importer(actor=request.user, organisation=organisation),
        sheet=sheet,
        commit=True,
        file_name=upload.file_name,
    )
    if result.has_problems:
        # The records changed since the preview: nothing was written; show why.
        messages.error(request, _("文件未导入：数据与预览时相比已有变化，请按下表修改后重新上传。"))
        return _preview(request, result, upload.file_name, None)
    storage.upload_discard(user=request.user, token=upload.token)
    messages.success(request, result.importer.success_message({**result.counts(), **(result.written or {})}))
    return redirect(importer.success_url)


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    return xlsx_response(template_xlsx(importer), f"{importer.title}模板.xlsx")
