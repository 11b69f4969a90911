"""Team actions: level order, one current membership, leaving, applying and admitting, skills, star levels."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEvent
from volunteers import actions, selectors
from volunteers.models import PersonSkill, Skill, StarLevel, Team, TeamMembership

TODAY = timezone.localdate()
LAST_MONTH = TODAY - datetime.timedelta(days=30)


@pytest.fixture
def brigade(cast) -> Team:
    return actions.team_create(
        actor=cast.secretary, name="甲大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )


# Teams ------------------------------------------------------------------------------------------------------


def test_team_tree_follows_the_level_order(cast, brigade):
    squad = actions.team_create(
        actor=cast.secretary, name="甲分队", level=Team.Level.SQUAD, organisation=cast.branch_a, parent=brigade
    )
    group = actions.team_create(
        actor=cast.secretary, name="甲小组", level=Team.Level.GROUP, organisation=cast.branch_a, parent=squad
    )
    assert list(Team.objects.get_descendants(Team.objects.get(pk=brigade.pk))) == [squad, group]
    for parent, level in ((brigade, Team.Level.BRIGADE), (squad, Team.Level.SQUAD), (group, Team.Level.GROUP)):
        with pytest.raises(ValidationError, match="层级须低于上级"):
            actions.team_create(actor=cast.secretary, name="错", level=level, organisation=cast.branch_a, parent=parent)
    assert Team.objects.count() == 3
    assert AuditEvent.objects.filter(action="team.create").count() == 3


def test_team_create_outside_scope_or_without_name_is_refused(cast, brigade):
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        actions.team_create(actor=cast.outsider, name="乙队", level=Team.Level.BRIGADE, organisation=cast.branch_a)
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        # the outsider's own branch, but under branch A's brigade
        actions.team_create(
            actor=cast.outsider, name="乙分队", level=Team.Level.SQUAD, organisation=cast.branch_b, parent=brigade
        )
    with pytest.raises(ValidationError, match="请填写服务队名称"):
        actions.team_create(actor=cast.secretary, name="  ", level=Team.Level.BRIGADE, organisation=cast.branch_a)
    assert Team.objects.count() == 1


# Memberships ------------------------------------------------------------------------------------------------


def test_one_current_membership_per_person_and_team(cast, brigade):
    first = actions.membership_add(actor=cast.secretary, team=brigade, person=cast.person_a, joined_on=LAST_MONTH)
    with pytest.raises(ValidationError, match="已是本队队员"):
        actions.membership_add(actor=cast.secretary, team=brigade, person=cast.person_a, joined_on=TODAY)
    with pytest.raises(ValidationError, match="已是队员或已提交申请"):
        actions.membership_apply(actor=cast.secretary, team=brigade, person=cast.person_a)
    actions.membership_leave(
        actor=cast.secretary, membership=first, left_on=TODAY, reason=TeamMembership.LeaveReason.OWN_REQUEST
    )
    again = actions.membership_add(actor=cast.secretary, team=brigade, person=cast.person_a, joined_on=TODAY)
    assert again.pk != first.pk  # the history row stays
    states = sorted(TeamMembership.objects.filter(person=cast.person_a).values_list("state", flat=True))
    assert states == ["active", "left"]


def test_membership_add_refuses_future_dates_and_outsiders(cast, brigade):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.membership_add(
            actor=cast.secretary, team=brigade, person=cast.person_a, joined_on=TODAY + datetime.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        actions.membership_add(actor=cast.outsider, team=brigade, person=cast.person_b, joined_on=TODAY)
    assert not TeamMembership.objects.exists()


def test_leave_needs_a_known_reason_and_a_date_after_joining(cast, brigade):
    membership = actions.membership_add(actor=cast.secretary, team=brigade, person=cast.person_a, joined_on=LAST_MONTH)
    with pytest.raises(ValidationError, match="请选择离队原因"):
        actions.membership_leave(actor=cast.secretary, membership=membership, left_on=TODAY, reason="bored")
    with pytest.raises(ValidationError, match="不能早于入队日期"):
        actions.membership_leave(
            actor=cast.secretary,
            membership=membership,
            left_on=LAST_MONTH - datetime.timedelta(days=1),
            reason=TeamMembership.LeaveReason.RETIRED,
        )
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        actions.membership_leave(
            actor=cast.outsider, membership=membership, left_on=TODAY, reason=TeamMembership.LeaveReason.RETIRED
        )
    membership.refresh_from_db()
    assert membership.state == TeamMembership.State.ACTIVE
    left = actions.membership_leave(
        actor=cast.secretary, membership=membership, left_on=TODAY, reason=TeamMembership.LeaveReason.TRANSFERRED
    )
    assert (left.state, left.left_on, left.leave_reason) == ("left", TODAY, "transferred")
    with pytest.raises(ValidationError, match="该记录已结束"):
        actions.membership_leave(
            actor=cast.secretary, membership=left, left_on=TODAY, reason=TeamMembership.LeaveReason.RETIRED
        )
    assert AuditEvent.objects.filter(action="team.member_leave").count() == 1


def test_members_apply_for_themselves_and_the_leader_admits(cast, brigade):
    with pytest.raises(ValidationError, match="只能为本人提交入队申请"):
        actions.membership_apply(actor=cast.member, team=brigade, person=cast.person_a)
    application = actions.membership_apply(actor=cast.member, team=brigade, person=cast.member_person)
    assert (application.state, application.applied_on) == (TeamMembership.State.PENDING, TODAY)
    with pytest.raises(ValidationError, match="已是队员或已提交申请"):
        actions.membership_apply(actor=cast.member, team=brigade, person=cast.member_person)
    # admitting turns the same row active (the application's date stays)
    admitted = actions.membership_add(actor=cast.secretary, team=brigade, person=cast.member_person, joined_on=TODAY)
    assert admitted.pk == application.pk and admitted.state == TeamMembership.State.ACTIVE
    assert admitted.applied_on == TODAY


def test_a_leader_runs_the_team_but_not_other_teams(cast, brigade):
    """队长 powers: a member made leader may add, admit and end memberships of their team (and its sub-teams)."""
    other = actions.team_create(
        actor=cast.secretary, name="甲二队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )
    actions.membership_add(
        actor=cast.secretary, team=brigade, person=cast.member_person, joined_on=TODAY, role=TeamMembership.Role.LEADER
    )
    leader = type(cast.member).objects.get(pk=cast.member.pk)  # fresh user: the scope is cached per request
    application = actions.membership_apply(actor=cast.secretary, team=brigade, person=cast.person_a)
    assert (
        actions.membership_add(actor=leader, team=brigade, person=cast.person_a, joined_on=TODAY).pk == application.pk
    )
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        actions.membership_add(actor=leader, team=other, person=cast.person_a, joined_on=TODAY)


def test_a_rejected_application_is_kept(cast, brigade):
    application = actions.membership_apply(actor=cast.member, team=brigade, person=cast.member_person)
    rejected = actions.membership_leave(
        actor=cast.secretary, membership=application, left_on=TODAY, reason=TeamMembership.LeaveReason.OWN_REQUEST
    )
    assert rejected.state == TeamMembership.State.REJECTED
    assert actions.membership_apply(actor=cast.member, team=brigade, person=cast.member_person).pk != application.pk


# Skills -----------------------------------------------------------------------------------------------------


def test_default_skills_are_seeded(db):
    names = set(Skill.objects.values_list("name", flat=True))
    assert {"家电维修", "测血压", "法律咨询", "理发", "心理疏导", "电脑维修", "水电维修", "陪伴老人"} <= names


def test_person_skills_set_replaces_the_set_and_is_audited(cast):
    repair, blood, law = (Skill.objects.get(name=n) for n in ("家电维修", "测血压", "法律咨询"))
    actions.person_skills_set(actor=cast.secretary, person=cast.person_a, skills=[repair, blood])
    assert list(selectors.skills_of(person=cast.person_a)) == sorted([repair, blood], key=lambda s: s.name)
    actions.person_skills_set(actor=cast.secretary, person=cast.person_a, skills=[blood, law])
    assert set(selectors.skills_of(person=cast.person_a)) == {blood, law}
    events = AuditEvent.objects.filter(action="person.skills", object_id=str(cast.person_a.pk)).order_by("pk")
    assert events.count() == 2
    assert events.last().changes == {"skills": [sorted([repair.pk, blood.pk]), sorted([blood.pk, law.pk])]}


def test_members_set_their_own_skills_only(cast):
    law = Skill.objects.get(name="法律咨询")
    actions.person_skills_set(actor=cast.member, person=cast.member_person, skills=[law])
    assert list(selectors.skills_of(person=cast.member_person)) == [law]
    with pytest.raises(ValidationError, match="不能修改此人的技能"):
        actions.person_skills_set(actor=cast.member, person=cast.person_a, skills=[law])
    with pytest.raises(ValidationError, match="不能修改此人的技能"):
        actions.person_skills_set(actor=cast.outsider, person=cast.person_a, skills=[law])
    assert not PersonSkill.objects.filter(person=cast.person_a).exists()


def test_skill_list_is_kept_by_the_org_department(cast):
    skill = actions.skill_save(actor=cast.orgadmin, skill=Skill(), name=" 包饺子 ")
    assert skill.name == "包饺子"
    with pytest.raises(ValidationError, match="已存在"):
        actions.skill_save(actor=cast.orgadmin, skill=Skill(), name="理发")
    with pytest.raises(ValidationError, match="只有组织部"):
        actions.skill_save(actor=cast.secretary, skill=skill, name="改名")
    assert Skill.objects.get(pk=skill.pk).name == "包饺子"


# Star levels ------------------------------------------------------------------------------------------------

DEFAULTS = {1: Decimal(100), 2: Decimal(300), 3: Decimal(600), 4: Decimal(1000), 5: Decimal(1500)}


@pytest.mark.parametrize(
    ("hours", "stars", "next_stars", "to_next"),
    [
        ("0", 0, 1, "100"),
        ("99.9", 0, 1, "0.1"),
        ("100", 1, 2, "200"),
        ("299.9", 1, 2, "0.1"),
        ("300", 2, 3, "300"),
        ("1499.9", 4, 5, "0.1"),
        ("1500", 5, None, None),
        ("2400", 5, None, None),
    ],
)
def test_star_standing_at_the_thresholds(db, hours, stars, next_stars, to_next):
    standing = selectors.star_standing(hours=Decimal(hours))
    assert standing.stars == stars
    assert standing.next_stars == next_stars
    assert standing.hours_to_next == (Decimal(to_next) if to_next else None)
    if next_stars is None:
        assert standing.progress_percent == 100


@pytest.mark.parametrize(
    "wrong",
    [
        {1: Decimal(100), 2: Decimal(300), 3: Decimal(600), 4: Decimal(1000)},  # four levels
        DEFAULTS | {3: Decimal(300)},  # not increasing
        DEFAULTS | {2: Decimal(50)},  # going down
        DEFAULTS | {1: Decimal(0)},  # not positive
        DEFAULTS | {6: Decimal(2000)},  # six stars
    ],
)
def test_star_levels_are_validated(cast, wrong):
    with pytest.raises(ValidationError, match="星级标准"):
        actions.star_levels_update(actor=cast.orgadmin, hours_by_stars=wrong)
    assert {lvl.stars: lvl.min_hours for lvl in StarLevel.objects.all()} == DEFAULTS


def test_star_levels_only_by_the_org_department_and_audited(cast):
    with pytest.raises(ValidationError, match="只有组织部"):
        actions.star_levels_update(actor=cast.committee, hours_by_stars=DEFAULTS | {1: Decimal(80)})
    actions.star_levels_update(actor=cast.orgadmin, hours_by_stars=DEFAULTS | {1: Decimal(80)})
    assert StarLevel.objects.get(stars=1).min_hours == Decimal(80)
    assert selectors.star_standing(hours=Decimal(85)).stars == 1
    event = AuditEvent.objects.get(action="volunteers.star_levels")
    assert event.actor == cast.orgadmin
    assert event.changes["before"]["1"] == "100.0" and event.changes["after"]["1"] == "80"
