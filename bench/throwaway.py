"""A throwaway database for the benchmarks that write (the imports, opening accounts). Import this module first: it
sets Django up on a fresh SQLite file in a temporary folder when DATABASE_URL is unset; otherwise `database()`
creates a test database beside the one DATABASE_URL names and drops it afterwards. Uploads go to the temporary
folder too."""

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
TMP = tempfile.TemporaryDirectory(prefix="bench-")
SQLITE = "DATABASE_URL" not in os.environ
if SQLITE:
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

settings.MEDIA_ROOT = TMP.name


@contextmanager
def database() -> Iterator[None]:
    """The benchmark's own database, migrated, for the length of the block."""
    setup_test_environment()
    if SQLITE:
        call_command("migrate", verbosity=0)
        yield
        return
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
