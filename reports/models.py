"""The yearly report exports (年度报告): built in the background, kept as the history of who asked for which."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportExport(models.Model):
    """A yearly report (年度报告) built in the background: its progress while running, the workbook when done,
    and who asked for it, when, for which subtree (the history)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    year = models.PositiveIntegerField(_("年度"))
    # Null: the whole tree (组织部).
    organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_exports",
        verbose_name=_("范围"),
    )
    # Null: made by the January job, not by a person.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_exports",
        verbose_name=_("发起人"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="reports/%Y/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度报告")
        verbose_name_plural = _("年度报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_max_100"),
            # the January job makes the whole-tree report of last year once, however often it runs
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(requested_by__isnull=True, organisation__isnull=True),
                name="report_scheduled_once_per_year",
            ),
        ]
        indexes = [
            # the history page: the latest exports first (filtered by scope in the selector)
            models.Index(fields=["-created_at"], name="report_history_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度报告 {self.organisation or '全区'}"

    @property
    def scope_label(self) -> str:
        return self.organisation.name if self.organisation_id else _("全部党组织")
