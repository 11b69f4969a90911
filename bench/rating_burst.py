"""A burst of public ratings against a real server: hundreds of phones scanning the QR code as a big event ends.

    .venv/bin/python bench/rating_burst.py [--phones 1000] [--threads 50] [--window 10] [--runs 3]

What it does, on loopback only (127.0.0.1):
1. creates (or reuses) the PostgreSQL database `portal_bench` (postgres@127.0.0.1:5432, trust auth) and migrates it;
2. starts gunicorn (4 workers, port 8765) with production-like settings minus the TLS redirect: portal.settings.base,
   DEBUG=0, ALLOWED_HOSTS=127.0.0.1, Redis db 12 as the cache (the rate-limit counters), and RATING_RATE_LIMIT high
   enough for one client address (all simulated phones share 127.0.0.1);
3. per run: one new published activity open for rating, and N simulated phones from 50 client threads, their
   arrivals spread evenly over `--window` seconds: each does GET (device cookie + CSRF token), then POST; 5 % of
   the phones post twice (the second must be refused with 409);
4. checks that the stored ratings equal the distinct devices exactly, that every 差评 got its follow-up and that
   no request failed; reports throughput, p50/p95/p99 latency of the POSTs and the errors;
5. stops gunicorn. A hard time cap (--cap seconds, default 300) bounds the whole thing.

Prints the median of the runs as one line for bench/RESULTS.md.
"""

import argparse
import http.client
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import HOST, start_server, stop_server  # noqa: E402

PORT = 8765
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
REDIS_URL = "redis://127.0.0.1:6379/12"
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.base",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "DEBUG": "0",
    "ALLOWED_HOSTS": HOST,
    "RATING_RATE_LIMIT": "1000000/m",  # every simulated phone comes from 127.0.0.1
    "LOG_LEVEL": "ERROR",  # 409s for the repeated posts are expected: no log line each
    "PYTHONWARNINGS": "ignore::UserWarning",  # no collectstatic for the bench: WhiteNoise warns once per worker
}
os.environ.update(SERVER_ENV)

SERVER_LOG = Path(tempfile.gettempdir()) / "rating_burst_gunicorn.log"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LEVELS, WEIGHTS = [5, 4, 3, 2, 1], [60, 28, 9, 2, 1]


