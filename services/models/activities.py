"""Service activities, participation and hours.

Activity lifecycle: draft → published (members sign up) → ended (attendance and hours) → closed (counted);
cancelled from draft or published. 进行中 is derived (published and between start and end), never stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, Person, TimeStamped
from volunteers.models import Team


class ActivityCategory(TimeStamped):
    """便民服务, 义诊, 法律咨询 …: the list is data (defaults in a data migration)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动类别")
        verbose_name_plural = _("活动类别")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(models.QuerySet):
    def held(self) -> "ActivityQuerySet":
        """已开展: the activities that took place (Activity.HELD_STATES); the dashboards, the yearly report and the
        branch assessment count these, and the activity list offers them as one filter choice."""
        return self.filter(state__in=Activity.HELD_STATES)


class Activity(TimeStamped):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        ENDED = "ended", _("已结束")
        CLOSED = "closed", _("已关闭")
        CANCELLED = "cancelled", _("已取消")

    # 已开展: ended, or closed and counted (a published one may still be running; a cancelled one never took place).
    HELD_STATES = (State.ENDED, State.CLOSED)

    title = models.CharField(_("活动名称"), max_length=120)
    # The organiser organisation; with a team, the team's organisation. Scope follows it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activities", verbose_name=_("组织单位")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("服务队")
    )
    category = models.ForeignKey(
        ActivityCategory, on_delete=models.PROTECT, related_name="activities", verbose_name=_("类别")
    )
    target_group = models.CharField(_("服务对象"), max_length=80, blank=True)
    place = models.CharField(_("地点"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("留空为不限"))
    description = models.TextField(_("活动内容"), blank=True, max_length=5000)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    # Figures entered at close (服务成效).
    served_people = models.PositiveIntegerField(_("服务群众（人次）"), null=True, blank=True)
    served_households = models.PositiveIntegerField(_("服务户数（户次）"), null=True, blank=True)
    money_raised = models.DecimalField(_("筹集资金（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    money_lent = models.DecimalField(_("借出资金（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    money_donated = models.DecimalField(_("捐赠资金（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    goods = models.CharField(_("物资"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Set when the activity came from an imported register: re-importing the same row finds it again.
    import_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务活动")
        verbose_name_plural = _("服务活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]
        indexes = [
            # activity lists: within a scope (organisation), newest first, filtered by state/category
            models.Index(fields=["organisation", "starts_at"], name="activity_org_start_idx"),
            # the month view and the date-range filter across a whole scope
            models.Index(fields=["starts_at"], name="activity_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:activity_detail", args=[self.pk])

    @property
    def duration_hours(self):
        from decimal import ROUND_HALF_UP, Decimal

        seconds = Decimal((self.ends_at - self.starts_at).total_seconds())
        return (seconds / 3600).quantize(Decimal("0.5"), rounding=ROUND_HALF_UP)

    @property
    def is_running(self) -> bool:
        return self.state == self.State.PUBLISHED and self.starts_at <= timezone.now() < self.ends_at

    @property
    def display_state(self) -> str:
        return str(_("进行中")) if self.is_running else self.get_state_display()


class ParticipationQuerySet(models.QuerySet):
    @staticmethod
    def attended_q(prefix: str = "") -> Q:
        """Attended participations (人次 counts these), as a condition for a query that reaches participations
        through `prefix` (e.g. "participations__" from activities)."""
        return Q(**{f"{prefix}state": Participation.State.ATTENDED})

    def attended(self) -> "ParticipationQuerySet":
        return self.filter(self.attended_q())

    def of_held_activities(self) -> "ParticipationQuerySet":
        """Participations in activities that took place (Activity.HELD_STATES)."""
        return self.filter(activity__state__in=Activity.HELD_STATES)


class Participation(TimeStamped):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("组织者")
        VOLUNTEER = "volunteer", _("志愿者")

    class State(models.TextChoices):
        SIGNED_UP = "signed_up", _("已报名")
        WITHDRAWN = "withdrawn", _("已取消报名")
        ATTENDED = "attended", _("已参加")
        NO_SHOW = "no_show", _("缺席")

    TAKING_A_PLACE = (State.SIGNED_UP, State.ATTENDED, State.NO_SHOW)

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="participations", verbose_name=_("活动")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations", verbose_name=_("人员"))
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.VOLUNTEER)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SIGNED_UP)
    walk_in = models.BooleanField(_("现场加入"), default=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("参与记录")
        verbose_name_plural = _("参与记录")
        ordering = ["activity", "person__name"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="participation_once")]
        indexes = [
            # "my activities" and per-person hours: a person's participations by state
            models.Index(fields=["person", "state"], name="participation_person_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.person}"


class HoursEntryQuerySet(models.QuerySet):
    @staticmethod
    def approved_q(prefix: str = "") -> Q:
        """Approved entries (pending ones count for nothing until they are), as a condition for a query that
        reaches entries through `prefix` (e.g. "hours_entries__" from participations)."""
        return Q(**{f"{prefix}state": HoursEntry.State.APPROVED})

    def approved(self) -> "HoursEntryQuerySet":
        return self.filter(self.approved_q())

    def counted(self) -> "HoursEntryQuerySet":
        """The hours that count: approved entries of attended participations — a person's and a team's hours, the
        star levels, the exports and the yearly report add up these."""
        return self.approved().filter(ParticipationQuerySet.attended_q("participation__"))


class HoursEntry(TimeStamped):
    """Service hours for one participation. A pending entry may still be changed; an approved one never is: a
    correction is a new entry (positive or negative) approved in its turn. Hours = the sum of approved entries.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已审核")

    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="hours_entries", verbose_name=_("参与记录")
    )
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("更正")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = HoursEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务时长")
        verbose_name_plural = _("服务时长")
        ordering = ["participation", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(hours=0), name="hours_entry_not_zero"),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=False) | models.Q(hours__gt=0),
                name="hours_entry_positive_unless_correction",
            ),
            # at most one original (non-correction) entry per participation; corrections add to it
            models.UniqueConstraint(
                fields=["participation"], condition=models.Q(corrects__isnull=True), name="hours_entry_one_original"
            ),
        ]
        indexes = [
            # approval queue: pending entries of a scope
            models.Index(fields=["state", "created_at"], name="hours_state_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participation} {self.hours} h"
