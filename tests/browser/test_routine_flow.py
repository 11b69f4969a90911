"""The secretary's month on a phone, in a real browser: the end time follows a changed start, the roster adds
several attendees in one go (filter, 全选), the activity closes in one step, the home page's 待办 links to the hours
queue, whose 全选 ticks all but one's own. With ROUTINE_SHOTS=<dir>, screenshots of the changed pages at 390 px and
1366 px go there."""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.models import HoursEntry, Participation
from tests.browser.conftest import log_in
from tests.factories import member
from tests.services.activity_helpers import make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ROUTINE_SHOTS", "")  # a directory: screenshots of each page at both widths


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def test_end_time_follows_the_start(cast, live_server, phone_page):
    page = phone_page()
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/services/activities/new/")
    start, end = page.get_by_label("开始时间"), page.get_by_label("结束时间")
    before_start, before_end = start.input_value(), end.input_value()
    length = datetime.datetime.fromisoformat(before_end) - datetime.datetime.fromisoformat(before_start)
    assert length == datetime.timedelta(hours=2)
    start.fill("2030-05-06T09:30")
    expect(end).to_have_value("2030-05-06T11:30")
    end.fill("2030-05-06T12:30")  # three hours now
    start.fill("2030-05-07T23:00")
    expect(end).to_have_value("2030-05-08T02:00")
    _shoot(page, "activity-form")


def test_roster_hours_queue_and_home(cast, live_server, phone_page):
    base = live_server.url
    activity = make_activity(cast, title="上周义诊", start_in=-timezone.timedelta(days=3), hours=2)
    people = [member(cast.branch_a, name=f"老党员{i}") for i in range(6)]
    member(cast.branch_a, name="新党员")
    page = phone_page()
    log_in(page, base, "secretary")

    page.goto(f"{base}/services/activities/{activity.pk}/attendance/")
    page.get_by_label("按姓名筛选").fill("老党员")
    expect(page.locator("#roster [data-name='新党员']")).to_be_hidden()
    page.get_by_label("全选（当前显示的人员）").check()
    page.get_by_label("按姓名筛选").fill("")
    page.locator("#roster [data-name='甲书记'] input").check()  # the secretary was there too
    _shoot(page, "attendance-roster")
    page.get_by_role("button", name="添加所选人员（记为出勤）").click()
    expect(page.get_by_text("已添加 7 人，记为出勤。")).to_be_visible()
    attended = Participation.objects.filter(activity=activity, state=Participation.State.ATTENDED)
    assert set(attended.values_list("person__name", flat=True)) == {p.name for p in people} | {"甲书记"}
    _shoot(page, "attendance-sheet")

    # Closed in one step, days after it ended.
    page.goto(f"{base}{activity.get_absolute_url()}")
    page.get_by_label("服务群众（人次）").fill("20")
    _shoot(page, "activity-detail")
    page.get_by_role("button", name="关闭活动", exact=True).click()
    expect(page.get_by_text("活动已关闭")).to_be_visible()

    # Home: the hours waiting, linked to the queue.
    page.goto(f"{base}/")
    _shoot(page, "home-secretary")
    page.locator("[data-todo='hours']").click()
    page.wait_for_url(re.compile(r".*/services/hours/pending/$"))
    page.get_by_label("全选本页").check()
    _shoot(page, "hours-pending")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已批准 6 条。")).to_be_visible()  # 全选 leaves out one's own (no box to tick)
    assert HoursEntry.objects.filter(state=HoursEntry.State.APPROVED).count() == 6
    assert HoursEntry.objects.get(state=HoursEntry.State.PENDING).participation.person.name == "甲书记"

    # Lists with the search box.
    page.goto(f"{base}/services/activities/?q=义诊")
    expect(page.get_by_role("link", name="上周义诊")).to_be_visible()
    _shoot(page, "activity-list-search")

    own = phone_page()
    log_in(own, base, "member")
    _shoot(own, "home-member")
