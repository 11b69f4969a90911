"""Pairing help (结对帮扶): reads, shaped and scoped.

Access: a pairing belongs to its organisation's scope (the household's branch); a member who manages nothing sees
the pairings where they are the helper. Households likewise.

Personal data: a household's name, address and phone are shown in full only to those who need them — the helper
of a pairing with the household, and the people holding a current managing role on exactly the household's own
organisation (its branch secretary, deputy and committee members). 组织部 and the secretaries of the committees
above see masked values (need-to-know), though they see the rows. The right is computed once per request (two
small queries cached on the user object, like `scope_for`), so a list costs no query per row.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404
from django.utils import timezone

from branches.models import MANAGING_ROLES, RoleAssignment
from branches.selectors import check_write, scope_for
from portal.lib.masking import mask_phone
from portal.models import User
from services.models import Household, Pairing, PairingVisit, VisitPhoto

RECENT_MONTHS = 3  # the list filter 缺访: a missed month among the last three completed months


# Masking ----------------------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """张三丰 → 张**: the surname stays (how neighbours and staff refer to a household), the rest goes."""
    return f"{name[:1]}**" if name else ""


def mask_address(address: str) -> str:
    """东湖社区东湖路18号3栋 → 东湖社区东湖****: the area stays, the door goes."""
    return f"{address[:6]}****" if address else ""


@dataclass(frozen=True)
class HouseholdShown:
    """What a page or an export may show of a household: full values or masked ones."""

    name: str
    address: str
    phone: str
    notes: str
    masked: bool


def household_shown(household: Household, *, visible: bool) -> HouseholdShown:
    if visible:
        return HouseholdShown(household.head_name, household.address, household.phone, household.notes, False)
    return HouseholdShown(
        mask_name(household.head_name), mask_address(household.address), mask_phone(household.phone), "", True
    )


@dataclass(frozen=True)
class DetailsRight:
    """The user's right to see households in full: their person id, the organisations they hold a current
    managing role on directly, and the households they help in an open pairing."""

    person_id: int | None
    direct_organisation_ids: frozenset[int]
    helped_household_ids: frozenset[int]

    def covers(self, *, household: Household, helper_id: int | None = None) -> bool:
        if self.person_id is not None and helper_id == self.person_id:
            return True
        return household.organisation_id in self.direct_organisation_ids or household.pk in self.helped_household_ids


def details_right_for(user: User) -> DetailsRight:
    """Computed once per request (cached on the user object, like scope_for)."""
    cached = getattr(user, "_pairing_details_right", None)
    if cached is not None:
        return cached
    person_id = scope_for(user).person_id
    if person_id is None:
        right = DetailsRight(None, frozenset(), frozenset())
    else:
        today = timezone.localdate()
        direct = RoleAssignment.objects.filter(person_id=person_id, role__in=MANAGING_ROLES, start_date__lte=today)
        direct = direct.filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        helped = Pairing.objects.filter(helper_id=person_id, ended_on__isnull=True).values_list(
            "household_id", flat=True
        )
        right = DetailsRight(
            person_id,
            frozenset(direct.values_list("organisation_id", flat=True)),
            frozenset(helped),
        )
    user._pairing_details_right = right
    return right


def household_details_visible(*, user: User, pairing_or_household: Pairing | Household) -> bool:
    """The right to see the household's name, address and phone (see the module's docstring). For a pairing, its
    own helper sees the household even after the pairing ended (their record of it)."""
    right = details_right_for(user)
    if isinstance(pairing_or_household, Pairing):
        return right.covers(household=pairing_or_household.household, helper_id=pairing_or_household.helper_id)
    return right.covers(household=pairing_or_household)


# Households -------------------------------------------------------------------------------------------------


def _helped_q(user: User, prefix: str) -> Q:
    person_id = scope_for(user).person_id
    return Q(**{f"{prefix}helper_id": person_id}) if person_id else Q(pk__in=[])


def household_list_for_user(*, user: User) -> QuerySet[Household]:
    scope = scope_for(user)
    visible = scope.organisation_q("organisation__")
    if not scope.everything:
        helped = Pairing.objects.filter(_helped_q(user, "")).values("household_id")
        visible |= Q(pk__in=helped)
    return Household.objects.filter(visible).select_related("organisation", "grid").order_by("organisation__path", "pk")


def household_choices_for_user(*, user: User) -> QuerySet[Household]:
    """Households the user may pair (those of the organisations they manage)."""
    return (
        Household.objects.filter(scope_for(user).organisation_q("organisation__"))
        .select_related("organisation")
        .order_by("organisation__path", "pk")
    )


def household_can_write(*, user: User, household: Household) -> bool:
    return scope_for(user).covers_path(household.organisation.path)


def household_get_for_user(*, user: User, pk: int, write: bool = False) -> Household:
    household = household_list_for_user(user=user).filter(pk=pk).first()
    if household is None:
        raise Http404("帮扶对象不存在。")
    if write:
        check_write(user, household_can_write(user=user, household=household))
    return household


# Pairings ---------------------------------------------------------------------------------------------------


def _pairing_visible_q(user: User, prefix: str = "") -> Q:
    scope = scope_for(user)
    visible = scope.organisation_q(f"{prefix}organisation__")
    if not scope.everything:
        visible |= _helped_q(user, prefix)
    return visible


def pairing_list_for_user(*, user: User) -> QuerySet[Pairing]:
    return (
        Pairing.objects.filter(_pairing_visible_q(user))
        .select_related("helper", "household", "household__organisation", "organisation")
        .annotate(last_visit=Max("visits__date"), visit_count=Count("visits"))
        .order_by("ended_on", "organisation__path", "-started_on", "pk")
    )


def pairing_can_write(*, user: User, pairing: Pairing) -> bool:
    return scope_for(user).covers_path(pairing.organisation.path)


def pairing_can_visit(*, user: User, pairing: Pairing) -> bool:
    """Visits are recorded by the helper themself or by someone who manages the pairing's organisation."""
    person_id = scope_for(user).person_id
    return (person_id is not None and pairing.helper_id == person_id) or pairing_can_write(user=user, pairing=pairing)


