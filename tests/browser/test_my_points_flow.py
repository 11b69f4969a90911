"""我的积分 in a real browser on a phone: the member opens it from the menu, sees last year's total and follows an
entry to the activity that earned it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.evaluations.points_helpers import YEAR, day, past_activity, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_follows_an_entry_to_the_activity_that_earned_it(cast, live_server, phone_page):
    activity = past_activity(cast, day(4), [cast.member_person], hours=None)
    settle()
    base = live_server.url
    page = phone_page()
    log_in(page, base, "member")
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="我的").or_(page.get_by_role("link", name="我的", exact=True)).first.click()
    page.get_by_role("link", name="我的积分").click()
    page.wait_for_url(re.compile(r".*/evaluations/points/me/$"))
    page.get_by_role("link", name=f"{YEAR} 年").click()
    expect(page.get_by_test_id("points-total")).to_have_text("66")  # base 60 + attended 2 + 4 hours
    page.get_by_test_id("entry-source").filter(has_text="参加服务活动").click()
    page.wait_for_url(re.compile(rf".*/services/activities/{activity.pk}/$"))
    expect(page.get_by_role("heading", name=activity.title)).to_be_visible()
