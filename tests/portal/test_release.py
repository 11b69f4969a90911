"""The release: its version (footer, `manage.py version`, pyproject), the licence, and the entry points that start
production — which refuse the development defaults."""

import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

import portal

ROOT = Path(settings.BASE_DIR)


def test_one_version_everywhere():
    assert re.fullmatch(r"\d+\.\d+\.\d+", portal.__version__)
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == portal.__version__
    assert f"## {portal.__version__} " in (ROOT / "CHANGELOG.md").read_text()


def test_manage_py_version_prints_the_portal_version():
    result = subprocess.run(
        [sys.executable, "manage.py", "version"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == portal.__version__


@pytest.mark.django_db
def test_the_footer_shows_the_version(client, cast):
    client.force_login(cast.member)
    page = client.get("/").content.decode()
    footer = page[page.index("<footer") : page.index("</footer>")]
    assert f"版本 {portal.__version__}" in footer


def test_the_licence_is_named_in_the_readme():
    licence = (ROOT / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "Apache-2.0" in (ROOT / "README.md").read_text()
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"


def _start(module: str, **env: str) -> subprocess.CompletedProcess:
    """Imports an entry point in a fresh process with only the given environment (no DJANGO_SETTINGS_MODULE)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "DEBUG"}
    clean.pop("SECRET_KEY", None)
    clean.pop("ALLOWED_HOSTS", None)
    clean.pop("PERSONAL_DATA_KEY", None)
    clean.update(env)
    code = f"import {module}; from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


GOOD = {
    "SECRET_KEY": secrets.token_urlsafe(48),
    "PERSONAL_DATA_KEY": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "portal.example.org",
}


@pytest.mark.parametrize("module", ["portal.wsgi", "portal.asgi"])
def test_servers_start_with_production_settings_by_default(module):
    result = _start(module, **GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["portal.settings.production", "False"]


def test_celery_uses_production_settings_by_default():
    code = "from portal.celery import app; from django.conf import settings; print(settings.SETTINGS_MODULE)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))} | GOOD
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.stdout.strip() == "portal.settings.production", result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "portal.example.org"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "x", "SECRET_KEY": "django-insecure-embedded-default-change-me"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "x", "SECRET_KEY": "请替换为随机生成的长密钥"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD["SECRET_KEY"], "PERSONAL_DATA_KEY": GOOD["PERSONAL_DATA_KEY"]}, "ALLOWED_HOSTS"),
        ({**GOOD, "DEBUG": "1"}, "DEBUG"),
        ({**GOOD, "PERSONAL_DATA_KEY": ""}, "PERSONAL_DATA_KEY"),
        ({**GOOD, "PERSONAL_DATA_KEY": GOOD["SECRET_KEY"]}, "PERSONAL_DATA_KEY"),
        ({**GOOD, "PERSONAL_DATA_KEY": "请替换为另一个随机长密钥"}, "PERSONAL_DATA_KEY"),
    ],
)
def test_production_refuses_development_defaults(env, message):
    result = _start("portal.wsgi", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr.splitlines()[-1]


def test_manage_py_stays_on_development_settings():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    command = [sys.executable, "manage.py", "shell", "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "portal.settings.base"
