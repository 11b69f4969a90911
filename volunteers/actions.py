"""Writes for volunteer teams: validated, atomic, audited."""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from branches.models import MembershipEvent, Organisation, Person
from branches.selectors import scope_for
from portal.audit import audit_record
from portal.models import User
from volunteers.models import PersonSkill, ReviewProposal, Skill, StarLevel, Team, TeamMembership
from volunteers.selectors import team_can_write

LEAVE_REASON_FOR = {
    ReviewProposal.Reason.RETIRED: TeamMembership.LeaveReason.RETIRED,
    ReviewProposal.Reason.TRANSFERRED: TeamMembership.LeaveReason.TRANSFERRED,
    ReviewProposal.Reason.LEFT_BRANCH: TeamMembership.LeaveReason.LEFT_ORGANISATION,
    ReviewProposal.Reason.NO_HOURS: TeamMembership.LeaveReason.INACTIVE,
}


def _require_team(actor: User | None, team: Team) -> None:
    if actor is not None and not team_can_write(user=actor, team=team):
        raise ValidationError("该服务队不在您的管理范围内。")


def _require_org(actor: User | None, organisation: Organisation) -> None:
    if actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("所选党组织不在您的管理范围内。")


# Teams ------------------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *,
    actor: User | None,
    name: str,
    level: str,
    organisation: Organisation,
    parent: Team | None = None,
    description: str = "",
) -> Team:
    _require_org(actor, organisation)
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写服务队名称。")
    order = list(Team.Level.values)
    if parent is not None:
        _require_team(actor, parent)
        if order.index(level) <= order.index(parent.level):
            raise ValidationError("下级服务队的层级须低于上级（大队 → 分队 → 小组）。")
    fields = {"name": name, "level": level, "organisation": organisation, "description": description}
    team = Team.objects.add_child(parent, fields) if parent is not None else Team.objects.add_root(fields)
    audit_record(actor=actor, action="team.create", target=team, summary=name)
    return team


@transaction.atomic
def team_update(*, actor: User | None, team: Team, name: str, description: str = "") -> Team:
    _require_team(actor, team)
    if not (name or "").strip():
        raise ValidationError("请填写服务队名称。")
    before = {"name": team.name, "description": team.description}
    team.name, team.description = name.strip(), description
    team.save(update_fields=["name", "description", "updated_at"])
    audit_record(actor=actor, action="team.update", target=team, changes={"before": before})
    return team


# Memberships ------------------------------------------------------------------------------------------------


def _current(team: Team, person: Person) -> TeamMembership | None:
    return TeamMembership.objects.select_for_update().current().filter(team=team, person=person).first()


def membership_add_problems(
    *, team: Team, person: Person, joined_on: datetime.date | None, role: str, current_state: str | None
) -> list[str]:
    """What stops `person` joining `team`, without queries (the caller knows the current membership's state):
    the rules of membership_add, which the team-member import applies row by row."""
    problems = []
    if team.is_archived:
        problems.append(f"服务队“{team.name}”已撤销。")
    if joined_on is None:
        problems.append("请填写入队日期。")
    elif joined_on > timezone.localdate():
        problems.append("入队日期不能晚于今天。")
    if role not in TeamMembership.Role.values:
        problems.append("队内职务应为队长、副队长或队员。")
    if not person.is_active_member and person.is_party_member:
        problems.append("此人已不在册。")
    if current_state == TeamMembership.State.ACTIVE:
        problems.append(f"{person.name} 已是本队队员。")
    return problems


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    team: Team,
    person: Person,
    joined_on: datetime.date,
    role: str = TeamMembership.Role.MEMBER,
) -> TeamMembership:
    """Adds a member directly (the leader or the branch), or admits a pending applicant."""
    _require_team(actor, team)
    current = _current(team, person)
    problems = membership_add_problems(
        team=team, person=person, joined_on=joined_on, role=role, current_state=current.state if current else None
    )
    if problems:
        raise ValidationError(problems)
    membership = current or TeamMembership(team=team, person=person)
    membership.state, membership.joined_on, membership.role = TeamMembership.State.ACTIVE, joined_on, role
    membership.full_clean(validate_constraints=False)
    membership.save()
    audit_record(actor=actor, action="team.member_add", target=membership, summary=f"{team} ← {person}")
    return membership