def ensure_database() -> None:
    import psycopg

    connection = psycopg.connect(host=HOST, port=5432, user="postgres", dbname="postgres", autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'portal_bench'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE portal_bench")
    connection.close()


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def new_activity() -> str:
    """A published activity that started an hour ago (open for rating); returns its rating path."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from branches import actions as branch_actions
    from branches.models import Organisation
    from evaluations.selectors.ratings import rating_code
    from services import actions
    from services.models import ActivityCategory

    organisation = Organisation.objects.filter(name="基准党支部").first() or branch_actions.organisation_create(
        actor=None, name="基准党支部", kind=Organisation.Kind.BRANCH
    )
    starts_at = timezone.now() - datetime.timedelta(hours=1)
    activity = actions.activity_create(
        actor=None,
        title=f"基准大型活动 {timezone.now():%H%M%S}",
        category=ActivityCategory.objects.order_by("pk").first(),
        place="社区广场",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        organisation=organisation,
    )
    actions.activity_publish(actor=None, activity=activity)
    return activity.pk, reverse("evaluations:rate", args=[rating_code(activity)])


def stored(activity_pk: int) -> tuple[int, int, int, int]:
    from evaluations.models import FollowUp, Rating

    ratings = Rating.objects.filter(activity_id=activity_pk)
    return (
        ratings.count(),
        ratings.values("device").distinct().count(),
        ratings.filter(level__lte=Rating.BAD_UP_TO).count(),
        FollowUp.objects.filter(rating__activity_id=activity_pk).count(),
    )


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


class Phone:
    """One simulated phone: GET the page, POST a rating (twice for some). Records statuses and latencies."""

    def __init__(self, number: int, path: str, posts: int, level: int, deadline: float) -> None:
        self.number, self.path, self.posts, self.level, self.deadline = number, path, posts, level, deadline
        self.statuses: list[int] = []
        self.post_latencies: list[float] = []
        self.error = ""

    def run(self, not_before: float) -> "Phone":
        delay = not_before - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if time.monotonic() > self.deadline:
            self.error = "time cap"
            return self
        try:
            connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            connection.request("GET", self.path)
            response = connection.getresponse()
            page = response.read().decode()
            jar = cookies_of(response)
            match = CSRF_FIELD.search(page)
            if response.status != 200 or "rating_device" not in jar or match is None:
                self.error = f"GET {response.status}"
                return self
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            }
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": match.group(1), "level": self.level, "comment": f"手机{self.number}"}
            )
            for _ in range(self.posts):
                started = time.perf_counter()
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                self.post_latencies.append(time.perf_counter() - started)
                self.statuses.append(response.status)
            connection.close()
        except (OSError, http.client.HTTPException) as error:
            self.error = type(error).__name__
        return self


def burst(options, activity_pk: int, path: str, deadline: float) -> dict:
    rng = random.Random(activity_pk)
    phones = [
        Phone(n, path, 2 if rng.random() < 0.05 else 1, rng.choices(LEVELS, WEIGHTS)[0], deadline)
        for n in range(options.phones)
    ]
    spacing = options.window / options.phones
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=options.threads) as pool:
        list(pool.map(lambda p: p.run(started + p.number * spacing), phones))
    elapsed = time.monotonic() - started
    latencies = sorted(latency for p in phones for latency in p.post_latencies)
    first = [p.statuses[0] for p in phones if p.statuses]
    repeats = [p.statuses[1] for p in phones if len(p.statuses) > 1]
    errors = [p.error for p in phones if p.error]
    errors += [f"POST {s}" for s in first if s != 302] + [f"repeat {s}" for s in repeats if s != 409]
    count, devices, bad, follow_ups = stored(activity_pk)
    posts = len(latencies)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    result = {
        "phones": options.phones,
        "posts": posts,
        "elapsed": elapsed,
        "throughput": posts / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": len(errors),
        "stored": count,
        "exact": count == devices == options.phones and bad == follow_ups and not errors,
    }
    print(
        f"  {posts} POSTs ({len(repeats)} repeats) in {elapsed:.1f} s = {result['throughput']:.0f}/s; "
        f"POST p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, p99 {result['p99']:.0f} ms; "
        f"stored {count} for {devices} devices of {options.phones} phones, 差评 {bad} → follow-ups {follow_ups}; "
        f"errors {len(errors)} {sorted(set(errors))[:5]}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--window", type=float, default=10.0, help="arrivals spread over this many seconds")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=300.0, help="hard time cap for the whole bench, in seconds")
    options = parser.parse_args()
    deadline = time.monotonic() + options.cap
    threading.Timer(options.cap + 30, lambda: os._exit(3)).start()  # the last resort if something hangs

    ensure_database()
    setup_django()
    print(f"gunicorn log: {SERVER_LOG}", flush=True)
    server = start_server(SERVER_ENV, PORT, 4, SERVER_LOG)
    results = []
    try:
        for run in range(options.runs):
            activity_pk, path = new_activity()
            print(f"run {run + 1}:", flush=True)
            results.append(burst(options, activity_pk, path, deadline))
    finally:
        stop_server(server)
    ok = all(r["exact"] for r in results)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    print(
        f"rating burst, {options.phones} phones from {options.threads} threads over {options.window:g} s, "
        f"gunicorn -w 4 on PostgreSQL + Redis, median of {len(results)}: {median('throughput'):.0f} POST/s, "
        f"p50 {median('p50'):.0f} ms, p95 {median('p95'):.0f} ms, p99 {median('p99'):.0f} ms, "
        f"errors {sum(r['errors'] for r in results)}; stored = distinct devices in every run: {'yes' if ok else 'NO'}"
    )
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()
