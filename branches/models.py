"""Party organisations, host units, grids, people, their dated steps, events and roles, mobile members."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from portal.lib.masking import mask_phone


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class RuleSettings(TimeStamped):
    """The organisation department's adjustable numbers for this app: one row, edited through an action."""

    mobile_report_interval_months = models.PositiveSmallIntegerField(_("流动党员汇报周期（月）"), default=2)
    mobile_report_grace_days = models.PositiveSmallIntegerField(_("汇报宽限（天）"), default=7)
    single_branch_min_full_members = models.PositiveSmallIntegerField(_("单独建支部最少正式党员数"), default=3)

    class Meta:
        verbose_name = _("组织工作参数")
        verbose_name_plural = _("组织工作参数")

    def __str__(self) -> str:
        return str(_("组织工作参数"))

    @classmethod
    def current(cls) -> "RuleSettings":
        """The single settings row; defaults when none was saved yet (reading never writes)."""
        return cls.objects.order_by("pk").first() or cls()


class Organisation(MP_Node, TimeStamped):
    """A party organisation. Subtree queries are one indexed prefix match on `path` (materialised path)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        JOINT_BRANCH = "joint_branch", _("联合党支部")
        PARTY_GROUP = "party_group", _("党小组")
        FUNCTIONAL_GROUP = "functional_group", _("功能党小组")
        TEMPORARY_GROUP = "temporary_group", _("临时党小组")

    BRANCH_KINDS = (Kind.BRANCH, Kind.JOINT_BRANCH)

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("组织编码"), max_length=40, unique=True, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_archived = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("branches:organisation_detail", args=[self.pk])

    @property
    def is_branch(self) -> bool:
        return self.kind in self.BRANCH_KINDS


class Grid(TimeStamped):
    """A territorial unit (street/town → community → grid) that a party organisation must serve."""

    class Level(models.TextChoices):
        STREET = "street", _("街道/乡镇")
        COMMUNITY = "community", _("社区/村")
        GRID = "grid", _("网格")

    name = models.CharField(_("名称"), max_length=120)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices, default=Level.GRID)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grids",
        verbose_name=_("服务党组织"),
    )

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HostUnit(TimeStamped):
    """A unit (enterprise, village, …) and how a party organisation covers it (组建方式)."""

    class Sector(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")
        SCHOOL = "school", _("学校")
        AGENCY = "agency", _("机关事业单位")
        SOCIAL_ORG = "social_org", _("社会组织")

    class Formation(models.TextChoices):
        SINGLE = "single", _("单独建")
        JOINT = "joint", _("联合建")
        ATTACHED = "attached", _("挂靠建")
        INSTRUCTOR = "instructor", _("委派党建指导员")
        NONE = "none", _("未覆盖")

    name = models.CharField(_("名称"), max_length=160, unique=True)
    sector = models.CharField(_("类型"), max_length=20, choices=Sector.choices)
    formation = models.CharField(_("组建方式"), max_length=20, choices=Formation.choices, default=Formation.NONE)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosts",
        verbose_name=_("所属/覆盖党组织"),
        help_text=_("单独建、联合建：本单位所在支部；挂靠建：主管单位党组织；委派指导员：派出指导员的党组织。"),
    )
    instructor = models.ForeignKey(
        "Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructed_hosts",
        verbose_name=_("党建指导员"),
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="hosts", verbose_name=_("网格")
    )
    staff_count = models.PositiveIntegerField(_("从业人员数"), default=0)
    has_trade_union = models.BooleanField(_("建有工会"), default=False)
    has_youth_league = models.BooleanField(_("建有共青团"), default=False)
    has_womens_federation = models.BooleanField(_("建有妇联"), default=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_covered(self) -> bool:
        return self.formation != self.Formation.NONE


class PoliticalStatus(models.TextChoices):
    """Ordered: a person moves forward through these steps. Non-members (群众) can still be volunteers."""

    MASSES = "masses", _("群众")
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    DEVELOPMENT_TARGET = "development_target", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


MEMBER_STATUSES = (PoliticalStatus.PROBATIONARY, PoliticalStatus.FULL)
# 双公示: development targets, probationary admission and confirmation are published before and after.
PUBLICITY_STATUSES = (PoliticalStatus.DEVELOPMENT_TARGET, PoliticalStatus.PROBATIONARY, PoliticalStatus.FULL)


class Person(TimeStamped):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("小学及以下")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中/中专")
        COLLEGE = "college", _("大专")
        BACHELOR = "bachelor", _("本科")
        POSTGRADUATE = "postgraduate", _("研究生")

    name = models.CharField(_("姓名"), max_length=60)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # The ID number itself is never stored: a masked form to show, a keyed hash to find duplicates.
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("所在党组织"),
    )
    host = models.ForeignKey(
        HostUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("工作单位")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("所在网格")
    )
    # The latest status step, kept by the status action so lists can filter without a subquery.
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    is_active_member = models.BooleanField(
        _("在册"), default=True, help_text=_("转出、去世、出党后不再在册；由组织关系事件维护。")
    )
    is_retired = models.BooleanField(_("已退休"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账号"),
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["organisation__path", "name", "pk"]
        indexes = [
            # people list: scope (organisation) filtered by political status, ordered by name
            models.Index(fields=["organisation", "political_status", "name"], name="person_org_status_idx"),
            # search by name
            models.Index(fields=["name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("branches:person_detail", args=[self.pk])

    @property
    def is_party_member(self) -> bool:
        return self.political_status in MEMBER_STATUSES

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class StatusStep(TimeStamped):
    """One dated step of a person's political status, with its 公示 notice where the rules ask for one."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="status_steps", verbose_name=_("人员"))
    status = models.CharField(_("政治面貌"), max_length=20, choices=PoliticalStatus.choices)
    date = models.DateField(_("日期"))
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("政治面貌变更")
        verbose_name_plural = _("政治面貌变更")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "status"], name="status_step_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(publicity_end__isnull=True)
                | models.Q(publicity_start__isnull=True)
                | models.Q(publicity_end__gte=models.F("publicity_start")),
                name="status_step_publicity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()} {self.date}"


