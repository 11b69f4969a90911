from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from portal import actions, selectors
from portal.web import apply_action


@sensitive_post_parameters()
@login_required
def initial_password_set(request: HttpRequest) -> HttpResponse:
    """设置密码: the first page after logging in with an initial password (portal.middleware sends everyone here)."""
    if not request.user.must_set_password:
        return redirect("home")
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST":
        done = apply_action(
            request,
            form,
            lambda data: actions.account_initial_password_replace(user=request.user, password=data["new_password1"]),
            "密码已设置，以后请用新密码登录。",
        )
        if done:
            update_session_auth_hash(request, request.user)  # the password hash changed: keep this session
            return redirect("home")
    return render(request, "portal/initial_password_set.html", {"form": form})


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """django-ratelimit's refusal: a clear Chinese page, status 429, nothing stored."""
    return render(request, "portal/rate_limited.html", status=429)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and people: the database must answer; a broker outage only degrades."""
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        database = "down"
    broker = selectors.broker_state()
    status = "down" if database != "ok" else ("degraded" if broker == "down" else "ok")
    return JsonResponse(
        {"status": status, "database": database, "broker": broker}, status=503 if status == "down" else 200
    )
