"""A 差评's whole life in a real browser on a phone-sized screen: the anonymous public opens the rating page of a
published branch-A activity that started an hour ago, picks 不满意 and submits; the secretary finds the follow-up
under 评价考核 → 差评整改, records the callback, the rectification and closes it, and the page shows 已办结."""

import re

import pytest
from playwright.sync_api import expect

from evaluations.models import FollowUp, Rating
from evaluations.selectors.ratings import rating_code
from tests.browser.conftest import log_in
from tests.evaluations.conftest import activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_rates_unsatisfied_and_the_secretary_sees_it_through(cast, live_server, phone_page):
    base = live_server.url
    subject = activity(cast, organisation=cast.branch_a, title="便民理发进社区")

    # The public, not logged in, on a phone: scans the QR code.
    public = phone_page()
    public.goto(f"{base}/r/{rating_code(subject)}/")
    expect(public.get_by_role("heading", name="便民理发进社区")).to_be_visible()
    expect(public.get_by_text("退出登录")).to_have_count(0)
    public.get_by_text("不满意", exact=True).click()
    public.get_by_label("意见建议（选填）").fill("排队时间太长，没有人维持秩序")
    public.get_by_role("button", name="提交评价").click()
    public.wait_for_url(re.compile(r".*/thanks/$"))
    rating = Rating.objects.get()
    assert (rating.activity, rating.level) == (subject, Rating.Level.UNSATISFIED)
    follow_up = FollowUp.objects.get(rating=rating)
    assert follow_up.assignee == cast.secretary and follow_up.state == FollowUp.State.OPEN

    # The secretary, on a phone: the menu → 评价考核 → 差评整改, then the follow-up.
    secretary = phone_page()
    log_in(secretary, base, "secretary")
    secretary.get_by_role("button", name="菜单").click()
    secretary.get_by_role("button", name="评价考核").click()
    secretary.get_by_role("link", name="差评整改", exact=True).click()
    secretary.wait_for_url(f"{base}/evaluations/follow-ups/")
    row = secretary.get_by_test_id("follow-up-row")
    expect(row).to_contain_text("排队时间太长")
    expect(row).to_contain_text("待回访")
    row.get_by_role("link", name="便民理发进社区").click()
    secretary.wait_for_url(f"{base}/evaluations/follow-ups/{follow_up.pk}/")
    expect(secretary.get_by_test_id("rating-level")).to_have_text("不满意")

    # The callback (its date defaults to today) …
    secretary.get_by_label("回访情况").fill("已电话联系群众，致歉并听取意见")
    secretary.get_by_role("button", name="保存回访").click()
    expect(secretary.get_by_text("已登记回访")).to_be_visible()
    expect(secretary.get_by_test_id("follow-up-state")).to_have_text("已回访")

    # … the rectification …
    secretary.get_by_label("整改措施").fill("活动现场增设取号和引导志愿者")
    secretary.get_by_label("属实", exact=True).check()
    secretary.get_by_role("button", name="保存整改").click()
    expect(secretary.get_by_text("已登记整改情况")).to_be_visible()
    expect(secretary.get_by_test_id("follow-up-state")).to_have_text("已整改")

    # … and the closing note.
    secretary.get_by_label("办结说明").fill("回访群众表示认可")
    secretary.get_by_role("button", name="办结", exact=True).click()
    expect(secretary.get_by_text("该差评整改已办结")).to_be_visible()
    expect(secretary.get_by_test_id("follow-up-state")).to_have_text("已办结")
    expect(secretary.get_by_test_id("timeline")).to_contain_text("活动现场增设取号和引导志愿者")

    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.CLOSED and follow_up.upheld is True
    assert follow_up.callback_note == "已电话联系群众，致歉并听取意见"
