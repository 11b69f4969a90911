"""An activity's whole life in a real browser on a phone-sized screen: the secretary creates and publishes it, a
member signs up, the secretary records attendance, ends and closes it and approves the hours, and the member sees
them on 我的服务时长."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.models import Activity, HoursEntry, Participation
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_activity_from_creation_to_the_members_hours(cast, live_server, phone_page):
    base = live_server.url
    now = timezone.now().replace(second=0, microsecond=0)

    # The secretary creates the activity on their phone: it started an hour ago and ends in two hours.
    secretary = phone_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/services/activities/")
    secretary.get_by_role("link", name="新建活动").click()
    secretary.get_by_label("活动名称").fill("浏览器义诊")
    secretary.get_by_label("类别").select_option(label="义诊")
    expect(secretary.get_by_label("组织单位")).to_have_value(str(cast.branch_a.pk))  # preselected
    secretary.get_by_label("地点").fill("幸福社区服务站")
    secretary.get_by_label("开始时间").fill(_local(now - datetime.timedelta(hours=1)))
    secretary.get_by_label("结束时间").fill(_local(now + datetime.timedelta(hours=2)))
    secretary.get_by_label("名额").fill("10")
    secretary.get_by_role("button", name="保存", exact=True).click()  # not 「保存并发布」
    secretary.wait_for_url(re.compile(r".*/services/activities/\d+/$"))
    activity = Activity.objects.get(title="浏览器义诊")
    assert activity.state == Activity.State.DRAFT and activity.organisation == cast.branch_a

    secretary.get_by_role("button", name="发布", exact=True).click()
    expect(secretary.get_by_text("活动已发布")).to_be_visible()
    activity.refresh_from_db()
    assert activity.state == Activity.State.PUBLISHED
    expect(secretary.get_by_text("进行中").first).to_be_visible()

    # The member finds it and signs up.
    member = phone_page()
    log_in(member, base, "member")
    member.goto(f"{base}/services/activities/")
    member.get_by_role("link", name="浏览器义诊").click()
    member.get_by_role("button", name="我要报名").click()
    expect(member.get_by_text("报名成功")).to_be_visible()
    expect(member.get_by_text("我的报名：已报名")).to_be_visible()

    # The secretary records attendance on the sheet.
    secretary.goto(f"{base}{activity.get_absolute_url()}")
    secretary.get_by_role("link", name="出勤登记").click()
    secretary.wait_for_url(f"{base}/services/activities/{activity.pk}/attendance/")
    secretary.get_by_role("button", name="全部出勤").click()
    expect(secretary.get_by_text("出勤已保存")).to_be_visible()
    assert Participation.objects.get(activity=activity, person=cast.member_person).state == "attended"

    # …ends it and closes it with the served figures.
    secretary.goto(f"{base}{activity.get_absolute_url()}")
    secretary.get_by_role("button", name="结束活动").click()
    expect(secretary.get_by_text("活动已结束，请登记出勤")).to_be_visible()
    secretary.get_by_label("服务群众（人次）").fill("35")
    secretary.get_by_label("服务户数（户次）").fill("12")
    secretary.get_by_role("button", name="关闭活动", exact=True).click()
    expect(secretary.get_by_text("活动已关闭")).to_be_visible()
    activity.refresh_from_db()
    assert activity.state == Activity.State.CLOSED and activity.served_people == 35

    # Hours count once approved.
    secretary.goto(f"{base}/services/hours/pending/")
    secretary.get_by_label("甲党员").first.check()
    secretary.get_by_role("button", name="审核通过").click()
    expect(secretary.get_by_text("已批准 1 条。")).to_be_visible()
    assert HoursEntry.objects.get(participation__person=cast.member_person).state == HoursEntry.State.APPROVED

    # The member sees the hours.
    member.goto(f"{base}/services/me/hours/")
    expect(member.get_by_test_id("total-hours")).to_have_text("3.0 小时")
    expect(member.get_by_text("再服务 97.0 小时可达 1 星")).to_be_visible()
    member.goto(f"{base}/services/me/activities/")
    expect(member.get_by_role("link", name="浏览器义诊")).to_be_visible()
