"""Page load: 50 concurrent users over the main pages, with locust (headless) against gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB [REDIS_URL=redis://127.0.0.1:6379/13] \\
        .venv/bin/python bench/load.py [--users 50] [--public 10] [--spawn-rate 10] [--duration 60] [--workers 4]
        [--wait-min 1 --wait-max 5] [--target-p95 150]

`make bench` installs locust (requirements-bench.txt) and runs this with the DATABASE_URL and REDIS_URL it is given.
The database is used as it is, either of:
- the demo district: `manage.py migrate && manage.py seed_demo` (logins orgadmin, committee, secretary, outsider,
  member; password demo12345);
- the district-scale data: `manage.py generate_scale_data --scale district` (bench/RESULTS.md; logins scale_admin
  and sec<organisation id>, password scale12345).

What it does, on loopback only (127.0.0.1):
1. picks the accounts (a mix: 组织部 10 %, committee and general-branch secretaries 20 %, branch secretaries 50 %,
   members 20 %, as far as the database has them; distinct accounts where there are enough) and, through the
   portal's own selectors, the pages each may see: its people list, its activity list, its 30 most recent
   activities, 我的积分 (with a person record), the dashboard (when it manages something). The public rating page
   needs an activity open for rating: when the database has none (the scale data's year is over) one is created
   through the actions — 「负载基准：评价页」 in a branch, started an hour ago — and reused by the next runs for a week;
   each account's dashboard is counted once into the shared cache before the run (the first visitor's cost, which a
   dashboard above a branch keeps for DASHBOARD_CACHE_SECONDS; measured cold on its own in bench/RESULTS.md);
2. starts gunicorn (--workers, default 4) on a free port with production-like settings minus the TLS redirect:
   portal.settings.base with RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP (the client address from X-Real-IP, as behind
   a proxy, so that allauth's 30 logins a minute apply per simulated user), DEBUG=0, ALLOWED_HOSTS=127.0.0.1,
   Redis as the cache;
3. runs locust headless (bench/locustfile.py): --users simulated users, --public of them anonymous on the public
   rating page, the others logging in through the real login form (with its CSRF token) at --spawn-rate a second;
   each waits --wait-min…--wait-max seconds between requests; /healthz (a trivial view: one SELECT 1 and a Redis
   ping) is requested alongside the pages, by the same users, as the yardstick;
4. measures the steady state only: from 5 s after the last login for --duration seconds. A page counts when it
   answers 200 with a page; any other status, a redirect (above all to the login page) or an empty body is an error;
5. prints one row per page (requests, errors, p50/p95/p99, each page's p50 and p95 as a multiple of /healthz's),
   the logins on their own rows (outside the window and the target), and whether the target — p95 ≤ --target-p95
   ms on every page, no errors — was met; stops gunicorn. Exit status 0 when met, 1 on errors, 2 when too slow.

The load generator runs on the same cores as the server, so the figures are conservative; gunicorn's log and
locust's own output are kept in a temporary folder, printed at the start.
"""

import argparse
import datetime
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import HOST, start_server, stop_server  # noqa: E402

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# Known logins of the two databases and their passwords.
DEMO_LOGINS, DEMO_PASSWORD = ("orgadmin", "committee", "secretary", "outsider", "member"), "demo12345"
SCALE_ADMIN, SCALE_SECRETARY, SCALE_PASSWORD = "scale_admin", r"^sec[0-9]+$", "scale12345"
# The mix of logged-in users, by what their account manages.
MIX = {"组织部": 0.1, "上级党组织书记": 0.2, "支部书记": 0.5, "党员": 0.2}
PAGES = ("people list", "activity list", "activity page", "我的积分", "dashboard", "public rating")
TRIVIAL = "healthz"
RECENT_ACTIVITIES = 30
SETTLE = 5.0  # seconds after the last login before the window opens: workers warm, logins' CPU gone


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP",  # as behind a proxy: each simulated user has its own address
        "LOG_LEVEL": "WARNING",  # 4xx and 5xx are logged (django.request), with tracebacks for 5xx
        "PYTHONWARNINGS": "ignore::UserWarning",  # no collectstatic for the bench: WhiteNoise warns once per worker
    }


# Accounts and pages ----------------------------------------------------------------------------------------


def account_kind(user) -> str:
    from branches.models import Organisation
    from branches.selectors import scope_for

    scope = scope_for(user)
    if scope.everything:
        return "组织部"
    if not scope.paths:
        return "党员"
    kinds = set(Organisation.objects.filter(path__in=scope.paths).values_list("kind", flat=True))
    return "支部书记" if kinds <= set(Organisation.BRANCH_KINDS) else "上级党组织书记"


