"""Writes on accounts."""

import datetime
import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.audit import audit_record
from portal.lib import initial_passwords
from portal.models import JobRun, Notification, User
from portal.sms import sms_send

logger = logging.getLogger(__name__)


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Deactivates an account and ends its sessions at once (not only at their next request)."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("不能停用自己的账号。")
    if not user.is_active:
        raise ValidationError("该账号已停用。")
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    ended = 0
    # Database sessions are the default backend; decoding each is fine at this size (one user's deactivation).
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    audit_record(actor=actor, action="account.deactivate", target=user, summary=f"结束会话 {ended} 个")
    return user


@transaction.atomic
def user_save_from_admin(*, actor: User, user: User, form, change: bool) -> User:
    """Accounts created or edited by 组织部 in the admin (the password form hashes before this point)."""
    user.save()  # the admin saves group memberships right after (save_related)
    changed = [name for name in form.changed_data if name not in ("password", "password1", "password2")]
    audit_record(
        actor=actor,
        action="account.update" if change else "account.create",
        target=user,
        summary=user.username,
        changes={"fields": changed},
    )
    return user


def user_active_set(*, actor: User | None, user: User, active: bool, reason: str) -> bool:
    """Deactivates or reactivates an account as a consequence of something else (a membership event): no error
    when it is already so; returns whether it changed. A deactivated account's sessions end at its next request
    (ModelBackend.get_user refuses inactive users), so no session scan is needed here."""
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action="account.reactivate" if active else "account.deactivate",
        target=user,
        summary=reason,
        changes={"is_active": [not active, active]},
    )
    return True


def initial_password_assign(user: User, *, now: datetime.datetime | None = None) -> str:
    """Gives the account a new one-time initial password and returns it in clear — the only time it exists.

    Not saved here: the bulk opening saves thousands at once, a reset saves one. The real password becomes
    unusable (which also ends the account's sessions: Django checks the password hash), so the initial secret is
    the only way in until the member chooses their own."""
    secret = initial_passwords.generate()
    user.set_unusable_password()
    user.initial_password = initial_passwords.digest(secret, key=settings.INITIAL_PASSWORD_KEY)
    user.initial_password_expires_at = (now or timezone.now()) + datetime.timedelta(days=settings.INITIAL_PASSWORD_DAYS)
    return secret


@transaction.atomic
def account_initial_password_replace(*, user: User, password: str) -> User:
    """The member chooses their own password after logging in with the initial one; the initial secret is gone."""
    from django.contrib.auth.password_validation import validate_password

    if not user.must_set_password:
        raise ValidationError("您的账号已设置过密码。")
    validate_password(password, user)
    user.set_password(password)
    user.initial_password = ""
    user.initial_password_expires_at = None
    user.save(update_fields=["password", "initial_password", "initial_password_expires_at", "updated_at"])
    audit_record(actor=user, action="account.password_choose", target=user)
    return user


def sessions_clear() -> int:
    """Removes expired sessions; returns how many. Running it twice removes nothing the second time."""
    deleted, _ = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted


def _require_org_department(actor: User | None) -> None:
    if actor is not None and not (actor.is_superuser or actor.is_org_department):
        raise ValidationError("只有组织部可以管理组织部账号。")


@transaction.atomic
def account_create_org_department(*, actor: User | None, username: str, password: str) -> User:
    """An organisation-department account: scope is the whole tree, and it may use the full admin."""
    from django.contrib.auth.password_validation import validate_password

    _require_org_department(actor)
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("用户名已被使用。")
    user = User(username=username, is_org_department=True, is_staff=True, is_superuser=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action="account.create_org_department", target=user, summary=username)
    return user


@transaction.atomic
def account_password_set(*, actor: User | None, user: User, password: str) -> User:
    """Sets an account's password (组织部 only). Its existing sessions end: Django checks the password hash."""
    from django.contrib.auth.password_validation import validate_password

    _require_org_department(actor)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    audit_record(actor=actor, action="account.password_set", target=user)
    return user


# Scheduled job runs: the record behind `run_job --list`. The record is itself the log, so no audit event. --------


def job_run_start(*, name: str) -> JobRun:
    # Outside any transaction of the job: the "running" row must stay even if the job's own work rolls back.
    return JobRun.objects.create(name=name, started_at=timezone.now())


def job_run_finish(*, run: JobRun, summary: object = None, error: BaseException | None = None) -> JobRun:
    run.finished_at = timezone.now()
    run.outcome = JobRun.Outcome.FAILED if error is not None else JobRun.Outcome.OK
    run.summary = summary if isinstance(summary, dict) else ({} if summary is None else {"result": str(summary)})
    run.error = repr(error) if error is not None else ""
    run.save(update_fields=["finished_at", "outcome", "summary", "error"])
    return run


# Notifications: the in-portal inbox, and e-mail where the account has an address. ------------------------------


def notification_send(*, recipient: User, key: str, title: str, body: str = "", url: str = "") -> Notification | None:
    """Sends a reminder once: the (recipient, key) pair is unique, so a job that runs again sends nothing.

    Returns the new notification, or None when it had been sent before (or the account is inactive)."""
    if not recipient.is_active:
        return None
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient, key=key[:120], defaults={"title": title[:200], "body": body, "url": url[:300]}
        )
        if not created:
            return None
        audit_record(
            actor=None, action="notification.send", target=notification, summary=f"{recipient} · {title}"[:300]
        )
    if recipient.email and recipient.notify_email:
        _notification_email(notification)
    if recipient.phone and recipient.notify_sms:
        _notification_sms(notification)
    return notification


def _notification_sms(notification: Notification) -> None:
    """Texted once the inbox row is written; the gateway's timeout (SMS_TIMEOUT) bounds the wait, and a failure
    leaves the reminder in the inbox (sms_sent_at empty)."""
    text = f"【服务型党组织建设平台】{notification.title}。详情请登录平台查看。"
    if sms_send(phone=notification.recipient.phone, text=text):
        Notification.objects.filter(pk=notification.pk).update(sms_sent_at=timezone.now())


@transaction.atomic
def user_notification_channels_set(*, user: User, email: bool, sms: bool) -> User:
    """提醒方式: the inbox always; e-mail and text messages only to an address or number the account has."""
    if email and not user.email:
        raise ValidationError("账号没有登记电子邮箱，不能选择邮件提醒。")
    if sms and not user.phone:
        raise ValidationError("账号没有登记手机号，不能选择短信提醒。")
    before = {"notify_email": user.notify_email, "notify_sms": user.notify_sms}
    user.notify_email, user.notify_sms = email, sms
    user.save(update_fields=["notify_email", "notify_sms", "updated_at"])
    changes = {field: [was, getattr(user, field)] for field, was in before.items() if was != getattr(user, field)}
    audit_record(actor=user, action="account.notification_channels", target=user, changes=changes)
    return user


def _notification_email(notification: Notification) -> None:
    """Mailed once the inbox row is written (inside a job's transaction, before that commits: a job that then
    fails leaves a mail about a reminder that is not there, which is harmless and rare). A mail failure leaves
    the reminder in the inbox (emailed_at empty)."""
    link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    try:
        send_mail(
            subject=f"[服务型党组织建设平台] {notification.title}",
            message="\n\n".join(part for part in (notification.body, link) if part),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except OSError:
        logger.exception("提醒邮件发送失败：notification %s", notification.pk)
        return
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise ValidationError("这条提醒不是发给您的。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