def pairing_get_for_user(*, user: User, pk: int, write: bool = False, visit: bool = False) -> Pairing:
    pairing = pairing_list_for_user(user=user).filter(pk=pk).first()
    if pairing is None:
        raise Http404("结对记录不存在。")
    if write:
        check_write(user, pairing_can_write(user=user, pairing=pairing))
    if visit:
        check_write(user, pairing_can_visit(user=user, pairing=pairing))
    return pairing


def pairing_visits(*, pairing: Pairing) -> QuerySet[PairingVisit]:
    return (
        pairing.visits.select_related("recorded_by")
        .prefetch_related(Prefetch("photos", queryset=VisitPhoto.objects.order_by("pk")))
        .order_by("-date", "-pk")
    )


def visit_photo_get_for_user(*, user: User, pk: int) -> VisitPhoto:
    """A photo exists for a user only if its pairing does (404 otherwise)."""
    photo = VisitPhoto.objects.filter(_pairing_visible_q(user, "visit__pairing__"), pk=pk).first()
    if photo is None:
        raise Http404("照片不存在。")
    return photo


def pairing_end_reason(*, pairing: Pairing) -> str:
    """The reason given when the pairing was ended (kept in its audit event: the model has no field for it)."""
    from portal.models import AuditEvent

    event = (
        AuditEvent.objects.filter(object_type=Pairing._meta.label, object_id=str(pairing.pk), action="pairing.end")
        .order_by("-created_at", "-pk")
        .first()
    )
    return (event.changes or {}).get("reason", "") if event else ""


# Months without a visit -------------------------------------------------------------------------------------


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1)


