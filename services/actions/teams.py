"""The yearly team review run over all teams, and activity categories (reference data)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.selectors import scope_for
from portal.audit import audit_record, snapshot
from portal.models import User
from services.models import ActivityCategory
from services.selectors import hours_by_person
from volunteers import actions as volunteers_actions
from volunteers.models import Team, TeamMembership
from volunteers.selectors import team_can_write

# The yearly team review (队伍梳理) and reference data ----------------------------------------------------------


@transaction.atomic
def team_review_run(
    *, actor: User | None, year: int, today: datetime.date | None = None, teams: list[Team] | None = None
) -> dict[str, int]:
    """Makes the year's review proposals for every non-archived team (or the given ones): each team's current
    members' approved hours over the last 12 months (one query per team) go to volunteers' team_review_propose.
    Idempotent: a proposal is unique per membership and year, so a second run proposes nothing new."""
    today = today or timezone.localdate()
    if teams is None:
        teams = list(Team.objects.filter(is_archived=False).select_related("organisation"))
    for team in teams:
        if actor is not None and not team_can_write(user=actor, team=team):
            raise ValidationError("该服务队不在您的管理范围内。")
        if team.is_archived:
            raise ValidationError("已撤销的服务队不参加队伍梳理。")
    since = today - datetime.timedelta(days=365)
    proposed = 0
    for team in teams:
        members = TeamMembership.objects.filter(team=team, state=TeamMembership.State.ACTIVE).values("person_id")
        hours = hours_by_person(person_ids=members, since=since)
        proposed += volunteers_actions.team_review_propose(
            team=team, year=year, hours_last_12_months=hours, today=today
        )["proposed"]
    if actor is not None:
        # A run from a team's page: who asked for it (the job itself runs as the system, audited per team).
        audit_record(
            actor=actor,
            action="team.review_run",
            target=teams[0] if len(teams) == 1 else None,
            object_type="" if len(teams) == 1 else "volunteers.Team",
            summary=f"{year} 年度队伍梳理：新建议 {proposed} 条",
        )
    return {"teams": len(teams), "proposed": proposed}


@transaction.atomic
def activity_category_save(*, actor: User | None, category: ActivityCategory, changed: list[str]) -> ActivityCategory:
    """Activity categories are data kept by 组织部 (the admin): validated, saved and audited in one step."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护活动类别。")
    created = category.pk is None
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action=f"activity_category.{'create' if created else 'update'}",
        target=category,
        changes={name: snapshot(category, [name])[name] for name in changed},
    )
    return category