class MembershipEvent(TimeStamped):
    """A dated change of membership. Headcounts at any date are computed from these, never typed."""

    class Kind(models.TextChoices):
        JOIN = "join", _("入党")
        TRANSFER_IN = "transfer_in", _("转入")
        TRANSFER_OUT = "transfer_out", _("转出")
        RETIRE = "retire", _("退休")
        DEATH = "death", _("去世")
        EXIT = "exit", _("出党/退党")

    # After these the person counts in the event's organisation; after the ending ones they count nowhere.
    STARTING = (Kind.JOIN, Kind.TRANSFER_IN)
    ENDING = (Kind.TRANSFER_OUT, Kind.DEATH, Kind.EXIT)

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events", verbose_name=_("人员"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="membership_events", verbose_name=_("党组织")
    )
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("组织关系事件")
        verbose_name_plural = _("组织关系事件")
        ordering = ["date", "pk"]
        indexes = [
            # headcount at a date: the latest event per person up to that date, within a subtree
            models.Index(fields=["person", "date"], name="event_person_date_idx"),
            models.Index(fields=["organisation", "date"], name="event_org_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.date}"


class Role(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")
    ORGANISER = "organiser", _("组织员")
    INSTRUCTOR = "instructor", _("党建指导员")
    COUNSELLOR = "counsellor", _("联络员")


# Roles whose holders manage the organisation's subtree (see branches.selectors.scope_for).
MANAGING_ROLES = (Role.SECRETARY, Role.DEPUTY, Role.COMMITTEE_MEMBER)


class RoleAssignment(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roles", verbose_name=_("人员"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="roles", verbose_name=_("党组织")
    )
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    liaison = models.CharField(_("联系工作"), max_length=80, blank=True, help_text=_("委员分工联系的工作队伍等"))
    start_date = models.DateField(_("任职日期"))
    end_date = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("职务任命")
        verbose_name_plural = _("职务任命")
        ordering = ["organisation__path", "role", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="role_dates_ordered",
            ),
        ]
        indexes = [
            # scope_for: a user's current roles
            models.Index(fields=["person", "end_date"], name="role_person_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_role_display()} {self.person}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date > on)


class MobileMember(TimeStamped):
    """A 流动党员's departure record; a report is due every N months and is overdue after a grace period."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mobile_records", verbose_name=_("党员"))
    destination = models.CharField(_("流入地"), max_length=120)
    leave_date = models.DateField(_("外出日期"))
    expected_return = models.DateField(_("预计返回"), null=True, blank=True)
    contact_address = models.CharField(_("联系地址"), max_length=200, blank=True)
    host_organisation = models.CharField(_("流入地党组织"), max_length=160, blank=True)
    certificate_number = models.CharField(_("流动党员活动证号"), max_length=40, blank=True)
    returned_on = models.DateField(_("返回日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        ordering = ["-leave_date", "pk"]
        constraints = [
            # one open departure per person at a time
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(returned_on__isnull=True), name="mobile_one_open_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.destination}"

    def get_absolute_url(self) -> str:
        return reverse("branches:mobile_detail", args=[self.pk])

    def next_due(self, last_report: datetime.date | None, rules: RuleSettings) -> datetime.date:
        return (last_report or self.leave_date) + relativedelta(months=rules.mobile_report_interval_months)

    def is_overdue(
        self, last_report: datetime.date | None, rules: RuleSettings, today: datetime.date | None = None
    ) -> bool:
        if self.returned_on is not None:
            return False
        today = today or timezone.localdate()
        return today > self.next_due(last_report, rules) + datetime.timedelta(days=rules.mobile_report_grace_days)


class MobileReport(TimeStamped):
    """A mobile member's report (书面/口头, logged by the secretary) or the branch's check with the host unit."""

    class Kind(models.TextChoices):
        WRITTEN = "written", _("书面汇报")
        ORAL = "oral", _("口头汇报")
        CHECK = "check", _("回访核实")

    REPORT_KINDS = (Kind.WRITTEN, Kind.ORAL)

    mobile_member = models.ForeignKey(
        MobileMember, on_delete=models.PROTECT, related_name="reports", verbose_name=_("流动党员")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("日期"))
    content = models.TextField(_("内容"), max_length=2000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("流动党员汇报")
        verbose_name_plural = _("流动党员汇报")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.mobile_member} {self.get_kind_display()} {self.date}"


class CalendarDay(TimeStamped):
    """A public holiday or a make-up workday (调休上班): working-day deadlines skip the first and count the second.
    Kept by 组织部 each year when the State Council publishes the holiday arrangement."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
