"""The user account and the audit log: the two pieces every app relies on.

Domain apps refer to users through settings.AUTH_USER_MODEL and record audit events through portal.audit.
`portal` is the base layer: it imports no domain app (home, dashboards and reports sit on top, in `reports`).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(r"^1\d{10}$", _("请输入 11 位手机号码。"))


class PortalUserManager(UserManager):
    """`createsuperuser` makes a working 组织部 account: the whole tree (scope_for gives superusers everything)
    and the reminders addressed to 组织部, which go to `is_org_department` accounts."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_org_department", True)
        user = super().create_superuser(username, email, password, **extra_fields)
        from portal.audit import audit_record  # portal.audit imports this module

        audit_record(actor=None, action="account.create_org_department", target=user, summary=user.username)
        return user


class User(AbstractUser):
    """An account. People log in with their username or their mobile phone number."""

    phone = models.CharField(
        _("手机号"), max_length=11, blank=True, null=True, unique=True, validators=[phone_validator]
    )
    # 组织部 staff: scope is the whole tree. Everyone else's scope comes from dated role assignments.
    is_org_department = models.BooleanField(_("组织部工作人员"), default=False)
    # A one-time initial password (开通账号, 重置密码): `salt$hmac` (portal.lib.initial_passwords), never the
    # secret itself. While it is set the real password is unusable, so the only way in is the initial secret,
    # before it expires; the member must then choose their own password (portal.middleware), which clears it.
    initial_password = models.CharField(_("初始密码（摘要）"), max_length=100, blank=True, editable=False)
    initial_password_expires_at = models.DateTimeField(_("初始密码有效期至"), null=True, blank=True, editable=False)
    # 提醒方式: reminders always reach the inbox; also by e-mail (when the account has an address) and by text
    # message (when it has a phone), as the member chooses.
    notify_email = models.BooleanField(_("邮件提醒"), default=True)
    notify_sms = models.BooleanField(_("短信提醒"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def must_set_password(self) -> bool:
        """Logged in with an initial password: nothing else until they choose their own."""
        return bool(self.initial_password)


class AuditEvent(models.Model):
    """Who did what, when, to which object; before/after where it matters. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=80)
    object_type = models.CharField(_("对象类型"), max_length=80)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "what happened to this object": the history panel on an object's page
            models.Index(fields=["object_type", "object_id", "created_at"], name="audit_object_idx"),
            # "what did this person do": the audit viewer filtered by actor
            models.Index(fields=["actor", "created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class JobRun(models.Model):
    """One run of a scheduled job, by beat or by hand: what `run_job --list` shows as the last run and outcome."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("运行中")
        OK = "ok", _("成功")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=60)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            # run_job --list: the latest run of each job
            models.Index(fields=["name", "-started_at"], name="jobrun_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class Notification(models.Model):
    """A reminder in a user's inbox. `key` names what it is about, so the same reminder is never sent twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    key = models.CharField(_("提醒标识"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内提醒")
        verbose_name_plural = _("站内提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            # each reminder once: a re-run of the job that sends it finds the row and sends nothing
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            # the unread count in the navigation and the inbox list
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title
