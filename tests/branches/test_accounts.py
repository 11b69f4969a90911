"""Accounts for everyone: opening them in bulk (action, people list, command), the one-time initial password
(login, expiry, the forced password change), linking an account to a person, the secretary's reset, leaving and
returning (deactivation), and createsuperuser as a working 组织部 account."""

import base64
import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from branches import actions
from branches.actions import AccountSkip
from branches.models import MembershipEvent, Organisation, Person, Role
from branches.resources import SLIP_HEADERS
from branches.selectors import scope_for
from portal.models import AuditEvent, Notification, User
from tests.factories import PersonFactory, UserFactory, member

LOGIN = "/accounts/login/"
SET_PASSWORD = "/accounts/initial-password/"
NEW_PASSWORD = "Hong-Xing-2026!"


def open_for(*people: Person, actor: User | None = None) -> actions.AccountsOpened:
    return actions.people_accounts_open(actor=actor, people=Person.objects.filter(pk__in=[p.pk for p in people]))


def post_login(client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


def slip_workbook(response) -> list[tuple]:
    """The rows of the 「下载 Excel」 workbook carried by the 开通单 page as a data: link."""
    href = re.search(r'href="data:[^;]+;base64,([^"]+)"', response.content.decode()).group(1)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(href))).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


# The action: login names, skips, scope, audit ------------------------------------------------------------------


def test_opening_uses_the_phone_or_a_generated_login(cast):
    with_phone = PersonFactory(organisation=cast.branch_a, name="有手机", phone="13911112222")
    no_phone = PersonFactory(organisation=cast.branch_a, name="无手机", phone="")
    bad_phone = PersonFactory(organisation=cast.branch_a, name="号码不对", phone="0571-8888")
    taken = PersonFactory(organisation=cast.branch_a, name="号码已被占用", phone="13800000001")  # the member's
    twin_a = PersonFactory(organisation=cast.branch_a, name="同号甲", phone="13922223333")
    twin_b = PersonFactory(organisation=cast.branch_a, name="同号乙", phone="13922223333")

    result = open_for(with_phone, no_phone, bad_phone, taken, twin_a, twin_b, actor=cast.secretary)

    logins = {account.person.name: (account.user.username, account.user.phone) for account in result.opened}
    assert logins["有手机"] == ("13911112222", "13911112222")
    # Of two people with one number, the first (in name order: 乙 before 甲) gets it.
    assert logins["同号乙"] == ("13922223333", "13922223333")
    for name in ("无手机", "号码不对", "号码已被占用", "同号甲"):
        username, phone = logins[name]
        assert re.fullmatch(r"m\d{6}", username) and phone is None, name
    assert len({username for username, _ in logins.values()}) == 6
    for account in result.opened:
        user = User.objects.get(pk=account.user.pk)
        assert Person.objects.get(pk=account.person.pk).user == user
        assert not user.has_usable_password()
        assert user.first_name == account.person.name
        assert len(account.password) == 8
        assert account.password not in user.initial_password  # only its HMAC is kept
        expected = timezone.now() + datetime.timedelta(days=14)
        assert abs(user.initial_password_expires_at - expected) < datetime.timedelta(minutes=1)
    batch = AuditEvent.objects.get(action="account.open_batch")
    assert batch.actor == cast.secretary
    assert sorted(batch.changes["opened"]) == sorted(
        p.pk for p in (with_phone, no_phone, bad_phone, taken, twin_a, twin_b)
    )
    assert AuditEvent.objects.filter(action="account.open", actor=cast.secretary).count() == 6


def test_opening_twice_opens_nothing_twice(cast):
    first = open_for(cast.person_a, actor=cast.secretary)
    users = User.objects.count()
    second = open_for(cast.person_a, cast.member_person, actor=cast.secretary)
    assert len(first.opened) == 1 and second.opened == []
    assert {p.pk for p in second.skipped[AccountSkip.HAS_ACCOUNT]} == {cast.person_a.pk, cast.member_person.pk}
    assert User.objects.count() == users
    with pytest.raises(ValidationError, match="已有账号"):
        actions.person_account_open(actor=cast.secretary, person=cast.person_a)


