"""deploy/ checked for real: the systemd units pass `systemd-analyze verify`, the nginx site passes `nginx -t`, and
nginx in front of gunicorn (production settings, a throwaway SQLite database, collected static files, all in
tmp_path, loopback ports) lets an upload near the limit through, overwrites a forged client address, and serves
the static files compressed with a long cache lifetime."""

import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.nginx

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RATE = 2  # ratings a minute per address, for the forged-address check
UNITS = ("portal-web.service", "portal-worker.service", "portal-beat.service")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _render(text: str, replacements: dict[str, str]) -> str:
    """Each placeholder must be in the file: a test that substitutes nothing would check nothing."""
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in the file: update the test with the file"
        text = text.replace(old, new)
    return text


def test_systemd_units_verify(tmp_path):
    names = [*UNITS, "portal-backup.service", "portal-backup.timer"]
    for name in names:
        unit = (DEPLOY / "systemd" / name).read_text()
        # The programs the units start, from this checkout and its venv instead of /opt/portal/current.
        rendered = unit.replace("/opt/portal/current/.venv/bin/", f"{VENV_BIN}/").replace(
            "/opt/portal/current", str(ROOT)
        )
        assert rendered != unit or name.endswith(".timer"), f"{name}: no /opt/portal/current path to substitute"
        (tmp_path / name).write_text(rendered)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == "", "warnings: " + result.stdout + result.stderr


def test_units_restart_forever_and_beat_is_one():
    for name in UNITS:
        unit = (DEPLOY / "systemd" / name).read_text()
        assert "Restart=always" in unit and "StartLimitIntervalSec=0" in unit, name
        assert "EnvironmentFile=/etc/portal/portal.env" in unit and "User=portal" in unit, name
    beat = (DEPLOY / "systemd" / "portal-beat.service").read_text()
    assert beat.count("celery -A portal -q beat") == 1
    assert "celery -A portal -q beat" not in (DEPLOY / "systemd" / "portal-worker.service").read_text()  # no worker -B


def test_the_env_example_names_every_setting_the_settings_read():
    source = "\n".join(path.read_text() for path in (ROOT / "portal" / "settings").glob("*.py"))
    read = set(
        re.findall(
            r"""(?:os\.environ\.get\(|os\.environ\[|env_bool\(|env_list\(|os\.getenv\()\s*["']([A-Z_]+)""", source
        )
    )
    read -= {"PYTEST_XDIST_WORKER"}  # the test settings' own
    example = (DEPLOY / "portal.env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z][A-Z_]+)=", example, flags=re.M))
    assert read | {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"} <= named, sorted(read - named)


def test_nginx_body_limit_covers_the_largest_upload():
    site = (DEPLOY / "nginx" / "portal.conf").read_text()
    limit = int(re.search(r"client_max_body_size (\d+)m;", site).group(1)) * 1024 * 1024
    # A visit form carries up to five photos; a roster file is one upload.
    from services.actions.pairing import MAX_PHOTOS_PER_VISIT

    largest = max(settings.IMPORT_MAX_BYTES, MAX_PHOTOS_PER_VISIT * settings.VISIT_PHOTO_MAX_BYTES)
    assert largest < limit <= largest + 10 * 1024 * 1024


# nginx in front of gunicorn ----------------------------------------------------------------------------------


def _run(command: list[str], env: dict[str, str], **kwargs) -> None:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"exited at start-up:\n{log.read_text()}")
            time.sleep(0.1)
    pytest.fail(f"nothing answered on port {port} within 30 s:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own process group (start_new_session)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Site:
    def __init__(self, http_port: int, https_port: int, app_port: int, cert: Path, static_root: Path, log: Path):
        self.http_port, self.https_port, self.app_port = http_port, https_port, app_port
        self.static_root, self.access_log = static_root, log
        self.tls = ssl.create_default_context(cafile=str(cert))

    def request(self, method: str, path: str, *, body: bytes | None = None, headers=None, direct: bool = False):
        """One request through nginx over HTTPS (or, direct=True, straight to gunicorn); the response, read."""
        if direct:
            connection = http.client.HTTPConnection("127.0.0.1", self.app_port, timeout=30)
        else:
            connection = http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=30, context=self.tls)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.content = response.read()
            return response
        finally:
            connection.close()

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"


