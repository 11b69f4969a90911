"""Log lines: one JSON object a line from web, worker and beat alike, each carrying what it happened in.

A request (portal.middleware.RequestLogMiddleware) or a task (the Celery signals in portal.celery) puts its id, and
for a request its path, method and user, into a context variable; `ContextFilter` copies them onto every record,
whichever logger wrote it, and the formatters print them. Timestamps are ISO 8601 in the portal's TIME_ZONE
(+08:00) in every process: gunicorn's master, which has not loaded Django's TZ when it starts, included.
"""

import contextvars
import datetime
import logging
import re
import uuid
import zoneinfo
from functools import cache
from typing import Any

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

# What the current request or task is: request_id or task_id (+ task_name), path, method, and the request itself
# (its user is read only once authentication has loaded it: logging never costs a query).
log_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("log_context", default=None)

# An incoming X-Request-ID (from nginx's $request_id, or a caller's) is kept only when it is a plain token.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")
CONTEXT_FIELDS = ("request_id", "task_id", "task_name", "user_id", "path", "method", "status", "duration_ms")


def request_id_from_header(value: str | None) -> str:
    """The caller's request id when it looks safe to log and echo, else a new one."""
    if value and _SAFE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str:
    context = log_context.get() or {}
    return context.get("request_id") or ""


@cache
def _zone(name: str) -> datetime.tzinfo:
    return zoneinfo.ZoneInfo(name)


def local_zone() -> datetime.tzinfo:
    """Django's TIME_ZONE, read from the settings even in a process (gunicorn's master) that never set it up."""
    try:
        from django.conf import settings

        return _zone(settings.TIME_ZONE)
    except Exception:  # noqa: BLE001 - no settings module at all: still log, in UTC, saying so (+00:00)
        return datetime.UTC


def timestamp(record: logging.LogRecord) -> str:
    return datetime.datetime.fromtimestamp(record.created, tz=local_zone()).isoformat(timespec="milliseconds")


class ContextFilter(logging.Filter):
    """Puts the request's or task's facts on every record that passes the handler (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = log_context.get() or {}
        for field in CONTEXT_FIELDS:
            if getattr(record, field, None) is None and context.get(field) is not None:
                setattr(record, field, context[field])
        request = context.get("request")
        if getattr(record, "user_id", None) is None and request is not None:
            user = getattr(request, "_cached_user", None)  # loaded by the view already: no query here
            if user is not None and user.is_authenticated:
                record.user_id = user.pk
        return True


class JsonFormatter(BaseJsonFormatter):
    """{"timestamp", "level", "logger", "message", request_id | task_id, user_id, path, method, status,
    duration_ms, "exc_info"}: the context fields appear when known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*_RESERVED, "request", "server_time", "color_message"])
        kwargs.setdefault("json_ensure_ascii", False)  # Chinese messages stay readable
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["timestamp"] = timestamp(record)
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        super().add_fields(log_data, record, message_dict)


class TextFormatter(logging.Formatter):
    """For `make run`: `2026-12-08T09:30:00.123+08:00 INFO portal.request [9f2c…] GET / 200 12ms`."""

    def format(self, record: logging.LogRecord) -> str:
        ident = getattr(record, "request_id", None) or getattr(record, "task_id", None)
        line = f"{timestamp(record)} {record.levelname} {record.name}{f' [{ident}]' if ident else ''} "
        line += record.getMessage()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


_RESERVED = [
    *logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys(),
    "message",
    "asctime",
    "taskName",
]


def logging_config(*, json: bool, level: str) -> dict:
    """settings.LOGGING: one handler on stderr for everything, JSON or plain text."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "portal.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "portal.logs.JsonFormatter"},
            "text": {"()": "portal.logs.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": "json" if json else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # The request line comes from portal.request (with the request id); runserver's own would repeat it.
            "django.server": {"level": "WARNING"},
            # gunicorn's loggers propagate to the root handler when it runs with portal.gunicorn_conf (which also
            # silences gunicorn.access there; left alone here, a gunicorn started with --access-logfile keeps it).
            "gunicorn.error": {"handlers": [], "propagate": True},
        },
    }
