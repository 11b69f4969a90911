"""The one import pipeline: a sheet's rows go through an app's importer — `read` (cells into values, lookups made
once for the whole file), `problems` (the rules of the actions the rows will go through, called from the actions'
own `*_problems` functions) and `write` (the actions) — and come back as one result per row.

Nothing is written unless every row is clean; the preview writes nothing at all; the commit repeats the whole
check inside the transaction that writes, and records one audit event for the file besides the events of the
actions. The web pages (`portal.imports.views`) and `manage.py import_xlsx` are the two doors to it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from portal.audit import audit_record
from portal.imports import cells
from portal.models import User

PREVIEW_ROWS = 500
OUTCOMES = {"new": "新增", "update": "更新", "skip": "无变化", "blank": "空行，已忽略", "error": "错误"}


@dataclass(frozen=True)
class Column:
    header: str
    help: str = ""
    required: bool = False
    example: Any = ""


@dataclass
class Row:
    """One data row: its cells (header → raw value), what the importer read from them, and its outcome."""

    number: int  # as Excel shows it: the header is row 1
    cells: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    outcome: str = "new"  # new, update, skip, blank, error
    shown: list[str] = field(default_factory=list)  # what the preview shows of the row (ID numbers masked)
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # the columns an update changes
    failed_columns: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome]

    def error(self, column: str | None, message: str) -> None:
        """A problem of the row, prefixed with the column it concerns."""
        self.errors.append(f"{column}：{message}" if column else message)
        if column:
            self.failed_columns.add(column)

    def failed(self, column: str) -> bool:
        return column in self.failed_columns

    def cell(self, header: str) -> Any:
        return self.cells.get(header)

    def read(self, header: str, reader: Callable[[Any], Any], default: Any = None) -> Any:
        """The cell read with `reader` (a portal.imports.cells function); its ValueError becomes the row's error."""
        try:
            return reader(self.cells.get(header))
        except ValueError as problem:
            self.error(header, str(problem))
            return default


class Importer:
    """What an app supplies for one kind of file. Subclasses set the class attributes and implement the four
    methods; `actor` is the importing user (None: a system job, no scope limit), `organisation` the upload's
    default organisation (rows that leave their organisation blank), where the kind has one."""

    do_not_call_in_templates = True  # the pages show the class's attributes
    kind: ClassVar[str]  # the URL's and the command's name: organisations, hosts, people, team-members, activities
    title: ClassVar[str]  # 人员名册
    intro: ClassVar[str] = ""
    columns: ClassVar[Sequence[Column]]
    shown: ClassVar[Sequence[str]]  # the preview's columns, filled by read() into Row.shown
    organisation_label: ClassVar[str | None] = None  # the upload form's default organisation; None: no such field
    organisation_help: ClassVar[str] = ""
    audit_action: ClassVar[str]
    audit_object_type: ClassVar[str]
    success_url: ClassVar[str]  # a URL name
    counted: ClassVar[str] = "行"  # what a row is, in the preview's counts: 人, 个组织 …

    def __init__(self, *, actor: User | None, organisation: Any = None) -> None:
        self.actor = actor
        self.organisation = organisation

    # Who may import, and the upload form's organisations ---------------------------------------------------------

    @classmethod
    def allowed(cls, user: User | None) -> bool:
        raise NotImplementedError

    @classmethod
    def organisation_choices(cls, user: User) -> QuerySet | None:
        return None

    @classmethod
    def organisation_default(cls, user: User, choices: QuerySet) -> Any:
        """The organisation the upload form preselects among `choices` (None: the user must choose)."""
        return choices[0] if len(choices) == 1 else None

    # The three steps ---------------------------------------------------------------------------------------------

    def read(self, rows: list[Row]) -> None:
        """Cells into `row.values` (errors into the row), lookups once for the whole file; fills `row.shown`."""
        raise NotImplementedError

    def problems(self, rows: list[Row]) -> None:
        """The rules of the actions `write` calls, from the actions' own `*_problems` functions; sets each clean
        row's outcome (new, update, skip)."""
        raise NotImplementedError

    def write(self, rows: list[Row]) -> dict[str, int]:
        """Writes the clean rows through the actions; returns counts for the message and the audit event."""
        raise NotImplementedError

    def success_message(self, counts: dict[str, int]) -> str:
        return "已导入：新增 {new} {counted}，更新 {update} {counted}，无变化 {skip} {counted}。".format(
            counted=self.counted, **counts
        )

    @classmethod
    def template_rows(cls) -> list[list[Any]]:
        return [[column.example for column in cls.columns]]


