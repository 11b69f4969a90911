"""The user account and the audit log: the two pieces every app relies on.

Domain apps refer to users through settings.AUTH_USER_MODEL and record audit events through portal.audit;
everything else in `portal` (home, dashboards, reports) sits on top of the domain apps.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(r"^1\d{10}$", _("请输入 11 位手机号码。"))


class User(AbstractUser):
    """An account. People log in with their username or their mobile phone number."""

    phone = models.CharField(
        _("手机号"), max_length=11, blank=True, null=True, unique=True, validators=[phone_validator]
    )
    # 组织部 staff: scope is the whole tree. Everyone else's scope comes from dated role assignments.
    is_org_department = models.BooleanField(_("组织部工作人员"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


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
