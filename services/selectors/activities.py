"""Activities, participation and hours: reads, shaped and scoped."""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from branches.models import Organisation, Person, PoliticalStatus
from branches.selectors import check_write, scope_for
from portal.models import User
from services.models import Activity, HoursEntry, Participation
from volunteers.models import Team, TeamMembership
from volunteers.selectors import led_team_ids, star_levels, star_standing, team_headcount_by_status, team_members

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=8, decimal_places=1))
# The checker's thresholds (DOMAIN §3: only actual service time counts; these catch typing mistakes and padding).
MAX_HOURS_PER_DAY = Decimal(12)
LATE_ENTRY_DAYS = 30


def sign_up_open_q(now: datetime.datetime) -> Q:
    """Activities one may still sign up for: published and not yet over (participation_sign_up refuses the rest)."""
    return Q(state=Activity.State.PUBLISHED, ends_at__gt=now)


def approved_hours_sum(prefix: str = "") -> Coalesce:
    return Coalesce(
        Sum(f"{prefix}hours_entries__hours", filter=HoursEntry.objects.approved_q(f"{prefix}hours_entries__")), ZERO
    )


def pending_hours_sum(prefix: str = "") -> Coalesce:
    """Hours recorded but not yet approved (they count for nothing until they are)."""
    return Coalesce(
        Sum(f"{prefix}hours_entries__hours", filter=Q(**{f"{prefix}hours_entries__state": HoursEntry.State.PENDING})),
        ZERO,
    )


# Activities -------------------------------------------------------------------------------------------------


def _member_visible_q(user: User) -> Q:
    """What a member who manages nothing sees: published-or-later activities of their organisation, its
    ancestors (a committee's activity is open to everyone beneath it) and their teams, plus their own."""
    scope = scope_for(user)
    if not scope.person_id:
        return Q(pk__in=[])
    person = Person.objects.select_related("organisation").get(pk=scope.person_id)
    ancestors = [
        person.organisation.path[:end]
        for end in range(Organisation.steplen, len(person.organisation.path) + 1, Organisation.steplen)
    ]
    ancestor_ids = list(Organisation.objects.filter(path__in=ancestors).values_list("pk", flat=True))
    team_ids = list(
        TeamMembership.objects.filter(person_id=scope.person_id, state=TeamMembership.State.ACTIVE).values_list(
            "team_id", flat=True
        )
    )
    own = list(Participation.objects.filter(person_id=scope.person_id).values_list("activity_id", flat=True))
    open_to_me = Q(organisation_id__in=ancestor_ids) | Q(team_id__in=team_ids)
    return (open_to_me & ~Q(state__in=[Activity.State.DRAFT])) | Q(pk__in=own)


def activity_list_for_user(*, user: User) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(_visible_q(user))
        .select_related("organisation", "team", "category")
        .annotate(
            signed_up_count=_participation_count(state__in=Participation.TAKING_A_PLACE),
            attended_count=_participation_count(Participation.objects.attended_q()),
        )
        .order_by("-starts_at", "-pk")
    )


