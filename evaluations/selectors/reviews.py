"""Review rounds (民主评议, 相互评议打分): reads, shaped and scoped.

Who sees what:
- a **writer** (someone who manages the round's branch: its secretary and committee, the levels above) sees the
  branch sheet with everything, including who scored whom, and what is missing;
- a **member** of the round sees only their own sheet and the list of peers to score with the scores they gave —
  never who scored them nor what a peer gave them (anonymous to peers);
- for anyone else the round does not exist (404). Seen but not writable, a writer's step is 403.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from branches.models import Person
from branches.selectors import check_write, scope_for
from evaluations.models import PeerScore, Rating, ReviewRound, ReviewSheet
from portal.models import User
from services.models import Participation


def review_period(round_: ReviewRound) -> tuple[datetime.date, datetime.date]:
    """The period a round looks at: its year, or its half year."""
    if round_.half == 1:
        return datetime.date(round_.year, 1, 1), datetime.date(round_.year, 6, 30)
    if round_.half == 2:
        return datetime.date(round_.year, 7, 1), datetime.date(round_.year, 12, 31)
    return datetime.date(round_.year, 1, 1), datetime.date(round_.year, 12, 31)


# Rounds ------------------------------------------------------------------------------------------------------


def review_list_check(*, user: User) -> None:
    """The review pages exist for those who manage something and for people with a person record."""
    scope = scope_for(user)
    if not (scope.manages_anything or scope.person_id):
        raise Http404("页面不存在。")


def review_open_check(*, user: User) -> None:
    """Opening a round is a staff tool: for a user who manages nothing it does not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def review_round_list_for_user(*, user: User) -> QuerySet[ReviewRound]:
    """The rounds of the branches the user manages, and the rounds the user is a member of; each with its member
    count and the user's own grade (one query)."""
    scope = scope_for(user)
    visible = scope.organisation_q("organisation__")
    mine = ReviewSheet.objects.filter(round=OuterRef("pk"), person_id=scope.person_id)
    if scope.person_id:
        visible |= Q(Exists(mine))
    no_total = Value(None, output_field=DecimalField())
    members = ReviewSheet.objects.filter(round=OuterRef("pk")).values("round").annotate(n=Count("pk")).values("n")
    return (
        ReviewRound.objects.filter(visible)
        .select_related("organisation")
        .annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            my_grade=Subquery(mine.values("grade")[:1]) if scope.person_id else Value(""),
            my_total=Subquery(mine.values("total")[:1]) if scope.person_id else no_total,
        )
        .order_by("-year", "-opens_on", "organisation__path", "pk")
    )


def review_round_can_write(*, user: User, round_: ReviewRound) -> bool:
    return scope_for(user).covers_path(round_.organisation.path)


def review_round_get_for_user(*, user: User, pk: int, write: bool = False) -> ReviewRound:
    """404 when the user neither manages the branch nor is a member of the round; PermissionDenied for a
    writer's step asked by a member. Sets `can_write` on the round."""
    round_ = review_round_list_for_user(user=user).filter(pk=pk).first()
    if round_ is None:
        raise Http404("评议不存在。")
    round_.can_write = review_round_can_write(user=user, round_=round_)
    if write:
        check_write(user, round_.can_write)
    return round_


def review_sheet_get_for_user(*, user: User, pk: int, write: bool = False) -> ReviewSheet:
    """A sheet through its round: 404 outside; a member sees only their own; `write` needs a writer."""
    sheet = ReviewSheet.objects.select_related("round", "round__organisation", "person").filter(pk=pk).first()
    if sheet is None:
        raise Http404("评议表不存在。")
    review_round_get_for_user(user=user, pk=sheet.round_id, write=False)
    can_write = review_round_can_write(user=user, round_=sheet.round)
    if not can_write and sheet.person_id != scope_for(user).person_id:
        raise Http404("评议表不存在。")
    if write:
        check_write(user, can_write)
    return sheet


# The branch sheet (writers) ----------------------------------------------------------------------------------


def _has_ratings(round_: ReviewRound) -> Exists:
    """Whether any activity the sheet's member attended in the round's period has a public rating."""
    start, end = review_period(round_)
    return Exists(
        Rating.objects.filter(
            # one filter() call: the same participation is the member's and attended
            Participation.objects.attended_q("activity__participations__"),
            activity__participations__person=OuterRef("person"),
            activity__starts_at__date__gte=start,
            activity__starts_at__date__lte=end,
        )
    )


