"""党员积分: yearly, versioned rule sets and an append-only ledger. Settling is idempotent by construction: every
entry carries a source key that is unique in the database, so the same source never pays twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, Person, TimeStamped


class PointsRuleSet(TimeStamped):
    """The rules of one year, versioned: a new version applies to entries made from then on and never rewrites
    entries already made (each entry names the version it was made under)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("当前版本"), default=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="points_rule_set_version_unique"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(is_current=True), name="points_rule_set_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年积分规则（第 {self.version} 版）"


class PointsRule(TimeStamped):
    """One rule of a rule set: how many points (±) a kind of source is worth, with an optional monthly cap."""

    class Code(models.TextChoices):
        BASE = "base", _("基础分")
        ATTENDED = "attended", _("参加服务活动")
        HOUR = "hour", _("服务时长（每小时）")
        ORGANISED = "organised", _("组织服务活动")
        HIGH_SATISFACTION = "high_satisfaction", _("活动满意率达标")
        DEMAND_ON_TIME = "demand_on_time", _("按期办结群众需求")
        PAIRING_VISIT = "pairing_visit", _("结对帮扶走访")
        PLEDGE_FULFILLED = "pledge_fulfilled", _("承诺已践诺")
        MOBILE_REPORT = "mobile_report", _("流动党员按时汇报")
        NO_SHOW = "no_show", _("报名后缺席")
        UPHELD_BAD_RATING = "upheld_bad_rating", _("组织的活动差评属实")
        MEETING_ATTENDED = "meeting_attended", _("参加组织生活")
        MEETING_ABSENT = "meeting_absent", _("组织生活缺席（未请假）")
        MANUAL = "manual", _("手动调整")

    rule_set = models.ForeignKey(PointsRuleSet, on_delete=models.PROTECT, related_name="rules", verbose_name=_("规则"))
    code = models.CharField(_("规则"), max_length=30, choices=Code.choices)
    points = models.SmallIntegerField(_("分值"))
    monthly_cap = models.PositiveSmallIntegerField(_("每月上限"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分细则")
        verbose_name_plural = _("积分细则")
        ordering = ["rule_set", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="points_rule_once_per_set")]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.points:+d}"


class PointsEntry(models.Model):
    """One line of the append-only ledger. Never edited or deleted: a reversal is a new entry."""

    class Source(models.TextChoices):
        YEAR = "year", _("年度")
        ACTIVITY = "activity", _("服务活动")
        PARTICIPATION = "participation", _("参与记录")
        DEMAND = "demand", _("群众需求")
        VISIT = "visit", _("结对走访")
        PLEDGE = "pledge", _("承诺")
        MOBILE_REPORT = "mobile_report", _("流动党员汇报")
        FOLLOW_UP = "follow_up", _("差评整改")
        REVIEW = "review", _("民主评议")
        MEETING = "meeting", _("组织生活")
        MANUAL = "manual", _("手动调整")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="points_entries", verbose_name=_("党员"))
    # The member's organisation when the entry was made: branch tables and boards group by it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="points_entries", verbose_name=_("党组织")
    )
    date = models.DateField(_("日期"))
    points = models.SmallIntegerField(_("积分"))
    rule = models.ForeignKey(PointsRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("规则"))
    source_type = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    # What makes this entry unique, e.g. "attended:participation:123": the database refuses a second payment.
    source_key = models.CharField(max_length=120, unique=True, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("冲销")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-date", "-pk"]
        indexes = [
            # 我的积分: a member's entries of a year, newest first (and the running total)
            models.Index(fields=["person", "date"], name="points_person_date_idx"),
            # branch tables and 红星榜: an organisation's entries in a period
            models.Index(fields=["organisation", "date"], name="points_org_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date} {self.points:+d} {self.rule}"


class PointsAdjustment(TimeStamped):
    """A manual adjustment: requested with a reason, approved by the level above, then booked as an entry."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("党员"))
    points = models.SmallIntegerField(_("调整分值"))
    reason = models.CharField(_("理由"), max_length=300)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    entry = models.OneToOneField(
        PointsEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment"
    )

    class Meta:
        verbose_name = _("积分调整")
        verbose_name_plural = _("积分调整")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(points=0), name="points_adjustment_not_zero")]

    def __str__(self) -> str:
        return f"{self.person} {self.points:+d}"
