"""Community work records: demands (群众需求), pledges (承诺), pairing help (结对帮扶) and posts (党员先锋岗).

Deadlines and overdue flags are derived from dates (working days), never stored as flags.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from branches.models import Grid, Organisation, Person, TimeStamped
from volunteers.models import Skill, Team


class DemandCategory(TimeStamped):
    """A kind of demand, with its deadline in working days and the skill it needs (to flag unmet demand)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=5)
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所需技能")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("需求类别")
        verbose_name_plural = _("需求类别")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class DemandQuerySet(models.QuerySet):
    def open(self) -> "DemandQuerySet":
        """未办结: received or assigned (Demand.OPEN_STATES)."""
        return self.filter(state__in=Demand.OPEN_STATES)


class Demand(TimeStamped):
    """A demand from the masses: received → assigned → done → called back. Overdue is derived."""

    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("服务热线")
        SUGGESTION_BOX = "suggestion_box", _("意见箱")
        CONTACT_CARD = "contact_card", _("民情联系卡")
        VISIT = "visit", _("走访")
        ONLINE = "online", _("网上提交")
        QUESTIONNAIRE = "questionnaire", _("问卷")

    class State(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ASSIGNED = "assigned", _("已交办")
        DONE = "done", _("已办结")
        CALLED_BACK = "called_back", _("已回访")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    OPEN_STATES = (State.RECEIVED, State.ASSIGNED)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="demands", verbose_name=_("承办党组织")
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        DemandCategory, on_delete=models.PROTECT, related_name="demands", verbose_name=_("类别")
    )
    content = models.TextField(_("需求内容"), max_length=2000)
    requester_name = models.CharField(_("反映人"), max_length=40, blank=True, help_text=_("可匿名"))
    requester_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    requester_address = models.CharField(_("地址"), max_length=120, blank=True)
    received_on = models.DateField(_("受理日期"))
    deadline = models.DateField(_("办理期限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.RECEIVED)
    assigned_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_demands",
        verbose_name=_("承办人"),
    )
    assigned_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_demands",
        verbose_name=_("承办队伍"),
    )
    result = models.TextField(_("办理结果"), blank=True, max_length=2000)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    callback_on = models.DateField(_("回访日期"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    callback_note = models.CharField(_("回访记录"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众需求")
        verbose_name_plural = _("群众需求")
        ordering = ["deadline", "pk"]
        indexes = [
            # the secretary's list: a scope's open demands by deadline (overdue first)
            models.Index(fields=["organisation", "state", "deadline"], name="demand_org_state_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.content[:20]}"

    def get_absolute_url(self) -> str:
        return reverse("services:demand_detail", args=[self.pk])


class Pledge(TimeStamped):
    """A yearly public pledge (承诺) by a member or an organisation, with measurable items and a year-end appraisal."""

    class Result(models.TextChoices):
        FULFILLED = "fulfilled", _("已践诺")
        PARTIAL = "partial", _("部分践诺")
        UNFULFILLED = "unfulfilled", _("未践诺")

    class Rating(models.TextChoices):
        GOOD = "good", _("好")
        FAIR = "fair", _("较好")
        GENERAL = "general", _("一般")
        POOR = "poor", _("差")

    year = models.PositiveSmallIntegerField(_("年度"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("党组织")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("承诺党员"),
        help_text=_("留空为党组织承诺"),
    )
    title = models.CharField(_("承诺标题"), max_length=120)
    leader_comment = models.CharField(_("党组织评价"), max_length=500, blank=True)
    mutual_rating = models.CharField(_("党员互评"), max_length=10, choices=Rating.choices, blank=True)
    mass_rating = models.CharField(_("群众评议"), max_length=10, choices=Rating.choices, blank=True)
    result = models.CharField(_("践诺结果"), max_length=20, choices=Result.choices, blank=True)
    appraised_on = models.DateField(_("评议日期"), null=True, blank=True)
    is_withdrawn = models.BooleanField(_("已撤回"), default=False)

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["-year", "organisation", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "person"],
                condition=models.Q(person__isnull=False, is_withdrawn=False),
                name="pledge_one_per_member_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.person or self.organisation} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("services:pledge_detail", args=[self.pk])


class PledgeItem(TimeStamped):
    """A concrete, measurable item: a target and its unit (e.g. 12 次, 20 户, 50 小时)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="items", verbose_name=_("承诺"))
    content = models.CharField(_("承诺事项"), max_length=200)
    target = models.DecimalField(_("目标"), max_digits=8, decimal_places=1)
    unit = models.CharField(_("单位"), max_length=10)

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["pledge", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(target__gt=0), name="pledge_item_positive_target")]

    def __str__(self) -> str:
        return self.content


class PledgeProgress(TimeStamped):
    item = models.ForeignKey(PledgeItem, on_delete=models.PROTECT, related_name="progress", verbose_name=_("承诺事项"))
    date = models.DateField(_("日期"))
    amount = models.DecimalField(_("完成量"), max_digits=8, decimal_places=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("践诺进展")
        verbose_name_plural = _("践诺进展")
        ordering = ["date", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="pledge_progress_positive")]


class Household(TimeStamped):
    """A household receiving pairing help. Name, address and phone are personal data (masked without the right)."""

    class Situation(models.TextChoices):
        SUBSISTENCE = "subsistence", _("低保")
        DISABILITY = "disability", _("残疾")
        LABOUR = "labour", _("缺劳力")
        ILLNESS = "illness", _("因病")
        DISASTER = "disaster", _("因灾")
        SCHOOLING = "schooling", _("因学")
        LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
        OLD_MEMBER = "old_member", _("困难老党员")
        OTHER = "other", _("其他")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="households", verbose_name=_("所在党组织")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="households", verbose_name=_("网格")
    )
    head_name = models.CharField(_("户主姓名"), max_length=40)
    address = models.CharField(_("住址"), max_length=160)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    situation = models.CharField(_("困难类型"), max_length=20, choices=Situation.choices)
    size = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    notes = models.CharField(_("情况说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("帮扶对象")
        verbose_name_plural = _("帮扶对象")
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return f"{self.get_situation_display()}户 #{self.pk}"


class Pairing(TimeStamped):
    """一帮一: a member helping a household, with a help plan and at least one visit a month."""

    helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("帮扶党员"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("帮扶对象")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("党组织")
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    help_plan = models.TextField(_("帮扶计划"), max_length=2000)
    content = models.CharField(_("帮扶内容"), max_length=200)

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["organisation", "-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "household"], condition=models.Q(ended_on__isnull=True), name="pairing_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper} ↔ {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("services:pairing_detail", args=[self.pk])


class PairingVisit(TimeStamped):
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="visits", verbose_name=_("结对"))
    date = models.DateField(_("走访日期"))
    notes = models.TextField(_("走访记录"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-date", "-pk"]
        indexes = [
            # months without a visit: a pairing's visits by date
            models.Index(fields=["pairing", "date"], name="visit_pairing_date_idx"),
        ]


def visit_photo_path(instance: "VisitPhoto", filename: str) -> str:
    """Unguessable names outside any public URL: photos are served only through a scoped view."""
    return f"private/visits/{uuid.uuid4().hex}.jpg"


class VisitPhoto(TimeStamped):
    visit = models.ForeignKey(PairingVisit, on_delete=models.PROTECT, related_name="photos", verbose_name=_("走访"))
    image = models.ImageField(_("照片"), upload_to=visit_photo_path)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")


class Post(TimeStamped):
    """党员先锋岗 / 党员责任区 / 示范岗: a member's public post, checked regularly."""

    class Kind(models.TextChoices):
        PIONEER = "pioneer", _("党员先锋岗")
        AREA = "area", _("党员责任区")
        MODEL = "model", _("示范岗")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="posts", verbose_name=_("党员"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="posts", verbose_name=_("党组织")
    )
    title = models.CharField(_("岗位名称"), max_length=80)
    duties = models.TextField(_("岗位职责"), max_length=1000)
    service_content = models.TextField(_("服务内容"), max_length=1000)
    contact = models.CharField(_("联系方式"), max_length=40)
    supervision_phone = models.CharField(_("监督电话"), max_length=20)
    last_checked_on = models.DateField(_("最近检查"), null=True, blank=True)
    check_note = models.CharField(_("检查情况"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("党员岗位")
        verbose_name_plural = _("党员岗位")
        ordering = ["organisation", "kind", "person__name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("services:post_detail", args=[self.pk])
