"""After logging in with a one-time initial password the member must choose their own before anything else."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


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