def _visible_q(user: User) -> Q:
    """The activities the user sees, as conditions on the activity's own columns (organisation, team, id) with the
    ids looked up first: a branch has a few organisations, a member a few teams and participations. The database
    then reads just those activities through its indexes. The same conditions reached through joins, OR-ed, made
    it pair every activity with its participations, or probe 20,000 of a district's activities one by one for a
    branch's page of 30 (a subquery per condition still walked them). Not cached: a member's participations
    change between two calls."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    organisation_ids = list(Organisation.objects.filter(scope.organisation_q()).values_list("pk", flat=True))
    return Q(organisation_id__in=organisation_ids) | Q(team_id__in=led_team_ids(user=user)) | _member_visible_q(user)


def _participation_count(*conditions: Q, **filters) -> Coalesce:
    """A count per activity as a correlated subquery, not a join + GROUP BY: the database then counts for the
    page's 30 rows only, and the paginator's COUNT(*) leaves it out (a district has a million participations)."""
    counted = (
        Participation.objects.filter(*conditions, activity=OuterRef("pk"), **filters)
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def activity_can_write(*, user: User, activity: Activity) -> bool:
    return scope_for(user).covers_path(activity.organisation.path) or (
        activity.team_id is not None and activity.team_id in led_team_ids(user=user)
    )


def activity_get_for_user(*, user: User, pk: int, write: bool = False) -> Activity:
    activity = activity_list_for_user(user=user).filter(pk=pk).first()
    if activity is None:
        raise Http404("活动不存在。")
    if write:
        check_write(user, activity_can_write(user=user, activity=activity))
    return activity


def activity_month(*, activities: QuerySet[Activity], year: int, month: int) -> dict[datetime.date, list[Activity]]:
    """The month view: the month's activities by local start date."""
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    rows = activities.filter(starts_at__date__gte=start, starts_at__date__lt=end).order_by("starts_at")
    days: dict[datetime.date, list[Activity]] = {}
    for activity in rows:
        days.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    return days


def activity_participants(*, activity: Activity) -> QuerySet[Participation]:
    """The attendance sheet: each participation with its approved and pending hours."""
    return (
        activity.participations.select_related("person", "person__organisation")
        .annotate(
            approved_hours=approved_hours_sum(),
            pending_hours=pending_hours_sum(),
            # the entry a correction refers to (the sheet links approved rows to their correction form)
            original_entry_id=Subquery(
                HoursEntry.objects.filter(participation=OuterRef("pk"), corrects__isnull=True).values("pk")[:1]
            ),
        )
        .order_by("role", "person__name")
    )


# Hours ------------------------------------------------------------------------------------------------------


def person_hours(*, person_id: int, since: datetime.date | None = None) -> Decimal:
    entries = HoursEntry.objects.counted().filter(participation__person_id=person_id)
    if since is not None:
        entries = entries.filter(participation__activity__starts_at__date__gte=since)
    return entries.aggregate(total=Coalesce(Sum("hours"), ZERO))["total"]


def hours_by_person(*, person_ids, since: datetime.date) -> dict[int, Decimal]:
    """Approved hours per person since a date, in one query (the yearly team review's input)."""
    rows = (
        HoursEntry.objects.counted()
        .filter(participation__person_id__in=person_ids, participation__activity__starts_at__date__gte=since)
        .values("participation__person_id")
        .annotate(total=Sum("hours"))
    )
    return {row["participation__person_id"]: row["total"] for row in rows}


def team_hours(*, team_id: int) -> Decimal:
    return (
        HoursEntry.objects.counted()
        .filter(participation__activity__team_id=team_id)
        .aggregate(total=Coalesce(Sum("hours"), ZERO))["total"]
    )


def hours_entries_for_user(*, user: User) -> QuerySet[HoursEntry]:
    """Entries whose activity the user may write (organisation scope or led team)."""
    scope = scope_for(user)
    visible = scope.organisation_q("participation__activity__organisation__")
    if not scope.everything:
        visible |= Q(participation__activity__team_id__in=led_team_ids(user=user))
    return HoursEntry.objects.filter(visible).select_related(
        "participation__person", "participation__activity__organisation", "corrects", "recorded_by"
    )


def hours_pending_for_user(*, user: User) -> QuerySet[HoursEntry]:
    return (
        hours_entries_for_user(user=user)
        .filter(state=HoursEntry.State.PENDING)
        .order_by("participation__activity__starts_at", "participation__person__name")
    )


def my_participations(*, person_id: int) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(person_id=person_id)
        .exclude(state=Participation.State.WITHDRAWN)
        .select_related("activity", "activity__organisation", "activity__category")
        .annotate(approved_hours=approved_hours_sum(), pending_hours=pending_hours_sum())
        .order_by("-activity__starts_at")
    )


