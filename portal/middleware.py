"""Request ids and request log lines; after logging in with a one-time initial password the member must choose
their own before anything else."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from portal import logs

request_logger = logging.getLogger("portal.request")


class InitialPasswordMiddleware:
    """Every page leads to 设置密码 while the account still holds its initial password — which, since the real
    password is unusable meanwhile, means this session was opened with it. Logout and static files stay reachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No session cookie, no login: the public pages pay nothing (no session or user query).
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = request.user
            if user.is_authenticated and user.must_set_password and not self._allowed(request.path_info):
                return redirect("initial_password_set")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (reverse("initial_password_set"), reverse("account_logout"), settings.STATIC_URL, "/healthz")
        return path.startswith(allowed)


class RequestLogMiddleware:
    """First in the chain: gives every request an id (a safe incoming X-Request-ID, else a new one) that every log
    line of the request carries and the response returns in X-Request-ID (the 500 page shows it as 错误编号), and
    logs one line per request with its status and duration. Static files are not logged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = logs.request_id_from_header(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = logs.log_context.set(
            {"request_id": request_id, "path": request.path, "method": request.method, "request": request}
        )
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if not request.path.startswith(settings.STATIC_URL):
                duration_ms = round((time.monotonic() - started) * 1000, 1)
                request_logger.info(
                    "%s %s %s %sms",
                    request.method,
                    request.path,
                    response.status_code,
                    duration_ms,
                    extra={"status": response.status_code, "duration_ms": duration_ms},
                )
            return response
        finally:
            logs.log_context.reset(token)