def candidate_accounts(rng: random.Random, password: str | None) -> list[tuple]:
    """(user, password) for the known logins of this database: the named ones first, then the scale data's
    secretaries in a seeded random order."""
    from portal.models import User

    named = [(u, password or DEMO_PASSWORD) for u in User.objects.filter(username__in=DEMO_LOGINS, is_active=True)]
    named += [(u, password or SCALE_PASSWORD) for u in User.objects.filter(username=SCALE_ADMIN, is_active=True)]
    secretaries = list(User.objects.filter(username__regex=SCALE_SECRETARY, is_active=True).order_by("pk"))
    rng.shuffle(secretaries)
    return named + [(u, password or SCALE_PASSWORD) for u in secretaries]


def pick_accounts(count: int, rng: random.Random, password: str | None) -> list[tuple]:
    """`count` (user, password, kind) in the proportions of MIX among the kinds this database has; distinct
    accounts as long as a kind has enough, then round again. Classifies at most a few hundred candidates."""
    groups: dict[str, list[tuple]] = defaultdict(list)
    for user, secret in candidate_accounts(rng, password)[:400]:
        groups[account_kind(user)].append((user, secret))
    present = {kind: share for kind, share in MIX.items() if groups[kind]}
    if not present:
        raise SystemExit("no known login in this database: run manage.py seed_demo or generate_scale_data first")
    total = sum(present.values())
    wanted = {kind: max(1, round(count * share / total)) for kind, share in present.items()}
    largest = max(wanted, key=wanted.get)
    wanted[largest] += count - sum(wanted.values())
    picked = []
    for kind, number in wanted.items():
        picked += [(*groups[kind][i % len(groups[kind])], kind) for i in range(max(number, 0))]
    # Interleave the kinds, so that a short or partial spawn still has the mix.
    rng.shuffle(picked)
    return picked


def check_passwords(accounts: list[tuple]) -> None:
    """One password check per password (each costs a PBKDF2 run): a wrong one is reported before the run."""
    seen = {}
    for user, secret, _kind in accounts:
        seen.setdefault(secret, user)
    for secret, user in seen.items():
        if not user.check_password(secret):
            raise SystemExit(f"the password for {user.username} is not {secret!r}: pass --password")


def data_year() -> int:
    """The year of the latest activity that took place."""
    from django.utils import timezone

    from services.models import Activity

    latest = Activity.objects.held().order_by("-starts_at").values_list("starts_at", flat=True)
    return timezone.localtime(latest[0]).year if latest else timezone.localdate().year


def pages_for(user) -> dict[str, list[str]]:
    """The pages this account may see, decided by the portal's own selectors (what lies outside a scope is a 404)."""
    from django.urls import reverse

    from branches.selectors import scope_for
    from services.selectors.activities import activity_list_for_user

    scope = scope_for(user)
    # The first page of the user's own activity list: what a secretary opens.
    recent = list(activity_list_for_user(user=user).values_list("pk", flat=True)[:RECENT_ACTIVITIES])
    return {
        "people list": [reverse("branches:person_list")],
        "activity list": [reverse("services:activity_list")],
        "activity page": [reverse("services:activity_detail", args=[pk]) for pk in recent],
        "我的积分": [reverse("evaluations:my_points")] if scope.person_id else [],
        # The year the data is in (the scale data's year is over): a dashboard of a full year, not an empty one.
        "dashboard": [f"{reverse('dashboards:dashboard')}?year={data_year()}"] if scope.manages_anything else [],
        TRIVIAL: [reverse("healthz")],
    }


def rating_paths(accounts: list[tuple]) -> list[str]:
    """Public rating pages of up to 5 activities open for rating now; one is created when there is none."""
    from django.urls import reverse
    from django.utils import timezone

    from evaluations.models import EvaluationRules
    from evaluations.selectors.ratings import OPEN, RATEABLE_STATES, rating_availability, rating_code
    from services.models import Activity

    now = timezone.now()
    days = EvaluationRules.current().rating_days_after_end
    recent = Activity.objects.filter(
        state__in=RATEABLE_STATES, starts_at__lte=now, ends_at__gt=now - datetime.timedelta(days=days)
    ).order_by("-starts_at")[:20]
    open_now = [a for a in recent if rating_availability(a, now=now, days=days)[0] == OPEN][:5]
    if not open_now:
        open_now = [rating_activity_create(accounts)]
    return [reverse("evaluations:rate", args=[rating_code(activity)]) for activity in open_now]


