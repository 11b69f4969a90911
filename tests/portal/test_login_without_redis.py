"""With Redis unreachable or hung, people still log in and pages do not wait on it: the login lockout pauses (and
says so in the log), it never turns every login into a refusal. Runs everywhere: Redis is *down* here, so none is
needed."""

import socket
import threading

import pytest
from django.core.cache import cache

from portal import cache as portal_cache


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production_cache(settings, location: str, timeout: float = 1) -> None:
    """The cache as settings build it with REDIS_URL, at `location`; no outage remembered from an earlier test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.OutageTolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout, "IGNORE_EXCEPTIONS": True},
        }
    }
    portal_cache._Outage.until = 0.0


@pytest.fixture
def cache_down(settings):
    """Redis in an outage: nobody listens on the configured port."""
    dead = f"redis://127.0.0.1:{_unused_port()}/0"
    _production_cache(settings, dead)
    yield dead
    portal_cache._Outage.until = 0.0


@pytest.fixture
def cache_hung(settings):
    """Redis hung: the port accepts connections and never answers. Yields the list of connections it accepted."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept_forever():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept_forever, daemon=True).start()
    _production_cache(settings, f"redis://127.0.0.1:{server.getsockname()[1]}/0", timeout=0.2)
    yield accepted
    server.close()
    for connection in accepted:
        connection.close()
    portal_cache._Outage.until = 0.0


@pytest.mark.django_db
def test_the_right_password_logs_in_while_the_cache_is_down(cast, client, cache_down):
    response = client.post("/accounts/login/", {"login": "member", "password": "demo12345"})
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.get("/").wsgi_request.user == cast.member


@pytest.mark.django_db
def test_a_wrong_password_is_refused_as_usual_while_the_cache_is_down(cast, client, cache_down, caplog):
    response = client.post("/accounts/login/", {"login": "member", "password": "wrong"})
    assert response.status_code == 200
    assert "不正确" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert "登录失败次数限制暂停" in caplog.text


@pytest.mark.django_db
def test_after_one_timeout_the_cache_is_left_alone_for_a_while(cast, client, cache_hung):
    """A hung Redis costs one socket timeout, then the process stops asking it: a page's many cache calls do not each
    wait. Counted by the connections the hung server accepted, not by the clock."""
    assert cache.get("anything") is None
    tried = len(cache_hung)
    assert tried >= 1
    for _ in range(20):
        cache.set("key", "value")
        assert cache.get("key") is None
    response = client.post("/accounts/login/", {"login": "member", "password": "demo12345"})
    assert response.status_code == 302
    assert len(cache_hung) == tried
