"""Mass evaluation: public ratings of activities with the follow-up of every bad one, and questionnaires.

Satisfaction, overdue and open states are derived from these rows, never stored as flags.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, TimeStamped
from services.models import Activity


class EvaluationRules(TimeStamped):
    """组织部's adjustable numbers for evaluations: one row, edited through an audited action."""

    rating_days_after_end = models.PositiveSmallIntegerField(_("活动结束后可评价天数"), default=7)
    follow_up_working_days = models.PositiveSmallIntegerField(_("差评整改时限（工作日）"), default=15)

    class Meta:
        verbose_name = _("评价工作参数")
        verbose_name_plural = _("评价工作参数")

    def __str__(self) -> str:
        return str(_("评价工作参数"))

    @classmethod
    def current(cls) -> "EvaluationRules":
        """The single settings row; defaults when none was saved yet (reading never writes)."""
        return cls.objects.order_by("pk").first() or cls()


class Rating(models.Model):
    """One public rating of an activity: five levels and an optional comment. No login; one per device."""

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        BASIC = 3, _("基本满意")
        UNSATISFIED = 2, _("不满意")
        VERY_UNSATISFIED = 1, _("非常不满意")

    SATISFIED_FROM = 3  # 满意率 = ratings of 3 or more / all ratings
    BAD_UP_TO = 2  # 差评: opens a follow-up

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("活动"))
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)
    comment = models.CharField(_("意见建议"), max_length=200, blank=True)
    # A random id kept in a long-lived cookie on the rater's phone: one rating per activity per device.
    device = models.CharField(max_length=64, editable=False)
    # A keyed hash of the address, for rate limits and abuse review; the address itself is not kept.
    address_hash = models.CharField(max_length=64, editable=False, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # exactly once per device, even when the same phone submits twice at the same moment
            models.UniqueConstraint(fields=["activity", "device"], name="rating_once_per_device"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]
        indexes = [
            # satisfaction per activity and period: an activity's ratings by time
            models.Index(fields=["activity", "created_at"], name="rating_activity_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= self.BAD_UP_TO


class FollowUpQuerySet(models.QuerySet):
    def open(self) -> "FollowUpQuerySet":
        """未办结: every state but closed (FollowUp.OPEN_STATES), not only 待回访."""
        return self.filter(state__in=FollowUp.OPEN_STATES)


class FollowUp(TimeStamped):
    """整改: every 差评 gets one, assigned to the branch secretary, due in 15 working days:
    open → called back → rectified → closed (with a note)."""

    class State(models.TextChoices):
        OPEN = "open", _("待回访")
        CALLED_BACK = "called_back", _("已回访")
        RECTIFIED = "rectified", _("已整改")
        CLOSED = "closed", _("已办结")

    OPEN_STATES = (State.OPEN, State.CALLED_BACK, State.RECTIFIED)

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up", verbose_name=_("评价"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("责任党组织")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("责任人"),
    )
    due_on = models.DateField(_("整改期限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    callback_on = models.DateField(_("回访日期"), null=True, blank=True)
    callback_note = models.CharField(_("回访情况"), max_length=500, blank=True)
    rectification = models.TextField(_("整改措施"), max_length=2000, blank=True)
    rectified_on = models.DateField(_("整改日期"), null=True, blank=True)
    # Whether the complaint was found justified (points issue: an upheld 差评 costs the organiser points).
    upheld = models.BooleanField(_("差评属实"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closing_note = models.CharField(_("办结说明"), max_length=500, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_on", "pk"]
        indexes = [
            # the follow-up list: a scope's open follow-ups by due date (overdue first)
            models.Index(fields=["organisation", "state", "due_on"], name="followup_org_state_due_idx"),
        ]

    def __str__(self) -> str:
        return f"整改 · {self.rating}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:follow_up_detail", args=[self.pk])


class Questionnaire(TimeStamped):
    """A questionnaire built by staff. Once it has answers, its questions are frozen: a change makes a new version
    (a copy with version + 1 pointing at the previous one, which is closed)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("收集中")
        CLOSED = "closed", _("已结束")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="questionnaires", verbose_name=_("发起党组织")
    )
    title = models.CharField(_("问卷标题"), max_length=120)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("上一版本"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）" if self.version > 1 else self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluations:questionnaire_detail", args=[self.pk])


class Question(TimeStamped):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        TEXT = "text", _("填空")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="questions", verbose_name=_("问卷")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("题目"), max_length=300)
    kind = models.CharField(_("题型"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("必答"), default=True)
    max_picks = models.PositiveSmallIntegerField(_("最多选几项"), null=True, blank=True)
    # The question whose answer is the respondent's category (普通群众, 无职务党员 …); at most one per questionnaire.
    is_category_question = models.BooleanField(_("用于区分答卷人类别"), default=False)
    # Shown only to respondents who picked one of these options of the category question (none: shown to all).
    shown_to = models.ManyToManyField(
        "Option", blank=True, related_name="conditional_questions", verbose_name=_("仅向以下类别显示")
    )

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_position_unique"),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(is_category_question=True),
                name="one_category_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class Option(TimeStamped):
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="options", verbose_name=_("题目"))
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("选项"), max_length=120)
    is_other = models.BooleanField(_("“其他”（可填写）"), default=False)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "position"], name="option_position_unique")]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One filled-in questionnaire: answered anonymously by link or QR, or keyed in from paper by a secretary."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("扫码/链接")
        PAPER = "paper", _("纸质录入")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses", verbose_name=_("问卷")
    )
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        Option, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("答卷人类别")
    )
    device = models.CharField(max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # one online answer per device (paper forms have no device)
            models.UniqueConstraint(
                fields=["questionnaire", "device"], condition=~models.Q(device=""), name="response_once_per_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} #{self.pk}"


class Answer(models.Model):
    """One answer: a picked option (one row per pick), or text (free-text questions and the 其他 option)."""

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="answers", verbose_name=_("答卷"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("题目"))
    option = models.ForeignKey(
        Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers", verbose_name=_("选项")
    )
    text = models.CharField(_("填写内容"), max_length=500, blank=True)
    # A paper form's answer that cannot be used (two boxes ticked on a single choice, illegible): keyed in as 无效,
    # counted apart from the valid answers. 未答 needs no row: it is a question that applied and has no answer.
    spoiled = models.BooleanField(_("无效"), default=False)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "option"], condition=models.Q(option__isnull=False), name="answer_option_once"
            ),
            models.UniqueConstraint(
                fields=["response", "question"], condition=models.Q(spoiled=True), name="answer_spoiled_once"
            ),
            models.CheckConstraint(
                condition=models.Q(spoiled=False) | models.Q(option__isnull=True, text=""),
                name="answer_spoiled_is_empty",
            ),
        ]
        indexes = [
            # tallies: answers per question and option
            models.Index(fields=["question", "option"], name="answer_question_option_idx"),
        ]

    def __str__(self) -> str:
        return "无效" if self.spoiled else str(self.option or self.text)
