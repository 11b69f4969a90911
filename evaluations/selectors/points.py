"""党员积分: reads, shaped and scoped. Totals, months and ranks are aggregated in SQL; entry lists are paginated with
their source's page resolved in the same query (annotations), so a page never costs more with more entries.

Who sees what: a member sees their own points (我的积分, 积分卡) and their own branch's 红星榜; those who manage an
organisation see its points table, its boards and its adjustments. For anyone else these do not exist (404).
"""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from branches.models import (
    MANAGING_ROLES,
    MEMBER_STATUSES,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    RoleAssignment,
)
from branches.selectors import scope_for
from evaluations.models import FollowUp, PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet
from portal.models import User
from services.models import PairingVisit, Participation

# A member away on a mobile record older than this (still open) counts as long-term mobile: exempt from deductions.
LONG_TERM_MOBILE_MONTHS = 6
Code = PointsRule.Code
Source = PointsEntry.Source


def points_exempt_q(on: datetime.date) -> Q:
    """People exempt from deductions on a date: retired, or away on a mobile record open for over 6 months."""
    long_term = MobileMember.objects.filter(
        person=OuterRef("pk"), leave_date__lte=on - relativedelta(months=LONG_TERM_MOBILE_MONTHS)
    ).filter(Q(returned_on__isnull=True) | Q(returned_on__gt=on))
    return Q(is_retired=True) | Q(Exists(long_term))


def year_from(value: str | None) -> int:
    """The ?year= of a page: a sensible year, or this year."""
    this_year = timezone.localdate().year
    try:
        year = int(value or this_year)
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def _year_q(year: int, prefix: str = "") -> Q:
    return Q(**{f"{prefix}date__gte": datetime.date(year, 1, 1), f"{prefix}date__lte": datetime.date(year, 12, 31)})


# Access -----------------------------------------------------------------------------------------------------


