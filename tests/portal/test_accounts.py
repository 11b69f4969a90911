"""Accounts through the real allauth views: login by username or phone, lockout, no sign-up, deactivation."""

import pytest
from django.urls import reverse

from portal import actions
from portal.models import AuditEvent

LOGIN = "/accounts/login/"


def post_login(client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


@pytest.mark.django_db
def test_login_page_is_chinese_and_extends_base(client):
    page = client.get(LOGIN).content.decode()
    assert "用户名或手机号" in page
    assert 'class="navbar' in page  # our base.html, not allauth's bare layout


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["member", "MEMBER", "13800000001"])
def test_login_by_username_or_phone(cast, client, login):
    response = post_login(client, login, "demo12345")
    assert response.status_code == 302
    assert client.get("/").context["user"] == cast.member


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_with_the_right_password(cast, client):
    for _ in range(5):
        response = post_login(client, "member", "wrong-password")
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated
    response = post_login(client, "member", "demo12345")
    assert response.status_code == 200, "the sixth attempt must be refused although the password is right"
    assert "登录失败次数过多，请稍后重试。" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_phone_and_username_share_one_lockout_counter(cast, client):
    for login in ["member", "13800000001", "member", "13800000001", "member"]:
        post_login(client, login, "wrong-password")
    assert post_login(client, "13800000001", "demo12345").status_code == 200  # refused


@pytest.mark.django_db
def test_lockout_ends_when_the_window_passes(cast, client, settings, monkeypatch):
    for _ in range(5):
        post_login(client, "member", "wrong-password")
    assert post_login(client, "member", "demo12345").status_code == 200
    # allauth's rate limiter stores attempt times; move the clock past the 15-minute window.
    import time

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    assert post_login(client, "member", "demo12345").status_code == 302


@pytest.mark.django_db
def test_four_failures_do_not_lock_and_other_accounts_are_unaffected(cast, client):
    for _ in range(4):
        post_login(client, "member", "wrong-password")
    assert post_login(client, "member", "demo12345").status_code == 302
    client.logout()
    for _ in range(5):
        post_login(client, "outsider", "wrong-password")
    assert post_login(client, "secretary", "demo12345").status_code == 302


@pytest.mark.django_db
def test_no_open_signup(client):
    from portal.models import User

    before = User.objects.count()
    response = client.post(
        "/accounts/signup/", {"username": "intruder", "password1": "Xy7!longpass", "password2": "Xy7!longpass"}
    )
    assert response.status_code == 200
    assert "注册" in response.content.decode()  # allauth's "sign-up closed" page, in Chinese
    assert User.objects.count() == before


@pytest.mark.django_db
def test_deactivated_users_session_ends(cast, client):
    post_login(client, "member", "demo12345")
    assert client.get("/").status_code == 200
    actions.user_deactivate(actor=cast.orgadmin, user=cast.member)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert AuditEvent.objects.filter(action="account.deactivate", object_id=str(cast.member.pk)).exists()
    response = post_login(client, "member", "demo12345")  # cannot log in again: allauth's "inactive" page
    assert response.status_code == 302 and response.url == reverse("account_inactive")
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_password_change_and_logout_pages(cast, login):
    client = login(cast.member)
    page = client.get(reverse("account_change_password")).content.decode()
    assert "修改密码" in page and 'class="navbar' in page
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "demo12345", "password1": "Hong-Xing-2026!", "password2": "Hong-Xing-2026!"},
    )
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.check_password("Hong-Xing-2026!")
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page; logout is a POST
    client.post(reverse("account_logout"))
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_login_limit_is_per_client_not_per_proxy(cast, settings):
    """allauth allows 30 logins a minute per address. Behind the proxy every request comes from the proxy, so the
    address must come from the header the proxy sets — the same one as the public forms' limits
    (RATELIMIT_IP_META_KEY), from which the settings derive allauth's."""
    from django.test import Client

    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-REAL-IP"  # what base.py derives from it (checked below)

    def logins(addresses) -> list[int]:
        return [
            Client(HTTP_X_REAL_IP=a).post(LOGIN, {"login": "member", "password": "demo12345"}).status_code
            for a in addresses
        ]

    assert set(logins(f"10.0.0.{n}" for n in range(35))) == {302}  # 35 phones behind one proxy
    assert logins(["10.9.9.9"] * 31)[-1] == 429  # one address is still limited


def test_the_allauth_client_header_follows_the_rate_limit_header(monkeypatch):
    import importlib

    import portal.settings.base as base

    monkeypatch.setenv("RATELIMIT_IP_META_KEY", "HTTP_X_REAL_IP")
    try:
        assert importlib.reload(base).ALLAUTH_TRUSTED_CLIENT_IP_HEADER == "X-REAL-IP"
    finally:
        monkeypatch.delenv("RATELIMIT_IP_META_KEY")
        importlib.reload(base)