def rating_activity_create(accounts: list[tuple]):
    """An activity open for rating for a week, in the branch of one of the benchmark's branch secretaries."""
    from django.utils import timezone

    from branches.models import Organisation
    from branches.selectors import scope_for
    from services import actions
    from services.models import ActivityCategory

    paths = [p for user, _secret, kind in accounts if kind == "支部书记" for p in scope_for(user).paths]
    branches = Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS)
    organisation = branches.filter(path__in=paths).first() or branches.order_by("path").first()
    starts_at = timezone.now() - datetime.timedelta(hours=1)
    activity = actions.activity_create(
        actor=None,
        title="负载基准：评价页",
        category=ActivityCategory.objects.order_by("pk").first(),
        place="社区党群服务中心",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        organisation=organisation,
    )
    actions.activity_publish(actor=None, activity=activity)
    print(f"no activity open for rating: created #{activity.pk} 「{activity.title}」 in {organisation.name}")
    return activity


def database_summary() -> str:
    from django.db import connection

    from branches.models import Organisation, Person
    from services.models import Activity, Participation

    counts = [(Organisation, "organisations"), (Person, "people"), (Activity, "activities")]
    counts.append((Participation, "participations"))
    figures = ", ".join(f"{model.objects.count():,} {label}" for model, label in counts)
    return f"{connection.settings_dict['NAME']}: {figures}"


def warm_dashboards(accounts: list[tuple], pages: dict[int, dict]) -> None:
    """Counts each account's dashboard once into the shared cache (Redis, as the server's), as the first visitor of
    the day would: the window measures the steady state. A cold dashboard above a branch is measured on its own
    (bench/RESULTS.md): a district's year takes seconds to count."""
    from reports.dashboards.selectors import dashboard_for_user

    started, year, seen = time.perf_counter(), data_year(), set()
    for user, _secret, _kind in accounts:
        if user.pk not in seen and pages[user.pk]["dashboard"]:
            seen.add(user.pk)
            dashboard_for_user(user=user, year=year, organisation=None)
    print(f"dashboards counted before the run: {len(seen)} in {time.perf_counter() - started:.1f} s", flush=True)


def make_plan(options, rng: random.Random) -> dict:
    staff_users = options.users - options.public
    accounts = pick_accounts(staff_users, rng, options.password) if staff_users else []
    check_passwords(accounts)
    pages = {}
    for user, _secret, _kind in accounts:
        if user.pk not in pages:
            pages[user.pk] = pages_for(user)
    rating = rating_paths(accounts) if options.public else []
    warm_dashboards(accounts, pages)
    mix = defaultdict(set)
    for user, _secret, kind in accounts:
        mix[kind].add(user.username)
    described = []
    for kind, names in mix.items():
        shown = ", ".join(sorted(names)[:3]) + ("…" if len(names) > 3 else "")
        users = sum(k == kind for *_rest, k in accounts)
        described.append(f"{kind} {users} users on {len(names)} logins ({shown})")
    described.append(f"anonymous {options.public} users on {len(rating)} rating page(s)")
    print("accounts: " + "; ".join(described), flush=True)
    return {
        "accounts": [
            {"username": user.username, "password": secret, "kind": kind, "pages": pages[user.pk]}
            for user, secret, kind in accounts
        ],
        "rating": rating,
        "staff_users": staff_users,
        "public_users": options.public,
        "wait": [options.wait_min, options.wait_max],
        "duration": options.duration,
        "settle": SETTLE,
        "login_timeout": options.login_timeout,
    }