@dataclass
class ImportResult:
    importer: Importer
    rows: list[Row] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: dict[str, int] | None = None  # after a commit

    @property
    def has_problems(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    def preview_rows(self) -> list[Row]:
        return self.rows

    def counts(self) -> dict[str, int]:
        return {outcome: sum(1 for row in self.rows if row.outcome == outcome) for outcome in OUTCOMES}

    @property
    def shown_rows(self) -> list[Row]:
        """What the preview lists: every row of a small file; of a large one the rows with problems (up to
        PREVIEW_ROWS) or the first PREVIEW_ROWS rows — a page of 20,000 rows helps nobody."""
        if len(self.rows) <= PREVIEW_ROWS:
            return self.rows
        errors = [row for row in self.rows if row.errors]
        return (errors or self.rows)[:PREVIEW_ROWS]

    @property
    def hidden_rows(self) -> int:
        return len(self.rows) - len(self.shown_rows)

    @property
    def has_changes(self) -> bool:
        counts = self.counts()
        return bool(counts["new"] or counts["update"])


def header_problems(headers: list[str], columns: Sequence[Column], rows: int, max_rows: int | None = None) -> list[str]:
    """File-level problems, in Chinese: unnamed, unknown, repeated or missing columns, no rows, too many rows."""
    known = [column.header for column in columns]
    problems = []
    for position, header in enumerate(headers, 1):
        if not header:
            problems.append(f"第 {position} 列有数据但没有表头。")
        elif header not in known:
            problems.append(f"未知的列“{header[:40]}”（请确认第 1 行是表头；可用的列：{'、'.join(known)}）。")
    for header in sorted({h for h in headers if h and headers.count(h) > 1}):
        problems.append(f"列“{header}”出现了不止一次。")
    missing = [column.header for column in columns if column.required and column.header not in headers]
    if missing:
        problems.append(f"缺少必填的列：{'、'.join(missing)}。")
    if rows == 0 and not problems:
        problems.append("文件中没有数据行。")
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    if rows > max_rows:
        problems.append(f"文件有 {rows} 行数据，超过上限 {max_rows} 行，请分批导入。")
    return problems


def import_run(
    *, importer: Importer, sheet: Any, commit: bool, file_name: str = "", max_rows: int | None = None
) -> ImportResult:
    """Checks every row of `sheet` (a portal.imports.files.Sheet); with `commit`, writes them when all are clean."""
    result = ImportResult(importer=importer)
    result.file_errors = header_problems(sheet.headers, importer.columns, len(sheet.rows), max_rows)
    if not importer.allowed(importer.actor):
        result.file_errors.insert(0, f"您没有导入{importer.title}的权限。")
    if result.file_errors:
        return result
    result.rows = [Row(number=number, cells=row) for number, row in sheet.numbered()]
    for row in result.rows:
        if all(cells.blank(value) for value in row.cells.values()):
            row.outcome = "blank"
    filled = [row for row in result.rows if row.outcome != "blank"]
    with transaction.atomic():
        importer.read(filled)
        importer.problems(filled)
        for row in filled:
            if row.errors:
                row.outcome = "error"
        if commit and not result.has_problems:
            result.written = importer.write(filled)
            counts = {**result.counts(), **result.written}
            audit_record(
                actor=importer.actor,
                action=importer.audit_action,
                object_type=importer.audit_object_type,
                summary=f"{importer.title}导入 {file_name}：{importer.success_message(counts)}"[:300],
                changes={"file": file_name, **counts},
            )
    return result