def _managed_paths(user_ids: set[int]) -> dict[int, list[str]]:
    """Each user's current managing roles' organisation paths, in one query."""
    today = timezone.localdate()
    paths: dict[int, list[str]] = {}
    rows = (
        RoleAssignment.objects.filter(person__user_id__in=user_ids, role__in=MANAGING_ROLES, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values_list("person__user_id", "organisation__path")
    )
    for user_id, path in rows:
        paths.setdefault(user_id, []).append(path)
    return paths


def _above(user: User, level: str) -> bool:
    """Whether the user stands above the organisation at `level` (a path): 组织部, or managing a strict ancestor."""
    scope = scope_for(user)
    return scope.everything or any(level.startswith(path) and len(path) < len(level) for path in scope.paths)


def requester_level(*, requester: User, person_path: str, requester_paths: list[str] | None) -> str:
    """The organisation (path) the request comes from: the deepest one the requester manages that holds the member;
    "" for 组织部 (nobody but 组织部 stands above it); the member's own organisation if none is managed any more."""
    if requester.is_superuser or requester.is_org_department:
        return ""
    covering = [path for path in requester_paths or [] if person_path.startswith(path)]
    return max(covering, key=len) if covering else person_path


def adjustment_can_decide(
    *, user: User, adjustment: PointsAdjustment, requester_paths: list[str] | None = None
) -> bool:
    """The level above the requester decides: 组织部, or someone managing an ancestor of the organisation the request
    came from. Never the requester; never someone at the requester's own level (the same branch's secretary)."""
    if not user.is_authenticated or user.pk == adjustment.requested_by_id:
        return False
    if requester_paths is None:
        requester_paths = _managed_paths({adjustment.requested_by_id}).get(adjustment.requested_by_id, [])
    level = requester_level(
        requester=adjustment.requested_by,
        person_path=adjustment.person.organisation.path,
        requester_paths=requester_paths,
    )
    return _above(user, level) if level else scope_for(user).everything


def entry_can_reverse(*, user: User, entry: PointsEntry) -> bool:
    """组织部, or someone managing an organisation above the entry's."""
    return user.is_authenticated and _above(user, entry.organisation.path)


def points_area_check(*, user: User) -> None:
    """The staff pages (points tables, adjustments): for a user who manages nothing they do not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def points_organisation_get_for_user(*, user: User, pk: int | str | None) -> Organisation:
    """An organisation whose points the user may see: one they manage; none given → the first one they manage."""
    scope = scope_for(user)
    if not scope.manages_anything:
        raise Http404("页面不存在。")
    organisations = Organisation.objects.filter(scope.organisation_q()).order_by("path")
    if pk in (None, ""):
        organisation = organisations.first()
    else:
        try:
            organisation = organisations.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            organisation = None
    if organisation is None:
        raise Http404("党组织不存在。")
    return organisation


def board_organisation_get_for_user(*, user: User, pk: int | str | None) -> Organisation:
    """红星榜: managers see any organisation they manage; a member sees their own branch's board (only)."""
    scope = scope_for(user)
    if scope.manages_anything:
        return points_organisation_get_for_user(user=user, pk=pk)
    own = Organisation.objects.filter(people__pk=scope.person_id).first() if scope.person_id is not None else None
    if own is None or (pk not in (None, "") and str(pk) != str(own.pk)):
        raise Http404("党组织不存在。")
    return own


def points_organisations_for_user(*, user: User) -> list[tuple[int, str]]:
    """The organisations to pick from on the points pages (managed ones; none for a member)."""
    scope = scope_for(user)
    if not scope.manages_anything:
        return []
    return list(
        Organisation.objects.filter(scope.organisation_q(), is_archived=False)
        .order_by("path")
        .values_list("pk", "name")
    )


def my_person(*, user: User) -> Person:
    scope = scope_for(user)
    person = (
        Person.objects.select_related("organisation").filter(pk=scope.person_id).first()
        if scope.person_id is not None
        else None
    )
    if person is None:
        raise Http404("您的账号没有关联党员档案。")
    return person


# Entries and their sources ----------------------------------------------------------------------------------


def _annotated_entries(entries: QuerySet[PointsEntry]) -> QuerySet[PointsEntry]:
    """Entries with what their source's page needs, in the same query: the activity of a participation, the pairing
    of a visit, the mobile record of a report."""
    return entries.select_related("rule", "rule__rule_set").annotate(
        source_activity_id=Case(
            When(
                source_type=Source.PARTICIPATION,
                then=Subquery(Participation.objects.filter(pk=OuterRef("source_id")).values("activity_id")[:1]),
            ),
            When(source_type=Source.ACTIVITY, then=F("source_id")),
            output_field=IntegerField(),
        ),
        source_pairing_id=Case(
            When(
                source_type=Source.VISIT,
                then=Subquery(PairingVisit.objects.filter(pk=OuterRef("source_id")).values("pairing_id")[:1]),
            ),
            output_field=IntegerField(),
        ),
        source_follow_up_path=Case(
            When(
                source_type=Source.FOLLOW_UP,
                then=Subquery(FollowUp.objects.filter(pk=OuterRef("source_id")).values("organisation__path")[:1]),
            ),
            output_field=CharField(),
        ),
        source_mobile_id=Case(
            When(
                source_type=Source.MOBILE_REPORT,
                then=Subquery(MobileReport.objects.filter(pk=OuterRef("source_id")).values("mobile_member_id")[:1]),
            ),
            output_field=IntegerField(),
        ),
    )


def entry_source_url(entry: PointsEntry) -> str:
    """The page of what earned (or cost) the entry; "" when there is none (the yearly base, manual adjustments)."""
    pk = entry.source_id
    if getattr(entry, "source_activity_id", None):
        return reverse("services:activity_detail", args=[entry.source_activity_id])
    if getattr(entry, "source_pairing_id", None):
        return reverse("services:pairing_detail", args=[entry.source_pairing_id])
    if getattr(entry, "source_mobile_id", None):
        return reverse("branches:mobile_detail", args=[entry.source_mobile_id])
    if pk and entry.source_type == Source.DEMAND:
        return reverse("services:demand_detail", args=[pk])
    if pk and entry.source_type == Source.PLEDGE:
        return reverse("services:pledge_detail", args=[pk])
    if pk and entry.source_type == Source.FOLLOW_UP:
        return reverse("evaluations:follow_up_detail", args=[pk])
    return ""


def with_source_urls(entries, *, user: User) -> list[PointsEntry]:
    """A page of annotated entries, each with `source_url` (no queries) — "" where the viewer could not open the
    page: a follow-up (差评整改) is a page of the branch's managers, so a member's −2 for an upheld 差评 is plain
    text for the member, not a link to a 404."""
    scope = scope_for(user)
    rows = list(entries)
    for entry in rows:
        path = getattr(entry, "source_follow_up_path", None)
        hidden = entry.source_type == Source.FOLLOW_UP and not (path and scope.covers_path(path))
        entry.source_url = "" if hidden else entry_source_url(entry)
    return rows


# 我的积分 and the 积分卡 ---------------------------------------------------------------------------------------


@dataclass
class MyPoints:
    person: Person
    year: int
    total: int  # floored at 0
    raw_total: int  # what the entries add up to (may be below 0)
    by_rule: list[dict]
    by_month: list[int]  # 12 values
    rank: int | None
    branch_size: int
    entries: QuerySet[PointsEntry] = field(repr=False)

    @property
    def floored(self) -> bool:
        return self.raw_total < 0


def _member_totals(organisation_id: int, year: int) -> list[tuple[int, int]]:
    """(person id, floored yearly total) of the active party members of an organisation: one query."""
    rows = (
        Person.objects.filter(
            organisation_id=organisation_id, is_active_member=True, political_status__in=MEMBER_STATUSES
        )
        .annotate(total=Coalesce(Sum("points_entries__points", filter=_year_q(year, "points_entries__")), 0))
        .values_list("pk", "total")
    )
    return [(pk, max(total, 0)) for pk, total in rows]


def shared_rank(totals: list[int], mine: int) -> int:
    """1 + how many have more: ties share a rank (1, 2, 2, 4)."""
    return 1 + sum(1 for total in totals if total > mine)


def my_points(*, person_id: int, year: int) -> MyPoints:
    """A member's year: the total (never below 0), by rule, by month, the rank in the branch and the entries (to be
    paginated by the caller). A fixed number of queries, whatever the number of entries."""
    person = Person.objects.select_related("organisation").get(pk=person_id)
    mine = PointsEntry.objects.filter(_year_q(year), person_id=person_id)
    labels = dict(Code.choices)
    by_rule = [
        {"code": row["rule__code"], "label": labels.get(row["rule__code"], row["rule__code"]), **row}
        for row in mine.values("rule__code")
        .annotate(points=Sum("points"), count=Count("pk"))
        .order_by("-points", "rule__code")
    ]
    raw_total = sum(row["points"] for row in by_rule)
    months = [0] * 12
    for row in mine.annotate(month=ExtractMonth("date")).values("month").annotate(points=Sum("points")).order_by():
        months[row["month"] - 1] = row["points"]
    totals = _member_totals(person.organisation_id, year)
    member_ids = {pk for pk, _ in totals}
    total = max(raw_total, 0)
    rank = shared_rank([t for _, t in totals], total) if person_id in member_ids else None
    return MyPoints(
        person=person,
        year=year,
        total=total,
        raw_total=raw_total,
        by_rule=by_rule,
        by_month=months,
        rank=rank,
        branch_size=len(totals),
        entries=_annotated_entries(mine).order_by("-date", "-pk"),
    )


# Branch tables and 红星榜 -------------------------------------------------------------------------------------


BRANCH_TABLE_CODES = [code for code in Code.values]


def branch_points_table(*, user: User, organisation: Organisation, year: int) -> QuerySet[Person]:
    """The active party members of the organisation (and the organisations beneath it) with their yearly points per
    rule and in total, in one query; highest total first. `total` may be below 0; `shown_total` never is."""
    if not scope_for(user).covers_path(organisation.path):
        raise Http404("党组织不存在。")
    in_year = _year_q(year, "points_entries__")
    per_rule = {
        f"rule_{code}": Coalesce(Sum("points_entries__points", filter=in_year & Q(points_entries__rule__code=code)), 0)
        for code in BRANCH_TABLE_CODES
    }
    total = Coalesce(Sum("points_entries__points", filter=in_year), 0)
    return (
        Person.objects.filter(
            organisation__path__startswith=organisation.path,
            is_active_member=True,
            political_status__in=MEMBER_STATUSES,
        )
        .select_related("organisation")
        .annotate(**per_rule, total=total)
        .annotate(shown_total=Case(When(total__lt=0, then=Value(0)), default=F("total"), output_field=IntegerField()))
        .order_by("-shown_total", "organisation__path", "name", "pk")
    )


def points_band_from(minimum: str | None, maximum: str | None) -> tuple[int | None, int | None]:
    """The ?min_points= and ?max_points= of the branch table (a band of yearly points, both ends included);
    anything unreadable is no bound."""

    def bound(value: str | None) -> int | None:
        try:
            number = int(value or "")
        except ValueError:
            return None
        return number if 0 <= number <= 100_000 else None

    return bound(minimum), bound(maximum)


def points_in_band(
    *, people: QuerySet[Person], minimum: int | None = None, maximum: int | None = None
) -> QuerySet[Person]:
    """`branch_points_table` rows whose yearly points as shown (never below 0) lie in the band."""
    if minimum is not None:
        people = people.filter(shown_total__gte=minimum)
    if maximum is not None:
        people = people.filter(shown_total__lte=maximum)
    return people


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    return first, first + relativedelta(months=3) - datetime.timedelta(days=1)


def red_star_board(*, organisation: Organisation, year: int, quarter: int, limit: int = 10) -> list[dict]:
    """红星榜: the members who earned the most points in the quarter in the organisation (and beneath it), by the
    organisation each entry was booked in; ties share a place. One query."""
    first, last = quarter_bounds(year, quarter)
    rows = list(
        PointsEntry.objects.filter(organisation__path__startswith=organisation.path, date__gte=first, date__lte=last)
        .values("person_id", "person__name", "person__organisation__name")
        .annotate(points=Sum("points"))
        .filter(points__gt=0)
        .order_by("-points", "person__name", "person_id")[:limit]
    )
    for row in rows:
        row["rank"] = shared_rank([other["points"] for other in rows], row["points"])
    return rows


def current_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


# Rule sets and adjustments ----------------------------------------------------------------------------------


def rule_sets_for_year(*, year: int) -> list[PointsRuleSet]:
    """Every version of the year's rules, newest first, with their rules (two queries)."""
    return list(PointsRuleSet.objects.filter(year=year).prefetch_related("rules").order_by("-version"))


def adjustments_for_user(*, user: User) -> list[PointsAdjustment]:
    """Adjustments of members in the user's scope (组织部: all), pending first, each with `can_decide`; the
    requesters' levels are read in one query."""
    scope = scope_for(user)
    rows = list(
        PointsAdjustment.objects.filter(scope.organisation_q("person__organisation__"))
        .select_related("person", "person__organisation", "requested_by", "decided_by", "entry")
        .annotate(
            pending=Case(
                When(state=PointsAdjustment.State.REQUESTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            reversed=Exists(PointsEntry.objects.filter(reverses_id=OuterRef("entry_id"))),
        )
        .order_by("pending", "-created_at", "-pk")[:100]
    )
    paths = _managed_paths({row.requested_by_id for row in rows if row.state == PointsAdjustment.State.REQUESTED})
    for row in rows:
        row.can_decide = row.state == PointsAdjustment.State.REQUESTED and adjustment_can_decide(
            user=user, adjustment=row, requester_paths=paths.get(row.requested_by_id, [])
        )
        row.can_reverse = bool(row.entry_id and not row.reversed and _above(user, row.person.organisation.path))
    return rows


def adjustment_get_for_user(*, user: User, pk: int) -> PointsAdjustment:
    adjustment = (
        PointsAdjustment.objects.filter(scope_for(user).organisation_q("person__organisation__"), pk=pk)
        .select_related("person__organisation", "requested_by")
        .first()
    )
    if adjustment is None:
        raise Http404("积分调整不存在。")
    return adjustment


def entry_get_for_user(*, user: User, pk: int) -> PointsEntry:
    """An entry in the user's managed scope (for a reversal); 404 elsewhere."""
    entry = (
        PointsEntry.objects.filter(scope_for(user).organisation_q("organisation__"), pk=pk)
        .select_related("organisation", "person")
        .first()
    )
    if entry is None:
        raise Http404("积分记录不存在。")
    return entry


def adjustment_people_for_user(*, user: User) -> QuerySet[Person]:
    """Members whose points the user may ask to adjust."""
    return (
        Person.objects.filter(
            scope_for(user).organisation_q("organisation__"),
            is_active_member=True,
            political_status__in=MEMBER_STATUSES,
        )
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")
    )


def points_summary() -> dict:
    """For the demo line: how many entries and the average yearly total of members with points this year."""
    year = timezone.localdate().year
    entries = PointsEntry.objects.count()
    totals = list(
        PointsEntry.objects.filter(_year_q(year))
        .values("person_id")
        .annotate(total=Sum("points"))
        .values_list("total", flat=True)
    )
    average = sum(max(t, 0) for t in totals) / len(totals) if totals else 0
    return {"entries": entries, "average": round(average, 1), "members": len(totals), "year": year}
