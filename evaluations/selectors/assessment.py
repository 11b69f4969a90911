"""Branch assessment (评星晋级): the measured figures of DOMAIN §5 and the scoped reads of the assessments.

The five figures of a branch (its subtree) for a calendar year:

- 人均活动数 activities per member: the ended/closed activities owned in the subtree that started in the year,
  divided by the subtree's active party members (预备党员 and 正式党员 on the roll today);
- 党员参与率 participation rate: the share of those members who attended at least one activity that started in the
  year (any organiser: a member serving with another branch's team still took part);
- 群众满意率 satisfaction rate: ratings ≥ 3 / all ratings given in the year to the subtree's activities (the same
  definition as the satisfaction page, `stats.Satisfaction`);
- 需求按时办结率 demands done on time: of the subtree's demands due in the year (up to today, for the running year:
  a demand not yet due cannot be late), the share done by its deadline;
- 评议完成率 reviews completed: of the sheets of the subtree's yearly review rounds of that year, the share with a
  grade (given when a round closes); None when there was no round.

A figure without a denominator is None, never a division by zero. `branch_figures` costs five queries for one
branch; `branch_figures_many` five queries for any number of branches (grouped by organisation path, rolled up to
each branch in Python). Both build their querysets with the same helpers, so they can only differ in the roll-up,
which a test compares.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from branches.models import MEMBER_STATUSES, Organisation, Person
from branches.selectors import scope_for
from evaluations.models import BranchAssessment, Rating, ReviewRound
from evaluations.selectors.stats import Satisfaction
from portal.models import User
from services.models import Activity, Demand, Participation

# 六有: the checklist items, in the order of DOMAIN §5; each maps to has_<key> and <key>_evidence on the model.
CHECKLIST = ("leadership", "backbone", "premises", "carriers", "rules", "results")

# The figures an assessment freezes, in display order: key → (label, unit).
FIGURES = {
    "activities_per_member": ("人均活动数", "次"),
    "participation_rate": ("党员参与率", "%"),
    "satisfaction_rate": ("群众满意率", "%"),
    "demands_on_time_rate": ("需求按时办结率", "%"),
    "reviews_completed_rate": ("民主评议完成率", "%"),
}


def checklist_label(key: str) -> str:
    return str(BranchAssessment._meta.get_field(f"has_{key}").verbose_name)


def checklist_rows(assessment: BranchAssessment) -> list[dict]:
    """The six items of an assessment: label, met, evidence."""
    return [
        {
            "key": key,
            "label": checklist_label(key),
            "met": getattr(assessment, f"has_{key}"),
            "evidence": getattr(assessment, f"{key}_evidence"),
        }
        for key in CHECKLIST
    ]


def checklist_count(assessment: BranchAssessment) -> int:
    return sum(1 for key in CHECKLIST if getattr(assessment, f"has_{key}"))


# Figures ----------------------------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnights of 1 January of `year` and of the next year."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def _subtrees(paths: Iterable[str], prefix: str) -> Q:
    paths = sorted(set(paths))
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": path}) for path in paths))


def _rate(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _querysets(paths: list[str], year: int, today: datetime.date) -> dict[str, tuple[QuerySet, str, dict]]:
    """name → (queryset, the lookup of its rows' organisation path, aggregates), each limited to the subtrees of
    `paths`."""
    start, end = _year_bounds(year)
    last_due = min(datetime.date(year, 12, 31), today)
    attended = Participation.objects.attended().filter(
        person=OuterRef("pk"),
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )
    return {
        "members": (
            Person.objects.filter(
                _subtrees(paths, "organisation__"), is_active_member=True, political_status__in=MEMBER_STATUSES
            ),
            "organisation__path",
            {"members": Count("pk"), "participants": Count("pk", filter=Q(Exists(attended)))},
        ),
        "activities": (
            Activity.objects.held().filter(_subtrees(paths, "organisation__"), starts_at__gte=start, starts_at__lt=end),
            "organisation__path",
            {"activities": Count("pk")},
        ),
        "ratings": (
            Rating.objects.filter(
                _subtrees(paths, "activity__organisation__"), created_at__gte=start, created_at__lt=end
            ),
            "activity__organisation__path",
            {
                "ratings": Count("pk"),
                "ratings_good": Count("pk", filter=Q(level__gte=Rating.SATISFIED_FROM)),
                "ratings_level_sum": Sum("level"),  # a sum, not an average: it rolls up across groups
            },
        ),
        "demands": (
            Demand.objects.filter(
                _subtrees(paths, "organisation__"), deadline__gte=datetime.date(year, 1, 1), deadline__lte=last_due
            ),
            "organisation__path",
            {
                "demands_due": Count("pk"),
                "demands_on_time": Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("deadline"))),
            },
        ),
        "reviews": (
            ReviewRound.objects.filter(_subtrees(paths, "organisation__"), kind=ReviewRound.Kind.YEARLY, year=year),
            "organisation__path",
            {
                "review_rounds": Count("pk", distinct=True),
                "review_sheets": Count("sheets"),
                "reviews_graded": Count("sheets", filter=~Q(sheets__grade="")),
            },
        ),
    }


def _figures(year: int, counts: dict) -> dict:
    """The frozen form of the figures: the counts behind them and the five figures (floats, 1 decimal)."""
    members = counts.get("members", 0)
    per_member = None
    if members:
        per_member = float(
            (Decimal(counts.get("activities", 0)) / members).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        )
    ratings = counts.get("ratings", 0)
    average = (counts.get("ratings_level_sum") or 0) / ratings if ratings else None
    satisfaction = Satisfaction.of(None, "", ratings, counts.get("ratings_good", 0), average)
    sheets = counts.get("review_sheets", 0)
    reviews = None
    if counts.get("review_rounds", 0):
        # a round without sheets completed nothing of what it had to do
        reviews = _rate(counts.get("reviews_graded", 0), sheets) if sheets else 0.0
    return {
        "year": year,
        "members": members,
        "activities": counts.get("activities", 0),
        "participants": counts.get("participants", 0),
        "ratings": counts.get("ratings", 0),
        "ratings_good": counts.get("ratings_good", 0),
        "demands_due": counts.get("demands_due", 0),
        "demands_on_time": counts.get("demands_on_time", 0),
        "review_rounds": counts.get("review_rounds", 0),
        "review_sheets": sheets,
        "reviews_graded": counts.get("reviews_graded", 0),
        "activities_per_member": per_member,
        "participation_rate": _rate(counts.get("participants", 0), members),
        "satisfaction_rate": float(satisfaction.rate) if satisfaction.rate is not None else None,
        "satisfaction_average": float(satisfaction.average) if satisfaction.average is not None else None,
        "demands_on_time_rate": _rate(counts.get("demands_on_time", 0), counts.get("demands_due", 0)),
        "reviews_completed_rate": reviews,
    }


def branch_figures(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> dict:
    """The five figures of one branch (its subtree) for a calendar year: five aggregate queries."""
    today = today or timezone.localdate()
    counts: dict = {}
    for queryset, _path, aggregates in _querysets([organisation.path], year, today).values():
        counts.update(queryset.aggregate(**aggregates))
    return _figures(year, counts)


def branch_figures_many(
    *, organisations: Iterable[Organisation], year: int, today: datetime.date | None = None
) -> dict[int, dict]:
    """The same figures for many branches at once: organisation id → figures, five grouped queries in all.

    Each query is grouped by the path of the row's organisation; a row then counts for every given branch whose
    path is a prefix of it (walking the path's ancestors, one step length at a time), exactly as the subtree
    filter of `branch_figures` would."""
    today = today or timezone.localdate()
    organisations = list(organisations)
    by_path = {organisation.path: organisation.pk for organisation in organisations}
    counts: dict[int, dict] = {organisation.pk: defaultdict(int) for organisation in organisations}
    if by_path:
        step = Organisation.steplen
        for queryset, path, aggregates in _querysets(list(by_path), year, today).values():
            for row in queryset.order_by().values(path).annotate(**aggregates):
                row_path = row.pop(path)
                for end in range(step, len(row_path) + 1, step):
                    pk = by_path.get(row_path[:end])
                    if pk is not None:
                        for name, value in row.items():
                            counts[pk][name] += value or 0
    return {pk: _figures(year, dict(values)) for pk, values in counts.items()}


# Who may assess ---------------------------------------------------------------------------------------------


def assessable_branches(*, user: User) -> QuerySet[Organisation]:
    """The branches a user may assess: 组织部 any; otherwise those strictly below a subtree the user manages —
    a branch never rates itself, the level above (党委/党总支) does."""
    scope = scope_for(user)
    branches = Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS, is_archived=False).order_by("path")
    if scope.everything:
        return branches
    if not scope.paths:
        return branches.none()
    return branches.filter(reduce(or_, (Q(path__startswith=path) & ~Q(path=path) for path in scope.paths)))


def assessment_can_assess(*, user: User, organisation: Organisation) -> bool:
    """`assessable_branches` for one branch, without a query (the rule in Python beside its query form; a test in
    tests/evaluations/test_assessment_rules.py holds the two to the same answer for every role)."""
    if organisation.kind not in Organisation.BRANCH_KINDS or organisation.is_archived:
        return False
    scope = scope_for(user)
    if scope.everything:
        return True
    return any(organisation.path.startswith(path) and organisation.path != path for path in scope.paths)


def assessment_area_check(*, user: User) -> None:
    """The assessment pages are a staff tool: for a user who manages nothing they do not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def assessment_form_target(*, user: User, organisation_id: int | None) -> Organisation | None:
    """The branch named in the form's address: 404 outside the scope (or not a branch), PermissionDenied for a
    branch the user sees but may not assess (their own); None when none was named and the user may assess some."""
    assessment_area_check(user=user)
    if organisation_id is None:
        if not assessable_branches(user=user).exists():
            raise PermissionDenied("党支部不能给自己评星，请由上级党组织评定。")
        return None
    scope = scope_for(user)
    organisation = (
        Organisation.objects.filter(scope.organisation_q(), kind__in=Organisation.BRANCH_KINDS, pk=organisation_id)
        .order_by()
        .first()
    )
    if organisation is None:
        raise Http404("党支部不存在。")
    if not assessment_can_assess(user=user, organisation=organisation):
        raise PermissionDenied("党支部不能给自己评星，请由上级党组织评定。")
    return organisation


# Assessments ------------------------------------------------------------------------------------------------


def assessment_list_for_user(*, user: User, year: int | None = None) -> QuerySet[BranchAssessment]:
    """Assessments of branches in the user's scope (a branch secretary sees their own branch's, read-only)."""
    scope = scope_for(user)
    assessments = BranchAssessment.objects.filter(scope.organisation_q("organisation__")).select_related(
        "organisation", "assessed_by"
    )
    if year is not None:
        assessments = assessments.filter(year=year)
    return assessments.order_by("-year", "organisation__path")


def assessment_years_for_user(*, user: User) -> list[int]:
    """The years that have assessments in the user's scope, latest first (for the year filter)."""
    return list(assessment_list_for_user(user=user).order_by("-year").values_list("year", flat=True).distinct())


def assessment_get_for_user(*, user: User, pk: int, write: bool = False) -> BranchAssessment:
    """404 outside the scope; with `write`, PermissionDenied for a user who may not assess the branch."""
    assessment = assessment_list_for_user(user=user).filter(pk=pk).first()
    if assessment is None:
        raise Http404("评星记录不存在。")
    if write and not assessment_can_assess(user=user, organisation=assessment.organisation):
        raise PermissionDenied("党支部不能给自己评星，请由上级党组织评定。")
    return assessment


def assessment_existing(*, organisation: Organisation, year: int) -> BranchAssessment | None:
    return BranchAssessment.objects.filter(organisation=organisation, year=year).first()


# Comparison -------------------------------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    organisation: Organisation
    figures: dict
    assessment: BranchAssessment | None = None
    checklist_count: int | None = None
    stars: int | None = None
    frozen: bool = False  # figures frozen in the assessment (else measured now)


def comparison_parent(*, user: User, parent_id: int | None) -> Organisation:
    """The organisation whose branches are compared: the given one (404 outside the scope), else the user's
    first managed subtree (the whole district for 组织部)."""
    assessment_area_check(user=user)
    scope = scope_for(user)
    organisations = Organisation.objects.filter(scope.organisation_q()).order_by("path")
    parent = organisations.filter(pk=parent_id).first() if parent_id is not None else organisations.first()
    if parent is None:
        raise Http404("党组织不存在。")
    return parent


def comparison_parents(*, user: User) -> QuerySet[Organisation]:
    """The organisations whose branches one may compare: 党委 and 党总支 in the scope, and the scope's roots."""
    scope = scope_for(user)
    kinds = (Organisation.Kind.COMMITTEE, Organisation.Kind.GENERAL_BRANCH)
    return (
        Organisation.objects.filter(scope.organisation_q())
        .filter(Q(kind__in=kinds) | Q(path__in=scope.paths))
        .order_by("path")
    )


def comparison(*, user: User, parent: Organisation, year: int, today: datetime.date | None = None) -> list:
    """The branches (党支部, 联合党支部) in `parent`'s subtree and the user's scope, each with its figures, checklist
    count and stars for `year`: an assessed branch shows the figures frozen in its assessment (the basis of its
    stars), one not yet assessed the figures measured now. Seven queries, whatever the number of branches."""
    scope = scope_for(user)
    branches = list(
        Organisation.objects.filter(
            scope.organisation_q(), path__startswith=parent.path, kind__in=Organisation.BRANCH_KINDS
        ).order_by("path")
    )
    assessments = {
        a.organisation_id: a
        for a in BranchAssessment.objects.filter(organisation__in=branches, year=year).select_related("organisation")
    }
    live = branch_figures_many(organisations=branches, year=year, today=today)
    rows = []
    for branch in branches:
        assessment = assessments.get(branch.pk)
        if assessment is not None and assessment.figures:
            rows.append(
                ComparisonRow(
                    organisation=branch,
                    figures=assessment.figures,
                    assessment=assessment,
                    checklist_count=checklist_count(assessment),
                    stars=assessment.stars,
                    frozen=True,
                )
            )
        else:
            rows.append(ComparisonRow(organisation=branch, figures=live[branch.pk]))
    return rows


SORT_KEYS = ("name", "stars", "checklist", *FIGURES)


def comparison_sorted(rows: list[ComparisonRow], key: str) -> list[ComparisonRow]:
    """Rows by a column: names in tree order; numbers highest first, rows without a value last."""
    if key not in SORT_KEYS or key == "name":
        return rows

    def value(row: ComparisonRow):
        if key == "stars":
            return row.stars
        if key == "checklist":
            return row.checklist_count
        return row.figures.get(key)

    with_value = [row for row in rows if value(row) is not None]
    without = [row for row in rows if value(row) is None]
    return sorted(with_value, key=value, reverse=True) + without
