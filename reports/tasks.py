"""Jobs of the yearly report exports. Each is thin: ids in, one action, a small summary out."""

from celery import shared_task
from django.utils import timezone

from portal.jobs import ScheduledJob


@shared_task
def report_export_run_task(export_id: int) -> dict:
    """Builds one yearly report export (queued from the web once its row is committed)."""
    from reports.actions import report_export_run

    return report_export_run(export_id=export_id)


@shared_task(base=ScheduledJob)
def report_export_yearly_task(year: int | None = None) -> dict:
    """年度报告 (January): last year's whole-tree report, made once and built in this run. A re-run finds it done
    (or failed: a failed build is left for someone to look at, and restarted from the web) and builds nothing."""
    from reports.actions import report_export_run, report_export_scheduled

    year = year or timezone.localdate().year - 1
    export = report_export_scheduled(year=year)
    if export is None:
        return {"year": year, "built": False}
    return {"year": year, **report_export_run(export_id=export.pk)}


@shared_task(base=ScheduledJob)
def report_exports_resume_task() -> dict:
    """Builds the yearly report exports still waiting because the broker was down when they were started."""
    from reports.actions import report_exports_resume

    return report_exports_resume()