@transaction.atomic
def membership_apply(*, actor: User, team: Team, person: Person) -> TeamMembership:
    """A person applies to join (members apply for themselves; the leader admits them, or the yearly review)."""
    scope = scope_for(actor)
    if person.pk != scope.person_id and not team_can_write(user=actor, team=team):
        raise ValidationError("只能为本人提交入队申请。")
    if _current(team, person) is not None:
        raise ValidationError("已是队员或已提交申请。")
    membership = TeamMembership.objects.create(
        team=team, person=person, state=TeamMembership.State.PENDING, applied_on=timezone.localdate()
    )
    audit_record(actor=actor, action="team.apply", target=membership, summary=f"{team} ← {person}")
    return membership


@transaction.atomic
def membership_leave(
    *, actor: User | None, membership: TeamMembership, left_on: datetime.date, reason: str
) -> TeamMembership:
    membership = TeamMembership.objects.select_for_update().select_related("team__organisation").get(pk=membership.pk)
    _require_team(actor, membership.team)
    if reason not in TeamMembership.LeaveReason.values:
        raise ValidationError("请选择离队原因。")
    if membership.state == TeamMembership.State.PENDING:
        membership.state = TeamMembership.State.REJECTED
    elif membership.state == TeamMembership.State.ACTIVE:
        if left_on < membership.joined_on:
            raise ValidationError("离队日期不能早于入队日期。")
        membership.state = TeamMembership.State.LEFT
    else:
        raise ValidationError("该记录已结束。")
    membership.left_on, membership.leave_reason = left_on, reason
    membership.save(update_fields=["state", "left_on", "leave_reason", "updated_at"])
    audit_record(
        actor=actor, action="team.member_leave", target=membership, summary=membership.get_leave_reason_display()
    )
    return membership


# Skills and star levels -------------------------------------------------------------------------------------


@transaction.atomic
def person_skills_set(*, actor: User | None, person: Person, skills: list[Skill]) -> None:
    """Skills are current facts about a person (not records of work): the set is replaced, the change audited."""
    if (
        actor is not None
        and not scope_for(actor).covers_path(person.organisation.path)
        and scope_for(actor).person_id != person.pk
    ):
        raise ValidationError("您不能修改此人的技能。")
    wanted = {skill.pk for skill in skills}
    held = set(person.skills.values_list("skill_id", flat=True))
    person.skills.filter(skill_id__in=held - wanted).delete()
    PersonSkill.objects.bulk_create([PersonSkill(person=person, skill_id=pk) for pk in wanted - held])
    audit_record(actor=actor, action="person.skills", target=person, changes={"skills": [sorted(held), sorted(wanted)]})


@transaction.atomic
def star_levels_update(*, actor: User | None, hours_by_stars: Mapping[int, Decimal]) -> None:
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以修改星级标准。")
    values = [hours_by_stars[stars] for stars in sorted(hours_by_stars)]
    if sorted(hours_by_stars) != [1, 2, 3, 4, 5] or any(v <= 0 for v in values) or values != sorted(set(values)):
        raise ValidationError("星级标准须为 1–5 星，时长为正且逐级递增。")
    before = {level.stars: str(level.min_hours) for level in StarLevel.objects.select_for_update()}
    for stars, hours in hours_by_stars.items():
        StarLevel.objects.update_or_create(stars=stars, defaults={"min_hours": hours})
    audit_record(
        actor=actor,
        action="volunteers.star_levels",
        object_type="volunteers.StarLevel",
        changes={"before": before, "after": {k: str(v) for k, v in hours_by_stars.items()}},
    )


# The yearly team review (队伍梳理) ---------------------------------------------------------------------------


