"""ReportExport moved from portal to reports (issue 18): a database migrated before the move (portal 0003) keeps
every row of every table when it migrates forward, the exports keep their ids and fields, and what named the model
by its old app (its content type, the audit log) names the new one. Backwards works too.

Only the two migrations of the move are unapplied and re-applied (MigrationExecutor, as Django's own migration
tests do), on the test database: a few schema operations, no other app is touched."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.audit_labels import object_label
from tests.factories import OrganisationFactory, UserFactory

BEFORE = [("portal", "0003_user_initial_password"), ("reports", None)]
# The one table that changes its name; every other keeps it.
RENAMED = {"portal_reportexport": "reports_reportexport"}


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _migrate(targets) -> MigrationExecutor:
    executor = _executor()
    executor.migrate(targets)
    return _executor()  # a fresh loader: what is applied now


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[RENAMED.get(table, table)] = cursor.fetchone()[0]
    return counts


def _leaves() -> list[tuple[str, str]]:
    return _executor().loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_every_row():
    organisation = OrganisationFactory(name="党支部A")
    user = UserFactory(username="orgadmin", is_org_department=True)
    leaves = _leaves()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE[:1]).apps
        assert "portal_reportexport" in connection.introspection.table_names()
        assert "reports_reportexport" not in connection.introspection.table_names()
        OldExport = old.get_model("portal", "ReportExport")
        exports = [
            OldExport.objects.create(
                year=2025, organisation_id=organisation.pk, requested_by_id=user.pk, status="done"
            ),
            OldExport.objects.create(year=2024, organisation_id=None, requested_by_id=None, progress=40),
        ]
        old.get_model("portal", "AuditEvent").objects.create(
            actor_id=user.pk, action="report.download", object_type="portal.ReportExport", object_id=str(exports[0].pk)
        )
        ContentType = old.get_model("contenttypes", "ContentType")
        # As on a database made before the move: the content type (and its permissions) under portal.
        assert ContentType.objects.filter(app_label="portal", model="reportexport").exists()
        before = _row_counts()
        assert before["reports_reportexport"] == 2

        # The move's two migrations, and those that came after it (they depend on it, so they went back too).
        replayed = {(migration.app_label, migration.name) for migration, _ in _executor().migration_plan(leaves)}
        assert {("portal", "0004_reportexport_to_reports"), ("reports", "0001_initial")} <= replayed
        new = _migrate(leaves).loader.project_state(leaves).apps
    finally:
        _migrate(leaves)  # never leave the test database before the move

    after = _row_counts()
    # The migration log gains the migrations replayed; every other table holds what it held.
    assert after.pop("django_migrations") == before.pop("django_migrations") + len(replayed)
    assert after == before
    assert "portal_reportexport" not in connection.introspection.table_names()
    NewExport = new.get_model("reports", "ReportExport")
    assert list(
        NewExport.objects.order_by("pk").values_list("pk", "year", "organisation_id", "status", "progress")
    ) == [
        (exports[0].pk, 2025, organisation.pk, "done", 0),
        (exports[1].pk, 2024, None, "queued", 40),
    ]
    event = new.get_model("portal", "AuditEvent").objects.get(action="report.download")
    assert (event.object_type, object_label(event.object_type)) == ("reports.ReportExport", "年度报告")
    ContentType = new.get_model("contenttypes", "ContentType")
    assert list(ContentType.objects.filter(model="reportexport").values_list("app_label", flat=True)) == ["reports"]
    # New rows take ids after the old ones (the id sequence came along with the table).
    assert NewExport.objects.create(year=2026).pk > exports[1].pk


@pytest.mark.django_db(transaction=True)
def test_the_move_goes_backwards_too():
    leaves = _leaves()
    try:
        _migrate(BEFORE)
        tables = connection.introspection.table_names()
        assert ("portal_reportexport" in tables, "reports_reportexport" in tables) == (True, False)
    finally:
        _migrate(leaves)
    tables = connection.introspection.table_names()
    assert ("portal_reportexport" in tables, "reports_reportexport" in tables) == (False, True)