def my_standing(*, person_id: int):
    return star_standing(hours=person_hours(person_id=person_id))


# The checker ------------------------------------------------------------------------------------------------


def suspicious_hours_for_user(*, user: User, since: datetime.date | None = None) -> dict[str, list]:
    """Three checks over the user's scope: one person in two overlapping activities, more than 12 hours in one
    day, and hours recorded more than 30 days after the activity. Each is one query."""
    scope = scope_for(user)
    mine = scope.organisation_q("activity__organisation__")
    if not scope.everything:
        mine |= Q(activity__team_id__in=led_team_ids(user=user))
    attended = Participation.objects.attended().filter(mine)
    if since is not None:
        attended = attended.filter(activity__starts_at__date__gte=since)

    others = (
        Participation.objects.attended()
        .filter(
            person_id=OuterRef("person_id"),
            activity__starts_at__lt=OuterRef("activity__ends_at"),
            activity__ends_at__gt=OuterRef("activity__starts_at"),
        )
        .exclude(activity_id=OuterRef("activity_id"))
    )
    overlaps = list(
        attended.annotate(other_activity_id=Subquery(others.values("activity_id")[:1]))
        .filter(other_activity_id__isnull=False)
        .select_related("person", "activity")
        .order_by("person__name", "activity__starts_at")[:200]
    )

    per_day = list(
        HoursEntry.objects.filter(participation__in=attended)
        .annotate(day=TruncDate("participation__activity__starts_at"))
        .values("participation__person_id", "participation__person__name", "day")
        .annotate(total=Sum("hours"))
        .filter(total__gt=MAX_HOURS_PER_DAY)
        .order_by("-day")[:200]
    )

    # Corrections come later by nature; imported registers are listed (typed in long after the work: check once).
    late = list(
        HoursEntry.objects.filter(participation__in=attended, corrects__isnull=True)
        .filter(created_at__gt=F("participation__activity__ends_at") + datetime.timedelta(days=LATE_ENTRY_DAYS))
        .select_related("participation__person", "participation__activity")
        .order_by("-created_at")[:200]
    )
    return {"overlaps": overlaps, "long_days": per_day, "late_entries": late}


# Activity page and member pages -----------------------------------------------------------------------------


HISTORY_LABELS = {
    "activity.create": "创建",
    "activity.update": "修改",
    "activity.published": "发布",
    "activity.cancelled": "取消",
    "activity.ended": "结束",
    "activity.closed": "关闭",
    "activity.attendance": "登记出勤",
}


def activity_history(*, activity: Activity) -> QuerySet:
    """The activity's audit trail (created, edited, published, attendance, closed …), newest first; `label` is the
    action in words (unknown actions show their code)."""
    from django.db.models import Case, CharField, When
    from django.utils.translation import gettext

    from portal.models import AuditEvent

    label = Case(
        *(When(action=code, then=Value(gettext(text))) for code, text in HISTORY_LABELS.items()),
        default=F("action"),
        output_field=CharField(),
    )
    return (
        AuditEvent.objects.filter(object_type=Activity._meta.label, object_id=str(activity.pk))
        .select_related("actor")
        .annotate(label=label)
        .order_by("-created_at", "-id")
    )


def activity_totals(*, participants) -> dict[str, Decimal | int]:
    """Totals over `activity_participants` rows (already loaded): 人次 = attended participations, 人 = distinct
    attended persons, and the approved and pending hours."""
    attended = [p for p in participants if p.state == Participation.State.ATTENDED]
    return {
        "person_times": len(attended),
        "people": len({p.person_id for p in attended}),
        "approved_hours": sum((p.approved_hours for p in participants), Decimal(0)),
        "pending_hours": sum((p.pending_hours for p in participants), Decimal(0)),
    }


