"""Opening an account in a real browser on a phone: the secretary ticks a person, prints or downloads the 开通单,
and the member logs in with it and must choose their own password first."""

import openpyxl
import pytest

from branches import actions
from branches.resources import SLIP_HEADERS
from portal.models import User
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_opens_an_account_and_the_member_sets_a_password(cast, live_server, phone_page, tmp_path):
    actions.person_update(actor=None, person=cast.person_a, phone="13966667777")
    page = phone_page()
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/branches/people/")
    page.get_by_label(cast.person_a.name).check()
    page.get_by_role("button", name="为所选人员开通账号").click()

    slip = page.locator(".account-slip")
    assert slip.count() == 1 and "首次登录后须修改密码" in slip.inner_text()
    password = slip.locator(".slip-secret").nth(1).inner_text().strip()
    assert slip.locator(".slip-secret").first.inner_text().strip() == "13966667777"
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel").click()
    path = tmp_path / "slips.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == tuple(SLIP_HEADERS) and rows[1][2:4] == ("13966667777", password)

    member = phone_page()
    member.goto(f"{live_server.url}/accounts/login/")
    member.get_by_label("用户名或手机号").fill("13966667777")
    member.get_by_label("密码").fill(password)
    member.get_by_role("button", name="登录").click()
    member.wait_for_url(f"{live_server.url}/accounts/initial-password/")
    member.goto(f"{live_server.url}/branches/people/")  # anywhere else leads back here
    member.wait_for_url(f"{live_server.url}/accounts/initial-password/")
    member.locator("#id_new_password1").fill("Hong-Xing-2026!")
    member.locator("#id_new_password2").fill("Hong-Xing-2026!")
    member.get_by_role("button", name="保存密码").click()
    member.wait_for_url(f"{live_server.url}/")
    assert User.objects.get(username="13966667777").check_password("Hong-Xing-2026!")
