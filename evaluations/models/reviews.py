"""党员民主评议 (yearly) and 相互评议打分 (half-yearly), and the branch assessment (评星晋级)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, Person, TimeStamped


class ReviewRound(TimeStamped):
    """A review round of one branch: opened, reminded, closed; results computed at close and kept."""

    class Kind(models.TextChoices):
        YEARLY = "yearly", _("年度民主评议")
        MUTUAL = "mutual", _("半年相互评议打分")

    class State(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="review_rounds", verbose_name=_("党支部")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), null=True, blank=True, help_text=_("1 上半年，2 下半年"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    # Weights in percent (default self 10, mutual 30, mass 40, organisation 20: the masses weigh most).
    weight_self = models.PositiveSmallIntegerField(_("自评权重%"), default=10)
    weight_mutual = models.PositiveSmallIntegerField(_("互评权重%"), default=30)
    weight_mass = models.PositiveSmallIntegerField(_("群众评价权重%"), default=40)
    weight_organisation = models.PositiveSmallIntegerField(_("组织评价权重%"), default=20)

    class Meta:
        verbose_name = _("评议轮次")
        verbose_name_plural = _("评议轮次")
        ordering = ["-year", "-half", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "year", "half"], name="review_round_once"),
            # NULLs never clash in the constraint above: a yearly round (no half) needs its own.
            models.UniqueConstraint(
                fields=["organisation", "kind", "year"],
                condition=models.Q(half__isnull=True),
                name="review_round_yearly_once",
            ),
            models.CheckConstraint(
                condition=models.Q(weight_self__lte=100)
                & models.Q(weight_mutual__lte=100)
                & models.Q(weight_mass__lte=100)
                & models.Q(weight_organisation__lte=100),
                name="review_round_weights_percent",
            ),
        ]

    def __str__(self) -> str:
        half = f"{'上' if self.half == 1 else '下'}半年" if self.half else ""
        return f"{self.organisation} {self.year} 年{half}{self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:review_round_detail", args=[self.pk])


class ReviewSheet(TimeStamped):
    """One member's sheet in a round: self-evaluation and score, the committee's organisation score; the mutual
    and mass scores, the weighted total and the grade are computed when the round closes."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        QUALIFIED = "qualified", _("合格")
        BASIC = "basic", _("基本合格")
        UNQUALIFIED = "unqualified", _("不合格")

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("轮次"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="review_sheets", verbose_name=_("党员"))
    self_text = models.TextField(_("自我评价"), max_length=3000, blank=True)
    self_score = models.DecimalField(_("自评分"), max_digits=5, decimal_places=1, null=True, blank=True)
    organisation_score = models.DecimalField(_("组织评价分"), max_digits=5, decimal_places=1, null=True, blank=True)
    mutual_score = models.DecimalField(_("互评分"), max_digits=5, decimal_places=1, null=True, blank=True)
    mass_score = models.DecimalField(_("群众评价分"), max_digits=5, decimal_places=1, null=True, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("评定等次"), max_length=12, choices=Grade.choices, blank=True)
    follow_up_note = models.CharField(_("批评教育记录"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("评议表")
        verbose_name_plural = _("评议表")
        ordering = ["round", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="review_sheet_once"),
            models.CheckConstraint(
                condition=models.Q(self_score__isnull=True)
                | models.Q(self_score__gte=Decimal(0), self_score__lte=Decimal(100)),
                name="review_self_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.person}"


class PeerScore(TimeStamped):
    """A member's score for a peer: anonymous to peers, visible to the secretary."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="peer_scores", verbose_name=_("轮次"))
    rater = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("评分人"))
    ratee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("被评人"))
    score = models.DecimalField(_("分数"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("互评分")
        verbose_name_plural = _("互评分")
        constraints = [
            models.UniqueConstraint(fields=["round", "rater", "ratee"], name="peer_score_once"),
            models.CheckConstraint(condition=~models.Q(rater=models.F("ratee")), name="peer_score_not_self"),
            models.CheckConstraint(
                condition=models.Q(score__gte=Decimal(0), score__lte=Decimal(100)), name="peer_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.ratee} {self.score}"


class BranchAssessment(TimeStamped):
    """评星晋级: a branch's yearly 六有 checklist with evidence plus the measured figures, ending in 1–5 stars."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("党支部")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    # 六有: each item checked with its evidence.
    has_leadership = models.BooleanField(_("有坚强的领导班子"), default=False)
    leadership_evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    has_backbone = models.BooleanField(_("有过硬的骨干队伍"), default=False)
    backbone_evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    has_premises = models.BooleanField(_("有固定的活动场所"), default=False)
    premises_evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    has_carriers = models.BooleanField(_("有有效的服务载体"), default=False)
    carriers_evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    has_rules = models.BooleanField(_("有完善的制度机制"), default=False)
    rules_evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    has_results = models.BooleanField(_("有群众满意的服务业绩"), default=False)
    results_evidence = models.CharField(_("佐证"), max_length=300, blank=True)
    # Measured figures, frozen when the assessment is made (the basis of its stars stays visible).
    figures = models.JSONField(_("量化指标"), default=dict, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("评星晋级")
        verbose_name_plural = _("评星晋级")
        ordering = ["-year", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="branch_assessment_once"),
            models.CheckConstraint(
                condition=models.Q(stars__isnull=True) | models.Q(stars__gte=1, stars__lte=5),
                name="branch_assessment_stars_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} 评星"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:assessment_detail", args=[self.pk])
