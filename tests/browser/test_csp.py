"""The Content-Security-Policy in a real browser: a representative set of pages — the staff pages with their
menus, htmx and progress bars, the ECharts pages, the public pages and the admin — load under the policy without
a single violation, and the charts are drawn (ECharts puts a <canvas> in the chart element).

Violations are caught two ways: the `securitypolicyviolation` event (recorded by a script Playwright adds before
the page's own, which the policy does not govern) and Chromium's console message ("Refused to …")."""

import pytest
from playwright.sync_api import expect

from evaluations.actions import questionnaires as questionnaire_actions
from evaluations.selectors.ratings import rating_code
from services.models import Activity
from tests.browser.conftest import log_in
from tests.evaluations.conftest import activity, rate
from tests.evaluations.test_questionnaire_actions import survey
from tests.services.test_pledge_actions import make_pledge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " " + (event.sample || "")
  );
});
"""


class Watched:
    """A page that remembers every CSP violation, console error and uncaught exception, per URL visited."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base, self.problems = page, base, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed load is reported by _response with its address (the console message has none).
        failed_load = message.text.startswith("Failed to load resource")
        if (message.type == "error" and not failed_load) or "Content Security Policy" in message.text:
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def _response(self, response) -> None:
        # The browser asks for /favicon.ico on its own; the portal has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{self.page.url}: {response.status} for {response.url}")

    def visit(self, path: str, *, charts: tuple[str, ...] = ()) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        for selector in charts:
            expect(self.page.locator(f"{selector} canvas").first).to_be_visible()  # drawn, and not 0 px high
        self.page.wait_for_load_state("networkidle")
        self.collect(path)

    def collect(self, where: str) -> None:
        """Moves the violations the page recorded since the last call into `problems`."""
        self.problems += [f"{where}: {v}" for v in self.page.evaluate("(window.__cspViolations || []).splice(0)")]

    def hover_chart(self, selector: str) -> None:
        chart = self.page.locator(selector).first
        chart.locator("canvas").hover()
        expect(chart.locator(":scope > div").last).to_be_visible()  # ECharts' tooltip, after the canvas' wrapper
        self.collect(f"{self.page.url} tooltip")


def _bar_width(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("element => element.getBoundingClientRect().width")


def test_pages_load_under_the_policy_without_violations(cast, live_server, phone_page):
    base = live_server.url
    subject = activity(cast, organisation=cast.branch_a, title="便民理发进社区")
    for level in (5, 4, 4, 2):
        rate(subject, level)
    questionnaire = survey(cast.secretary, cast.branch_a, title="甲支部问卷")
    questionnaire_actions.response_submit(
        questionnaire=questionnaire.q, answers=questionnaire.answers(), channel="online", device="csp-device-0001"
    )
    make_pledge(cast, person=cast.member_person)

    # The public: the rating page from the QR code, the branch's public page, the login page.
    public = Watched(phone_page(), base)
    public.visit(f"/r/{rating_code(subject)}/")
    public.visit(f"/services/public/{cast.branch_a.pk}/")
    public.visit("/accounts/login/")

    # The secretary: the menus (Bootstrap's collapse and dropdown set styles through the CSSOM), htmx pages,
    # progress bars drawn by classes, the QR code, the ECharts pages.
    staff = Watched(phone_page(), base)
    log_in(staff.page, base, "secretary")
    staff.visit("/")
    staff.page.get_by_role("button", name="菜单").click()
    staff.page.get_by_role("button", name="评价考核").click()
    expect(staff.page.get_by_role("link", name="满意度")).to_be_visible()
    staff.visit("/services/activities/")
    staff.visit("/services/activities/month/")
    staff.visit(subject.get_absolute_url())
    staff.visit(f"/services/activities/{subject.pk}/attendance/")
    staff.visit(f"/evaluations/activities/{subject.pk}/rating/")
    # 4 ratings, 2 of them 满意 (level 4): the bar is drawn at 50 % by the pct-50 class, not by a style="".
    bars = staff.page.locator(".progress-bar")
    expect(bars.nth(1)).to_have_class("progress-bar bg-success pct-50")
    assert _bar_width(staff.page, ".progress-bar.pct-50") > 0
    staff.visit("/services/pledges/")
    staff.visit("/services/activities/new/")  # activity_form.js
    staff.visit("/services/hours/pending/")  # select_all.js
    staff.visit("/evaluations/satisfaction/", charts=("#chart-groups", "#chart-months"))
    # The tooltip's container is styled through the CSSOM; charts.js formats its content as plain text.
    staff.hover_chart("#chart-groups")
    staff.visit(f"/evaluations/questionnaires/{questionnaire.q.pk}/results/", charts=("[data-chart]",))
    staff.visit("/dashboards/", charts=("#chart-activities",))

    # A member on their own pages (a progress bar to the next star level).
    own = Watched(phone_page(), base)
    log_in(own.page, base, "member")
    own.visit("/services/me/hours/")
    own.visit("/")  # the member's home: a progress bar to the next star

    # 组织部 in the admin (index, a change list, a change form with date widgets) and on the audit log.
    admin = Watched(phone_page(), base)
    log_in(admin.page, base, "orgadmin")
    admin.visit("/audit/")
    admin.visit("/admin/")
    admin.visit("/admin/services/activity/")
    admin.visit(f"/admin/branches/organisation/{cast.branch_a.pk}/change/")
    admin.visit("/admin/branches/person/add/")

    assert Activity.objects.filter(pk=subject.pk).exists()
    problems = public.problems + staff.problems + own.problems + admin.problems
    assert not problems, "\n".join(problems)


def test_chart_tooltips_work_under_the_policy(cast, live_server, phone_page):
    questionnaire = survey(cast.secretary, cast.branch_a, title="甲支部问卷")
    questionnaire_actions.response_submit(
        questionnaire=questionnaire.q, answers=questionnaire.answers(), channel="online", device="csp-device-0002"
    )
    staff = Watched(phone_page(), live_server.url)
    log_in(staff.page, live_server.url, "secretary")
    staff.visit(f"/evaluations/questionnaires/{questionnaire.q.pk}/results/", charts=("[data-chart]",))
    assert not staff.problems, "\n".join(staff.problems)  # loading is clean: only the hover below is not
    staff.hover_chart("[data-chart]")
    assert not staff.problems, "\n".join(staff.problems)
