"""The notification inbox: a user's reminders, newest first, and opening or clearing them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import actions, selectors
from portal.forms import NotificationChannelsForm
from portal.web import apply_action, paginate


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list_for_user(user=request.user, unread_only=bool(request.GET.get("unread")))
    return render(request, "portal/inbox.html", {"page": paginate(request, notifications)})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the reminder read and goes where it points (only within the portal)."""
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    actions.notification_mark_read(user=request.user, notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("inbox:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = actions.notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条提醒标为已读。") % {"count": count})
    return redirect("inbox:inbox")


@login_required
def notification_channels(request: HttpRequest) -> HttpResponse:
    """提醒方式: how the member's reminders reach them besides the inbox."""
    form = NotificationChannelsForm(request.POST or None, user=request.user)
    if request.method == "POST":
        done = apply_action(
            request,
            form,
            lambda data: actions.user_notification_channels_set(
                user=request.user, email=data["email"], sms=data["sms"]
            ),
            _("提醒方式已保存。"),
        )
        if done:
            return redirect("inbox:channels")
    return render(request, "portal/notification_channels.html", {"form": form})


app_name = "inbox"
urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:pk>/open/", notification_open, name="notification_open"),
    path("read-all/", inbox_read_all, name="read_all"),
    path("channels/", notification_channels, name="channels"),
]
