"""Public ratings: the page people reach by scanning the QR code (no login), and the staff pages around it — the
rating summary with the short link and QR code, the QR code as a file, and the printable poster for the venue."""

import io
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from evaluations.actions import ratings as actions
from evaluations.forms.ratings import RatingForm
from evaluations.models import Rating
from evaluations.selectors import ratings as selectors
from portal.web import paginate
from services.selectors.activities import activity_get_for_user

DEVICE_COOKIE = "rating_device"
DEVICE_MAX_AGE = 365 * 24 * 60 * 60
# Refusal → HTTP status of the Chinese page that explains it.
REFUSAL_STATUS = {
    actions.REFUSED_STATE: 410,
    actions.REFUSED_NOT_YET: 403,
    actions.REFUSED_CLOSED: 410,
    actions.REFUSED_REPEAT: 409,
    actions.REFUSED_INPUT: 400,
}


def _rating_rate(group: str, request: HttpRequest) -> str:
    return settings.RATING_RATE_LIMIT  # read per request: deployments and tests may change it


def _device(request: HttpRequest) -> str:
    """The device id from the cookie, if it looks like one of ours (anything else counts as no cookie)."""
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    return (
        device if 16 <= len(device) <= actions.DEVICE_MAX and device.replace("-", "").replace("_", "").isalnum() else ""
    )


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not _device(request):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluations/rate_missing.html", status=404)


def _refused(request: HttpRequest, activity, message: str, code: str) -> HttpResponse:
    context = {"activity": activity, "message": message, "code": code}
    return _with_device(
        request, render(request, "evaluations/rate_refused.html", context, status=REFUSAL_STATUS.get(code, 400))
    )


@ratelimit(key="ip", rate=_rating_rate, method="POST", block=True)
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """No login. GET shows the form and gives the phone its device cookie; POST stores one rating. Every refusal
    is a Chinese page with a 4xx status, and nothing is stored."""
    activity = selectors.activity_for_rating_code(code)
    if activity is None:
        return _missing(request)
    state, opens_at, closes_at = selectors.rating_availability(activity)
    if state != selectors.OPEN:
        return render(
            request,
            "evaluations/rate_closed.html",
            {"activity": activity, "state": state, "opens_at": opens_at, "closes_at": closes_at},
            status=403 if state == selectors.NOT_YET else 410,
        )
    if request.method == "GET" and selectors.rating_given_by_device(activity=activity, device=_device(request)):
        return render(request, "evaluations/rate_thanks.html", {"activity": activity, "already": True})
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        device = _device(request)
        if not device:
            message = _("未能识别您的手机：请重新扫码打开评价页面再提交（请勿禁用浏览器的 Cookie）。")
            return _refused(request, activity, message, actions.REFUSED_INPUT)
        if form.is_valid():
            try:
                actions.rating_submit(
                    activity=activity,
                    level=form.cleaned_data["level"],
                    comment=form.cleaned_data["comment"],
                    device=device,
                    address=request.META.get("REMOTE_ADDR", ""),
                )
            except ValidationError as error:
                return _refused(request, activity, " ".join(error.messages), error.code or actions.REFUSED_INPUT)
            return redirect("evaluations:rate_thanks", code=code)
    context = {"activity": activity, "form": form, "closes_at": closes_at}
    return _with_device(request, render(request, "evaluations/rate.html", context, status=400 if form.errors else 200))


@require_GET
def rate_thanks(request: HttpRequest, code: str) -> HttpResponse:
    activity = selectors.activity_for_rating_code(code)
    if activity is None:
        return _missing(request)
    return render(request, "evaluations/rate_thanks.html", {"activity": activity})


# Staff pages -------------------------------------------------------------------------------------------------


def _short_url(request: HttpRequest, activity) -> str:
    return request.build_absolute_uri(reverse("evaluations:rate", args=[selectors.rating_code(activity)]))


def _qr(request: HttpRequest, activity) -> segno.QRCode:
    return segno.make(_short_url(request, activity), error="m")


@login_required
@require_GET
def activity_rating(request: HttpRequest, pk: int) -> HttpResponse:
    """群众评价 of one activity: short link, QR code, summary and comments. Readers and writers alike."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    context = {"activity": activity, "rateable": selectors.activity_is_rateable(activity)}
    if context["rateable"]:
        context["opens_at"], context["closes_at"] = selectors.rating_window(activity)
        context["short_url"] = _short_url(request, activity)
        context["qr_svg"] = _qr(request, activity).svg_inline(scale=5, title=activity.title)
    context["summary"] = selectors.rating_summary(activity=activity)
    context["page"] = paginate(request, selectors.rating_comments(activity=activity), per_page=20)
    return render(request, "evaluations/activity_rating.html", context)


@login_required
@require_GET
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code as an SVG file (for print shops and slides)."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    if not selectors.activity_is_rateable(activity):
        return render(request, "evaluations/rate_missing.html", status=404)
    buffer = io.BytesIO()
    _qr(request, activity).save(buffer, kind="svg", scale=10, border=4, title=activity.title)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="activity-{activity.pk}-qr.svg"'
    return response


@login_required
@require_GET
def activity_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A4 poster for the venue: big QR code, the activity, the five levels."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    if not selectors.activity_is_rateable(activity):
        messages.warning(request, _("只有已发布、已结束或已关闭的活动才有评价二维码。"))
        return redirect("evaluations:activity_rating", pk=activity.pk)
    closes_at = selectors.rating_window(activity)[1]
    context = {
        "activity": activity,
        "closes_at": closes_at,
        "short_url": _short_url(request, activity),
        "qr_svg": _qr(request, activity).svg_inline(scale=12, title=activity.title),
        "levels": Rating.Level.choices,
    }
    return render(request, "evaluations/poster.html", context)


urlpatterns = [
    path("r/<str:code>/", rate, name="rate"),
    path("r/<str:code>/thanks/", rate_thanks, name="rate_thanks"),
    path("evaluations/activities/<int:pk>/rating/", activity_rating, name="activity_rating"),
    path("evaluations/activities/<int:pk>/qr.svg", activity_qr, name="activity_qr"),
    path("evaluations/activities/<int:pk>/poster/", activity_poster, name="activity_poster"),
]
