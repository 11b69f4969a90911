"""Issue 13's guards over the main pages of every role, in one walk (one browser, one live server, each page once per
width): at 390×844 and 1366×768 axe-core finds no serious or critical violation; at 390 px no page scrolls sideways
and every primary action (`.btn-party`, `button[type=submit]`) is at least 40×40 px; the Nu HTML checker finds no
error in the HTML as served. Everything found is reported together, by page.

With PAGE_SHOTS=<dir> (`make screenshots` sets it to docs/screens) the walk also saves each page at 390 px as
<role>-<page>-390.png there; a normal run writes nothing outside its temporary directory."""

import datetime
import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from django.conf import settings

from meetings.actions import leave_request
from meetings.models import Meeting
from services.actions.activities import participation_sign_up
from services.models import Activity
from tests.browser.conftest import log_in
from tests.conftest import REQUIRE_SERVICES
from tests.evaluations.points_helpers import day, past_activity
from tests.factories import fake_id_number, member
from tests.meetings.conftest import plan
from tests.portal.url_walk import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHOTS = os.environ.get("PAGE_SHOTS", "")
SHOT_HEIGHT = 2000  # a long page is cut here, so each PNG stays small
WIDTHS = ({"width": 390, "height": 844}, {"width": 1366, "height": 768})
PREVIEW = "import-preview"  # not a GET: the page the upload form answers with

# (role, page name, path): the main pages of each role. Paths are filled from world() (objects of 党支部A).
PAGES = [
    ("anonymous", "login", "/accounts/login/"),
    ("anonymous", "rating", "/r/{rating_code}/"),
    ("anonymous", "questionnaire", "/q/{questionnaire_code}/"),
    ("anonymous", "public-demand", "/services/public/{organisation}/demand/"),
    ("anonymous", "public-branch", "/services/public/{organisation}/"),
    ("member", "home", "/"),
    ("member", "my-activities", "/services/me/activities/"),
    ("member", "my-points", "/evaluations/points/me/"),
    ("member", "my-hours", "/services/me/hours/"),
    ("member", "my-reviews", "/evaluations/reviews/"),
    ("member", "my-meetings", "/meetings/mine/"),
    ("secretary", "home", "/"),
    ("secretary", "people", "/branches/people/"),
    ("secretary", "person", "/branches/people/{member_person}/"),
    ("secretary", "activities", "/services/activities/"),
    ("secretary", "activity", "/services/activities/{activity}/"),
    ("secretary", "attendance", "/services/activities/{activity}/attendance/"),
    ("secretary", "hours-queue", "/services/hours/pending/"),
    ("secretary", "meetings", "/meetings/"),
    ("secretary", "meeting", "/meetings/{meeting}/"),
    ("secretary", "meeting-attendance", "/meetings/{meeting}/attendance/"),
    ("secretary", "demands", "/services/demands/"),
    ("secretary", "follow-ups", "/evaluations/follow-ups/"),
    ("secretary", "import-upload", "/imports/people/"),
    ("secretary", PREVIEW, "/imports/people/"),
    ("orgadmin", "dashboard", "/dashboards/"),
    ("orgadmin", "yearly-report", "/reports/"),
    ("orgadmin", "satisfaction", "/evaluations/satisfaction/"),
    ("orgadmin", "audit-log", "/audit/"),
    ("orgadmin", "organisations", "/branches/organisations/"),
    ("orgadmin", "imports", "/imports/"),
]

# A roster with a good row and two bad ones, so the preview shows both outcomes.
ROSTER_CSV = (
    "姓名,身份证号,手机号,政治面貌,取得日期,党组织,工作单位,职务\n"
    f"新党员甲,{fake_id_number(datetime.date(1990, 3, 3))},13900000011,正式党员,2015-07-01,,,\n"
    "新党员乙,,1390000,正式党员,2015-07-01,,,\n"
    ",,13900000013,预备党员,2099-01-01,,,\n"
).encode()

AXE_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
}
"""

# Primary actions a finger must hit: visible ones smaller than 40×40 px.
SMALL_TARGETS_JS = """
() => [...document.querySelectorAll(".btn-party, button[type=submit]")]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width < 40 || r.height < 40)
  .map(([e, r]) => `${e.textContent.trim() || e.outerHTML.slice(0, 60)}: ${r.width | 0}×${r.height | 0}`)
