"""组织部 makes the yearly report from the web, as in production: the page queues the export on the Redis broker,
a real Celery worker builds the real workbook, the history row's progress bar moves (htmx polls it), and the
download is the workbook itself."""

import io
import time

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import AuditEvent
from reports import actions as report_actions
from reports.models import ReportExport
from reports.yearly import SECTIONS
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def paced_builder(monkeypatch):
    """The real builder, paused at each progress step so that the page's one-second polling sees the bar move."""
    real = report_actions.yearly_report_xlsx

    def paced(*, year, organisation, progress=None):
        def step(percent: int, label: str) -> None:
            progress(percent, label)
            time.sleep(0.4)

        return real(year=year, organisation=organisation, progress=step)

    monkeypatch.setattr(report_actions, "yearly_report_xlsx", paced)


def test_orgadmin_starts_the_yearly_export_watches_it_and_downloads_the_workbook(
    cast, live_server, phone_page, paced_builder, celery_worker
):
    base = live_server.url
    page = phone_page()
    log_in(page, base, "orgadmin")
    page.goto(f"{base}/reports/")
    page.get_by_label("年度").select_option(str(LAST_YEAR))
    page.get_by_label("范围").select_option(label="全部党组织")
    page.get_by_role("button", name="生成年度报告").click()
    expect(page.get_by_text("已开始生成年度报告")).to_be_visible()

    row = page.get_by_test_id("report-row").first
    expect(row).to_contain_text(f"{LAST_YEAR} 年度 · 全部党组织")
    download_link = row.get_by_test_id("report-download")
    seen: list[int] = []
    deadline = time.monotonic() + 60
    while not download_link.is_visible():
        assert time.monotonic() < deadline, f"the export did not finish; progress seen: {seen}"
        bar = row.get_by_test_id("report-progress")
        if bar.count():
            value = int(bar.get_attribute("value") or 0)
            if not seen or seen[-1] != value:
                seen.append(value)
        time.sleep(0.2)
    # The bar moved forward through the build, without a reload.
    assert len([value for value in seen if 0 < value < 100]) >= 2, seen
    assert seen == sorted(seen)

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"{LAST_YEAR}年度报告-全部党组织.xlsx"
    with open(download.path(), "rb") as file:
        workbook = openpyxl.load_workbook(io.BytesIO(file.read()), read_only=True)
    assert workbook.sheetnames == ["汇总", *(f"{number} {title}" for number, (title, _) in enumerate(SECTIONS, 1))]
    summary = [row for row in workbook["汇总"].iter_rows(max_row=3, values_only=True)]
    assert summary[0][0] == f"全部党组织 {LAST_YEAR} 年度报告"

    export = ReportExport.objects.get()
    assert (export.status, export.requested_by, export.organisation) == (ReportExport.Status.DONE, cast.orgadmin, None)
    assert AuditEvent.objects.filter(action="report.download", actor=cast.orgadmin).count() == 1
