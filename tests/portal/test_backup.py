"""make backup / make restore: a backup restored into a fresh PostgreSQL database holds the same rows, table by
table, and the uploaded files come back."""

import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from services.models import Activity
from tests.services.activity_helpers import make_activity

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    settings = connection.settings_dict
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _counts(url: str) -> dict[str, int]:
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    # closing(): an open session blocks dropping the database.
    with closing(psycopg.connect(url)) as db, db.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # table names come from our own models
            counts[table] = cursor.fetchone()[0]
    return counts


def _run(script: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [str(ROOT / "scripts" / script)], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_and_files(cast, tmp_path):
    make_activity(cast, title="备份前的活动")
    media = tmp_path / "media"
    (media / "visits").mkdir(parents=True)
    (media / "visits" / "photo.jpg").write_bytes(b"\xff\xd8photo")
    source = _url(connection.settings_dict["NAME"])
    backup = tmp_path / "backup"

    made = _run("backup.sh", DATABASE_URL=source, MEDIA_ROOT=str(media), BACKUP_DIR=str(backup))
    assert made.returncode == 0, made.stderr
    assert (backup / "db.dump").stat().st_size > 0

    fresh = f"restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(_url("postgres"), autocommit=True)
    admin.cursor().execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_media = tmp_path / "restored"
        for _ in range(2):  # a second restore over the first replaces it: same rows, no duplicates
            done = _run("restore.sh", DATABASE_URL=_url(fresh), MEDIA_ROOT=str(restored_media), BACKUP=str(backup))
            assert done.returncode == 0, done.stderr
        expected = _counts(source)
        assert expected[Activity._meta.db_table] >= 1 and expected["portal_user"] >= 5
        assert _counts(_url(fresh)) == expected
        assert (restored_media / "visits" / "photo.jpg").read_bytes() == b"\xff\xd8photo"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = _run("backup.sh", DATABASE_URL="sqlite:///db.sqlite3", BACKUP_DIR=str(tmp_path / "b"))
    assert result.returncode == 2 and "PostgreSQL" in result.stderr


def test_restore_refuses_a_directory_that_is_not_a_backup(tmp_path):
    result = _run("restore.sh", DATABASE_URL="postgres://nobody@127.0.0.1/none", BACKUP=str(tmp_path))
    assert result.returncode == 2 and "db.dump" in result.stderr
