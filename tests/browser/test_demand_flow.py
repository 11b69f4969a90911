"""A demand's whole life in a real browser on a phone-sized screen: the anonymous public files it on the public
form, the secretary opens it from the list, assigns it to a member, records the result and the callback with the
requester's satisfaction, and the page shows 已回访."""

import re

import pytest
from playwright.sync_api import expect

from services.models import Demand
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_files_a_demand_and_the_secretary_sees_it_through(cast, live_server, phone_page, settings):
    settings.PUBLIC_FORM_MIN_SECONDS = 0  # the browser types faster than a person; the minimum has its own tests
    base = live_server.url

    # The public, not logged in, on a phone.
    public = phone_page()
    public.goto(f"{base}/services/public/{cast.branch_a.pk}/demand/")
    expect(public.get_by_role("heading", name="我有需求")).to_be_visible()
    expect(public.get_by_text("退出登录")).to_have_count(0)
    expect(public.get_by_label("请勿填写此项")).to_be_hidden()  # the honeypot stays out of sight
    public.get_by_label("需求类别").select_option(label="水电维修")
    public.get_by_label("需求内容").fill("三单元楼道灯坏了，晚上看不见台阶")
    public.get_by_label("联系电话").fill("13812341234")
    public.get_by_role("button", name="提交").click()
    public.wait_for_url(re.compile(r".*/demand/done/.+/$"))
    demand = Demand.objects.get()
    expect(public.get_by_test_id("reference")).to_have_text(str(demand.pk))
    expect(
        public.get_by_text(f"{demand.deadline.year}年{demand.deadline.month}月{demand.deadline.day}日")
    ).to_be_visible()
    assert demand.channel == Demand.Channel.ONLINE and demand.organisation == cast.branch_a

    # The secretary opens it from the list and assigns it to the member.
    secretary = phone_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/services/demands/")
    secretary.get_by_role("link", name=f"#{demand.pk} 水电维修").click()
    secretary.wait_for_url(f"{base}/services/demands/{demand.pk}/")
    expect(secretary.get_by_test_id("requester-phone")).to_have_text("13812341234")
    secretary.get_by_label("承办人").select_option(value=str(cast.member_person.pk))
    secretary.get_by_role("button", name="交办", exact=True).click()
    expect(secretary.get_by_text("已交办。")).to_be_visible()
    demand.refresh_from_db()
    assert demand.state == Demand.State.ASSIGNED and demand.assigned_person == cast.member_person

    # …records the result (办结日期 defaults to today) …
    secretary.get_by_label("办理结果").fill("已更换楼道灯泡")
    secretary.get_by_role("button", name="办结").click()
    expect(secretary.get_by_text("已登记办理结果")).to_be_visible()
    demand.refresh_from_db()
    assert demand.state == Demand.State.DONE and demand.result == "已更换楼道灯泡"

    # …and the callback with the requester's satisfaction.
    secretary.get_by_label("满意", exact=True).check()
    secretary.get_by_label("回访记录").fill("电话回访，群众满意")
    secretary.get_by_role("button", name="保存回访").click()
    expect(secretary.get_by_text("已登记回访")).to_be_visible()
    expect(secretary.get_by_test_id("demand-state")).to_have_text("已回访")
    demand.refresh_from_db()
    assert demand.state == Demand.State.CALLED_BACK and demand.satisfaction == Demand.Satisfaction.SATISFIED
