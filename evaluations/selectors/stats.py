"""Satisfaction (满意度) from public ratings: satisfaction rate = ratings of 3 or more / all ratings, with the average
beside it (DOMAIN §5). Each figure is one aggregate query over Rating, limited to the user's scope (the ratings of
activities owned by organisations the user manages) and to a period of local dates.

Nothing is divided by zero: a group exists only when it has ratings, and an empty total has no rate (None)."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organisation
from branches.selectors import scope_for
from evaluations.models import Rating
from portal.models import User

GROUPS = ("activity", "team", "organisation", "category", "month")
# The activity table lists the most-rated activities; a district has thousands, a page does not need them all.
ACTIVITY_ROWS = 100

# group_by → (the id and label the rows are grouped by)
_KEYS = {
    "activity": ("activity_id", "activity__title"),
    "team": ("activity__team_id", "activity__team__name"),
    "organisation": ("activity__organisation_id", "activity__organisation__name"),
    "category": ("activity__category_id", "activity__category__name"),
}


@dataclass(frozen=True)
class Satisfaction:
    key: object  # the group's id (a month's first day for "month"; None for "no team")
    label: str
    count: int
    satisfied: int
    average: Decimal | None  # 1 decimal
    rate: Decimal | None  # per cent, 1 decimal

    @classmethod
    def of(cls, key, label: str, count: int, satisfied: int, average: float | None) -> "Satisfaction":
        if not count:
            return cls(key, label, 0, 0, None, None)
        return cls(
            key=key,
            label=label,
            count=count,
            satisfied=satisfied,
            average=_one_decimal(average),
            rate=_one_decimal(Decimal(satisfied) * 100 / count),
        )


def _one_decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _figures() -> dict:
    return {
        "n": Count("pk"),
        "good": Count("pk", filter=Q(level__gte=Rating.SATISFIED_FROM)),
        "avg": Avg("level"),
    }


def _period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnights: ratings from the start of `start` up to (not including) the day after `end`."""
    zone = timezone.get_current_timezone()
    lower = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    upper = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return lower, upper


def ratings_for_user(
    *, user: User, start: datetime.date, end: datetime.date, organisation: Organisation | None = None
) -> QuerySet[Rating]:
    """Ratings of activities owned in the user's scope, given in the period; with `organisation`, only its subtree
    (an organisation outside the scope adds nothing: the scope filter still applies)."""
    scope = scope_for(user)
    lower, upper = _period_bounds(start, end)
    ratings = Rating.objects.filter(scope.organisation_q("activity__organisation__"))
    if organisation is not None:
        ratings = ratings.filter(activity__organisation__path__startswith=organisation.path)
    return ratings.filter(created_at__gte=lower, created_at__lt=upper)


def satisfaction(
    *,
    user: User,
    start: datetime.date,
    end: datetime.date,
    group_by: str,
    organisation: Organisation | None = None,
) -> list[Satisfaction]:
    """One row per group with ratings (one query). Activities: the most rated first; months: in order; the others
    by name. Ratings of activities without a team form one "未指定服务队" group."""
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping: {group_by}")
    ratings = ratings_for_user(user=user, start=start, end=end, organisation=organisation)
    if group_by == "month":
        rows = ratings.annotate(month=TruncMonth("created_at")).values("month").annotate(**_figures()).order_by("month")
        return [
            Satisfaction.of(row["month"], f"{row['month']:%Y-%m}", row["n"], row["good"], row["avg"]) for row in rows
        ]
    key, label = _KEYS[group_by]
    rows = ratings.values(key, label).annotate(**_figures())
    if group_by == "activity":
        rows = rows.order_by("-n", label, key)[:ACTIVITY_ROWS]
    else:
        rows = rows.order_by(F(label).asc(nulls_last=True), key)
    return [
        Satisfaction.of(row[key], row[label] or _("未指定服务队"), row["n"], row["good"], row["avg"]) for row in rows
    ]


def satisfaction_total(
    *, user: User, start: datetime.date, end: datetime.date, organisation: Organisation | None = None
) -> Satisfaction:
    """All the user's ratings in the period (with `organisation`: the subtree total), one query."""
    row = ratings_for_user(user=user, start=start, end=end, organisation=organisation).aggregate(**_figures())
    label = organisation.name if organisation is not None else _("合计")
    return Satisfaction.of(organisation.pk if organisation else None, label, row["n"], row["good"], row["avg"])
