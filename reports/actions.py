"""Writes on yearly report exports: start one (from the web or the January job), and run it in the background."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from branches.models import Organisation
from branches.selectors import scope_for
from portal.audit import audit_record
from portal.jobs import enqueue
from portal.models import User
from reports.models import ReportExport
from reports.yearly import yearly_report_xlsx

FIRST_YEAR = 2000


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError(f"年度须在 {FIRST_YEAR} 年至今年之间。")


def report_export_start(*, actor: User, year: int, organisation: Organisation | None) -> ReportExport:
    """Queues a report for a year and a subtree the actor manages (None: the whole tree, 组织部 only).

    The build runs in a worker once this commits; the page polls the row's progress."""
    from reports.tasks import report_export_run_task

    scope = scope_for(actor)
    if organisation is None and not scope.everything:
        raise PermissionDenied("只有组织部可以导出全部党组织的年度报告。")
    if organisation is not None and not scope.covers_path(organisation.path):
        raise PermissionDenied("您只能导出所管理党组织的年度报告。")
    _check_year(year)
    with transaction.atomic():
        export = ReportExport.objects.create(year=year, organisation=organisation, requested_by=actor)
        audit_record(actor=actor, action="report.start", target=export, summary=str(export))
        # With the broker down the row stays queued and the report-exports-resume job builds it later.
        transaction.on_commit(lambda: enqueue(report_export_run_task, export.pk))
    return export


def report_export_scheduled(*, year: int) -> ReportExport | None:
    """The January job's whole-tree report of last year: made once (a unique constraint), returned when new."""
    _check_year(year)
    with transaction.atomic():
        export, created = ReportExport.objects.get_or_create(year=year, organisation=None, requested_by=None)
        if created:
            audit_record(actor=None, action="report.start", target=export, summary=f"{export}（定时任务）")
    return export if created or export.status != ReportExport.Status.DONE else None


def report_export_run(*, export_id: int) -> dict:
    """Builds the workbook of a queued export. Idempotent: a done export is left alone, and a run that a killed
    worker left behind ("running") is built again from the start; the file and the 'done' state land together."""
    claimed = ReportExport.objects.filter(
        Q(status=ReportExport.Status.QUEUED) | Q(status=ReportExport.Status.RUNNING), pk=export_id
    ).update(status=ReportExport.Status.RUNNING, progress=0, step="", error="")
    if not claimed:
        return {"export": export_id, "built": False}
    export = ReportExport.objects.select_related("organisation").get(pk=export_id)

    def progress(percent: int, step: str) -> None:
        # Committed at once (no surrounding transaction), so the polling page sees it move.
        ReportExport.objects.filter(pk=export_id).update(progress=min(max(percent, 0), 99), step=step[:100])

    try:
        content = yearly_report_xlsx(year=export.year, organisation=export.organisation, progress=progress)
    except Exception as error:
        ReportExport.objects.filter(pk=export_id).update(
            status=ReportExport.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        export.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(content), save=False)
        export.status, export.progress, export.step = ReportExport.Status.DONE, 100, "完成"
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "progress", "step", "finished_at"])
        audit_record(actor=None, action="report.done", target=export, summary=f"{export} {len(content)} 字节")
    return {"export": export_id, "built": True, "bytes": len(content)}


def report_export_download_record(*, actor: User, export: ReportExport) -> None:
    """Downloads of a report are audited: who took which workbook, when."""
    audit_record(actor=actor, action="report.download", target=export, summary=str(export))


# A queued export whose message was never delivered (broker down when it was started) waits this long, then the
# resume job builds it: long enough that a healthy worker has long since claimed it.
RESUME_AFTER = datetime.timedelta(minutes=5)


def report_exports_resume(*, now: datetime.datetime | None = None) -> dict:
    """Builds the exports still queued after RESUME_AFTER (their message was lost). A re-run finds them done."""
    cutoff = (now or timezone.now()) - RESUME_AFTER
    waiting = list(
        ReportExport.objects.filter(status=ReportExport.Status.QUEUED, created_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    built = sum(1 for pk in waiting if report_export_run(export_id=pk)["built"])
    return {"resumed": built}
