"""Reads for organisational life: scoped meeting lists, the expected attendees, 我的组织生活 and the cadence table.

Access: those who manage an organisation read and write its subtree's meetings; a member who manages nothing sees
only the meetings they were expected at (read only); anything else does not exist (404).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from branches.models import MANAGING_ROLES, MEMBER_STATUSES, Organisation, Person, RoleAssignment
from branches.selectors import check_write, scope_for
from meetings.models import Meeting, MeetingAttachment, MeetingAttendance
from portal.models import User

# The kinds only the committee attends; every other kind is for all the organisation's members.
COMMITTEE_KINDS = (Meeting.Kind.COMMITTEE,)
# The kinds whose validity depends on how many attend (DOMAIN §9): more than half of the voting members / committee.
QUORUM_KINDS = (Meeting.Kind.GENERAL, Meeting.Kind.COMMITTEE)
HELD_STATES = (Meeting.State.HELD, Meeting.State.ARCHIVED)


# Who is expected ---------------------------------------------------------------------------------------------


def expected_people(*, organisation: Organisation, kind: str, on: datetime.date | None = None) -> QuerySet[Person]:
    """Who is expected at a meeting of `kind` held by `organisation`.

    支部委员会: the organisation's current committee (书记, 副书记, 委员). Every other kind: the party members
    (正式 and 预备) on the roll in the organisation's subtree. Party groups are organisations of their own
    (Organisation.Kind.PARTY_GROUP, below a branch), so a 党小组会 held by a group expects the group's members and
    one held by the branch itself expects all of the branch's members."""
    on = on or timezone.localdate()
    if kind in COMMITTEE_KINDS:
        committee = (
            RoleAssignment.objects.filter(organisation=organisation, role__in=MANAGING_ROLES, start_date__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
            .values("person_id")
        )
        people = Person.objects.filter(pk__in=committee, is_active_member=True)
    else:
        people = Person.objects.filter(
            organisation__path__startswith=organisation.path,
            is_active_member=True,
            political_status__in=MEMBER_STATUSES,
        )
    return people.order_by("name", "pk")


# Meetings ----------------------------------------------------------------------------------------------------


def _visible_q(user: User) -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    managed = list(Organisation.objects.filter(scope.organisation_q()).values_list("pk", flat=True))
    visible = Q(organisation_id__in=managed)
    if scope.person_id:
        mine = MeetingAttendance.objects.filter(person_id=scope.person_id).values("meeting_id")
        visible |= Q(pk__in=mine)
    return visible


def _attendance_count(**filters) -> Coalesce:
    """A count per meeting as a correlated subquery: counted for the page's rows only."""
    counted = (
        MeetingAttendance.objects.filter(meeting=OuterRef("pk"), **filters)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def meeting_list_for_user(*, user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(_visible_q(user))
        .select_related("organisation", "host", "recorder", "lecturer")
        .annotate(
            expected_count=_attendance_count(),
            present_count=_attendance_count(status=MeetingAttendance.Status.PRESENT),
        )
        .order_by("-starts_at", "-pk")
    )


def meeting_can_write(*, user: User, meeting: Meeting) -> bool:
    return scope_for(user).covers_path(meeting.organisation.path)


def meeting_get_for_user(*, user: User, pk: int, write: bool = False) -> Meeting:
    meeting = meeting_list_for_user(user=user).select_related("activity").filter(pk=pk).first()
    if meeting is None:
        raise Http404("会议不存在。")
    if write:
        check_write(user, meeting_can_write(user=user, meeting=meeting))
    return meeting


def meeting_scope_check(*, user: User) -> None:
    """Planning meetings is for those who manage an organisation: for anyone else the page does not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def meeting_attendances(*, meeting: Meeting) -> QuerySet[MeetingAttendance]:
    return meeting.attendances.select_related("person", "person__organisation").order_by("person__name", "pk")


def meeting_attachments(*, meeting: Meeting) -> QuerySet[MeetingAttachment]:
    return meeting.attachments.order_by("pk")


def attachment_get_for_user(*, user: User, pk: int) -> MeetingAttachment:
    """An attachment exists for a user only if its meeting does (404 otherwise)."""
    attachment = MeetingAttachment.objects.filter(pk=pk, meeting__in=Meeting.objects.filter(_visible_q(user))).first()
    if attachment is None:
        raise Http404("附件不存在。")
    return attachment


def my_attendances(*, user: User) -> QuerySet[MeetingAttendance]:
    """我的组织生活: the meetings the user's person was expected at, newest first."""
    person_id = scope_for(user).person_id
    if not person_id:
        return MeetingAttendance.objects.none()
    return (
        MeetingAttendance.objects.filter(person_id=person_id)
        .select_related("meeting", "meeting__organisation")
        .order_by("-meeting__starts_at", "-pk")
    )


def my_attendance_for(*, user: User, meeting: Meeting) -> MeetingAttendance | None:
    person_id = scope_for(user).person_id
    if not person_id:
        return None
    return meeting.attendances.filter(person_id=person_id).first()


def meeting_attendance_for_points(*, first: datetime.date, last: datetime.date) -> list[tuple]:
    """(attendance id, person id, status, local date) of the held or archived meetings between `first` and `last`
    (local dates): what 党员积分 pays and deducts for (evaluations reads this; meetings knows nothing of points)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = MeetingAttendance.objects.filter(
        meeting__state__in=HELD_STATES, meeting__starts_at__gte=start, meeting__starts_at__lt=end
    ).values_list("pk", "person_id", "status", "meeting__starts_at")
    return [(pk, person_id, status, timezone.localtime(at).date()) for pk, person_id, status, at in rows]


# Cadence (按期) ------------------------------------------------------------------------------------------------

MONTH, QUARTER, YEAR = "month", "quarter", "year"
# DOMAIN §9: how often each kind is due. 民主评议 goes with the yearly 组织生活会 and has no cadence of its own.
CADENCE = {
    Meeting.Kind.GENERAL: QUARTER,
    Meeting.Kind.COMMITTEE: MONTH,
    Meeting.Kind.GROUP: MONTH,
    Meeting.Kind.LECTURE: QUARTER,
    Meeting.Kind.THEME_DAY: MONTH,
    Meeting.Kind.LIFE: YEAR,
}
ON_TIME, MISSED, DUE, FUTURE = "on_time", "missed", "due", "future"
CADENCE_LABELS = {ON_TIME: "按期", MISSED: "未按期", DUE: "待开", FUTURE: "—"}


@dataclass(frozen=True)
class CadencePeriod:
    label: str
    first: datetime.date
    last: datetime.date
    held: int
    status: str

    @property
    def status_label(self) -> str:
        return CADENCE_LABELS[self.status]


@dataclass(frozen=True)
class CadenceRow:
    kind: str
    label: str
    periods: list[CadencePeriod]

    @property
    def on_time(self) -> int:
        return sum(1 for period in self.periods if period.status == ON_TIME)

    @property
    def due(self) -> int:
        """应开: the periods that have begun."""
        return sum(1 for period in self.periods if period.status != FUTURE)


def _periods(year: int, cadence: str) -> list[tuple[str, datetime.date, datetime.date]]:
    def month_end(month: int) -> datetime.date:
        return (datetime.date(year, month, 28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(1)

    if cadence == MONTH:
        return [(f"{m}月", datetime.date(year, m, 1), month_end(m)) for m in range(1, 13)]
    if cadence == QUARTER:
        return [(f"{q}季度", datetime.date(year, 3 * q - 2, 1), month_end(3 * q)) for q in range(1, 5)]
    return [(f"{year}年", datetime.date(year, 1, 1), datetime.date(year, 12, 31))]


def meeting_cadence(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> list[CadenceRow]:
    """Per kind and period of `year`: held in that period (按期), a past period without one (未按期), the current
    period still without one (待开), or a period not yet begun. Counts the organisation's own held or archived
    meetings — and for 党小组会 those of its party groups too (a branch's groups meet, not the branch). One query."""
    today = today or timezone.localdate()
    held_days: dict[str, list[datetime.date]] = {}
    own = Q(organisation=organisation) | Q(kind=Meeting.Kind.GROUP, organisation__path__startswith=organisation.path)
    rows = Meeting.objects.filter(own, state__in=HELD_STATES, starts_at__year=year, kind__in=list(CADENCE)).values_list(
        "kind", "starts_at"
    )
    for kind, starts_at in rows:
        held_days.setdefault(kind, []).append(timezone.localtime(starts_at).date())
    result = []
    for kind, cadence in CADENCE.items():
        days = held_days.get(kind, [])
        periods = []
        for label, first, last in _periods(year, cadence):
            held = sum(1 for day in days if first <= day <= last)
            if held:
                status = ON_TIME
            elif last < today:
                status = MISSED
            elif first <= today:
                status = DUE
            else:
                status = FUTURE
            periods.append(CadencePeriod(label=label, first=first, last=last, held=held, status=status))
        result.append(CadenceRow(kind=kind, label=str(Meeting.Kind(kind).label), periods=periods))
    return result
