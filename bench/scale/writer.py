"""Writing generated rows straight into the tables: PostgreSQL `COPY … FROM STDIN` (CSV) through psycopg's
`cursor.copy()`, or plain `executemany` INSERTs on other databases (SQLite, for the demo scale in tests).

Rows are tuples in the order of a column list (field attnames). Every primary key is assigned by the generator, so
foreign keys are known without reading anything back; the sequences are moved past them at the end. Before the
first row of a table is written, its column list is checked against the model: every column exists, and every
NOT NULL column without a database default is given — a missing one fails at once, not after a minute of COPY.
"""

import csv
import datetime
import decimal
import io
import time
from collections.abc import Callable, Iterable

from django.core.management.color import no_style
from django.db import connection, models

CHUNK = 100_000  # rows per COPY call: the CSV text of one chunk is built in memory
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


class Loader:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}  # table label → rows written
        self.models: list[type[models.Model]] = []
        self.triggers_off = False
        self._stamps: dict = {}

    # Checks ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _fields(model: type[models.Model]) -> dict[str, models.Field]:
        return {field.attname: field for field in model._meta.concrete_fields}

    def _check(self, model: type[models.Model], columns: list[str]) -> None:
        fields = self._fields(model)
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise ValueError(f"{model._meta.label}: unknown columns {unknown}")
        missing = [
            name
            for name, field in fields.items()
            if name not in columns and not field.null and field.db_default is models.NOT_PROVIDED
        ]
        if missing:
            raise ValueError(f"{model._meta.label}: NOT NULL columns not given {missing}")

    def stamp(self, moment):
        """A datetime as the text the database reads, made once per distinct value: millions of rows share a few
        thousand timestamps, and formatting each again is a fair part of the CSV time."""
        text = self._stamps.get(moment)
        if text is None:
            text = str(moment) if self.postgres else connection.ops.adapt_datetimefield_value(moment)
            self._stamps[moment] = text
        return text

    # Writing --------------------------------------------------------------------------------------------------

    def write(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        """Writes the rows; returns how many. Prints one progress line (table, rows, seconds)."""
        self._check(model, columns)
        started = time.monotonic()
        written = self._copy(model, columns, rows) if self.postgres else self._insert(model, columns, rows)
        seconds = time.monotonic() - started
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + written
        if model not in self.models:
            self.models.append(model)
        rate = f"{written / seconds:,.0f} 行/秒" if seconds > 0.05 else ""
        self.log(f"  {model._meta.db_table:<36} {written:>10,} 行 {seconds:7.1f} 秒  {rate}")
        return written

    def _copy(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        """CSV COPY: None is written as an unquoted empty field, which COPY reads as NULL; the NOT NULL text
        columns are listed in FORCE_NOT_NULL so that an empty string stays an empty string there."""
        fields = self._fields(model)
        quote = connection.ops.quote_name
        not_null_text = [
            quote(name) for name in columns if not fields[name].null and fields[name].get_internal_type() in TEXT_TYPES
        ]
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(not_null_text)})" if not_null_text else "")
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN WITH ({options})"
        written = 0
        with connection.cursor() as cursor:
            rebuild = self._drop_indexes(cursor, model._meta.db_table)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            pending = 0
            for row in rows:
                writer.writerow(row)
                pending += 1
                if pending == CHUNK:
                    _copy(cursor, sql, buffer)
                    written += pending
                    buffer = io.StringIO()
                    writer = csv.writer(buffer, lineterminator="\n")
                    pending = 0
            if pending:
                _copy(cursor, sql, buffer)
                written += pending
            for statement in rebuild:
                cursor.execute(statement)
        return written

    @staticmethod
    def _drop_indexes(cursor, table: str) -> list[str]:
        """An empty table's secondary indexes are dropped before its COPY and built again right after it, in the
        same transaction (nobody sees the table without them): one sorted build per index is several times faster
        than updating each index row by row. Indexes behind a constraint (primary key, unique) stay; the partial
        unique indexes of conditional UniqueConstraints are rebuilt too, and a duplicate fails their rebuild, so
        they guard the data all the same. Returns the CREATE INDEX statements to run after the COPY."""
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
        if cursor.fetchone()[0]:
            return []
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
            "WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in indexes]

    def _insert(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        """Other databases: executemany, with dates and datetimes adapted the way the backend stores them."""
        ops = connection.ops

        def adapt(value):
            if isinstance(value, datetime.datetime):
                return ops.adapt_datetimefield_value(value)
            if isinstance(value, datetime.date):
                return ops.adapt_datefield_value(value)
            if isinstance(value, decimal.Decimal):
                return str(value)
            return value

        quote = ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        written = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(adapt(value) for value in row))
                if len(batch) == 5_000:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
        return written

    # After the load -------------------------------------------------------------------------------------------

    def skip_foreign_key_triggers(self) -> bool:
        """PostgreSQL checks each foreign key of each row with a trigger (Django's are deferred to the commit): for
        millions of rows that is most of the load's time. A superuser may switch the triggers off for this
        transaction (`session_replication_role = replica`); `verify_foreign_keys` then checks every reference of
        the loaded tables with one anti-join each, before the commit. Unique and check constraints stay on."""
        if not self.postgres:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SET LOCAL session_replication_role = replica")
        self.triggers_off = True
        return True

    def verify_foreign_keys(self) -> int:
        """Every foreign key value in the loaded tables exists in its target table; raises otherwise (the
        transaction is then rolled back). Returns how many references were checked."""
        quote = connection.ops.quote_name
        started, checked = time.monotonic(), 0
        with connection.cursor() as cursor:
            for model in self.models:
                for field in model._meta.concrete_fields:
                    if not field.is_relation:
                        continue
                    target = field.target_field
                    table, column = quote(model._meta.db_table), quote(field.column)
                    cursor.execute(
                        f"SELECT count(*) FROM {table} AS c WHERE c.{column} IS NOT NULL AND NOT EXISTS "
                        f"(SELECT 1 FROM {quote(target.model._meta.db_table)} AS p "
                        f"WHERE p.{quote(target.column)} = c.{column})"
                    )
                    missing = cursor.fetchone()[0]
                    if missing:
                        raise RuntimeError(f"{model._meta.db_table}.{field.column}: {missing} 个引用不存在")
                    checked += 1
        self.log(f"  外键核对：{checked} 个外键列全部有效（{time.monotonic() - started:.1f} 秒）")
        return checked

    def reset_sequences(self) -> None:
        """Moves each table's id sequence past the ids written here, so the application's next insert fits."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.models)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    def analyze(self) -> float:
        """Fresh planner statistics for everything just loaded (PostgreSQL's autovacuum would get there later)."""
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return time.monotonic() - started


def _copy(cursor, sql: str, buffer: io.StringIO) -> None:
    """One chunk of CSV rows through COPY … FROM STDIN (psycopg 3; Django's cursor wrapper passes copy() through)."""
    with cursor.copy(sql) as copy:
        copy.write(buffer.getvalue())