def test_people_off_the_roll_are_skipped(cast):
    actions.membership_event_record(
        actor=None, person=cast.person_a, kind=MembershipEvent.Kind.TRANSFER_OUT, date=datetime.date(2024, 5, 1)
    )
    result = open_for(cast.person_a, actor=cast.secretary)
    assert result.opened == [] and result.skipped == {AccountSkip.NOT_ACTIVE: [cast.person_a]}


def test_a_secretary_cannot_open_accounts_outside_their_branch(cast):
    users = User.objects.count()
    with pytest.raises(ValidationError, match="不在您的管理范围"):
        open_for(cast.person_a, cast.person_b, actor=cast.secretary)
    assert User.objects.count() == users
    assert Person.objects.get(pk=cast.person_b.pk).user is None


def test_a_person_whose_roles_reach_beyond_the_scope_is_left_to_the_level_above(cast):
    """A member of branch A who is also the committee's deputy: a login for them is a committee login."""
    deputy = member(cast.branch_a, name="兼任副书记")
    actions.role_assign(
        actor=None,
        person=deputy,
        organisation=cast.committee_org,
        role=Role.DEPUTY,
        start_date=datetime.date(2024, 1, 1),
    )
    result = open_for(deputy, cast.person_a, actor=cast.secretary)
    assert [a.person for a in result.opened] == [cast.person_a]
    assert result.skipped[AccountSkip.ROLES_BEYOND_SCOPE] == [deputy]
    assert [a.person for a in open_for(deputy, actor=cast.committee).opened] == [deputy]


# The initial password: login, expiry, the forced change -----------------------------------------------------------


