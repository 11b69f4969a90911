from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", selectors.home_for_user(user=request.user))


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
