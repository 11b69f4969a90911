"""Reads for volunteer teams. A team is visible to those who manage its organisation, and to its own members;
its leader (队长) may run it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from branches.models import Organisation, Person
from branches.selectors import check_write, scope_for
from portal.models import User
from volunteers.models import ReviewProposal, Skill, StarLevel, Team, TeamMembership


def led_team_ids(*, user: User) -> frozenset[int]:
    """Teams the user leads (队长/副队长), with their sub-teams; cached per request like the scope."""
    cached = getattr(user, "_led_team_ids", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    ids: frozenset[int] = frozenset()
    if scope.person_id:
        paths = list(
            TeamMembership.objects.filter(
                person_id=scope.person_id,
                state=TeamMembership.State.ACTIVE,
                role__in=[TeamMembership.Role.LEADER, TeamMembership.Role.DEPUTY],
            ).values_list("team__path", flat=True)
        )
        if paths:
            q = Q()
            for path in paths:
                q |= Q(path__startswith=path)
            ids = frozenset(Team.objects.filter(q).values_list("pk", flat=True))
    user._led_team_ids = ids
    return ids


def team_list_for_user(*, user: User) -> QuerySet[Team]:
    scope = scope_for(user)
    visible = scope.organisation_q("organisation__")
    if not scope.everything:
        visible |= Q(pk__in=led_team_ids(user=user))
        if scope.person_id:
            visible |= Q(memberships__person_id=scope.person_id, memberships__state=TeamMembership.State.ACTIVE)
    # Visibility first (it may join memberships), then annotate on a clean queryset so counts are not narrowed.
    return (
        Team.objects.filter(pk__in=Team.objects.filter(visible).values("pk"))
        .select_related("organisation")
        .annotate(member_count=Count("memberships", filter=Q(memberships__state=TeamMembership.State.ACTIVE)))
        .order_by("path")
    )


def team_can_write(*, user: User, team: Team) -> bool:
    return scope_for(user).covers_path(team.organisation.path) or team.pk in led_team_ids(user=user)


def team_get_for_user(*, user: User, pk: int, write: bool = False) -> Team:
    team = team_list_for_user(user=user).filter(pk=pk).first()
    if team is None:
        raise Http404("服务队不存在。")
    if write:
        check_write(user, team_can_write(user=user, team=team))
    return team


def team_choices_for_user(*, user: User) -> QuerySet[Team]:
    """Teams a user may organise activities for or add members to."""
    scope = scope_for(user)
    return Team.objects.filter(scope.organisation_q("organisation__") | Q(pk__in=led_team_ids(user=user))).filter(
        is_archived=False
    )


def team_members(*, team: Team, include_past: bool = False) -> QuerySet[TeamMembership]:
    memberships = team.memberships.select_related("person", "person__organisation")
    if not include_past:
        memberships = memberships.current()
    return memberships.order_by("state", "role", "person__name")


def team_headcount_by_status(*, team: Team) -> dict[str, int]:
    """Active members by political status (党员 backbone, 积极分子 supplement, others)."""
    rows = (
        Person.objects.filter(team_memberships__team=team, team_memberships__state=TeamMembership.State.ACTIVE)
        .values("political_status")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["political_status"]: row["n"] for row in rows}


def skills_of(*, person: Person) -> QuerySet[Skill]:
    return Skill.objects.filter(holders__person=person).order_by("name")


@dataclass(frozen=True)
class StarStanding:
    hours: Decimal
    stars: int
    next_stars: int | None
    next_hours: Decimal | None
    level_hours: Decimal = Decimal(0)  # the current level's threshold (0 below the first star)

    @property
    def hours_to_next(self) -> Decimal | None:
        return None if self.next_hours is None else max(self.next_hours - self.hours, Decimal(0))

    @property
    def progress_percent(self) -> int:
        """Progress from the current level's threshold to the next one's (100 at the top)."""
        if self.next_hours is None:
            return 100
        span = self.next_hours - self.level_hours
        return max(0, min(100, int((self.hours - self.level_hours) / span * 100)))


def star_levels() -> list[StarLevel]:
    return list(StarLevel.objects.order_by("min_hours"))


def star_standing(*, hours: Decimal, levels: list[StarLevel] | None = None) -> StarStanding:
    """The star level for an amount of approved hours, and what is left to reach the next one."""
    levels = star_levels() if levels is None else levels
    reached = [level for level in levels if hours >= level.min_hours]
    following = next((level for level in levels if hours < level.min_hours), None)
    return StarStanding(
        hours=hours,
        stars=reached[-1].stars if reached else 0,
        next_stars=following.stars if following else None,
        next_hours=following.min_hours if following else None,
        level_hours=reached[-1].min_hours if reached else Decimal(0),
    )


def review_proposals_for_team(*, team: Team, year: int) -> QuerySet[ReviewProposal]:
    return (
        ReviewProposal.objects.filter(team=team, year=year)
        .select_related("membership__person", "decided_by")
        .order_by("state", "kind", "membership__person__name")
    )


# Applying, the review page, skills -------------------------------------------------------------------------


def team_create_check(*, user: User) -> None:
    """Founding a team is for those who manage an organisation; for anyone else the page does not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def teams_open_to_user(*, user: User) -> QuerySet[Team]:
    """Teams a user may apply to: those they can see, and those of their own organisation or its ancestors
    (a committee's brigade takes volunteers from every branch beneath it). Archived teams take nobody."""
    scope = scope_for(user)
    open_q = Q(pk__in=team_list_for_user(user=user).values("pk"))
    if scope.person_id:
        path = Person.objects.filter(pk=scope.person_id).values_list("organisation__path", flat=True).first() or ""
        steplen = Organisation.steplen
        ancestors = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
        open_q |= Q(organisation__path__in=ancestors)
    return Team.objects.filter(open_q, is_archived=False).select_related("organisation").order_by("path")


def team_open_get_for_user(*, user: User, pk: int) -> Team:
    team = teams_open_to_user(user=user).filter(pk=pk).first()
    if team is None:
        raise Http404("服务队不存在。")
    return team


def current_team_ids_of(*, person_id: int | None) -> dict[int, str]:
    """{team id: state} of a person's pending and active memberships (to mark 已加入/申请中 in lists)."""
    if not person_id:
        return {}
    rows = TeamMembership.objects.current().filter(person_id=person_id).values_list("team_id", "state")
    return dict(rows)


def team_membership_get(*, team: Team, pk: int) -> TeamMembership:
    """A membership of a team the caller already fetched through team_get_for_user."""
    membership = team.memberships.select_related("person").filter(pk=pk).first()
    if membership is None:
        raise Http404("队员记录不存在。")
    return membership


def review_proposal_get_for_user(*, user: User, pk: int, write: bool = False) -> ReviewProposal:
    proposal = ReviewProposal.objects.select_related("team", "membership__person").filter(pk=pk).first()
    if proposal is None:
        raise Http404("梳理建议不存在。")
    team_get_for_user(user=user, pk=proposal.team_id, write=write)  # 404 outside scope, 403 without the right
    return proposal


def review_years(*, team: Team) -> list[int]:
    return list(team.review_proposals.order_by("-year").values_list("year", flat=True).distinct())