def hours_by_month(*, person_id: int, year: int) -> dict[int, Decimal]:
    """A person's approved hours per month (of the activity's local start) in one year, in one query."""
    from django.db.models.functions import ExtractMonth

    rows = (
        HoursEntry.objects.counted()
        .filter(participation__person_id=person_id, participation__activity__starts_at__year=year)
        .annotate(month=ExtractMonth("participation__activity__starts_at"))
        .values("month")
        .annotate(total=Sum("hours"))
        .order_by("month")
    )
    return {row["month"]: row["total"] for row in rows}


# Attendance and hours pages ---------------------------------------------------------------------------------


def hours_scope_check(*, user: User) -> None:
    """The approval queue and the checker are tools for those who manage an organisation or lead a team: for
    anyone else they do not exist (404, like the roster pages)."""
    if not (scope_for(user).manages_anything or led_team_ids(user=user)):
        raise Http404("页面不存在。")


def walk_in_allowed_q(*, user: User, activity: Activity, active_members_only: bool = False) -> Q:
    """Whom the user may add to the activity's sheet as a walk-in, as a filter on people: those in an organisation
    the user manages (with `active_members_only`, only its active members: what the roster offers) and, for a team
    activity, the team's active members. The one statement of the rule: participations_walk_in refuses anyone
    else, walk_in_candidates_for_user lists from it."""
    allowed = scope_for(user).organisation_q("organisation__")  # nothing for a user who manages nothing
    if active_members_only:
        allowed &= Q(is_active_member=True)
    if activity.team_id is not None:
        allowed |= Q(
            pk__in=TeamMembership.objects.filter(team_id=activity.team_id, state=TeamMembership.State.ACTIVE).values(
                "person_id"
            )
        )
    return allowed


def walk_in_candidates_for_user(*, user: User, activity: Activity, q: str = "") -> QuerySet[Person]:
    """The roster of walk-ins the user may add (walk_in_allowed_q, active members only); not those already on the
    sheet. `q` narrows by name."""
    people = Person.objects.filter(walk_in_allowed_q(user=user, activity=activity, active_members_only=True)).exclude(
        pk__in=activity.participations.exclude(state=Participation.State.WITHDRAWN).values("person_id")
    )
    if q:
        people = people.filter(name__contains=q)
    return people.select_related("organisation").order_by("name")


# Team pages -------------------------------------------------------------------------------------------------


def hours_total_by_person(*, person_ids) -> dict[int, Decimal]:
    """Cumulative approved hours per person (the star level's input), in one query."""
    rows = (
        HoursEntry.objects.counted()
        .filter(participation__person_id__in=person_ids)
        .values("participation__person_id")
        .annotate(total=Sum("hours"))
    )
    return {row["participation__person_id"]: row["total"] for row in rows}


ROLE_ORDER = {TeamMembership.Role.LEADER: 0, TeamMembership.Role.DEPUTY: 1, TeamMembership.Role.MEMBER: 2}


def team_page(*, user: User, team: Team) -> dict:
    """Everything a team's page shows; each part is one query, whatever the number of members."""
    memberships = list(team_members(team=team).prefetch_related("person__skills__skill"))
    memberships.sort(key=lambda m: (ROLE_ORDER.get(m.role, 9), m.person.name))
    active = [m for m in memberships if m.state == TeamMembership.State.ACTIVE]
    hours = hours_total_by_person(person_ids=[m.person_id for m in active])
    levels = star_levels()
    members = [
        {
            "membership": m,
            "skills": sorted(ps.skill.name for ps in m.person.skills.all()),
            "standing": star_standing(hours=hours.get(m.person_id, Decimal(0)), levels=levels),
        }
        for m in active
    ]
    counts = team_headcount_by_status(team=team)
    return {
        "team": team,
        "members": members,
        "applicants": [m for m in memberships if m.state == TeamMembership.State.PENDING],
        "headcount": [(label, counts[value]) for value, label in PoliticalStatus.choices if counts.get(value)],
        "team_hours": team_hours(team_id=team.pk),
        "activities": list(activity_list_for_user(user=user).filter(team=team)[:20]),
    }
