"""Deployment security: the production settings pass `check --deploy` with no warning, the cookies are Secure,
HttpOnly (session) and SameSite, HSTS is on, framing is denied, and every response carries the
Content-Security-Policy (set in the base settings, so the tests and the browser tests run under it)."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import Cast

MANAGE = settings.BASE_DIR / "manage.py"

EXPECTED_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}

# Read from the production settings module in a fresh interpreter (it cannot be imported into this one, whose
# settings are configured already).
SETTINGS_SCRIPT = """
import json, django
from django.conf import settings
django.setup()
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS", "MIDDLEWARE", "CONTENT_SECURITY_POLICY",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    # Nothing the test run set for itself: e.g. the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (async.E001).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key not in {"DEBUG", "SECURE_SSL_REDIRECT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 random characters: what check --deploy asks for
        PERSONAL_DATA_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=env.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('deploy')}/deploy.sqlite3",
    )
    return env


@pytest.fixture(scope="module")
def production(production_env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_SCRIPT],
        env=production_env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_without_a_warning(production_env):
    result = subprocess.run(
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


def test_production_cookies_hsts_and_framing(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_production_enforces_the_same_content_security_policy(production):
    assert "csp.middleware.CSPMiddleware" in production["MIDDLEWARE"]
    assert production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"] == settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]


def _directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/admin/login/"])
def test_every_response_carries_the_policy_and_denies_framing(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_logged_in_pages_carry_the_policy_too(cast: Cast, login):
    response = login(cast.secretary).get("/")
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP


@pytest.mark.django_db
def test_production_cookie_flags_on_a_real_login(cast: Cast, client, production):
    """The flags as a browser receives them, with the production values applied to this process."""
    names = [name for name in production if name.startswith(("SESSION_COOKIE", "CSRF_COOKIE", "SECURE_HSTS"))]
    with override_settings(**{name: production[name] for name in names}):
        form = client.get("/accounts/login/", secure=True)
        response = client.post("/accounts/login/", {"login": "secretary", "password": "demo12345"}, secure=True)
    assert response.status_code == 302, response.content.decode()[:500]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    assert form["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# What the policy blocks, as it would appear in a template: a style attribute, a <style> element, an inline
# <script> (one without src; json_script's data blocks are not scripts), an inline event handler, a javascript: URL.
INLINE = re.compile(
    r"""\sstyle\s*=|<style\b|<script\b(?![^>]*\b(?:src=|type=["']application/json))[^>]*>|\son[a-z]+\s*=\s*["']|"""
    r"javascript:",
    re.IGNORECASE,
)
DJANGO_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)


def test_no_template_needs_inline_script_or_style():
    """The browser test visits a sample of pages; this reads every template, so a new one cannot slip through."""
    found = []
    for template in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        text = DJANGO_COMMENT.sub("", template.read_text(encoding="utf-8"))
        for match in INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{template.relative_to(settings.BASE_DIR)}:{line}: {match.group(0).strip()}")
    assert not found, "blocked by the Content-Security-Policy; use a class in portal.css or a static script:\n" + (
        "\n".join(found)
    )
