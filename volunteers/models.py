"""Volunteer teams (大队 → 分队 → 小组), dated memberships, skills, star thresholds and the yearly team review.

Hours themselves are recorded per participation in `services`; this app holds what does not depend on
activities, and takes hour totals as input where it needs them (the review, the star level).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from branches.models import Organisation, Person, TimeStamped


class Skill(TimeStamped):
    """A skill that matches people to work (家电维修, 测血压, 法律咨询 …). The list is data."""

    name = models.CharField(_("技能"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonSkill(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="skills", verbose_name=_("人员"))
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="holders", verbose_name=_("技能"))

    class Meta:
        verbose_name = _("人员技能")
        verbose_name_plural = _("人员技能")
        constraints = [models.UniqueConstraint(fields=["person", "skill"], name="person_skill_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.skill}"


class Team(MP_Node, TimeStamped):
    """A volunteer team owned by a party organisation; its scope is its organisation's."""

    class Level(models.TextChoices):
        BRIGADE = "brigade", _("大队")
        SQUAD = "squad", _("分队")
        GROUP = "group", _("小组")

    name = models.CharField(_("名称"), max_length=120)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="teams", verbose_name=_("所属党组织")
    )
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    is_archived = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:team_detail", args=[self.pk])


class TeamMembershipQuerySet(models.QuerySet):
    def current(self) -> "TeamMembershipQuerySet":
        """Pending or active (TeamMembership.CURRENT_STATES): at most one per person and team; the rest is history."""
        return self.filter(state__in=TeamMembership.CURRENT_STATES)


class TeamMembership(TimeStamped):
    """A person's dated membership of a team. Pending = applied, waiting for the yearly review or the leader."""

    class State(models.TextChoices):
        PENDING = "pending", _("申请中")
        ACTIVE = "active", _("在队")
        LEFT = "left", _("已离队")
        REJECTED = "rejected", _("未通过")

    class Role(models.TextChoices):
        LEADER = "leader", _("队长")
        DEPUTY = "deputy", _("副队长")
        MEMBER = "member", _("队员")

    class LeaveReason(models.TextChoices):
        TRANSFERRED = "transferred", _("组织关系转出")
        RETIRED = "retired", _("退休")
        LEFT_ORGANISATION = "left_organisation", _("离开本单位/支部")
        INACTIVE = "inactive", _("长期未参加服务")
        OWN_REQUEST = "own_request", _("本人申请")

    # 当前: applied or in the team (the constraint membership_one_current allows one such row per person and team)
    CURRENT_STATES = (State.PENDING, State.ACTIVE)

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("服务队"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="team_memberships", verbose_name=_("人员")
    )
    role = models.CharField(_("队内职务"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    joined_on = models.DateField(_("入队日期"), null=True, blank=True)
    left_on = models.DateField(_("离队日期"), null=True, blank=True)
    leave_reason = models.CharField(_("离队原因"), max_length=20, choices=LeaveReason.choices, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "-role", "person__name"]
        constraints = [
            # one current (pending or active) membership per person and team; history rows stay
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=models.Q(state__in=["pending", "active"]),
                name="membership_one_current",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="active") | models.Q(joined_on__isnull=False),
                name="membership_active_has_joined_on",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="left") | (models.Q(left_on__isnull=False) & ~models.Q(leave_reason="")),
                name="membership_left_has_date_and_reason",
            ),
        ]
        indexes = [
            # "my teams" and the review: a person's current memberships
            models.Index(fields=["person", "state"], name="membership_person_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.person}"


class StarLevel(TimeStamped):
    """星级志愿者 thresholds by cumulative approved hours: data, edited by 组织部 (default 100/300/600/1000/1500)."""

    stars = models.PositiveSmallIntegerField(_("星级"), unique=True)
    min_hours = models.DecimalField(_("累计服务时长（小时）"), max_digits=8, decimal_places=1)

    class Meta:
        verbose_name = _("星级标准")
        verbose_name_plural = _("星级标准")
        ordering = ["stars"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="star_level_1_to_5"),
            models.CheckConstraint(condition=models.Q(min_hours__gt=0), name="star_level_positive_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ ≥ {self.min_hours} h"


class ReviewProposal(TimeStamped):
    """One proposal of the yearly team review (队伍梳理): remove a member or admit an applicant.

    Made by the system, confirmed or rejected by the team leader; never deleted (the history of 吐故纳新).
    """

    class Kind(models.TextChoices):
        REMOVE = "remove", _("建议离队")
        ADMIT = "admit", _("建议吸收")

    class Reason(models.TextChoices):
        RETIRED = "retired", _("已退休")
        TRANSFERRED = "transferred", _("组织关系已转出")
        LEFT_BRANCH = "left_branch", _("已不在本支部")
        NO_HOURS = "no_hours", _("12 个月无服务时长")
        APPLICANT = "applicant", _("入队申请待审")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("不采纳")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="review_proposals", verbose_name=_("服务队"))
    year = models.PositiveSmallIntegerField(_("年度"))
    membership = models.ForeignKey(
        TeamMembership, on_delete=models.PROTECT, related_name="review_proposals", verbose_name=_("队员")
    )
    kind = models.CharField(_("建议"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("理由"), max_length=20, choices=Reason.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("队伍梳理建议")
        verbose_name_plural = _("队伍梳理建议")
        ordering = ["team", "state", "kind"]
        constraints = [
            # the review job may run any number of times: one proposal per membership and year
            models.UniqueConstraint(fields=["year", "membership"], name="review_once_per_membership_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.team} {self.get_kind_display()} {self.membership.person}"
