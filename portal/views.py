from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from portal import actions, health, logs, selectors
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


@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """系统状态 (组织部): the scheduled jobs' last and next runs and the health facts of /healthz."""
    return render(request, "portal/system_status.html", selectors.system_status_for_user(user=request.user))


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """django-ratelimit's refusal: a clear Chinese page, status 429, nothing stored."""
    return render(request, "portal/rate_limited.html", status=429)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and people (portal.health): 503 only when the database fails; 'degraded' (200: the pages
    still work, so the proxy keeps this server) when the broker, a worker, beat or the media folder does."""
    facts = health.health_facts()
    return JsonResponse(facts, status=503 if facts["status"] == "down" else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the error page with the request id (错误编号) a user can quote; rendered without a request
    context (no queries: the error may be the database itself)."""
    request_id = getattr(request, "request_id", "") or logs.current_request_id()
    return HttpResponseServerError(loader.get_template("500.html").render({"request_id": request_id}))
