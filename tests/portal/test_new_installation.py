"""A district goes live from an empty installation, as README 「新系统上线」 tells it: the first account, the holiday
calendar, the organisation tree, host units, the roster with roles, accounts, team members and past registers — by
the commands — then a secretary opened this way logs in on the pages, sets a password, sees their branch and
nothing of the other."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from branches.models import CalendarDay, HostUnit, Organisation, Person
from portal.models import User
from services.models import Activity
from tests.factories import fake_id_number
from volunteers import actions as team_actions
from volunteers.models import Team, TeamMembership

pytestmark = pytest.mark.django_db

PASSWORD = "Dong-Hu-2026!"


def workbook(path, headers: list[str], *rows: list) -> str:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return str(path)


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_district_goes_live_from_an_empty_database(tmp_path, monkeypatch, client, settings):
    settings.MEDIA_ROOT = tmp_path
    assert not Organisation.objects.exists() and not User.objects.exists()

    # 1. The first account: 组织部.
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    command("createsuperuser", "--noinput", "--username", "zzb", "--email", "")
    assert User.objects.get(username="zzb").is_org_department

    # 2. The holiday calendar, from the maintained library.
    command("calendar_fill", "--year", "2025")
    assert CalendarDay.objects.filter(date=datetime.date(2025, 10, 1), kind=CalendarDay.Kind.HOLIDAY).exists()

    # 3. The organisation tree, children before parents in the file.
    orgs = workbook(
        tmp_path / "组织.xlsx",
        ["编号", "名称", "类型", "上级编号"],
        ["010101", "东湖社区第一党支部", "党支部", "0101"],
        ["010102", "东湖社区第二党支部", "党支部", "0101"],
        ["0101", "东湖社区党委", "党委", "01"],
        ["01", "东湖街道党工委", "党委", ""],
    )
    command("import_xlsx", "organisations", orgs, "--as", "zzb", "--commit")
    first, second = Organisation.objects.get(code="010101"), Organisation.objects.get(code="010102")

    # 4. Host units.
    hosts = workbook(
        tmp_path / "单位.xlsx",
        ["名称", "类型", "组建方式", "党组织编号", "职工人数", "建有工会"],
        ["东湖社区居民委员会", "社区", "单独建", "010101", "15", "是"],
    )
    command("import_xlsx", "hosts", hosts, "--as", "zzb", "--commit")
    assert HostUnit.objects.get().organisation == first

    # 5. The roster with roles (the secretary's role gives their account its scope).
    secretary_id, member_id, other_id = (fake_id_number(datetime.date(y, 3, 3)) for y in (1975, 1985, 1980))
    people = workbook(
        tmp_path / "名册.xlsx",
        ["姓名", "身份证号", "手机号", "政治面貌", "取得日期", "党组织", "工作单位", "职务"],
        ["李书记", secretary_id, "13900000001", "正式党员", "2001-07-01", "010101", "东湖社区居民委员会", "书记"],
        ["王党员", member_id, "13900000002", "正式党员", "2010-07-01", "010101", "", ""],
        ["赵书记", other_id, "13900000003", "正式党员", "2003-07-01", "010102", "", "书记"],
    )
    command("import_xlsx", "people", people, "--as", "zzb", "--commit")
    assert Person.objects.count() == 3

    # 6. Accounts, opened for the first branch; the 开通单 carries the initial passwords.
    slips = tmp_path / "开通单.xlsx"
    command("open_accounts", "--organisation", "010101", "--output", str(slips))
    rows = list(openpyxl.load_workbook(slips).active.iter_rows(values_only=True))
    header, lines = rows[0], {row[0]: row for row in rows[1:]}
    assert set(lines) == {"李书记", "王党员"}
    login_name, initial = lines["李书记"][header.index("登录名")], lines["李书记"][header.index("初始密码")]
    assert login_name == "13900000001"

    # 7. Team members and a past register.
    team_actions.team_create(actor=None, name="东湖志愿服务队", level=Team.Level.BRIGADE, organisation=first)
    members = workbook(
        tmp_path / "队员.xlsx", ["服务队", "身份证号", "加入日期"], ["东湖志愿服务队", member_id, "2024-03-01"]
    )
    command("import_xlsx", "team-members", members, "--as", "zzb", "--commit")
    assert TeamMembership.objects.get().person.name == "王党员"
    register = workbook(
        tmp_path / "台账.xlsx",
        ["活动名称", "类别", "开始时间", "结束时间", "地点", "党组织", "姓名", "身份证号", "出勤"],
        [
            "清理小广告",
            "环境",
            "2024-04-01 09:00",
            "2024-04-01 11:00",
            "东湖社区",
            "010101",
            "王党员",
            member_id,
            "出勤",
        ],
    )
    command("import_xlsx", "activities", register, "--as", "zzb", "--commit")
    assert Activity.objects.get().organisation == first

    # 8. The secretary logs in with the slip, must set a password first, then sees the branch and nothing else.
    response = client.post("/accounts/login/", {"login": login_name, "password": initial})
    assert response.status_code == 302
    people_list = reverse("branches:person_list")
    assert client.get(people_list).url == "/accounts/initial-password/"
    set_password = client.post("/accounts/initial-password/", {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert set_password.status_code == 302
    listed = client.get(people_list).content.decode()
    assert "王党员" in listed and "赵书记" not in listed
    assert client.get(reverse("branches:organisation_detail", args=[first.pk])).status_code == 200
    assert client.get(reverse("branches:organisation_detail", args=[second.pk])).status_code == 404

    client.logout()
    assert client.post("/accounts/login/", {"login": login_name, "password": initial}).status_code == 200  # used
    assert client.post("/accounts/login/", {"login": login_name, "password": PASSWORD}).status_code == 302
