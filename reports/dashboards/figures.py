"""The dashboards' aggregate queries: each one query, grouped by month (for the charts) or by organisation path (for
the comparison of children, rolled up in Python as `evaluations.selectors.assessment.branch_figures_many` does), so
the number of queries never grows with the rows or the organisations.

The definitions are the ones the list pages filter by (their helpers are imported, not copied): activities held
(`Activity.objects.held()`), 人次 = attended participations, approved hours (the models' QuerySet methods), ratings
from `evaluations.selectors.stats`, demand and follow-up overdue from their selectors' `overdue_q`, mobile-member
overdue from `branches.selectors`.

A year's rows: activities (their person-times and hours) by local start date; ratings by when they were given;
demands by the date received; follow-ups by the date of their 差评; points by the ledger's dates; reviews by the
closed yearly rounds of the year. Overdue and open are as of today; hosts and mobile members are today's state."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from branches.models import MEMBER_STATUSES, HostUnit, MobileMember, MobileReport, Organisation, Person, RuleSettings
from branches.selectors import mobile_overdue_q
from evaluations.models import FollowUp, PointsEntry, Rating, ReviewRound, ReviewSheet
from evaluations.selectors import follow_ups as follow_up_selectors
from evaluations.selectors import stats
from portal.models import User
from services.models import Activity, Demand, HoursEntry, Participation
from services.selectors.activities import ZERO
from services.selectors.demands import on_time_q
from services.selectors.demands import overdue_q as demand_overdue_q

# Members per band of yearly points (as shown: never below 0, so the first band holds the negative totals too).
POINTS_BANDS = ((0, 59), (60, 69), (70, 79), (80, 89), (90, None))

ACTIVITY_KEYS = ("activities", "person_times", "hours")
DEMAND_KEYS = ("received", "on_time", "overdue", "open", "open_overdue")
FOLLOW_UP_KEYS = ("opened", "closed", "overdue", "open")
RATING_KEYS = ("count", "good", "level_sum")
MOBILE_KEYS = ("away", "overdue")
BY_MONTH, BY_PATH = "month", "path"


@dataclass(frozen=True)
class Area:
    """What a dashboard covers. `organisation`: the chosen (or the only) subtree, which the links filter by;
    `paths`: the subtrees whose rows count, None for the whole tree (组织部: hosts without an organisation too)."""

    organisation: Organisation | None
    paths: tuple[str, ...] | None

    @property
    def pk(self) -> int | None:
        return self.organisation.pk if self.organisation else None

    def q(self, prefix: str) -> Q:
        """Rows whose organisation (reached through `prefix`) lies in the area."""
        if self.paths is None:
            return Q(pk__isnull=False)  # always true
        return reduce(or_, (Q(**{f"{prefix}path__startswith": path}) for path in self.paths))


@dataclass
class Period:
    """A calendar year: its first and last dates, and the local midnights that bound it."""

    year: int
    first: datetime.date = field(init=False)
    last: datetime.date = field(init=False)
    start: datetime.datetime = field(init=False)
    end: datetime.datetime = field(init=False)

    def __post_init__(self) -> None:
        zone = timezone.get_current_timezone()
        self.first, self.last = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        self.start = datetime.datetime(self.year, 1, 1, tzinfo=zone)
        self.end = datetime.datetime(self.year + 1, 1, 1, tzinfo=zone)

    def month(self, month: int) -> tuple[datetime.date, datetime.date]:
        first = datetime.date(self.year, month, 1)
        return first, (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _grouped(queryset: QuerySet, by: str, date_field: str, path_field: str) -> QuerySet:
    if by == BY_MONTH:
        return queryset.annotate(month=ExtractMonth(date_field)).values("month")
    return queryset.values(path=F(path_field))


# Activities, demands, follow-ups, ratings ------------------------------------------------------------------------


def activity_rows(area: Area, period: Period) -> list[dict]:
    """Activities held, their person-times (attended participations) and approved hours, by month and path: one
    pass over a year's participations and hours serves both the charts (`by_month`) and the children (`roll_up`).
    An activity lies in one month and one organisation, so the groups add up."""
    held = (
        Activity.objects.held()
        .filter(area.q("organisation__"), starts_at__gte=period.start, starts_at__lt=period.end)
        .order_by()
    )
    attended = Participation.objects.attended_q("participations__")
    approved = attended & HoursEntry.objects.approved_q("participations__hours_entries__")
    return list(
        held.annotate(month=ExtractMonth("starts_at"))
        .values("month", path=F("organisation__path"))
        .annotate(
            activities=Count("pk", distinct=True),
            # the join reaches the hours entries: each participation counts once
            person_times=Count("participations", distinct=True, filter=attended),
            hours=Coalesce(Sum("participations__hours_entries__hours", filter=approved), ZERO),
        )
    )


def by_month(rows: Iterable[dict], keys: tuple[str, ...]) -> dict[int, dict]:
    """Rows grouped by month (and more) → totals per month."""
    months: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for key in keys:
            months[row["month"]][key] += row[key] or 0
    return months


def demand_rows(area: Area, period: Period, today: datetime.date, by: str) -> list[dict]:
    """Demands received in the year: done on time, overdue (open past the deadline or done late), open, and the
    open ones that are overdue; by month received or by path."""
    received = Demand.objects.filter(
        area.q("organisation__"), received_on__gte=period.first, received_on__lte=period.last
    ).order_by()
    open_ = Q(state__in=Demand.OPEN_STATES)
    return list(
        _grouped(received, by, "received_on", "organisation__path").annotate(
            received=Count("pk"),
            on_time=Count("pk", filter=on_time_q()),
            overdue=Count("pk", filter=demand_overdue_q(today)),
            open=Count("pk", filter=open_),
            open_overdue=Count("pk", filter=open_ & demand_overdue_q(today)),
        )
    )


def follow_up_rows(area: Area, period: Period, today: datetime.date) -> list[dict]:
    """Follow-ups of the 差评 given in the year, by path: opened, closed, overdue, still open."""
    follow_ups = FollowUp.objects.filter(
        area.q("organisation__"), rating__created_at__gte=period.start, rating__created_at__lt=period.end
    ).order_by()
    return list(
        follow_ups.values(path=F("organisation__path")).annotate(
            opened=Count("pk"),
            closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED)),
            overdue=Count("pk", filter=follow_up_selectors.overdue_q(today)),
            open=Count("pk", filter=Q(state__in=FollowUp.OPEN_STATES)),
        )
    )


def rating_rows(user: User, area: Area, period: Period) -> list[dict]:
    """The year's ratings of the area's activities (the satisfaction page's rows), by path."""
    ratings = stats.ratings_for_user(user=user, start=period.first, end=period.last, organisation=area.organisation)
    return list(
        ratings.order_by()
        .values(path=F("activity__organisation__path"))
        .annotate(
            count=Count("pk"),
            good=Count("pk", filter=Q(level__gte=Rating.SATISFIED_FROM)),
            level_sum=Sum("level"),  # a sum, not an average: it rolls up across groups
        )
    )


def satisfaction_of(counts: dict) -> stats.Satisfaction:
    count = counts.get("count", 0)
    average = counts.get("level_sum", 0) / count if count else None
    return stats.Satisfaction.of(None, "", count, counts.get("good", 0), average)


def satisfaction_by_month(user: User, area: Area, period: Period) -> dict[int, stats.Satisfaction]:
    rows = stats.satisfaction(
        user=user, start=period.first, end=period.last, group_by="month", organisation=area.organisation
    )
    return {row.key.month: row for row in rows}


# Points and reviews -----------------------------------------------------------------------------------------


def points_bands(area: Area, period: Period) -> list[int]:
    """Active party members per band of their yearly points (the branch points table's `shown_total`).

    The ledger is summed in one grouped pass and banded here: a sum per member as a correlated subquery cost a
    district's 组织部 most of a second, even for a year with no entries."""
    members = Person.objects.filter(
        area.q("organisation__"), is_active_member=True, political_status__in=MEMBER_STATUSES
    )
    totals = list(
        PointsEntry.objects.filter(person__in=members.values("pk"), date__gte=period.first, date__lte=period.last)
        .order_by()
        .values("person")
        .annotate(total=Sum("points"))
        .values_list("total", flat=True)
    )
    totals += [0] * (members.count() - len(totals))  # members with no entry in the year

    def band_of(total: int) -> int:
        for index, (_low, high) in enumerate(POINTS_BANDS):
            if high is None or total <= high:  # a total below 0 is shown as 0: the first band
                return index
        return len(POINTS_BANDS) - 1

    counts = [0] * len(POINTS_BANDS)
    for total in totals:
        counts[band_of(total)] += 1
    return counts


def review_grades(area: Area, period: Period) -> dict[str, int]:
    """Graded sheets of the year's closed yearly review rounds, per grade."""
    rows = (
        ReviewSheet.objects.filter(
            area.q("round__organisation__"),
            round__kind=ReviewRound.Kind.YEARLY,
            round__year=period.year,
            round__state=ReviewRound.State.CLOSED,
        )
        .exclude(grade="")
        .order_by()
        .values("grade")
        .annotate(n=Count("pk"))
    )
    return {row["grade"]: row["n"] for row in rows}


# Hosts and mobile members (today) ---------------------------------------------------------------------------


def host_rows(area: Area) -> list[dict]:
    """Host units per path and formation mode (the whole tree: those without an organisation too)."""
    hosts = HostUnit.objects.filter(area.q("organisation__")).order_by()
    return list(hosts.values("formation", path=F("organisation__path")).annotate(n=Count("pk")))


def mobile_rows(area: Area, today: datetime.date, rules: RuleSettings) -> list[dict]:
    """Open departure records per path: away, and overdue with their report."""
    latest = (
        MobileReport.objects.filter(mobile_member=OuterRef("pk"), kind__in=MobileReport.REPORT_KINDS)
        .order_by("-date")
        .values("date")[:1]
    )
    records = (
        MobileMember.objects.filter(area.q("person__organisation__"), returned_on__isnull=True)
        .annotate(last_report=Subquery(latest))
        .order_by()
    )
    return list(
        records.values(path=F("person__organisation__path")).annotate(
            away=Count("pk"), overdue=Count("pk", filter=mobile_overdue_q(today=today, rules=rules))
        )
    )


# Roll-ups ---------------------------------------------------------------------------------------------------


def children_of(area: Area) -> list[Organisation]:
    """The direct children of the chosen organisation (the roots, for the whole tree or several subtrees); archived
    ones are left out (the list pages do not filter by them)."""
    if area.organisation is not None:
        children = Organisation.objects.filter(
            path__startswith=area.organisation.path, depth=area.organisation.depth + 1
        )
    elif area.paths is None:
        children = Organisation.objects.filter(depth=1)
    else:
        children = Organisation.objects.filter(path__in=area.paths)
    return list(children.filter(is_archived=False).order_by("path"))


def child_of(path: str | None, by_path: dict[str, int]) -> int | None:
    """The child (pk) whose subtree holds `path`, walking its ancestors one step at a time."""
    path, step = path or "", Organisation.steplen
    return next((by_path[path[:end]] for end in range(step, len(path) + 1, step) if path[:end] in by_path), None)


def roll_up(rows: Iterable[dict], children: list[Organisation], keys: tuple[str, ...]) -> dict[int, dict]:
    """Rows grouped by path → totals per child."""
    by_path = {child.path: child.pk for child in children}
    totals: dict[int, dict] = {child.pk: defaultdict(int) for child in children}
    for row in rows:
        pk = child_of(row["path"], by_path)
        if pk is not None:
            for key in keys:
                totals[pk][key] += row[key] or 0
    return totals


def total(rows: Iterable[dict], keys: tuple[str, ...]) -> dict[str, int | Decimal]:
    totals: dict = defaultdict(int)
    for row in rows:
        for key in keys:
            totals[key] += row[key] or 0
    return totals
