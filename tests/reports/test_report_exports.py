"""Yearly report exports from the web: who may start one for which scope, the background run (idempotent, with
progress), the history, and the download. The workbook's figures are tested in test_yearly_report.py."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from reports import actions
from reports.models import ReportExport

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def fake_builder(monkeypatch):
    """A stand-in workbook so these tests are about the export's life, not its figures."""
    calls = []

    def build(*, year, organisation, progress=None):
        calls.append((year, organisation))
        if progress:
            progress(50, "正在统计：服务活动")
        return b"PK-fake-workbook"

    monkeypatch.setattr(actions, "yearly_report_xlsx", build)
    return calls


@pytest.mark.django_db
def test_orgadmin_exports_the_whole_tree_and_a_secretary_only_their_branch(
    cast, fake_builder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        whole = actions.report_export_start(actor=cast.orgadmin, year=LAST_YEAR, organisation=None)
        mine = actions.report_export_start(actor=cast.secretary, year=LAST_YEAR, organisation=cast.branch_a)
    assert fake_builder == [(LAST_YEAR, None), (LAST_YEAR, cast.branch_a)]
    for export in (whole, mine):
        export.refresh_from_db()
        assert (export.status, export.progress, export.step) == (ReportExport.Status.DONE, 100, "完成")
        assert export.file.read() == b"PK-fake-workbook"
    with pytest.raises(PermissionDenied):
        actions.report_export_start(actor=cast.secretary, year=LAST_YEAR, organisation=None)
    with pytest.raises(PermissionDenied):
        actions.report_export_start(actor=cast.outsider, year=LAST_YEAR, organisation=cast.branch_a)
    with pytest.raises(PermissionDenied):
        actions.report_export_start(actor=cast.member, year=LAST_YEAR, organisation=cast.branch_a)
    with pytest.raises(ValidationError):
        actions.report_export_start(actor=cast.orgadmin, year=timezone.localdate().year + 1, organisation=None)
    assert ReportExport.objects.count() == 2


@pytest.mark.django_db
def test_a_run_is_idempotent_and_a_run_left_by_a_killed_worker_is_built_again(cast, fake_builder):
    export = ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary)
    assert actions.report_export_run(export_id=export.pk)["built"] is True
    assert actions.report_export_run(export_id=export.pk) == {"export": export.pk, "built": False}
    assert len(fake_builder) == 1
    # A worker killed mid-build leaves the row "running"; the re-delivered message builds it from the start.
    stuck = ReportExport.objects.create(
        year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary, status="running", progress=40
    )
    assert actions.report_export_run(export_id=stuck.pk)["built"] is True
    stuck.refresh_from_db()
    assert stuck.status == ReportExport.Status.DONE


@pytest.mark.django_db
def test_a_failed_build_is_marked_failed_and_shown_as_such(cast, login, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(actions, "yearly_report_xlsx", broken)
    export = ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary)
    with pytest.raises(RuntimeError):
        actions.report_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED and "boom" in export.error
    row = login(cast.secretary).get(reverse("reports:report_status", args=[export.pk])).content.decode()
    assert "生成失败" in row and "hx-trigger" not in row


@pytest.mark.django_db
def test_the_january_export_is_made_once_per_year(fake_builder):
    first = actions.report_export_scheduled(year=LAST_YEAR)
    actions.report_export_run(export_id=first.pk)
    assert actions.report_export_scheduled(year=LAST_YEAR) is None
    assert ReportExport.objects.filter(year=LAST_YEAR, requested_by__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_page_starts_an_export_and_lists_it_with_its_progress(
    cast, login, fake_builder, django_capture_on_commit_callbacks
):
    client = login(cast.secretary)
    page = client.get(reverse("reports:report_list")).content.decode()
    # A secretary picks one of their own subtrees; the whole tree is not offered.
    assert "全部党组织" not in page and "党支部A" in page and "党支部B" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_list"), {"year": LAST_YEAR, "organisation": cast.branch_a.pk})
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert (export.requested_by, export.organisation) == (cast.secretary, cast.branch_a)
    assert AuditEvent.objects.filter(action="report.start", object_id=str(export.pk)).exists()
    page = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("reports:report_download", args=[export.pk]) in page


@pytest.mark.django_db
def test_another_branch_cannot_be_chosen_and_nothing_is_queued(cast, login):
    response = login(cast.secretary).post(
        reverse("reports:report_list"), {"year": LAST_YEAR, "organisation": cast.branch_b.pk}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not ReportExport.objects.exists()


@pytest.mark.django_db
def test_a_running_export_row_polls_and_shows_its_progress(cast, login):
    export = ReportExport.objects.create(
        year=LAST_YEAR,
        organisation=cast.branch_a,
        requested_by=cast.secretary,
        status="running",
        progress=35,
        step="正在统计：群众需求",
    )
    row = login(cast.secretary).get(reverse("reports:report_status", args=[export.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in row and 'value="35"' in row and "正在统计：群众需求" in row


@pytest.mark.django_db
def test_history_and_download_stay_inside_scope(cast, login, fake_builder):
    mine = ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary)
    whole = ReportExport.objects.create(year=LAST_YEAR, organisation=None, requested_by=cast.orgadmin)
    for export in (mine, whole):
        actions.report_export_run(export_id=export.pk)
    outsider = login(cast.outsider)
    assert "党支部A" not in outsider.get(reverse("reports:report_list")).content.decode()
    for export in (mine, whole):
        assert outsider.get(reverse("reports:report_download", args=[export.pk])).status_code == 404
        assert outsider.get(reverse("reports:report_status", args=[export.pk])).status_code == 404
    secretary = login(cast.secretary)
    assert secretary.get(reverse("reports:report_download", args=[whole.pk])).status_code == 404
    response = secretary.get(reverse("reports:report_download", args=[mine.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-fake-workbook"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="report.download", actor=cast.secretary).count() == 1
    # Committee secretaries see the exports of the subtrees below them.
    assert login(cast.committee).get(reverse("reports:report_download", args=[mine.pk])).status_code == 200
    # A member with no managing role has no report pages at all.
    assert login(cast.member).get(reverse("reports:report_list")).status_code == 403


@pytest.mark.django_db
def test_an_unfinished_export_cannot_be_downloaded(cast, login):
    export = ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary)
    assert login(cast.secretary).get(reverse("reports:report_download", args=[export.pk])).status_code == 404


@pytest.mark.django_db
def test_the_history_query_count_does_not_grow(cast, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.orgadmin)
    for _ in range(2):
        ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_a, requested_by=cast.secretary)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reports:report_list"))
    for _ in range(15):
        ReportExport.objects.create(year=LAST_YEAR, organisation=cast.branch_b, requested_by=cast.outsider)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("reports:report_list")).status_code == 200
