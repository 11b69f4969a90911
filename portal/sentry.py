"""Error reporting (SENTRY_DSN): Django and Celery errors to a self-hosted Sentry or GlitchTip, without personal
data, each tagged with the request id (or task id) that the user or the log line shows."""

from typing import Any

from portal import logs


def tag_with_context(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """before_send: the id a user quotes from the error page (错误编号) finds the event, and the log lines."""
    context = logs.log_context.get() or {}
    tags = event.setdefault("tags", {})
    for field in ("request_id", "task_id"):
        if context.get(field):
            tags[field] = context[field]
    return event


def sentry_init(*, dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No personal data (what send_default_pii=False meant; sentry-sdk 2.7x spells it data_collection, stricter
        # here): no user, cookies, query strings (searches by name or phone), form bodies (ID numbers), SQL
        # parameters, task arguments or local variables; request headers only minus the address-bearing ones.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent", "x-request-id", "referer"]}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        traces_sample_rate=0,  # errors only: no performance data leaves the intranet
        before_send=tag_with_context,
    )
