"""Organisational life (组织生活): 三会一课, 主题党日, 组织生活会, 民主评议 — meetings, attendance, attachments, notes.

Meeting lifecycle: planned → held → archived. An archived meeting is never edited: a correction is a MeetingNote.
Expected attendees are snapshotted as attendance rows (status 未登记) when the meeting is planned, and brought up
to date while it is planned or held (meetings.actions.expected_sync); a member's 我的组织生活 reads those rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, Person, TimeStamped
from services.models import Activity


class Meeting(TimeStamped):
    class Kind(models.TextChoices):
        GENERAL = "general", _("支部党员大会")
        COMMITTEE = "committee", _("支部委员会")
        GROUP = "group", _("党小组会")
        LECTURE = "lecture", _("党课")
        THEME_DAY = "theme_day", _("主题党日")
        LIFE = "life", _("组织生活会")
        REVIEW = "review", _("民主评议")

    class State(models.TextChoices):
        PLANNED = "planned", _("计划召开")
        HELD = "held", _("已召开")
        ARCHIVED = "archived", _("已归档")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("党组织")
    )
    kind = models.CharField(_("会议类型"), max_length=12, choices=Kind.choices)
    topic = models.CharField(_("会议主题"), max_length=120)
    starts_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=120)
    host = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("主持人")
    )
    recorder = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )
    lecturer = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("授课人")
    )
    minutes = models.TextField(_("会议纪要"), max_length=10000, blank=True)
    decisions = models.TextField(_("决定事项"), max_length=5000, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PLANNED)
    # 法定人数 for 支部党员大会 and 支委会, worked out from the attendance whenever it changes; None for other kinds.
    quorum_met = models.BooleanField(_("达到法定人数"), null=True, blank=True)
    # A 主题党日 that is also a service activity: one record counted in both places, never two.
    activity = models.OneToOneField(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting",
        verbose_name=_("关联服务活动"),
    )
    # 民主评议: the evaluations app's review round, by plain id (meetings sits below evaluations and cannot import it).
    review_round_id = models.PositiveIntegerField(_("评议轮次编号"), null=True, blank=True)
    held_at = models.DateTimeField(_("登记召开时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            # the meeting list and the cadence table: an organisation's meetings by time, filtered by kind/state
            models.Index(fields=["organisation", "starts_at"], name="meeting_org_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.state == self.State.ARCHIVED


class MeetingAttendance(TimeStamped):
    class Status(models.TextChoices):
        UNMARKED = "unmarked", _("未登记")
        PRESENT = "present", _("出席")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺席")

    class LeaveDecision(models.TextChoices):
        NONE = "", _("—")
        PENDING = "pending", _("待批准")
        APPROVED = "approved", _("已批准")
        DECLINED = "declined", _("未批准")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("会议"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="meeting_attendances", verbose_name=_("党员")
    )
    status = models.CharField(_("出勤"), max_length=10, choices=Status.choices, default=Status.UNMARKED)
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    leave_decision = models.CharField(
        _("请假审批"), max_length=10, choices=LeaveDecision.choices, default=LeaveDecision.NONE, blank=True
    )
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    leave_decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("会议出勤")
        verbose_name_plural = _("会议出勤")
        ordering = ["meeting", "person__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meeting_attendance_once")]
        indexes = [
            # 我的组织生活: a person's meetings
            models.Index(fields=["person", "meeting"], name="meeting_att_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.person}"


class MeetingNote(TimeStamped):
    """A correction or addition to a meeting (an archived meeting takes no other change)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notes", verbose_name=_("会议"))
    text = models.TextField(_("更正说明"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("会议更正")
        verbose_name_plural = _("会议更正")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.created_at:%Y-%m-%d}"


def attachment_path(instance: "MeetingAttachment", filename: str) -> str:
    """Unguessable names outside any public URL: attachments are served only through a scoped view."""
    extension = "jpg" if instance.kind == MeetingAttachment.Kind.PHOTO else "pdf"
    return f"private/meetings/{uuid.uuid4().hex}.{extension}"


class MeetingAttachment(TimeStamped):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文件")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("会议"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("原文件名"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