def _cookies(response) -> dict[str, str]:
    jar = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """gunicorn (production settings, its own SQLite database and static root) and nginx (the site from deploy/,
    loopback ports, a self-signed certificate), both as this user's processes with their own paths."""
    base = tmp_path_factory.mktemp("deploy-site")
    http_port, https_port, app_port = _free_port(), _free_port(), _free_port()
    cert, key = base / "portal.crt", base / "portal.key"
    _run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        env=os.environ.copy(),
    )  # fmt: skip
    static_root = base / "static"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key not in {"DEBUG", "REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        PERSONAL_DATA_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(base / "media"),
        RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP",
        RATING_RATE_LIMIT=f"{RATE}/m",
        DJANGO_SUPERUSER_USERNAME="zzb-deploy",
        DJANGO_SUPERUSER_PASSWORD="部署测试-" + secrets.token_urlsafe(12),
        DJANGO_SUPERUSER_EMAIL="zzb@example.org",
    )
    # One process for the three commands (each Django start costs seconds on a busy machine).
    prepare = (
        "import django; django.setup(); from django.core.management import call_command as c; "
        "c('migrate', interactive=False, verbosity=0); c('collectstatic', interactive=False, verbosity=0); "
        "c('createsuperuser', interactive=False, verbosity=0)"
    )
    _run([sys.executable, "-c", prepare], env)

    app_log = base / "gunicorn.log"
    access_log = base / "access.log"
    # The access log records the client-address headers as gunicorn received them.
    log_format = '%(h)s real="%({x-real-ip}i)s" forwarded="%({x-forwarded-for}i)s" "%(r)s" %(s)s'
    gunicorn = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{app_port}", "--workers", "1",
         "--access-logfile", str(access_log), "--access-logformat", log_format],
        env=env, cwd=ROOT, stdout=app_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip

    site_conf = _render(
        (DEPLOY / "nginx" / "portal.conf").read_text(),
        {
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "/etc/portal/tls/portal.crt": str(cert),
            "/etc/portal/tls/portal.key": str(key),
            "/opt/portal/current/staticfiles/": f"{static_root}/",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        },
    )
    (base / "portal.conf").write_text(site_conf)
    for folder in ("logs", "temp"):
        (base / folder).mkdir()
    # The main file is what Debian's /etc/nginx/nginx.conf gives a site (mime types, sendfile), with this test's own
    # pid, logs and temp paths. As root, nginx would hand its workers to "nobody", who cannot read tmp_path.
    user = "user root;" if os.geteuid() == 0 else ""
    main_conf = base / "nginx.conf"
    main_conf.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {base}/nginx.pid;
