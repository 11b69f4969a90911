from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from portal.models import AuditEvent, JobRun, Notification, User


def user_sees_everything(user) -> bool:
    """组织部 staff (and superusers): the whole tree, every account, the audit log. The one statement of that rule —
    branches' `scope_for` builds its everything-scope on it; portal's own 组织部-only pages ask it directly."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_org_department))


def broker_state() -> str:
    """'ok', 'down', or 'embedded' (no Redis configured: tasks run in-process)."""
    if not settings.REDIS_URL:
        return "embedded"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return "down"
    return "ok"


def job_last_runs() -> dict[str, JobRun]:
    """The latest run of each scheduled job, by name: two queries however long the history (ids grow with time)."""
    latest_ids = (
        JobRun.objects.filter(name__in=list(settings.CELERY_BEAT_SCHEDULE))
        .values("name")
        .annotate(latest=Max("id"))
        .values_list("latest", flat=True)
    )
    return {run.name: run for run in JobRun.objects.filter(pk__in=list(latest_ids))}


def audit_event_list_for_user(*, user: User) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for 组织部 staff only: it spans the whole tree, so a scoped user (who would
    otherwise learn of objects outside their subtree from it) is refused outright rather than shown a part."""
    if not user_sees_everything(user):
        raise PermissionDenied(_("只有组织部工作人员可以查看审计日志。"))
    return AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")


# The reminder inbox: a user sees their own reminders only; someone else's does not exist for them (404).


def notification_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def notification_get_for_user(*, user: User, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=user)


def notification_unread_count(*, user: User) -> int:
    return notification_list_for_user(user=user, unread_only=True).count()