# Server ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def run_locust(options, port: int, env: dict[str, str], folder: Path) -> dict:
    classes = ([] if options.users == options.public else ["Staff"]) + (["Public"] if options.public else [])
    cap = options.login_timeout + SETTLE + options.duration + 30  # the plan stops the run itself; this is the net
    command = [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless"]
    command += ["--users", str(options.users), "--spawn-rate", str(options.spawn_rate), "--run-time", f"{cap:.0f}s"]
    command += ["--host", f"http://{HOST}:{port}", "--only-summary", "--loglevel", "WARNING", *classes]
    with open(folder / "locust.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=os.environ | env, stdout=log, stderr=log)
        try:
            locust.wait(timeout=cap + 60)
        except subprocess.TimeoutExpired:
            locust.kill()
            locust.wait()
    samples = folder / "samples.json"
    if not samples.exists():
        raise SystemExit(f"locust wrote no samples: see {folder / 'locust.log'}")
    return json.loads(samples.read_text())


# Report ------------------------------------------------------------------------------------------------------


def percentile(latencies: list[float], q: float) -> float:
    return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")


def figures(rows: list[tuple]) -> dict:
    latencies = sorted(ms for _start, _name, ms, _error in rows)
    errors = defaultdict(int)
    for *_rest, error in rows:
        if error:
            errors[error] += 1
    return {
        "requests": len(rows),
        "errors": sum(errors.values()),
        "reasons": dict(errors),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else float("nan"),
    }


def report(result: dict, options) -> int:
    if result["steady_at"] is None or result["ended_at"] is None:
        raise SystemExit("the run stopped before its measured window: see locust.log")
    opens_at, closes_at = result["steady_at"] + result["settle"], result["ended_at"]
    window = [s for s in result["samples"] if opens_at <= s[0] < closes_at]
    logins = [s for s in result["samples"] if s[1].startswith("login")]
    by_name = defaultdict(list)
    for sample in window:
        by_name[sample[1]].append(sample)
    trivial = figures(by_name[TRIVIAL])
    seconds = closes_at - opens_at
    print(
        f"\nsteady state: {seconds:.0f} s from {result['logins']} logins on, {len(window)} requests "
        f"({len(window) / seconds:.1f}/s), {options.users} users ({options.public} anonymous), think time "
        f"{options.wait_min:g}–{options.wait_max:g} s, gunicorn -w {options.workers}\n"
    )
    print("| Page | Requests | Errors | p50 ms | p95 ms | p99 ms | max ms | p50 ÷ healthz | p95 ÷ healthz |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    too_slow, errors, reasons = [], 0, defaultdict(int)
    for name in [*PAGES, TRIVIAL]:
        if not by_name[name]:
            continue
        f = figures(by_name[name])
        errors += f["errors"]
        for reason, number in f["reasons"].items():
            reasons[f"{name}: {reason}"] += number
        if name != TRIVIAL and f["p95"] > options.target_p95:
            too_slow.append(name)
        ratio = "" if name == TRIVIAL else f"{f['p50'] / trivial['p50']:.1f}× | {f['p95'] / trivial['p95']:.1f}×"
        print(
            f"| {name} | {f['requests']} | {f['errors']} | {f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} "
            f"| {f['max']:.0f} | {ratio or '1× | 1×'} |"
        )
    pages = figures([s for s in window if s[1] != TRIVIAL])
    print(
        f"| all pages | {pages['requests']} | {pages['errors']} | {pages['p50']:.0f} | {pages['p95']:.0f} "
        f"| {pages['p99']:.0f} | {pages['max']:.0f} | {pages['p50'] / trivial['p50']:.1f}× "
        f"| {pages['p95'] / trivial['p95']:.1f}× |"
    )
    for name in ("login: GET form", "login: POST"):
        rows = [s for s in logins if s[1] == name]
        if rows:
            f = figures(rows)
            print(
                f"| ({name}, before the window) | {f['requests']} | {f['errors']} | {f['p50']:.0f} | {f['p95']:.0f} "
                f"| {f['p99']:.0f} | {f['max']:.0f} | | |"
            )
            for reason, number in f["reasons"].items():
                reasons[f"{name}: {reason}"] += number
            errors += f["errors"]
    if result["logins_failed"]:
        print(f"\n{result['logins_failed']} of {result['logins']} logins failed")
    for reason, number in sorted(reasons.items(), key=lambda item: -item[1])[:10]:
        print(f"  {number} × {reason}")
    met = not errors and not too_slow
    print(
        f"\ntarget (p95 ≤ {options.target_p95:g} ms on every page, no errors): "
        + ("met" if met else "NOT met")
        + (f" — p95 above it: {', '.join(too_slow)}" if too_slow else "")
        + (f" — {errors} errors" if errors else "")
    )
    return 0 if met else (1 if errors else 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users in all")
    parser.add_argument("--public", type=int, help="of which anonymous, on the public rating page (default: a fifth)")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured, after the logins")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--wait-min", type=float, default=1.0, help="think time between requests, seconds")
    parser.add_argument("--wait-max", type=float, default=5.0)
    parser.add_argument("--target-p95", type=float, default=150.0, help="ms, every page")
    parser.add_argument("--password", help="for every login (default: demo12345 / scale12345 by account)")
    parser.add_argument("--login-timeout", type=float, default=180.0, help="seconds allowed for all the logins")
    parser.add_argument("--seed", type=int, default=20250101, help="which accounts and pages")
    options = parser.parse_args()
    if options.public is None:
        options.public = options.users // 5
    if not 0 <= options.public <= options.users:
        parser.error("--public must be between 0 and --users")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database to load (see the docstring)")
    env = server_env(database_url, os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    os.environ.update(env)

    import django

    django.setup()
    print(database_summary(), flush=True)
    plan = make_plan(options, random.Random(options.seed))
    folder = Path(tempfile.mkdtemp(prefix="load-bench-"))
    (folder / "plan.json").write_text(json.dumps(plan, ensure_ascii=False, indent=1))
    print(f"gunicorn log, locust output and samples: {folder}", flush=True)
    port = free_port()
    server = start_server(env, port, options.workers, folder / "gunicorn.log")
    try:
        locust_env = {"BENCH_PLAN": str(folder / "plan.json"), "BENCH_SAMPLES": str(folder / "samples.json")}
        result = run_locust(options, port, locust_env, folder)
    finally:
        stop_server(server)
    sys.exit(report(result, options))


if __name__ == "__main__":
    main()
