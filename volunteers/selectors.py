"""Reads for volunteer teams. A team is visible to those who manage its organisation, and to its own members;
its leader (队长) may run it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from branches.models import Person
from branches.selectors import check_write, scope_for
from portal.models import User
from volunteers.models import ReviewProposal, Skill, StarLevel, Team, TeamMembership

CURRENT = (TeamMembership.State.ACTIVE,)


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
        memberships = memberships.filter(state__in=[TeamMembership.State.ACTIVE, TeamMembership.State.PENDING])
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

    @property
    def hours_to_next(self) -> Decimal | None:
        return None if self.next_hours is None else max(self.next_hours - self.hours, Decimal(0))

    @property
    def progress_percent(self) -> int:
        """Progress from the current level's threshold to the next one's (100 at the top)."""
        if self.next_hours is None:
            return 100
        return min(100, int(self.hours / self.next_hours * 100)) if self.next_hours else 0


def star_levels() -> list[StarLevel]:
    return list(StarLevel.objects.order_by("min_hours"))


def star_standing(*, hours: Decimal, levels: list[StarLevel] | None = None) -> StarStanding:
    """The star level for an amount of approved hours, and what is left to reach the next one."""
    levels = star_levels() if levels is None else levels
    stars = 0
    for level in levels:
        if hours >= level.min_hours:
            stars = level.stars
    following = next((level for level in levels if hours < level.min_hours), None)
    return StarStanding(
        hours=hours,
        stars=stars,
        next_stars=following.stars if following else None,
        next_hours=following.min_hours if following else None,
    )


def review_proposals_for_team(*, team: Team, year: int) -> QuerySet[ReviewProposal]:
    return (
        ReviewProposal.objects.filter(team=team, year=year)
        .select_related("membership__person", "decided_by")
        .order_by("state", "kind", "membership__person__name")
    )