error_log {base}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {base}/logs/access.log;
    client_body_temp_path {base}/temp/body;
    proxy_temp_path {base}/temp/proxy;
    fastcgi_temp_path {base}/temp/fastcgi;
    uwsgi_temp_path {base}/temp/uwsgi;
    scgi_temp_path {base}/temp/scgi;
    include {base}/portal.conf;
}}
"""
    )
    nginx_command = [NGINX, "-p", str(base), "-e", str(base / "logs" / "error.log"), "-c", str(main_conf)]
    test = subprocess.run([*nginx_command, "-t"], capture_output=True, text=True, timeout=30)
    assert test.returncode == 0 and "test is successful" in test.stderr, test.stderr
    nginx_log = base / "nginx.out"
    nginx = subprocess.Popen(
        nginx_command, stdout=nginx_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_for(app_port, gunicorn, app_log)
        _wait_for(https_port, nginx, nginx_log)
        site = Site(http_port, https_port, app_port, cert, static_root, access_log)
        site.superuser = (env["DJANGO_SUPERUSER_USERNAME"], env["DJANGO_SUPERUSER_PASSWORD"])
        yield site
    finally:
        _stop(nginx)
        _stop(gunicorn)


def test_http_is_sent_to_https_and_health_is_proxied(site):
    connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    connection.request("GET", "/healthz?x=1")
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/healthz?x=1"
    connection.close()

    health = site.request("GET", "/healthz")
    assert health.status == 200
    assert json.loads(health.content)["database"] == "ok"
    assert health.getheader("Strict-Transport-Security")  # Django's answer, over TLS (X-Forwarded-Proto: https)


def _login(site: Site) -> dict[str, str]:
    page = site.request("GET", "/accounts/login/")
    assert page.status == 200
    jar = _cookies(page)
    token = jar["csrftoken"]
    username, password = site.superuser
    body = f"login={username}&password={password}&csrfmiddlewaretoken={token}".encode()
    response = site.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Cookie": f"csrftoken={token}",
            "Origin": site.origin,
        },
    )
    assert response.status == 302, response.content.decode()[:2000]
    jar.update(_cookies(response))
    assert "sessionid" in jar
    return jar


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="名册.xlsx"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + b"x" * (size - len(head) - len(tail)) + tail, f"multipart/form-data; boundary={boundary}"


def test_an_upload_near_the_limit_reaches_the_app(site):
    """A logged-in 组织部 account posts a roster of 29 MiB (nginx allows 30): nginx lets it through and the portal
    itself refuses it with its Chinese message (its own limit is 5 MiB), not nginx with a bare 413."""
    jar = _login(site)
    body, content_type = _multipart(29 * 1024 * 1024)
    response = site.request(
        "POST",
        "/imports/people/",
        body=body,
        headers={
            "Content-Type": content_type,
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "X-CSRFToken": jar["csrftoken"],
            "Origin": site.origin,
        },
    )
    assert response.status == 200, response.content[:500]
    assert "文件太大" in response.content.decode()

    # Past nginx's limit: refused by nginx at once, from the Content-Length alone.
    connection = http.client.HTTPSConnection("127.0.0.1", site.https_port, timeout=10, context=site.tls)
    connection.putrequest("POST", "/imports/people/")
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(31 * 1024 * 1024))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()


def test_a_forged_client_address_does_not_reach_the_app(site):
    """The public rating form is limited per address (RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP, RATE a minute). Straight
    to gunicorn, each forged X-Real-IP counts as another client — the header is what the app believes. Through
    nginx, whatever the client claims, every post counts against its real address, so the limit holds."""
    token = _cookies(site.request("GET", "/accounts/login/"))["csrftoken"]

    def rate(number: int, forged: str, direct: bool = False) -> int:
        headers = {
            "Cookie": f"csrftoken={token}",
            "X-CSRFToken": token,
            "Origin": site.origin,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Real-IP": forged,
            "X-Forwarded-For": forged,
        }
        if direct:
            headers["X-Forwarded-Proto"] = "https"  # as nginx would say
        return site.request("POST", "/r/no-such-code/", body=b"level=5", headers=headers, direct=direct).status

    # The control: the same posts straight to gunicorn, each with its own address, are never limited.
    assert [rate(n, f"10.9.9.{n}", direct=True) for n in range(RATE + 2)] == [404] * (RATE + 2)
    # Through nginx, with a new forged address each time: the limit applies after RATE posts.
    statuses = [rate(n, f"203.0.113.{n}") for n in range(RATE + 2)]
    assert statuses == [404] * RATE + [429, 429]

    def through_nginx_lines() -> list[str]:
        return [
            line
            for line in site.access_log.read_text().splitlines()
            if "/r/no-such-code/" in line and "10.9.9." not in line
        ]

    # gunicorn writes a request's access line after it has sent the response: give the last one a moment.
    deadline = time.monotonic() + 10
    while len(through_nginx_lines()) < RATE + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    log = site.access_log.read_text()
    assert "203.0.113." not in log  # neither header carried the forged address past nginx
    through_nginx = through_nginx_lines()
    assert len(through_nginx) == RATE + 2
    assert all('real="127.0.0.1" forwarded="127.0.0.1"' in line for line in through_nginx), through_nginx


def test_static_files_come_compressed_with_a_long_cache_lifetime(site):
    manifest = json.loads((site.static_root / "staticfiles.json").read_text())["paths"]
    for name in ("css/portal.css", "vendor/bootstrap/css/bootstrap.min.css", "vendor/echarts/echarts.min.js"):
        hashed = manifest[name]
        response = site.request("GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
        assert response.status == 200, name
        assert response.getheader("Content-Encoding") == "gzip", name
        # nginx's header (WhiteNoise, behind it, would say "max-age=315360000, public, immutable").
        assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable", name
        assert gzip.decompress(response.content) == (site.static_root / hashed).read_bytes(), name