def test_first_login_with_the_initial_password_forces_a_new_one(cast, client):
    actions.person_update(actor=None, person=cast.person_a, phone="13955556666")
    account = actions.person_account_open(actor=cast.secretary, person=cast.person_a)
    assert account.user.username == "13955556666"

    assert post_login(client, "13955556666", account.password.upper()).status_code == 302  # case does not matter
    for url in ("/", reverse("branches:person_list"), reverse("account_change_password"), "/inbox/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, SET_PASSWORD), url
    assert client.post(reverse("branches:person_list")).status_code == 302
    assert client.get("/static/css/portal.css").status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200  # the logout page stays reachable
    page = client.get(SET_PASSWORD)
    assert page.status_code == 200 and "设置密码" in page.content.decode()

    too_short = client.post(SET_PASSWORD, {"new_password1": "abc", "new_password2": "abc"})
    assert too_short.status_code == 200 and User.objects.get(pk=account.user.pk).must_set_password

    response = client.post(SET_PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200  # still logged in, and free to go anywhere
    assert client.get(SET_PASSWORD)["Location"] == reverse("home")
    user = User.objects.get(pk=account.user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert (user.initial_password, user.initial_password_expires_at) == ("", None)
    assert AuditEvent.objects.filter(action="account.password_choose", actor=user).exists()

    client.post(reverse("account_logout"))
    assert post_login(client, "13955556666", account.password).status_code == 200  # the initial one is spent
    assert post_login(client, "13955556666", NEW_PASSWORD).status_code == 302


def test_an_expired_initial_password_is_refused(cast, client):
    account = actions.person_account_open(actor=cast.secretary, person=cast.person_a)
    User.objects.filter(pk=account.user.pk).update(
        initial_password_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = post_login(client, account.user.username, account.password)
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated


def test_a_wrong_initial_password_is_refused(cast, client):
    account = actions.person_account_open(actor=cast.secretary, person=cast.person_a)
    wrong = "22222222" if account.password != "22222222" else "33333333"
    assert post_login(client, account.user.username, wrong).status_code == 200
    assert post_login(client, account.user.username, "").status_code == 200
    assert post_login(client, account.user.username, account.password).status_code == 302


def test_the_clear_password_is_stored_nowhere(cast):
    account = actions.person_account_open(actor=cast.secretary, person=cast.person_a)
    stored = User.objects.filter(pk=account.user.pk).values().get()
    assert not any(account.password in str(value) for value in stored.values())
    assert not any(account.password in str(e.changes) + e.summary for e in AuditEvent.objects.all())


# Leaving deactivates, a transfer in reactivates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [MembershipEvent.Kind.TRANSFER_OUT, MembershipEvent.Kind.DEATH, MembershipEvent.Kind.EXIT]
)
def test_leaving_deactivates_the_account(cast, client, kind):
    actions.membership_event_record(
        actor=cast.secretary, person=cast.member_person, kind=kind, date=datetime.date(2024, 6, 1)
    )
    assert not User.objects.get(pk=cast.member.pk).is_active
    event = AuditEvent.objects.get(action="account.deactivate", object_id=str(cast.member.pk))
    assert event.actor == cast.secretary and event.changes == {"is_active": [True, False]}
    response = post_login(client, "member", "demo12345")
    assert not response.wsgi_request.user.is_authenticated


def test_retiring_keeps_the_account(cast):
    actions.membership_event_record(
        actor=None, person=cast.member_person, kind=MembershipEvent.Kind.RETIRE, date=datetime.date(2024, 6, 1)
    )
    assert User.objects.get(pk=cast.member.pk).is_active


def test_a_transfer_in_reactivates_the_account(cast, client):
    actions.membership_event_record(
        actor=cast.secretary,
        person=cast.member_person,
        kind=MembershipEvent.Kind.TRANSFER_OUT,
        date=datetime.date(2024, 6, 1),
    )
    actions.membership_event_record(
        actor=cast.outsider,
        person=cast.member_person,
        kind=MembershipEvent.Kind.TRANSFER_IN,
        date=datetime.date(2024, 7, 1),
        organisation=cast.branch_b,
    )
    assert User.objects.get(pk=cast.member.pk).is_active
    assert AuditEvent.objects.filter(
        action="account.reactivate", object_id=str(cast.member.pk), actor=cast.outsider
    ).exists()
    assert post_login(client, "member", "demo12345").status_code == 302


def test_leaving_through_the_person_page_deactivates(cast, login):
    client = login(cast.secretary)
    response = client.post(
        reverse("branches:person_event_add", args=[cast.member_person.pk]),
        {"kind": MembershipEvent.Kind.EXIT, "date": "2024-06-01"},
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=cast.member.pk).is_active


# 「开通账号」 on the people list -------------------------------------------------------------------------------------


def test_secretary_opens_accounts_for_the_ticked_people(cast, login):
    other = PersonFactory(organisation=cast.branch_a, name='=HYPERLINK("http://x")', phone="13977778888")
    client = login(cast.secretary)
    response = client.post(reverse("branches:people_accounts_open"), {"person": [cast.person_a.pk, other.pk]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert page.count('class="account-slip"') == 2 and "首次登录后须修改密码" in page
    assert "13977778888" in page and "下载 Excel" in page
    rows = slip_workbook(response)
    assert rows[0] == tuple(SLIP_HEADERS)
    assert {row[0] for row in rows[1:]} == {cast.person_a.name, other.name}
    assert all(row[5] == "首次登录后须修改密码" for row in rows[1:])
    for row in rows[1:]:  # each slip's password logs its account in
        person = Person.objects.select_related("user").get(name=row[0])
        assert row[2] == person.user.username and row[1] == "党支部A"
        assert User.objects.get(pk=person.user_id).initial_password
        assert post_login(login(None), row[2], row[3]).status_code == 302


def test_slip_workbook_has_no_formulas(cast, login):
    PersonFactory(organisation=cast.branch_a, name='=HYPERLINK("http://evil")')
    response = login(cast.secretary).post(reverse("branches:people_accounts_open"), {"all": "1"})
    href = re.search(r'href="data:[^;]+;base64,([^"]+)"', response.content.decode()).group(1)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(href))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert '=HYPERLINK("http://evil")' in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)


def test_open_all_of_the_filtered_list(cast, login):
    in_a = PersonFactory(organisation=cast.branch_a, name="甲新人")
    off_roll = PersonFactory(organisation=cast.branch_a, name="甲已转出", is_active_member=False)
    client = login(cast.committee)
    url = f"{reverse('branches:people_accounts_open')}?organisation={cast.branch_a.pk}"
    response = client.post(url, {"all": "1"})
    assert response.status_code == 200
    opened = set(Person.objects.filter(user__isnull=False, organisation=cast.branch_a).values_list("name", flat=True))
    assert {"甲新人", "甲群众党员"} <= opened and "甲已转出" not in opened
    assert Person.objects.get(pk=cast.person_b.pk).user is None  # branch B was filtered out
    assert Person.objects.get(pk=off_roll.pk).user is None
    assert Person.objects.get(pk=in_a.pk).user.username.startswith("m")
    # Again: nobody left to open.
    again = client.post(url, {"all": "1"})
    assert again.status_code == 302 and User.objects.filter(person__organisation=cast.branch_a).count() == 4


def test_web_batch_is_capped(cast, login, settings):
    settings.ACCOUNT_OPEN_WEB_MAX = 1
    PersonFactory(organisation=cast.branch_a, name="甲新人")
    users = User.objects.count()
    response = login(cast.secretary).post(reverse("branches:people_accounts_open"), {"all": "1"}, follow=True)
    assert "一次最多为 1 人开通账号" in response.content.decode()
    assert "open_accounts" in response.content.decode()
    assert User.objects.count() == users


def test_open_accounts_get_is_405_outsider_404_member_404(cast, login):
    url = reverse("branches:people_accounts_open")
    assert login(cast.secretary).get(url).status_code == 405
    users = User.objects.count()
    assert login(cast.outsider).post(url, {"person": [cast.person_a.pk]}).status_code == 404
    assert login(cast.outsider).post(url, {"person": [cast.person_b.pk, cast.person_a.pk]}).status_code == 404
    assert login(cast.member).post(url, {"person": [cast.person_a.pk]}).status_code == 404
    assert login(cast.secretary).post(url, {"person": ["x"]}).status_code == 404
    # "all of the list" filtered on another branch's organisation does not widen to the whole scope
    assert login(cast.outsider).post(f"{url}?organisation={cast.branch_a.pk}", {"all": "1"}).status_code == 404
    assert User.objects.count() == users
    assert login(None).post(url, {"person": [cast.person_a.pk]}).status_code == 302  # to the login page


def test_people_list_shows_accounts_and_checkboxes(cast, login):
    page = login(cast.secretary).get(reverse("branches:person_list")).content.decode()
    assert "为所选人员开通账号" in page and "已开通" in page and "未开通" in page
    assert f'value="{cast.person_a.pk}"' in page  # no account yet: can be ticked
    assert f'name="person" value="{cast.member_person.pk}"' not in page  # has one


def test_people_list_with_the_account_column_has_no_n_plus_1(cast, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.secretary)
    url = reverse("branches:person_list")
    client.get(url)

    def count() -> int:
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    people = [PersonFactory(organisation=cast.branch_a, name=f"甲{i}", phone=f"1390000{i:04d}") for i in range(12)]
    open_for(*people[:8], actor=cast.secretary)
    actions.membership_event_record(
        actor=None, person=people[0], kind=MembershipEvent.Kind.TRANSFER_OUT, date=datetime.date(2024, 1, 1)
    )
    assert count() == few


# One person: open, link, reset -----------------------------------------------------------------------------------


def test_open_one_account_from_the_person_page(cast, login):
    client = login(cast.secretary)
    page = client.get(cast.person_a.get_absolute_url()).content.decode()
    assert "开通账号" in page and "关联已有账号" in page
    response = client.post(reverse("branches:person_account_open", args=[cast.person_a.pk]))
    assert response.status_code == 200 and response.content.decode().count('class="account-slip"') == 1
    assert Person.objects.get(pk=cast.person_a.pk).user is not None
    again = client.post(reverse("branches:person_account_open", args=[cast.person_a.pk]), follow=True)
    assert "已有账号" in again.content.decode()


def test_open_one_get_405_outsider_404(cast, login):
    url = reverse("branches:person_account_open", args=[cast.person_a.pk])
    assert login(cast.secretary).get(url).status_code == 405
    assert login(cast.outsider).post(url).status_code == 404
    assert Person.objects.get(pk=cast.person_a.pk).user is None


def test_linking_an_account_gives_it_the_persons_scope_at_once(cast, login):
    deputy = member(cast.branch_a, name="新副书记")
    actions.role_assign(
        actor=cast.secretary,
        person=deputy,
        organisation=cast.branch_a,
        role=Role.DEPUTY,
        start_date=datetime.date(2024, 1, 1),
    )
    account = UserFactory(username="deputy_a")
    branch_page = reverse("branches:organisation_detail", args=[cast.branch_a.pk])
    assert login(account).get(branch_page).status_code == 404

    client = login(cast.secretary)
    assert "deputy_a" in client.get(deputy.get_absolute_url()).content.decode()  # offered in the link form
    response = client.post(reverse("branches:person_account_link", args=[deputy.pk]), {"user": account.pk})
    assert response.status_code == 302
    assert Person.objects.get(pk=deputy.pk).user == account
    assert AuditEvent.objects.filter(action="account.link", object_id=str(deputy.pk), actor=cast.secretary).exists()

    client = login(User.objects.get(pk=account.pk))
    assert client.get(branch_page).status_code == 200
    assert scope_for(User.objects.get(pk=account.pk)).covers_path(cast.branch_a.path)


def test_link_refuses_taken_and_org_department_accounts(cast):
    with pytest.raises(ValidationError, match="已关联到其他人员"):
        actions.person_account_link(actor=cast.secretary, person=cast.person_a, user=cast.member)
    with pytest.raises(ValidationError, match="组织部账号"):
        actions.person_account_link(actor=cast.secretary, person=cast.person_a, user=cast.orgadmin)
    assert Person.objects.get(pk=cast.person_a.pk).user is None


def test_link_get_405_outsider_404(cast, login):
    account = UserFactory(username="spare")
    url = reverse("branches:person_account_link", args=[cast.person_a.pk])
    assert login(cast.secretary).get(url).status_code == 405
    assert login(cast.outsider).post(url, {"user": account.pk}).status_code == 404
    assert Person.objects.get(pk=cast.person_a.pk).user is None


def test_secretary_resets_a_members_password(cast, login):
    client = login(cast.secretary)
    response = client.post(reverse("branches:person_password_reset", args=[cast.member_person.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = slip_workbook(response)
    assert [row[:3] for row in rows[1:]] == [("甲党员", "党支部A", "member")]
    user = User.objects.get(pk=cast.member.pk)
    assert not user.check_password("demo12345") and user.must_set_password
    assert AuditEvent.objects.filter(action="account.password_reset", object_id=str(user.pk)).exists()
    fresh = login(None)
    assert post_login(fresh, "member", "demo12345").status_code == 200
    assert post_login(fresh, "member", rows[1][3]).status_code == 302
    assert fresh.get("/")["Location"] == SET_PASSWORD


def test_a_reset_ends_the_accounts_sessions(cast):
    from django.test import Client

    members_phone = Client()
    members_phone.force_login(cast.member)
    assert members_phone.get("/").status_code == 200
    actions.person_password_reset(actor=cast.secretary, person=cast.member_person)
    response = members_phone.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_reset_get_405_outsider_404_and_limits(cast, login):
    url = reverse("branches:person_password_reset", args=[cast.member_person.pk])
    assert login(cast.secretary).get(url).status_code == 405
    assert login(cast.outsider).post(url).status_code == 404
    assert User.objects.get(pk=cast.member.pk).check_password("demo12345")
    with pytest.raises(ValidationError, match="自己的密码"):
        actions.person_password_reset(actor=cast.secretary, person=cast.secretary_person)
    with pytest.raises(ValidationError, match="还没有登录账号"):
        actions.person_password_reset(actor=cast.secretary, person=cast.person_a)


def test_a_branch_secretary_cannot_reset_a_wider_account(cast):
    """The committee secretary is a member of branch A here: resetting their password would hand over the
    committee's scope."""
    actions.role_assign(
        actor=None,
        person=cast.member_person,
        organisation=cast.committee_org,
        role=Role.COMMITTEE_MEMBER,
        start_date=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="超出您的管理范围"):
        actions.person_password_reset(actor=cast.secretary, person=cast.member_person)
    actions.person_password_reset(actor=cast.committee, person=cast.member_person)


# The command ------------------------------------------------------------------------------------------------------


def test_open_accounts_command_writes_the_slips(cast, tmp_path):
    actions.organisation_update(actor=None, organisation=cast.general_branch, code="ZZ01")
    PersonFactory(organisation=cast.branch_b, name='=HYPERLINK("http://evil")')
    output = tmp_path / "开通单.xlsx"
    out = io.StringIO()
    call_command("open_accounts", "--organisation", "ZZ01", "--output", str(output), "--as", "orgadmin", stdout=out)

    sheet = openpyxl.load_workbook(output).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == tuple(SLIP_HEADERS)
    assert {row[0] for row in rows[1:]} == {"甲群众党员", "乙党员", '=HYPERLINK("http://evil")'}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert oct(output.stat().st_mode & 0o777) == "0o600"
    assert "已开通 3 个账号" in out.getvalue() and "另有 3 人已有账号" in out.getvalue()
    assert AuditEvent.objects.get(action="account.open_batch").actor == cast.orgadmin

    again = io.StringIO()
    call_command("open_accounts", "--organisation", "ZZ01", "--output", str(tmp_path / "2.xlsx"), stdout=again)
    assert "已开通 0 个账号" in again.getvalue()
    with pytest.raises(CommandError, match="已存在"):
        call_command("open_accounts", "--organisation", "ZZ01", "--output", str(output))


def test_open_accounts_command_checks_the_actors_scope(cast, tmp_path):
    actions.organisation_update(actor=None, organisation=cast.branch_b, code="B01")
    output = tmp_path / "b.xlsx"
    with pytest.raises(CommandError, match="不在您的管理范围"):
        call_command("open_accounts", "--organisation", "B01", "--output", str(output), "--as", "secretary")
    assert not output.exists()
    assert Person.objects.get(pk=cast.person_b.pk).user is None
    with pytest.raises(CommandError, match="没有组织编码"):
        call_command("open_accounts", "--organisation", "NOPE", "--output", str(output))


# createsuperuser, and the admin ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_createsuperuser_is_a_working_org_department_account(monkeypatch):
    from evaluations.actions.assessment import assessment_remind

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command("createsuperuser", interactive=False, username="zzb", email="zzb@example.org", stdout=io.StringIO())
    user = User.objects.get(username="zzb")
    assert user.is_org_department and user.is_superuser and scope_for(user).everything
    assert AuditEvent.objects.filter(action="account.create_org_department", object_id=str(user.pk)).exists()
    # A branch with no committee above it: its assessment reminder goes to 组织部.
    actions.organisation_create(actor=None, name="直属党支部", kind=Organisation.Kind.BRANCH)
    assessment_remind(year=2025, today=datetime.date(2026, 1, 10))
    assert Notification.objects.filter(recipient=user, key="assessment-due:2025").exists()


def test_org_department_links_an_account_in_the_admin(cast, login):
    account = UserFactory(username="linked_in_admin")
    client = login(cast.orgadmin)
    url = reverse("admin:branches_person_change", args=[cast.person_a.pk])
    assert 'name="user"' in client.get(url).content.decode()
    data = {
        "name": cast.person_a.name,
        "gender": "",
        "birth_date": "",
        "phone": "",
        "education": "",
        "organisation": cast.branch_a.pk,
        "host": "",
        "grid": "",
        "user": account.pk,
    }
    assert client.post(url, data).status_code == 302
    assert Person.objects.get(pk=cast.person_a.pk).user == account
    assert AuditEvent.objects.filter(action="account.link", actor=cast.orgadmin).exists()
    autocomplete = client.get(
        "/admin/autocomplete/",
        {"app_label": "branches", "model_name": "person", "field_name": "user", "term": ""},
    ).json()
    offered = {row["text"] for row in autocomplete["results"]}
    assert "linked_in_admin" not in offered and "member" not in offered  # linked accounts are not offered
    assert 'name="user"' not in login(cast.secretary).get(url).content.decode()
