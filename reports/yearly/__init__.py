"""The yearly report (年度报告, DOMAIN §7): one workbook for a calendar year and the whole tree or a subtree.

`yearly_report_data` computes the ten sections as plain data (figures and tables, `base.Report`), each in a few
aggregate queries whatever the number of rows (about fifty queries in all); `yearly_report_xlsx` writes them as a
workbook (summary sheet first, then one sheet per section). A web view can show the same data: every table row
carries the id of what it counts (`Table.keys`).

"At the year's end" means 31 December, or today for the running year (`Report.as_of`). What the models cannot
give, and what is shown instead:
- host units, grids and a person's grid have no history: coverage and "members outside any grid" are as they are
  when the report is made (the membership roll itself is the year's end, from membership events and status steps);
- the volunteers' 党员 / 积极分子 / 其他 split uses each volunteer's current political status;
- political status steps, events of people and mobile records are counted in the person's current organisation
  (events: in the event's organisation);
- goods (物资) are free text: counted, and summed up by identical text, never added up;
- 流动党员 compliance is judged at the year's end from the dated reports (the rule of `MobileMember.next_due`).
"""

import datetime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.utils import timezone

from branches.models import Organisation
from reports.yearly.activities import activities_section
from reports.yearly.assessment import assessment_section
from reports.yearly.base import Context, Figure, Report, Section, Table, report_session
from reports.yearly.coverage import coverage_section
from reports.yearly.demands import demands_section
from reports.yearly.membership import membership_section
from reports.yearly.pairing import pairing_section
from reports.yearly.pledges import pledges_section
from reports.yearly.points import points_section
from reports.yearly.ratings import ratings_section
from reports.yearly.volunteers import volunteers_section
from reports.yearly.workbook import ReportWorkbook, workbook_bytes

Progress = Callable[[int, str], None]

# In DOMAIN §7's order: (sheet name, builder).
SECTIONS: list[tuple[str, Callable[[Context], Section]]] = [
    ("组织覆盖", coverage_section),
    ("党员队伍", membership_section),
    ("志愿服务", volunteers_section),
    ("服务活动", activities_section),
    ("群众需求", demands_section),
    ("结对帮扶", pairing_section),
    ("公开承诺", pledges_section),
    ("群众评价", ratings_section),
    ("积分与评议", points_section),
    ("评星晋级", assessment_section),
]
COUNTING_SHARE = 90  # per cent of the progress bar for the counting; the rest for writing the workbook


def scope_label(organisation: Organisation | None) -> str:
    return organisation.name if organisation is not None else "全部党组织"


def yearly_report_data(
    *,
    year: int,
    organisation: Organisation | None,
    progress: Progress | None = None,
    today: datetime.date | None = None,
    on_section: Callable[[Report, Section], None] | None = None,
) -> Report:
    """The report's figures and tables for a calendar year and a subtree (None: the whole tree). `on_section` is
    called with each section as soon as it is counted (the workbook writes its sheet meanwhile)."""
    with report_session():
        ctx = Context.build(year=year, organisation=organisation, today=today)
        report = Report(
            year=year,
            scope_label=scope_label(organisation),
            organisation_id=organisation.pk if organisation is not None else None,
            first=ctx.first,
            last=ctx.last,
            as_of=ctx.as_of,
            generated_at=timezone.now(),
        )
        for index, (title, build) in enumerate(SECTIONS):
            if progress is not None:
                progress(index * COUNTING_SHARE // len(SECTIONS), f"正在统计：{title}")
            section = build(ctx)
            report.sections.append(section)
            if on_section is not None:
                on_section(report, section)
    return report


def yearly_report_xlsx(*, year: int, organisation: Organisation | None, progress: Progress | None = None) -> bytes:
    """The workbook's bytes for a calendar year and a subtree (None: the whole tree).

    Counting is mostly waiting for the database, writing a sheet is all Python: a section's sheet is written in a
    second thread while the database counts the next section, which takes seconds off a district's report. The
    thread only writes the workbook; every query stays on this thread's connection.

    `progress(percent, step)` is called as each section is counted and before the workbook is finished (0–99; the
    caller sets 100 when the file is stored), for the progress bar of a web export."""
    book = ReportWorkbook()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="yearly-report") as writer:
        sheets = []
        report = yearly_report_data(
            year=year,
            organisation=organisation,
            progress=progress,
            on_section=lambda report, section: sheets.append(writer.submit(book.add_section, report, section)),
        )
        if progress is not None:
            progress(COUNTING_SHARE, "正在生成工作簿")
        for sheet in sheets:
            sheet.result()  # a failure to write a sheet is raised here
    return book.finish(report)


__all__ = [
    "SECTIONS",
    "Figure",
    "Progress",
    "Report",
    "Section",
    "Table",
    "scope_label",
    "workbook_bytes",
    "yearly_report_data",
    "yearly_report_xlsx",
]
