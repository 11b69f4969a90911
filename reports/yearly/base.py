"""The plain data a yearly report is made of, and what every section needs to compute its part.

A section is a function `(ctx) -> Section`: a few aggregate queries (grouped in SQL, never one query per row),
then plain Python that shapes the rows into figures and tables. Nothing here knows about Excel; the workbook is
written from these objects by `workbook.py`, and a web view may show the same objects later.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import F, IntegerField, Q, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from branches.models import Organisation

# Number formats (Excel): counts with thousand separators, rates as per cent, hours with one decimal, money.
INT = "#,##0"
PCT = "0.0%"
HOURS = "#,##0.0"
MONEY = "#,##0.00"
DEC1 = "0.0"
DATE = "yyyy-mm-dd"
TEXT = None  # text cells (always text, never a formula)

TOTAL_LABEL = "合计"


def hours_sum(field: str = "hours", filter: Q | None = None) -> Sum:
    """A sum of hours (one decimal) added up as whole tenths: integer addition is exact and markedly cheaper than
    decimal addition over a million rows; `from_tenths` turns the result back into hours. Rounded before the cast,
    as SQLite keeps decimals as floating point (2.3 × 10 = 22.999…)."""
    return Sum(Cast(Round(F(field) * 10), IntegerField()), filter=filter)


def from_tenths(tenths: int | None) -> Decimal:
    return Decimal(tenths or 0) / 10


def label_of(choices, value) -> str:
    """The display label of a choice value (the value itself when unknown)."""
    return str(dict(choices).get(value, value))


def rate(part: int | Decimal | None, whole: int | Decimal | None) -> float | None:
    """A share as a fraction (0.953 shows as 95.3 %); None when there is nothing to divide by."""
    if not whole:
        return None
    return float(part or 0) / float(whole)


def average(total: int | Decimal | None, count: int | None) -> float | None:
    if not count:
        return None
    return float(total or 0) / count


@dataclass
class Figure:
    """One key figure of a section (shown on its sheet and on the summary sheet)."""

    label: str
    value: Any
    format: str | None = INT
    note: str = ""


@dataclass
class Table:
    """A titled table: headers, one number format per column, rows of plain values and an optional total row.

    `keys` holds, per row, what the row counts (an organisation id, a category id …) so that a web view can link
    each figure to its rows; it is not written to the workbook."""

    title: str
    headers: list[str]
    formats: list[str | None]
    rows: list[list[Any]] = field(default_factory=list)
    keys: list[Any] = field(default_factory=list)
    total: list[Any] | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.headers) != len(self.formats):
            raise ValueError(f"{self.title}: {len(self.headers)} headers but {len(self.formats)} formats")

    def add(self, row: list[Any], key: Any = None) -> None:
        if len(row) != len(self.headers):
            raise ValueError(f"{self.title}: a row of {len(row)} cells for {len(self.headers)} columns")
        self.rows.append(row)
        self.keys.append(key)

    def row(self, label: str) -> list[Any]:
        """The row whose first cell is `label` (合计: the total row, whatever its own label)."""
        if self.total is not None and label in (TOTAL_LABEL, self.total[0]):
            return self.total
        for row in self.rows:
            if row[0] == label:
                return row
        raise KeyError(f"{self.title}: no row {label!r}")

    def cell(self, label: str, header: str) -> Any:
        return self.row(label)[self.headers.index(header)]


@dataclass
class Section:
    number: int
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def figure(self, label: str) -> Any:
        for figure in self.figures:
            if figure.label == label:
                return figure.value
        raise KeyError(f"{self.title}: no figure {label!r}")

    def table(self, title: str) -> Table:
        for table in self.tables:
            if table.title == title:
                return table
        raise KeyError(f"{self.title}: no table {title!r}")


@dataclass
class Report:
    year: int
    scope_label: str
    organisation_id: int | None
    first: datetime.date
    last: datetime.date
    as_of: datetime.date  # the year's end, or today for the running year
    generated_at: datetime.datetime
    sections: list[Section] = field(default_factory=list)

    def section(self, number: int) -> Section:
        return self.sections[number - 1]


# PostgreSQL settings for the report's few large aggregates (a year of participations, hours and points at
# district scale: millions of rows, grouped). The defaults (4 MB of sort memory, JIT on) make them spill to disk
# and spend a large share of each query compiling it; a report runs a handful of such queries, once.
POSTGRES_SETTINGS = {"work_mem": "64MB", "jit": "off"}


@contextmanager
def report_session() -> Iterator[None]:
    """On PostgreSQL, the report's queries run with POSTGRES_SETTINGS, and the session's own values come back
    afterwards (a pooled connection keeps its settings). Elsewhere nothing changes. Not a transaction: the
    progress of a background export must commit as it goes."""
    if connection.vendor != "postgresql":
        yield
        return
    names = list(POSTGRES_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _ in names), names)
        before = dict(zip(names, cursor.fetchone(), strict=True))
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, false)" for _ in names),
            [value for name in names for value in (name, POSTGRES_SETTINGS[name])],
        )
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT " + ", ".join("set_config(%s, %s, false)" for _ in names),
                    [value for name in names for value in (name, before[name])],
                )
        except DatabaseError:
            pass  # the transaction failed: its settings were rolled back with it, and the error is on its way


# The context every section shares -----------------------------------------------------------------------------


class Units:
    """The organisations of the scope, and the 'reporting unit' of each: per-branch tables count a party group's
    rows with its branch (the deepest 党支部/联合党支部 above or at it); rows of an organisation with no branch
    above it (a 党委 or 党总支 itself) stay with that organisation."""

    def __init__(self, rows: Iterable[dict], scope_path: str) -> None:
        self.by_path = {row["path"]: row for row in rows}
        self.scope_path = scope_path
        self.branch_paths = {path for path, row in self.by_path.items() if row["kind"] in Organisation.BRANCH_KINDS}
        self.by_pk = {row["pk"]: row["path"] for row in self.by_path.values()}
        self._unit: dict[str, str] = {}

    def unit_of(self, path: str) -> str:
        unit = self._unit.get(path)
        if unit is None:
            unit = path
            step = Organisation.steplen
            for end in range(len(path), 0, -step):
                if path[:end] in self.branch_paths:
                    unit = path[:end]
                    break
            self._unit[path] = unit
        return unit

    def path_of(self, pk: int) -> str:
        """An organisation's path from its id (rows grouped by organisation id need no join)."""
        return self.by_pk.get(pk, "")

    def name(self, path: str) -> str:
        row = self.by_path.get(path)
        return row["name"] if row else ""

    def parent_name(self, path: str) -> str:
        return self.name(path[: -Organisation.steplen])

    def pk(self, path: str) -> int | None:
        row = self.by_path.get(path)
        return row["pk"] if row else None

    def branches(self) -> list[dict]:
        """The scope's branches on the roll (not archived), in tree order."""
        return [
            row for path, row in sorted(self.by_path.items()) if path in self.branch_paths and not row["is_archived"]
        ]

    def roll_up(self, rows: Iterable[dict], path_key: str, fields: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Sums `fields` of grouped rows per reporting unit: {unit path: {field: sum}}."""
        fields = list(fields)
        totals: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(fields, 0))
        for row in rows:
            unit = totals[self.unit_of(row[path_key])]
            for name in fields:
                unit[name] += row[name] or 0
        return totals


@dataclass
class Context:
    year: int
    organisation: Organisation | None
    today: datetime.date
    first: datetime.date
    last: datetime.date
    as_of: datetime.date
    start: datetime.datetime  # local midnight of 1 January
    end: datetime.datetime  # local midnight of the next 1 January
    units: Units
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def scope_path(self) -> str:
        return self.organisation.path if self.organisation is not None else ""

    def scope(self, prefix: str = "") -> Q:
        """Rows whose organisation (reached through `prefix`) lies in the report's subtree."""
        if self.organisation is None:
            return Q()
        return Q(**{f"{prefix}path__startswith": self.organisation.path})

    def in_scope(self, path: str | None) -> bool:
        return bool(path) and path.startswith(self.scope_path) if self.organisation is not None else True

    def dates(self, prefix: str = "date") -> Q:
        """A date field within the year, up to the report's end (today for the running year)."""
        return Q(**{f"{prefix}__gte": self.first, f"{prefix}__lte": self.as_of})

    def moments(self, prefix: str) -> Q:
        """A datetime field within the year (local midnights)."""
        return Q(**{f"{prefix}__gte": self.start, f"{prefix}__lt": self.end})

    @classmethod
    def build(cls, *, year: int, organisation: Organisation | None, today: datetime.date | None = None) -> "Context":
        today = today or timezone.localdate()
        zone = timezone.get_current_timezone()
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        organisations = Organisation.objects.all()
        if organisation is not None:
            organisations = organisations.filter(path__startswith=organisation.path)
        rows = organisations.values("pk", "path", "name", "kind", "is_archived").order_by("path")
        return cls(
            year=year,
            organisation=organisation,
            today=today,
            first=first,
            last=last,
            as_of=min(last, today),
            start=datetime.datetime(year, 1, 1, tzinfo=zone),
            end=datetime.datetime(year + 1, 1, 1, tzinfo=zone),
            units=Units(rows, organisation.path if organisation is not None else ""),
        )


def unit_table(
    ctx: Context,
    *,
    title: str,
    headers: list[str],
    formats: list[str | None],
    totals: dict[str, dict[str, Any]],
    cells,
    note: str = "",
    total: list[Any] | None = None,
) -> Table:
    """A per-organisation table: 党组织 and 上级党组织, then `cells(values)` for each reporting unit (tree order)."""
    table = Table(title, ["党组织", "上级党组织", *headers], [TEXT, TEXT, *formats], note=note)
    for path in sorted(totals):
        table.add([ctx.units.name(path), ctx.units.parent_name(path), *cells(totals[path])], key=ctx.units.pk(path))
    if total is not None:
        table.total = [TOTAL_LABEL, "", *total]
    return table
