"""The users of the page load benchmark. Run through bench/load.py, which starts the server, picks the accounts and
the pages each may see, and hands them over in a JSON plan (BENCH_PLAN); the samples go back in BENCH_SAMPLES.

Two kinds of user, each looping over its own pages with a think time between requests:
- `Staff` logs in through the real login form (GET the form, POST it with its CSRF token; each simulated user with
  its own client address in X-Real-IP, as behind a proxy: see bench/load.py), then visits the pages of its
  account's scope:
  people list, activity list, activity pages, 我的积分 (when the account has a person record), the dashboard
  (when it manages something) and /healthz;
- `Public` is anonymous: the public rating page of an activity open for rating (/r/<code>/) and /healthz.

A page counts as answered only when it is a 200 with an HTML page in it; a redirect (above all to the login page)
or any other status is a failure with the reason. Every request is recorded with its start time, so that load.py
can keep only the steady state: the window starts `settle` seconds after the last user has logged in and lasts
`duration` seconds, after which the run stops by itself.
"""

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

if "BENCH_PLAN" not in os.environ:
    raise SystemExit("bench/locustfile.py is run by bench/load.py (it needs the plan load.py writes)")
PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
SAMPLES = Path(os.environ["BENCH_SAMPLES"])
LOGIN = "/accounts/login/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REDIRECTS = {301, 302, 303, 307, 308}

_accounts = itertools.cycle(PLAN["accounts"])  # in the order of the mix; shared by the users as they start
_numbers = itertools.count(1)
_state: dict = {"logins": 0, "logins_failed": 0, "spawned_at": None, "steady_at": None, "ended_at": None}
_samples: list[tuple] = []


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **kwargs) -> None:
    started = start_time if start_time is not None else time.time() - response_time / 1000
    _samples.append((started, name, response_time, "" if exception is None else str(exception)[:300]))


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs) -> None:
    _state["spawned_at"] = time.time()


@events.test_start.add_listener
def _start(environment, **kwargs) -> None:
    gevent.spawn(_measure, environment)


def _measure(environment) -> None:
    """Waits until every user has started and every Staff user has tried to log in, then lets the measured window
    run for `duration` seconds and stops the run."""
    deadline = time.time() + PLAN["login_timeout"]
    while time.time() < deadline and (_state["spawned_at"] is None or _state["logins"] < PLAN["staff_users"]):
        gevent.sleep(0.2)
    _state["steady_at"] = time.time()
    gevent.sleep(PLAN["settle"] + PLAN["duration"])
    _state["ended_at"] = time.time()
    environment.runner.quit()


@events.test_stop.add_listener
def _write(**kwargs) -> None:
    SAMPLES.write_text(json.dumps({**_state, "settle": PLAN["settle"], "samples": _samples}))


def _client_address(number: int) -> str:
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def _check(response, name: str) -> None:
    """200 with an HTML page (or, for /healthz, a JSON body); anything else is a failure with its reason."""
    status = response.status_code
    if status in REDIRECTS:
        where = response.headers.get("Location", "")
        response.failure("redirect to the login page" if where.startswith(LOGIN) else f"redirect to {where}")
    elif status != 200:
        response.failure(f"HTTP {status}")
    elif name == "healthz":
        if b'"status"' not in response.content:
            response.failure("healthz without a status")
    elif b"</html>" not in response.content:
        response.failure("200 without a page")
    elif f'action="{LOGIN}"'.encode() in response.content:
        response.failure("the login form instead of the page")
    else:
        response.success()


class Visitor(HttpUser):
    abstract = True
    wait_time = between(*PLAN["wait"])
    pages: list[tuple[str, list[str]]] = []

    def on_start(self) -> None:
        self.client.headers["X-Real-IP"] = _client_address(next(_numbers))

    @task
    def visit(self) -> None:
        name, urls = random.choice(self.pages)
        with self.client.get(random.choice(urls), name=name, allow_redirects=False, catch_response=True) as response:
            _check(response, name)


class Staff(Visitor):
    """A logged-in user: 组织部 staff, a secretary (of a committee or of a branch), or a member."""

    def on_start(self) -> None:
        super().on_start()
        account = next(_accounts)
        self.pages = [(name, urls) for name, urls in account["pages"].items() if urls]
        try:
            if not self.log_in(account["username"], account["password"]):
                _state["logins_failed"] += 1
        finally:
            _state["logins"] += 1

    def log_in(self, username: str, password: str) -> bool:
        with self.client.get(LOGIN, name="login: GET form", catch_response=True) as response:
            match = CSRF_FIELD.search(response.text)
            if response.status_code != 200 or match is None:
                response.failure(
                    f"login form: HTTP {response.status_code}, CSRF token {'found' if match else 'missing'}"
                )
                return False
        form = {"csrfmiddlewaretoken": match.group(1), "login": username, "password": password}
        with self.client.post(
            LOGIN,
            data=form,
            headers={"Referer": f"{self.host}{LOGIN}"},
            name="login: POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code not in REDIRECTS or where.startswith(LOGIN):
                response.failure(f"login refused for {username}: HTTP {response.status_code}")
                return False
        return True


class Public(Visitor):
    """Someone who scanned an activity's QR code: no login."""

    fixed_count = PLAN["public_users"]

    def on_start(self) -> None:
        super().on_start()
        self.pages = [("public rating", PLAN["rating"]), ("healthz", ["/healthz"])]
