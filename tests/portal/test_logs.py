"""Operations: JSON log lines with the request's (or task's) context, the request id in the X-Request-ID header and
on the 500 page, and error reporting (SENTRY_DSN) off by default, without personal data when on."""

import io
import json
import logging
import logging.config

import pytest
from django.test import Client, override_settings
from django.urls import path

from portal import logs
from portal.celery import app
from portal.views import server_error


@pytest.fixture
def log_lines(settings):
    """What the portal's own LOGGING writes (JSON), captured: a function returning the lines written so far."""
    stream = io.StringIO()
    config = logs.logging_config(json=True, level="INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.config.dictConfig(settings.LOGGING)


def _boom(request):
    logging.getLogger("portal.test").warning("即将出错")
    raise RuntimeError("故意的错误")


urlpatterns = [path("boom/", _boom)]
handler500 = server_error


@pytest.mark.django_db
def test_a_request_gets_an_id_in_its_header_and_on_every_log_line(client, log_lines):
    response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [line for line in log_lines() if line["logger"] == "portal.request"]
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["timestamp"].endswith("+08:00")  # TIME_ZONE, whatever the process's own zone
    assert line["level"] == "INFO" and line["message"].startswith("GET /healthz 200")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("0af7651916cd43dd8448eb211c80319c", True),  # nginx's $request_id
        ("req-2026.12.08_ab", True),
        ("short", False),
        ("bad id\nwith newline", False),
        ("<script>alert(1)</script>", False),
        ("x" * 65, False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_it_is_a_safe_token(client, incoming, kept):
    returned = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert (returned == incoming) is kept
    assert logs._SAFE_REQUEST_ID.match(returned)


@pytest.mark.django_db
def test_the_user_is_on_the_lines_of_a_signed_in_request(cast, login, log_lines):
    login(cast.secretary).get("/inbox/")
    (line,) = [line for line in log_lines() if line["logger"] == "portal.request"]
    assert line["user_id"] == cast.secretary.pk


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user_and_costs_no_query(client, log_lines, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/accounts/login/")
    (line,) = [line for line in log_lines() if line["logger"] == "portal.request"]
    assert "user_id" not in line and line["status"] == 200


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_shows_the_request_id_that_the_log_lines_carry(log_lines):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_X_REQUEST_ID="incident-20261208-0001")
    assert response.status_code == 500
    html = response.content.decode()
    assert "错误编号：" in html and "incident-20261208-0001" in html
    assert response["X-Request-ID"] == "incident-20261208-0001"
    lines = {line["logger"]: line for line in log_lines()}
    assert lines["portal.test"]["request_id"] == "incident-20261208-0001"
    error = lines["django.request"]
    assert error["level"] == "ERROR" and error["request_id"] == "incident-20261208-0001"
    assert "故意的错误" in error["exc_info"]
    assert lines["portal.request"]["status"] == 500


def test_the_text_format_for_make_run_is_one_readable_line():
    record = logging.LogRecord("portal.request", logging.INFO, "", 0, "GET / 200 %sms", (3.0,), None)
    record.request_id = "abcdef0123456789"
    line = logs.TextFormatter().format(record)
    assert line.split(" ", 1)[1] == "INFO portal.request [abcdef0123456789] GET / 200 3.0ms"
    assert line.split(" ")[0].endswith("+08:00")


def test_debug_reads_text_unless_log_format_says_json(monkeypatch):
    import importlib

    from portal.settings import base

    try:
        monkeypatch.setenv("DEBUG", "1")
        monkeypatch.delenv("LOG_FORMAT", raising=False)
        assert importlib.reload(base).LOGGING["handlers"]["console"]["formatter"] == "text"
        monkeypatch.setenv("LOG_FORMAT", "json")
        assert importlib.reload(base).LOGGING["handlers"]["console"]["formatter"] == "json"
        monkeypatch.delenv("DEBUG")
        monkeypatch.delenv("LOG_FORMAT")
        assert importlib.reload(base).LOGGING["handlers"]["console"]["formatter"] == "json"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_a_task_logs_with_its_task_id(log_lines):
    @app.task(name="tests.logs.noisy")
    def noisy() -> None:
        logging.getLogger("portal.test").info("任务在写日志")

    result = noisy.apply()
    (line,) = [line for line in log_lines() if line["message"] == "任务在写日志"]
    assert line["task_id"] == result.id and line["task_name"] == "tests.logs.noisy"
    assert "request_id" not in line
    assert logs.log_context.get() is None  # the task's context ends with it


def test_worker_and_beat_configure_logging_from_the_portal_settings(settings):
    """Celery's setup_logging signal has a receiver, so Celery does not hijack the root logger: the worker and beat
    log through settings.LOGGING (the same JSON formatter as the web)."""
    from celery import signals

    assert signals.setup_logging.receivers
    signals.setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler.formatter, logs.JsonFormatter)


def test_sentry_is_off_without_a_dsn_and_sends_no_personal_data_with_one(settings):
    import sentry_sdk

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()
    from portal.sentry import sentry_init

    try:
        sentry_init(dsn="http://public@127.0.0.1:9/1", environment="test")
        client = sentry_sdk.get_client()
        assert client.is_active()
        assert not client.options.get("send_default_pii")
        collection = client.options["data_collection"]
        assert collection["user_info"] is False and collection["http_bodies"] == []
        assert collection["url_query_params"]["mode"] == "off" and collection["stack_frame_variables"] is False
        integrations = set(client.integrations)
        assert {"django", "celery"} <= integrations
    finally:
        sentry_sdk.init(dsn=None)


def test_sentry_events_carry_the_request_id():
    from portal.sentry import tag_with_context

    token = logs.log_context.set({"request_id": "incident-20261208-0001"})
    try:
        event = tag_with_context({"message": "x"}, {})
    finally:
        logs.log_context.reset(token)
    assert event["tags"]["request_id"] == "incident-20261208-0001"