def _previous_month(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


def months_due(pairing: Pairing, today: datetime.date) -> list[datetime.date]:
    """The completed calendar months (first days) in which the pairing should have had a visit: from its start
    month up to last month, or up to the month before it ended (a pairing ended mid-month owes nothing for it)."""
    last = _previous_month(_month_start(today))
    if pairing.ended_on is not None:
        last = min(last, _previous_month(_month_start(pairing.ended_on)))
    months, month = [], _month_start(pairing.started_on)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def missed_months(*, pairings, today: datetime.date | None = None) -> dict[int, list[datetime.date]]:
    """For each pairing (a page of them, already loaded), the completed months without a visit — one query for
    the whole page: the distinct (pairing, year, month) of their visits."""
    today = today or timezone.localdate()
    pairings = list(pairings)
    visited = set(
        PairingVisit.objects.filter(pairing_id__in=[p.pk for p in pairings])
        .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
        .values_list("pairing_id", "year", "month")
        .distinct()
        .order_by()
    )
    return {p.pk: [m for m in months_due(p, today) if (p.pk, m.year, m.month) not in visited] for p in pairings}


def missed_recently_q(today: datetime.date | None = None) -> Q:
    """Open pairings with a month without a visit among the last three completed months (started by then)."""
    today = today or timezone.localdate()
    month = _month_start(today)
    missed = Q(pk__in=[])
    for _ in range(RECENT_MONTHS):
        start, end = _previous_month(month), month
        visited = PairingVisit.objects.filter(pairing_id=OuterRef("pk"), date__gte=start, date__lt=end)
        missed |= Q(started_on__lt=end) & ~Q(Exists(visited))
        month = start
    return Q(ended_on__isnull=True) & missed


def unvisited_this_month_q(today: datetime.date | None = None) -> Q:
    """Open pairings, started by today, without a visit so far this calendar month (DOMAIN §4: visits at least
    monthly): what a branch still has to do this month."""
    today = today or timezone.localdate()
    visited = PairingVisit.objects.filter(pairing_id=OuterRef("pk"), date__gte=_month_start(today))
    return Q(ended_on__isnull=True, started_on__lte=today) & ~Q(Exists(visited))


def pairing_rows(*, user: User, pairings, today: datetime.date | None = None) -> list[dict]:
    """A page of pairings, each with the household as the user may see it and its months without a visit."""
    pairings = list(pairings)
    right = details_right_for(user)
    missed = missed_months(pairings=pairings, today=today)
    return [
        {
            "pairing": p,
            "household": household_shown(
                p.household, visible=right.covers(household=p.household, helper_id=p.helper_id)
            ),
            "missed": missed[p.pk],
        }
        for p in pairings
    ]


def household_rows(*, user: User, households) -> list[dict]:
    right = details_right_for(user)
    return [{"household": h, "shown": household_shown(h, visible=right.covers(household=h))} for h in households]


# The register (一帮一登记册) --------------------------------------------------------------------------------


def pairing_register(*, user: User, pairings: QuerySet[Pairing], today: datetime.date | None = None) -> list[dict]:
    """The register's rows over `pairings` (already scoped and filtered): a constant number of queries."""
    today = today or timezone.localdate()
    rows = (
        Pairing.objects.filter(pk__in=pairings.order_by().values("pk"))
        .select_related("helper", "household", "household__organisation", "organisation")
        .annotate(
            last_visit=Max("visits__date"),
            visits_this_year=Count("visits", filter=Q(visits__date__year=today.year)),
        )
        .order_by("organisation__path", "started_on", "pk")
    )
    return pairing_rows(user=user, pairings=rows, today=today)


# The pairing jobs: visit gaps and the quarterly inspection summary ------------------------------------------


def pairings_without_visit(*, month: datetime.date) -> QuerySet[Pairing]:
    """The pairings that owed a visit in `month` (a first day) and had none: paired by the month's end, not ended
    before the next month began (one ended mid-month owes nothing for it). `months_due` is the per-pairing form of
    this query; a test in tests/services/test_pairing_actions.py holds the two to the same months."""
    month = _month_start(month)
    following = _next_month(month)
    visited = PairingVisit.objects.filter(pairing_id=OuterRef("pk"), date__gte=month, date__lt=following)
    return (
        Pairing.objects.filter(started_on__lt=following)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=following))
        .exclude(Exists(visited))
        .select_related("helper__user", "household", "organisation")
        .order_by("organisation__path", "pk")
    )


@dataclass
class PeriodCounts:
    pairs: int = 0  # pairings open at some time in the period
    visits: int = 0  # their visits in the period
    gaps: int = 0  # months of the period in which a pairing owed a visit and had none (缺访月次)


def pairing_counts_by_organisation(*, first: datetime.date, last: datetime.date) -> dict[str, PeriodCounts]:
    """organisation path → pairs, visits and visit gaps of the period [first, last] (whole months), for the
    pairings owned directly by that organisation; callers roll them up a subtree. Three queries."""
    pairings = list(
        Pairing.objects.filter(started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("organisation")
        .order_by("pk")
    )
    visits = dict(
        PairingVisit.objects.filter(pairing__in=[p.pk for p in pairings], date__gte=first, date__lte=last)
        .values("pairing_id")
        .annotate(n=Count("pk"))
        .values_list("pairing_id", "n")
        .order_by()
    )
    # Gaps as the register computes them, seen from the day after the period: its months that are now complete.
    missed = missed_months(pairings=pairings, today=last + datetime.timedelta(days=1))
    counts: dict[str, PeriodCounts] = {}
    for pairing in pairings:
        row = counts.setdefault(pairing.organisation.path, PeriodCounts())
        row.pairs += 1
        row.visits += visits.get(pairing.pk, 0)
        row.gaps += sum(1 for month in missed[pairing.pk] if month >= first)
    return counts