"""


def _objects(cast) -> dict[str, object]:
    objects = world(cast)
    # The hours queue and the attendance sheet with rows waiting for approval.
    people = [cast.member_person, *(member(cast.branch_a, name=f"待审党员{i}") for i in range(3))]
    past_activity(cast, day(5), people, approve=False)
    # The running activity with sign-ups: the attendance sheet's rows, the member's own activity.
    running = Activity.objects.get(pk=objects["activity"])
    participation_sign_up(actor=cast.member, activity=running)
    participation_sign_up(actor=cast.secretary, activity=running, person=cast.person_a)
    objects["member_person"] = cast.member_person.pk
    # A meeting under way (its attendance sheet open), one the member may still ask leave for, and a pending leave.
    objects["meeting"] = plan(cast.branch_a, topic="支部党员大会").pk
    upcoming = plan(cast.branch_a, kind=Meeting.Kind.THEME_DAY, hours_from_now=48)
    leave_request(actor=cast.member, meeting=upcoming, reason="出差")
    return objects


def _open_preview(page, base: str):
    """Upload the roster and return the response the preview page came with."""
    page.goto(f"{base}/imports/people/")
    page.locator("input[type=file]").set_input_files({"name": "名册.csv", "mimeType": "text/csv", "buffer": ROSTER_CSV})
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="上传并预览").click()
    return navigation.value


def _shoot(page, role: str, name: str) -> None:
    height = min(SHOT_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
    page.screenshot(
        path=f"{SHOTS}/{role}-{name}-390.png", full_page=True, clip={"x": 0, "y": 0, "width": 390, "height": height}
    )


ROLE_TITLES = {"anonymous": "群众（未登录）", "member": "党员", "secretary": "支部书记", "orgadmin": "组织部"}


def _write_shots_readme() -> None:
    lines = [
        "# Screens",
        "",
        "The main pages of every role at 390 px (a phone), as `make screenshots` saves them from the page-quality",
        "browser test (`tests/browser/test_page_quality.py`, with the test's own data). A long page is cut at"
        f" {SHOT_HEIGHT} px.",
        "",
        "| File | Role | Page |",
        "|---|---|---|",
    ]
    for role, name, path in PAGES:
        shown = f"{path} (after uploading a roster)" if name == PREVIEW else path
        lines.append(f"| [{role}-{name}-390.png]({role}-{name}-390.png) | {ROLE_TITLES[role]} | `{shown}` |")
    Path(SHOTS, "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _nu_errors(html_files: dict[Path, str]) -> list[str]:
    """The Nu HTML checker over every saved page in one run (the JVM is slow to start): each error with its page."""
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, html_files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    by_name = {path.name: page for path, page in html_files.items()}
    return [
        f"{by_name.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        f" — {m.get('extract', '').strip()[:120]}"
        for m in messages
    ]


def test_main_pages_pass_axe_the_nu_checker_and_the_phone_rules(cast, live_server, browser, tmp_path):
    base = live_server.url
    objects = _objects(cast)
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        _write_shots_readme()
    problems: dict[str, list[str]] = {"axe": [], "sideways": [], "tap targets": [], "not 200": []}
    html_files: dict[Path, str] = {}
    for role in dict.fromkeys(role for role, _, _ in PAGES):
        for viewport in WIDTHS:
            phone = viewport["width"] == 390
            context = browser.new_context(
                locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone, bypass_csp=True
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            if role != "anonymous":
                log_in(page, base, role)
            for page_role, name, path in PAGES:
                if page_role != role:
                    continue
                where = f"{role} {name} {viewport['width']}"
                if name == PREVIEW:
                    response = _open_preview(page, base)
                else:
                    response = page.goto(base + path.format(**objects))
                if response.status != 200 or page.url.rstrip("/").endswith("/accounts/login"):
                    if name != "login":
                        problems["not 200"].append(f"{where}: {response.status} {page.url}")
                page.add_script_tag(path=str(AXE))
                problems["axe"] += [f"{where}: {v}" for v in page.evaluate(AXE_JS)]
                if phone:
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > viewport["width"]:
                        problems["sideways"].append(f"{where}: {width} px wide")
                    problems["tap targets"] += [f"{where}: {t}" for t in page.evaluate(SMALL_TARGETS_JS)]
                    html = tmp_path / f"{role}-{name}.html"
                    html.write_text(response.text(), encoding="utf-8")
                    html_files[html] = f"{role} {name}"
                    if SHOTS:
                        _shoot(page, role, name)
            context.close()

    if shutil.which("java"):
        problems["Nu HTML checker"] = _nu_errors(html_files)
    elif REQUIRE_SERVICES:
        problems["Nu HTML checker"] = ["java is missing (apt-get install default-jre-headless)"]
    else:
        warnings.warn("java is missing: the Nu HTML checker did not run", stacklevel=1)
    found = {kind: lines for kind, lines in problems.items() if lines}
    assert not found, "\n".join(f"{kind}:\n  " + "\n  ".join(lines) for kind, lines in found.items())
