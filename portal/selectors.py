import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import health
from portal.jobs import cron_text, next_due
from portal.models import AuditEvent, JobRun, Notification, User


def user_sees_everything(user) -> bool:
    """组织部 staff (and superusers): the whole tree, every account, the audit log. The one statement of that rule —
    branches' `scope_for` builds its everything-scope on it; portal's own 组织部-only pages ask it directly."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_org_department))


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


# 系统状态 (组织部 only): every scheduled job with its last run and next due time, and the health facts.

HEALTH_LABELS = {
    "database": ("数据库", {"ok": "正常", "down": "无法连接"}),
    "broker": ("消息队列", {"ok": "正常", "down": "无法连接", "embedded": "未配置（任务在网站进程内执行）"}),
    "worker": ("后台任务进程", {"ok": "正常", "stale": "超时未响应", "inline": "无（任务在网站进程内执行）"}),
    "beat": ("定时调度", {"ok": "正常", "stale": "超时未响应", "inline": "无（定时任务需手动运行）"}),
    "media": ("上传文件目录", {"ok": "可写入", "not_writable": "不可写入"}),
}


def system_status_for_user(*, user: User, now: datetime.datetime | None = None) -> dict:
    """Refused (403) to everyone but 组织部: the jobs and the servers are the whole installation's."""
    if not user_sees_everything(user):
        raise PermissionDenied(_("只有组织部工作人员可以查看系统状态。"))
    now = now or timezone.now()
    last_runs = job_last_runs()
    jobs = [
        {
            "name": name,
            "description": settings.JOB_DESCRIPTIONS.get(name, ""),
            "cron": cron_text(entry["schedule"]).removeprefix("cron "),  # minute hour day month weekday
            "last_run": last_runs.get(name),
            "next_due": next_due(entry["schedule"], after=now),
        }
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]
    facts = health.health_facts(now=now)
    checks = [
        {"key": key, "label": label, "value": facts[key], "text": texts.get(facts[key], facts[key])}
        for key, (label, texts) in HEALTH_LABELS.items()
    ]
    seen = {"worker": facts["worker_seen_at"], "beat": facts["beat_tick_at"]}
    for check in checks:
        if seen.get(check["key"]):
            check["seen_at"] = datetime.datetime.fromisoformat(seen[check["key"]])
    return {"status": facts["status"], "checks": checks, "jobs": jobs, "now": now}
