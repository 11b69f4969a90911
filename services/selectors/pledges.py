"""Pledges and posts: reads, shaped and scoped; and the public branch page's reads.

Who sees what: a writer (anyone managing the organisation's subtree) sees and changes its pledges and posts; a
member sees the pledges and posts of their own organisation and of the organisations above it, read-only — these
are public commitments anyway — and records progress on their own pledge. Outside that a row does not exist (404).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Floor, Least
from django.http import Http404
from django.utils import timezone

from branches.models import Organisation, Person
from branches.selectors import check_write, scope_for
from portal.models import User
from services.models import Pledge, PledgeItem, PledgeProgress, Post

# A post is due a check when it was never checked or its last check is older than this. 90 days (a quarter) is the
# default the issue names; 组织部 may want it configurable later (e.g. on branches.RuleSettings).
POST_CHECK_DAYS = 90

# Group kinds whose pledges and posts appear on their parent branch's public page (a branch's members may be
# registered in its party groups).
GROUP_KINDS = (
    Organisation.Kind.PARTY_GROUP,
    Organisation.Kind.FUNCTIONAL_GROUP,
    Organisation.Kind.TEMPORARY_GROUP,
)

_AMOUNT = DecimalField(max_digits=10, decimal_places=1)


def _member_orgs_q(user: User, prefix: str = "organisation__") -> Q:
    """Rows of the member's own organisation and of those above it (read-only for the member)."""
    scope = scope_for(user)
    if not scope.person_id:
        return Q(pk__in=[])
    path = Person.objects.filter(pk=scope.person_id).values_list("organisation__path", flat=True).first() or ""
    ancestors = [path[:end] for end in range(Organisation.steplen, len(path) + 1, Organisation.steplen)]
    return Q(**{f"{prefix}path__in": ancestors})


# Pledges ----------------------------------------------------------------------------------------------------


def pledge_items_with_progress() -> QuerySet[PledgeItem]:
    """Items with `done` (the sum of their progress) and `percent` (of the target, 0–100), in SQL."""
    done = Coalesce(Sum("progress__amount"), Value(Decimal(0)), output_field=_AMOUNT)
    return (
        PledgeItem.objects.annotate(done=done)
        .annotate(
            percent=Cast(
                Least(
                    Floor(ExpressionWrapper(F("done") * 100 / F("target"), output_field=_AMOUNT)),
                    Value(100),
                    output_field=_AMOUNT,
                ),
                IntegerField(),
            )
        )
        .order_by("pk")
    )


def pledge_list_for_user(*, user: User) -> QuerySet[Pledge]:
    """Pledges the user may see, each with its items (and their progress totals) prefetched in one query."""
    scope = scope_for(user)
    visible = scope.organisation_q("organisation__")
    if not scope.everything:
        visible |= _member_orgs_q(user)
        if scope.person_id:
            visible |= Q(person_id=scope.person_id)
    return (
        Pledge.objects.filter(visible)
        .select_related("organisation", "person")
        .prefetch_related(Prefetch("items", queryset=pledge_items_with_progress()))
        .order_by("-year", "organisation__path", "person__name", "pk")
    )


def pledge_can_write(*, user: User, pledge: Pledge) -> bool:
    return scope_for(user).covers_path(pledge.organisation.path)


def pledge_is_own(*, user: User, pledge: Pledge) -> bool:
    person_id = scope_for(user).person_id
    return bool(person_id) and pledge.person_id == person_id


def pledge_can_record(*, user: User, pledge: Pledge) -> bool:
    """Progress, items, withdrawal: the member themself or a writer."""
    return pledge_is_own(user=user, pledge=pledge) or pledge_can_write(user=user, pledge=pledge)


def pledge_can_appraise(*, user: User, pledge: Pledge) -> bool:
    """The appraisal: a writer, never the pledging member themself (a secretary does not appraise their own)."""
    return pledge_can_write(user=user, pledge=pledge) and not pledge_is_own(user=user, pledge=pledge)


READ, RECORD, APPRAISE, WRITE = "read", "record", "appraise", "write"
_RIGHTS = {RECORD: pledge_can_record, APPRAISE: pledge_can_appraise, WRITE: pledge_can_write}


def pledge_get_for_user(*, user: User, pk: int, need: str = READ) -> Pledge:
    """The pledge, or 404 outside what the user sees; PermissionDenied without the right `need`."""
    pledge = pledge_list_for_user(user=user).filter(pk=pk).first()
    if pledge is None:
        raise Http404("承诺不存在。")
    if need != READ:
        check_write(user, _RIGHTS[need](user=user, pledge=pledge))
    return pledge


