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
from tests.browser.csp_helpers import Watched
from tests.evaluations.conftest import activity, rate
from tests.evaluations.questionnaire_helpers import survey
from tests.services.pledge_helpers import make_pledge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
