"""gunicorn with portal.gunicorn_conf: every line on its stderr — the master's, the workers', the portal's request
lines — is one JSON object stamped +08:00, even when the process starts in UTC (as under systemd)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_master_and_workers_log_json_in_shanghai_time(tmp_path):
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = os.environ | {
        "TZ": "UTC",
        "LOG_FORMAT": "json",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # /healthz only asks it SELECT 1
    }
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(gunicorn), "-c", "python:portal.gunicorn_conf", "portal.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        response_id = None
        for _ in range(150):  # up to ~30 s for the worker to boot
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    response_id = response.headers["X-Request-ID"]
                    break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                time.sleep(0.2)
        assert response_id, log_path.read_text()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert all(line["timestamp"].endswith("+08:00") for line in lines), lines
    loggers = {line["logger"] for line in lines}
    assert "gunicorn.error" in loggers  # the master's "Starting gunicorn", "Booting worker", "Shutting down"
    assert any(line.get("request_id") == response_id and line["path"] == "/healthz" for line in lines)
