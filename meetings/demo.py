"""The demo district's year of organisational life (`manage.py seed_demo`, after the services demo): for a few
branches and one party group, this year's 支委会, 主题党日 (one of them also a service activity), 党员大会, 党课 and
组织生活会 up to today — older ones archived, recent ones held, later ones planned — with a few periods missed on
purpose so that the cadence table shows 未按期. Everything goes through meetings.actions; seeded, so every run
builds the same."""

import datetime
import random

from django.utils import timezone

from branches.demo.data import BRANCH_A, MEMBER_PHONE, code_for
from branches.models import Organisation
from meetings import actions
from meetings.models import Meeting, MeetingAttendance
from meetings.selectors import expected_people
from portal.models import User
from services.models import Activity

SEED = 20261208
# organisation key → (kind, period number) pairs left out on purpose: those periods show 未按期.
BRANCHES = {
    BRANCH_A: {(Meeting.Kind.COMMITTEE, 4)},
    "b": {(Meeting.Kind.THEME_DAY, 3), (Meeting.Kind.LECTURE, 2)},
    "donghu2": set(),
    "retired": {(Meeting.Kind.COMMITTEE, 7), (Meeting.Kind.COMMITTEE, 8), (Meeting.Kind.GENERAL, 2)},
    "liulin": {(Meeting.Kind.THEME_DAY, 6)},
}
GROUPS = ["a_clinic"]  # a party group's monthly 党小组会 (one whose members are on the roll)
TOPICS = {
    Meeting.Kind.COMMITTEE: ["研究本月工作安排", "讨论发展党员工作", "研究为民服务项目", "分析党员思想状况"],
    Meeting.Kind.THEME_DAY: ["重温入党誓词", "走进社区开展志愿服务", "学习党章党规", "参观红色教育基地"],
    Meeting.Kind.GENERAL: ["通报支部工作", "讨论接收预备党员", "学习上级会议精神", "民主议事"],
    Meeting.Kind.LECTURE: ["书记讲党课：践行初心使命", "学习党的创新理论", "弘扬优良作风", "做新时代合格党员"],
    Meeting.Kind.LIFE: ["年度组织生活会暨民主评议党员"],
    Meeting.Kind.GROUP: ["学习交流", "网格走访情况交流", "党员责任区情况通报"],
}
LEAVE_REASONS = ["外出务工", "身体不适", "出差", "照顾家人", "单位值班"]
ARCHIVE_AFTER_DAYS = 30


def meetings_demo_exists() -> bool:
    return Meeting.objects.filter(organisation__code=code_for(BRANCH_A)).exists()


def meetings_demo_ensure(*, actor: User, today: datetime.date | None = None) -> None:
    """Builds the demo meetings once (inside seed_demo's transaction); nothing when they are there already."""
    if meetings_demo_exists():
        return
    _Builder(actor, today or timezone.localdate()).build()


def meetings_demo_summary() -> list[str]:
    counts = {state: Meeting.objects.filter(state=state).count() for state in Meeting.State.values}
    rows = MeetingAttendance.objects.count()
    return [
        f"组织生活：会议 {sum(counts.values())} 次（已归档 {counts['archived']}、已召开 {counts['held']}、"
        f"计划召开 {counts['planned']}），出勤记录 {rows} 条"
    ]


