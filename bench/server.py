"""gunicorn for the benchmarks: started in its own process group on loopback, ready when /healthz answers."""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def start_server(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # gunicorn's own output (and tracebacks), kept out of the report
    command = [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}"]
    server = subprocess.Popen(
        [*command, "--log-level", "warning"],
        cwd=ROOT,
        env=os.environ | env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited at start-up: see {log_path}")
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # our own process group (start_new_session): gunicorn and its workers
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