def pledge_items(*, pledge: Pledge) -> list[PledgeItem]:
    """The pledge page: items with their totals and each item's progress entries (two queries)."""
    progress = PledgeProgress.objects.order_by("date", "pk")
    return list(
        pledge_items_with_progress()
        .filter(pledge=pledge)
        .prefetch_related(Prefetch("progress", queryset=progress, to_attr="entries"))
    )


def pledge_percent(items: Iterable[PledgeItem]) -> int:
    """The pledge's overall progress: the mean of its items' percentages (each capped at 100)."""
    percents = [item.percent or 0 for item in items]
    return round(sum(percents) / len(percents)) if percents else 0


def pledges_with_percent(pledges: Iterable[Pledge]) -> list[Pledge]:
    """Sets `percent` on each pledge from its prefetched items (no queries)."""
    rows = list(pledges)
    for pledge in rows:
        pledge.percent = pledge_percent(pledge.items.all())
    return rows


def pledge_years() -> list[int]:
    """Years offered by the list filter: this year, next, and those with pledges."""
    this_year = timezone.localdate().year
    years = set(Pledge.objects.values_list("year", flat=True).distinct()) | {this_year, this_year + 1}
    return sorted(years, reverse=True)


# Posts ------------------------------------------------------------------------------------------------------


def post_check_cutoff(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) - datetime.timedelta(days=POST_CHECK_DAYS)


def due_check_q(today: datetime.date | None = None) -> Q:
    """Active posts never checked, or last checked more than POST_CHECK_DAYS ago (derived, never stored)."""
    return Q(is_active=True) & (Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=post_check_cutoff(today)))


def post_list_for_user(*, user: User) -> QuerySet[Post]:
    scope = scope_for(user)
    visible = scope.organisation_q("organisation__")
    if not scope.everything:
        visible |= _member_orgs_q(user)
        if scope.person_id:
            visible |= Q(person_id=scope.person_id)
    return (
        Post.objects.filter(visible)
        .select_related("organisation", "person")
        .annotate(
            due_check=Case(When(due_check_q(), then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by("-is_active", "organisation__path", "kind", "person__name", "pk")
    )


def posts_due_check_for_user(*, user: User) -> QuerySet[Post]:
    return post_list_for_user(user=user).filter(due_check_q())


def post_can_write(*, user: User, post: Post) -> bool:
    return scope_for(user).covers_path(post.organisation.path)


def post_get_for_user(*, user: User, pk: int, write: bool = False) -> Post:
    post = post_list_for_user(user=user).filter(pk=pk).first()
    if post is None:
        raise Http404("岗位不存在。")
    if write:
        check_write(user, post_can_write(user=user, post=post))
    return post


# The public branch page (no login) ----------------------------------------------------------------------------


def public_organisation(*, pk: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk, is_archived=False).first()
    if organisation is None:
        raise Http404("党组织不存在或已撤销。")
    return organisation


def _public_q(organisation: Organisation) -> Q:
    """The organisation's own rows and those of its party groups directly beneath it."""
    return Q(organisation=organisation) | Q(
        organisation__path__startswith=organisation.path,
        organisation__depth=organisation.depth + 1,
        organisation__kind__in=GROUP_KINDS,
    )


def public_pledges(*, organisation: Organisation, year: int) -> list[Pledge]:
    """The year's non-withdrawn pledges of the organisation and its members. Members by name only: the query
    loads no other personal field, so a template cannot show one by mistake."""
    pledges = (
        Pledge.objects.filter(_public_q(organisation), year=year, is_withdrawn=False)
        .select_related("person")
        .only("pk", "year", "title", "result", "organisation_id", "person_id", "person__name")
        .prefetch_related(
            Prefetch(
                "items", queryset=pledge_items_with_progress().only("pk", "pledge_id", "content", "target", "unit")
            )
        )
        .order_by(F("person__name").asc(nulls_first=True), "pk")
    )
    return pledges_with_percent(pledges)


def public_posts(*, organisation: Organisation) -> QuerySet[Post]:
    """Active posts with what is meant to be public: kind, title, member name, duties, service content, the post's
    contact and the supervision phone."""
    return (
        Post.objects.filter(_public_q(organisation), is_active=True)
        .select_related("person")
        .only(
            "pk",
            "kind",
            "title",
            "duties",
            "service_content",
            "contact",
            "supervision_phone",
            "person_id",
            "person__name",
        )
        .order_by("kind", "person__name", "pk")
    )
