"""The shared test tools: the role × URL scope matrix and the query counter.

Scope matrix. Each app's `test_*_scope.py` writes its table by hand — the specification, never derived from the
code under test — and hands it to `ScopeTable`; the machinery that runs it lives here, once:

    MATRIX = [
        # (url name, target, method, POST body)  →  one outcome per role, in ROLES order
        ("services:demand_detail", "received", "get", None, (LOGIN, 200, 200, 200, 404, 404)),
        ...
    ]
    TABLE = ScopeTable(MATRIX, state=_state, back=_detail_page)

    @pytest.mark.parametrize("row", TABLE.params())
    def test_scope_matrix(world, login, row):
        TABLE.check(world, login, row)

The `world` fixture is the file's own: it has the cast (`world.cast`) and turns a target into the URL's arguments
(`world.args(target)`, or `world.pk(target)` for a single one), or builds the whole URL (`world.url(name, target)`)
when it needs a query string. A POST body is a callable of the world. Each role's request runs in a savepoint rolled
back afterwards, so every role meets the same data and the world is built once per row.

Outcomes: a status code (and nothing written, not even an audit event), or one of
- LOGIN / ADMIN_LOGIN: 302 to the site's / the admin's login page, nothing written;
- DONE: 302 to a page (the table's `back` page when `done_back`), something written and audited;
- AUDITED: as DONE, but the only thing written is the audit event (a reminder that is recorded, say);
- SAVED: as DONE, but not audited (anonymous public responses are counted, not audited one by one);
- REFUSED: allowed to ask, the action said no: 302 to a page (the table's `back` page when it has one), nothing
  written;
- INVALID: allowed to ask, the form said no: 200 with the form's errors, nothing written;
- FILE: 200 with an .xlsx workbook, nothing written but one audit event.

Query counts: `page_queries(client, url, ceiling)` GETs a page, checks it answers 200 within the ceiling and
returns how many queries it took; `queries_of(fn)` counts the queries of any call; `with at_most(n):` fails a block
that runs more than n queries, `with counting() as queries:` only counts them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.lib.xlsx import XLSX_CONTENT_TYPE
from portal.models import AuditEvent

ROLES = ("anonymous", "orgadmin", "committee", "secretary", "member", "outsider")

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
DONE = "done"
SAVED = "saved"
AUDITED = "audited"
REFUSED = "refused"
INVALID = "invalid"
FILE = "file"


def user_of(cast, role: str):
    """The cast's user for a role of ROLES (None: the anonymous public)."""
    return None if role == "anonymous" else getattr(cast, role)


def audits() -> int:
    return AuditEvent.objects.count()


