"""The secretary's first job in a real browser, on a phone-sized screen; the outsider cannot see the result."""

import pytest

from branches.models import Person, PoliticalStatus
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_adds_a_person_and_finds_them_outsider_cannot_open_it(cast, live_server, phone_page):
    page = phone_page()
    log_in(page, live_server.url, "secretary")

    page.goto(f"{live_server.url}/branches/people/new/")
    page.get_by_label("姓名").fill("浏览器测试员")
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("所在党组织").select_option(label="党支部A")
    page.get_by_label("政治面貌").select_option(label="入党积极分子")
    page.get_by_label("取得日期").fill("2025-03-01")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(f"{live_server.url}/branches/people/*/")
    assert page.get_by_role("heading", name="浏览器测试员").is_visible()
    person = Person.objects.get(name="浏览器测试员")
    assert person.organisation == cast.branch_a
    assert person.political_status == PoliticalStatus.ACTIVIST

    page.goto(f"{live_server.url}/branches/people/")
    page.get_by_label("搜索").fill("浏览器")
    page.get_by_role("button", name="筛选").click()
    assert page.get_by_role("link", name="浏览器测试员").is_visible()

    outsider = phone_page()
    log_in(outsider, live_server.url, "outsider")
    response = outsider.goto(f"{live_server.url}{person.get_absolute_url()}")
    assert response.status == 404
    assert "浏览器测试员" not in outsider.content()
    outsider.goto(f"{live_server.url}/branches/people/?q=浏览器")
    assert outsider.get_by_role("link", name="浏览器测试员").count() == 0