class _Builder:
    def __init__(self, actor: User, today: datetime.date) -> None:
        self.actor = actor
        self.today = today
        self.now = timezone.now()
        self.rng = random.Random(SEED)
        codes = [code_for(key) for key in [*BRANCHES, *GROUPS]]
        self.orgs = {org.code: org for org in Organisation.objects.filter(code__in=codes)}

    def build(self) -> None:
        year = self.today.year
        for key, skipped in BRANCHES.items():
            organisation = self.orgs.get(code_for(key))
            if organisation is None:
                continue
            committee = expected_people(organisation=organisation, kind=Meeting.Kind.COMMITTEE).first()
            theme_activities = self._activities(organisation) if key == BRANCH_A else {}
            for month in range(1, 13):
                if committee is not None and (Meeting.Kind.COMMITTEE, month) not in skipped:
                    self._meeting(organisation, Meeting.Kind.COMMITTEE, self._at(year, month, 5, 19))
                if (Meeting.Kind.THEME_DAY, month) not in skipped:
                    activity = theme_activities.get(month)
                    when = activity.starts_at if activity else self._at(year, month, 15, 9)
                    self._meeting(organisation, Meeting.Kind.THEME_DAY, when, activity=activity)
            for quarter in range(1, 5):
                month = 3 * quarter - 1
                if (Meeting.Kind.GENERAL, quarter) not in skipped:
                    self._meeting(organisation, Meeting.Kind.GENERAL, self._at(year, month, 20, 19))
                if (Meeting.Kind.LECTURE, quarter) not in skipped:
                    lecturer = (
                        committee or expected_people(organisation=organisation, kind=Meeting.Kind.LECTURE).first()
                    )
                    self._meeting(organisation, Meeting.Kind.LECTURE, self._at(year, month, 25, 15), lecturer=lecturer)
            self._meeting(organisation, Meeting.Kind.LIFE, self._at(year, 12, 18, 14))
        for key in GROUPS:
            group = self.orgs.get(code_for(key))
            if group is not None and expected_people(organisation=group, kind=Meeting.Kind.GROUP).exists():
                for month in range(1, 13):
                    self._meeting(group, Meeting.Kind.GROUP, self._at(year, month, 10, 19))

    def _at(self, year: int, month: int, day: int, hour: int) -> datetime.datetime:
        naive = datetime.datetime(year, month, day + self.rng.randint(0, 3), hour, self.rng.choice([0, 30]))
        return timezone.make_aware(naive)

    def _activities(self, organisation: Organisation) -> dict[int, Activity]:
        """A 主题党日 per month that is also a service activity of the branch (the first of that month)."""
        found: dict[int, Activity] = {}
        for activity in Activity.objects.filter(
            organisation=organisation,
            starts_at__year=self.today.year,
            state__in=[Activity.State.ENDED, Activity.State.CLOSED],
        ).order_by("starts_at"):
            month = timezone.localtime(activity.starts_at).month
            if month % 4 == 1:  # every fourth month: the others stay plain 主题党日
                found.setdefault(month, activity)
        return found

    def _meeting(self, organisation: Organisation, kind: str, starts_at: datetime.datetime, **fields) -> Meeting | None:
        if starts_at.year != self.today.year:
            return None
        people = list(expected_people(organisation=organisation, kind=kind)[:2])
        meeting = actions.meeting_plan(
            actor=None,
            organisation=organisation,
            kind=kind,
            topic=self.rng.choice(TOPICS[kind]),
            starts_at=starts_at,
            place="党群服务中心会议室" if kind != Meeting.Kind.THEME_DAY else "党群服务中心",
            host=people[0] if people else None,
            recorder=people[-1] if people else None,
            **fields,
        )
        if starts_at > self.now:
            self._leave_requests(meeting)
            return meeting
        self._attendance(meeting)
        meeting = actions.meeting_hold(
            actor=None,
            meeting=meeting,
            minutes=f"会议围绕“{meeting.topic}”进行了学习和讨论，与会党员逐一发言，形成一致意见。",
            decisions="按会议要求抓好落实，下次会议通报进展。"
            if kind in (Meeting.Kind.COMMITTEE, Meeting.Kind.GENERAL)
            else "",
        )
        if (self.now - starts_at).days > ARCHIVE_AFTER_DAYS:
            actions.meeting_archive(actor=None, meeting=meeting)
        return meeting

    def _attendance(self, meeting: Meeting) -> None:
        marks = []
        for person_id in meeting.attendances.values_list("person_id", flat=True):
            roll = self.rng.random()
            if roll < 0.84:
                marks.append(actions.AttendanceMark(person_id, MeetingAttendance.Status.PRESENT))
            elif roll < 0.95:
                reason = self.rng.choice(LEAVE_REASONS)
                marks.append(actions.AttendanceMark(person_id, MeetingAttendance.Status.LEAVE, leave_reason=reason))
            else:
                marks.append(actions.AttendanceMark(person_id, MeetingAttendance.Status.ABSENT))
        actions.attendance_record(actor=None, meeting=meeting, marks=marks)

    def _leave_requests(self, meeting: Meeting) -> None:
        """A planned meeting of branch A: the demo member has asked for leave, waiting for the secretary."""
        if meeting.organisation.code != code_for(BRANCH_A):
            return
        row = meeting.attendances.select_related("person__user").filter(person__phone=MEMBER_PHONE).first()
        if row is not None and row.person.user is not None and row.person.user.is_active:
            actions.leave_request(actor=row.person.user, meeting=meeting, reason=self.rng.choice(LEAVE_REASONS))


__all__ = ["meetings_demo_ensure", "meetings_demo_exists", "meetings_demo_summary"]
