"""The January job: last year's whole-tree report, made and built once. Run twice: the second run builds nothing."""

import pytest
from django.utils import timezone

from portal.models import JobRun
from reports.models import ReportExport
from reports.tasks import report_export_yearly_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder(monkeypatch, settings, tmp_path):
    """The report builder is someone else's work: here it returns a few bytes and counts its calls."""
    settings.MEDIA_ROOT = tmp_path
    calls = []

    def build(*, year, organisation, progress):
        calls.append((year, organisation))
        progress(50, "测试")
        return b"PK\x03\x04 workbook"

    monkeypatch.setattr("reports.actions.yearly_report_xlsx", build)
    return calls


def test_the_yearly_report_is_made_and_built_once(builder):
    last_year = timezone.localdate().year - 1

    first = report_export_yearly_task.apply()
    assert first.successful(), first.result
    assert first.result == {"year": last_year, "export": ReportExport.objects.get().pk, "built": True, "bytes": 13}
    export = ReportExport.objects.get()
    assert (export.year, export.organisation, export.requested_by, export.status) == (
        last_year,
        None,
        None,
        ReportExport.Status.DONE,
    )
    assert export.file.read() == b"PK\x03\x04 workbook"
    assert builder == [(last_year, None)]

    second = report_export_yearly_task.apply()
    assert second.result == {"year": last_year, "built": False}
    assert ReportExport.objects.count() == 1
    assert builder == [(last_year, None)]
    assert list(JobRun.objects.filter(name="yearly-report").values_list("outcome", flat=True)) == ["ok", "ok"]


def test_a_year_can_be_named_when_run_by_hand(builder):
    year = timezone.localdate().year - 2
    assert report_export_yearly_task.apply(kwargs={"year": year}).result["built"] is True
    assert ReportExport.objects.get().year == year