def _count(queryset: QuerySet, by: str) -> Coalesce:
    counted = queryset.values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def review_sheet_rows(*, round: ReviewRound) -> list[ReviewSheet]:
    """Every sheet of the round with its member, the peer scores received and given, and whether the member's
    mass score came from the branch average (`mass_from_average`) — one query."""
    peers = PeerScore.objects.filter(round_id=round.pk)
    rows = list(
        ReviewSheet.objects.filter(round_id=round.pk)
        .select_related("person")
        .annotate(
            received_count=_count(peers.filter(ratee=OuterRef("person")), "ratee"),
            given_count=_count(peers.filter(rater=OuterRef("person")), "rater"),
            has_ratings=_has_ratings(round),
        )
        .order_by("-total", "person__name", "pk")
    )
    branch_rated = any(row.has_ratings for row in rows)
    for row in rows:
        row.mass_from_average = row.mass_score is not None and branch_rated and not row.has_ratings
    return rows


def review_peer_scores(*, round: ReviewRound) -> list[PeerScore]:
    """Who scored whom (writers only: never shown to members), one query."""
    return list(
        PeerScore.objects.filter(round_id=round.pk)
        .select_related("rater", "ratee")
        .order_by("ratee__name", "rater__name", "pk")
    )


@dataclass(frozen=True)
class PeerGap:
    person: Person
    missing: int  # peers this member has not scored yet


@dataclass(frozen=True)
class MissingInputs:
    self_missing: list[Person] = field(default_factory=list)
    peer_missing: list[PeerGap] = field(default_factory=list)
    organisation_missing: list[Person] = field(default_factory=list)
    late: bool = False  # still open after its closing date

    @property
    def anything(self) -> bool:
        return bool(self.self_missing or self.peer_missing or self.organisation_missing)


def review_round_missing(
    *, round: ReviewRound, rows: list[ReviewSheet] | None = None, today: datetime.date | None = None
) -> MissingInputs:
    """Who has not submitted what: self-evaluations and organisation scores (yearly rounds) and peer scores (each
    member scores every other member). From the branch sheet rows: one query, or none when they are given."""
    if round.state != ReviewRound.State.OPEN:
        return MissingInputs()
    today = today or timezone.localdate()
    rows = review_sheet_rows(round=round) if rows is None else rows
    rows = sorted(rows, key=lambda row: (row.person.name, row.pk))
    yearly = round.kind == ReviewRound.Kind.YEARLY
    peers_each = max(len(rows) - 1, 0)
    return MissingInputs(
        self_missing=[row.person for row in rows if yearly and row.self_score is None],
        peer_missing=[
            PeerGap(row.person, peers_each - row.given_count) for row in rows if row.given_count < peers_each
        ],
        organisation_missing=[row.person for row in rows if yearly and row.organisation_score is None],
        late=today > round.closes_on,
    )


# The member's own view ---------------------------------------------------------------------------------------


def review_my_sheet(*, round: ReviewRound, user: User) -> ReviewSheet | None:
    """The user's own sheet in the round, if they are one of its members (one query)."""
    person_id = scope_for(user).person_id
    if not person_id:
        return None
    return (
        ReviewSheet.objects.filter(round_id=round.pk, person_id=person_id)
        .select_related("person")
        .annotate(has_ratings=_has_ratings(round))
        .first()
    )


def review_peers_to_score(*, round: ReviewRound, sheet: ReviewSheet) -> list[ReviewSheet]:
    """The other members of the round, each with the score this member gave them (`my_score`), one query."""
    given = PeerScore.objects.filter(round_id=round.pk, rater_id=sheet.person_id, ratee=OuterRef("person"))
    return list(
        ReviewSheet.objects.filter(round_id=round.pk)
        .exclude(person_id=sheet.person_id)
        .select_related("person")
        .annotate(my_score=Subquery(given.values("score")[:1]))
        .order_by("person__name", "pk")
    )


def review_round_detail(*, round: ReviewRound, user: User) -> dict:
    """Everything the round's page shows, for this user: the writer's part (the branch sheet, who scored whom,
    what is missing) only for writers; the member's part (own sheet, peers to score) only for members."""
    context: dict = {"round": round, "period": review_period(round)}
    if round.can_write:
        rows = review_sheet_rows(round=round)
        context |= {
            "rows": rows,
            "peer_scores": review_peer_scores(round=round),
            "missing": review_round_missing(round=round, rows=rows),
            "branch_rated": any(row.has_ratings for row in rows),
        }
    sheet = review_my_sheet(round=round, user=user)
    context["my_sheet"] = sheet
    if sheet is not None:
        context["peers"] = review_peers_to_score(round=round, sheet=sheet)
    return context