def _removal_reason(membership: TeamMembership, hours: Mapping[int, Decimal], cutoff: datetime.date) -> str | None:
    person = membership.person
    if person.is_retired:
        return ReviewProposal.Reason.RETIRED
    # prefetched newest first by team_review_propose (one query for the whole team, not one per member)
    last_event = next(iter(person.events.all()), None)
    if not person.is_active_member and last_event and last_event.kind == MembershipEvent.Kind.TRANSFER_OUT:
        return ReviewProposal.Reason.TRANSFERRED
    if not person.is_active_member or not person.organisation.path.startswith(membership.team.organisation.path):
        return ReviewProposal.Reason.LEFT_BRANCH
    if membership.joined_on and membership.joined_on <= cutoff and hours.get(person.pk, Decimal(0)) <= 0:
        return ReviewProposal.Reason.NO_HOURS
    return None


@transaction.atomic
def team_review_propose(
    *, team: Team, year: int, hours_last_12_months: Mapping[int, Decimal], today: datetime.date | None = None
) -> dict[str, int]:
    """Proposes removals (retired, transferred, left the branch, no hours in 12 months) and admissions (pending
    applicants). Idempotent: one proposal per membership and year (a unique constraint), so a re-run adds none.
    """
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=365)
    existing = set(ReviewProposal.objects.filter(team=team, year=year).values_list("membership_id", flat=True))
    proposals = []
    memberships = (
        team.memberships.select_related("person__organisation", "team__organisation")
        .prefetch_related(Prefetch("person__events", queryset=MembershipEvent.objects.order_by("-date", "-pk")))
        .current()
    )
    for membership in memberships:
        if membership.pk in existing:
            continue
        if membership.state == TeamMembership.State.PENDING:
            kind, reason = ReviewProposal.Kind.ADMIT, ReviewProposal.Reason.APPLICANT
        else:
            reason = _removal_reason(membership, hours_last_12_months, cutoff)
            if reason is None:
                continue
            kind = ReviewProposal.Kind.REMOVE
        proposals.append(ReviewProposal(team=team, year=year, membership=membership, kind=kind, reason=reason))
    created = ReviewProposal.objects.bulk_create(proposals, ignore_conflicts=True)
    if created:
        audit_record(
            actor=None, action="team.review_propose", target=team, summary=f"{year} 年度建议 {len(created)} 条"
        )
    return {"proposed": len(created)}


@transaction.atomic
def review_proposal_decide(*, actor: User, proposal: ReviewProposal, confirm: bool) -> ReviewProposal:
    """The team leader (or the branch) confirms or rejects a proposal; a confirmed one takes effect at once."""
    proposal = (
        ReviewProposal.objects.select_for_update()
        .select_related("team__organisation", "membership")
        .get(pk=proposal.pk)
    )
    _require_team(actor, proposal.team)
    if proposal.state != ReviewProposal.State.PROPOSED:
        raise ValidationError("该建议已处理。")
    today = timezone.localdate()
    if confirm and proposal.membership.state in TeamMembership.CURRENT_STATES:
        if proposal.kind == ReviewProposal.Kind.ADMIT:
            membership_add(actor=actor, team=proposal.team, person=proposal.membership.person, joined_on=today)
        else:
            membership_leave(
                actor=actor, membership=proposal.membership, left_on=today, reason=LEAVE_REASON_FOR[proposal.reason]
            )
    proposal.state = ReviewProposal.State.CONFIRMED if confirm else ReviewProposal.State.REJECTED
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, action=f"team.review_{proposal.state}", target=proposal, summary=str(proposal))
    return proposal


# Reference data ---------------------------------------------------------------------------------------------


@transaction.atomic
def skill_save(*, actor: User | None, skill: Skill, name: str) -> Skill:
    """The skill list is data kept by 组织部 (the admin); renaming keeps every holder."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护技能列表。")
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写技能名称。")
    if Skill.objects.filter(name=name).exclude(pk=skill.pk).exists():
        raise ValidationError(f"技能“{name}”已存在。")
    before = skill.name if skill.pk else ""
    skill.name = name
    skill.save()
    audit_record(actor=actor, action="skill.save", target=skill, changes={"name": [before, name]})
    return skill