@dataclass(frozen=True)
class ScopeTable:
    """One scope table: its rows and how to tell what a request wrote.

    rows: (url name, target, method, POST body or None, outcomes in ROLES order).
    state: everything the table's pages could write (the audit count is added here), to show a refused request
        wrote nothing and an accepted one wrote something.
    back: (world, name, target) → the page a REFUSED (and, with `done_back`, a DONE) request is sent back to.
    prepare: (client, role) → None, called before each request (a cookie the page needs, say).
    reads_may_audit: a 200 may add audit events (pages that log what was read).
    """

    rows: list[tuple]
    state: Callable[[], Any]
    back: Callable[[Any, str, Any], str] | None = None
    done_back: bool = False
    prepare: Callable[[Any, str], None] | None = None
    reads_may_audit: bool = False

    def snapshot(self) -> tuple:
        """What the pages could write, and the audit count: equal before and after means nothing was written."""
        return self.state(), audits()

    def params(self) -> list:
        return [pytest.param(row, id=_row_id(row)) for row in self.rows]

    def check(self, world, login, row: tuple) -> None:
        """Every role's request of one row; fails with the list of roles whose outcome was not the expected one."""
        name, target, method, body, expected = row
        assert len(expected) == len(ROLES), f"{len(expected)} outcomes for {len(ROLES)} roles"
        wrong = []
        for role, outcome in zip(ROLES, expected, strict=True):
            with transaction.atomic():
                problem = self._cell(world, login, name, target, method, body, role, outcome)
                transaction.set_rollback(True)
            if problem:
                wrong.append(problem)
        assert not wrong, "\n".join(wrong)

    def _url(self, world, name: str, target) -> str:
        if hasattr(world, "url"):
            return world.url(name, target)
        if hasattr(world, "args"):
            return reverse(name, args=world.args(target))
        return reverse(name, args=[world.pk(target)] if target else [])

    def _cell(self, world, login, name, target, method, body, role: str, expected) -> str | None:
        url = self._url(world, name, target)
        client = login(user_of(world.cast, role))
        if self.prepare:
            self.prepare(client, role)
        cache.clear()  # six roles ask from one address: rate limits are tested on their own
        before, audited = self.state(), audits()
        data = body(world) if body else {}
        response = client.get(url, data) if method == "get" else getattr(client, method)(url, data)
        after, audited_after = self.state(), audits()
        status, location = response.status_code, response.get("Location", "")
        got = f"{status} {location}".strip()
        logins = (reverse("account_login"), reverse("admin:login"))
        wrote = after != before
        if expected == LOGIN:
            ok = status == 302 and location.startswith(logins[0])
        elif expected == ADMIN_LOGIN:
            ok = status == 302 and location.startswith(logins[1])
        elif expected in (DONE, SAVED, AUDITED):
            ok = status == 302 and not location.startswith(logins)
            if ok and self.done_back:
                ok = location == self.back(world, name, target)
            if ok and expected == AUDITED and wrote:
                return f"{role}: expected {expected}, got {got} but more than the audit event was written"
            if ok and expected != AUDITED and not wrote:
                return f"{role}: expected {expected}, got {got} but nothing was written"
            if ok and expected != SAVED and audited_after <= audited:
                return f"{role}: expected {expected}, got {got} but nothing was audited"
            return None if ok else f"{role}: expected {expected}, got {got}"
        elif expected == REFUSED:
            ok = status == 302 and not location.startswith(logins)
            if ok and self.back:
                ok = location == self.back(world, name, target)
        elif expected == INVALID:
            ok = status == 200 and bool(response.context and response.context["form"].errors)
        elif expected == FILE:
            ok = status == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
            if ok and audited_after != audited + 1:
                return f"{role}: expected {expected}, got {got} but the export was not audited (once)"
            if ok and wrote:
                return f"{role}: {got} as expected, but something was written"
            return None if ok else f"{role}: expected {expected}, got {got}"
        else:
            ok = status == expected
        if not ok:
            return f"{role}: expected {expected}, got {got}"
        audit_may_change = self.reads_may_audit and expected == 200
        if wrote or (audited_after != audited and not audit_may_change):
            return f"{role}: {got} as expected, but something was written"
        return None


def _row_id(row: tuple) -> str:
    name, target, method = row[:3]
    if isinstance(target, tuple | list):
        target = "-".join(str(t) for t in target)
    elif isinstance(target, dict):
        target = "&".join(f"{k}={v}" for k, v in target.items())
    return f"{name}-{target or '-'}-{method}"


# Query counts


@contextmanager
def counting() -> Iterator[CaptureQueriesContext]:
    """`with counting() as queries:` — `len(queries)` is how many queries the block ran."""
    with CaptureQueriesContext(connection) as queries:
        yield queries


@contextmanager
def at_most(ceiling: int) -> Iterator[CaptureQueriesContext]:
    """`with at_most(12) as queries:` — fails when the block ran more than `ceiling` queries (listing them);
    `len(queries)` is how many it ran."""
    with counting() as queries:
        yield queries
    if len(queries) > ceiling:
        listing = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(queries.captured_queries, 1))
        pytest.fail(f"{len(queries)} queries, more than {ceiling}:\n{listing}")


def page_queries(client, url: str, ceiling: int, params: dict | None = None) -> int:
    """Queries one GET of a page takes; it must answer 200 within the ceiling."""
    with at_most(ceiling) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def queries_of(fn: Callable[[], Any]) -> int:
    """How many queries a call takes."""
    with counting() as queries:
        fn()
    return len(queries)
