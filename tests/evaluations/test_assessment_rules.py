"""The stars rule (pure: each threshold's edge, the base per 六有 count, clamping to 1 and 5) and the rules of
`branch_assess`: who may assess (never the branch itself), evidence for every ticked item, figures frozen,
re-assessing a year updates the row with an audited before/after, refusals write nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches.models import Organisation
from evaluations.actions.assessment import (
    ACTIVITIES_PER_MEMBER_MIN,
    DEMANDS_ON_TIME_MIN,
    PARTICIPATION_MIN,
    REVIEWS_COMPLETED_MIN,
    SATISFACTION_MIN,
    branch_assess,
    stars_for,
)
from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import CHECKLIST
from portal.models import AuditEvent
from tests.evaluations.assessment_helpers import Y, past_activity
from tests.factories import OrganisationFactory

ALL_MET = {
    "activities_per_member": 6.0,
    "participation_rate": 80.0,
    "satisfaction_rate": 95.0,
    "demands_on_time_rate": 90.0,
    "reviews_completed_rate": 100.0,
}
NONE_MET = dict.fromkeys(ALL_MET)


def met(*keys: str) -> dict:
    """Figures where exactly `keys` reach their thresholds (the others are missing)."""
    return {key: (ALL_MET[key] if key in keys else None) for key in ALL_MET}


# The stars rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "base"), [(6, 4), (5, 3), (4, 2), (3, 2), (2, 1), (1, 1), (0, 1)], ids=lambda v: str(v)
)
def test_base_stars_per_checklist_count(count, base):
    # two or three thresholds reached: neither bonus nor penalty, so the base shows
    assert stars_for(checklist_count=count, figures=met("satisfaction_rate", "participation_rate")) == base
    assert stars_for(checklist_count=count, figures=met(*list(ALL_MET)[:3])) == base


@pytest.mark.parametrize(
    ("key", "edge", "below"),
    [
        ("activities_per_member", ACTIVITIES_PER_MEMBER_MIN, 5.9),
        ("participation_rate", PARTICIPATION_MIN, 79.9),
        ("satisfaction_rate", SATISFACTION_MIN, 94.9),
        ("demands_on_time_rate", DEMANDS_ON_TIME_MIN, 89.9),
        ("reviews_completed_rate", REVIEWS_COMPLETED_MIN, 99.9),
    ],
)
def test_each_threshold_edge_decides_the_bonus(key, edge, below):
    """Three other thresholds reached: this one at its edge gives the fourth (one star more), just below not."""
    others = [other for other in ALL_MET if other != key][:3]
    at_edge = met(*others) | {key: edge}
    just_below = met(*others) | {key: below}
    assert stars_for(checklist_count=5, figures=at_edge) == 4
    assert stars_for(checklist_count=5, figures=just_below) == 3


def test_thresholds_as_constants():
    assert (ACTIVITIES_PER_MEMBER_MIN, PARTICIPATION_MIN, SATISFACTION_MIN) == (6.0, 80.0, 95.0)
    assert (DEMANDS_ON_TIME_MIN, REVIEWS_COMPLETED_MIN) == (90.0, 100.0)


def test_penalty_when_one_or_no_threshold_is_reached():
    assert stars_for(checklist_count=6, figures=met("satisfaction_rate")) == 3
    assert stars_for(checklist_count=6, figures=NONE_MET) == 3
    assert stars_for(checklist_count=6, figures={}) == 3  # missing figures do not reach a threshold


def test_clamped_to_one_and_five():
    assert stars_for(checklist_count=6, figures=ALL_MET) == 5  # 4 + 1, and never more
    assert stars_for(checklist_count=6, figures=ALL_MET | {"activities_per_member": 60.0}) == 5
    assert stars_for(checklist_count=0, figures=NONE_MET) == 1  # 1 − 1 would be 0
    assert stars_for(checklist_count=2, figures=met("satisfaction_rate")) == 1
    assert stars_for(checklist_count=0, figures=ALL_MET) == 2


def test_checklist_count_out_of_range_is_a_programming_error():
    with pytest.raises(ValueError):
        stars_for(checklist_count=7, figures=ALL_MET)


# branch_assess ----------------------------------------------------------------------------------------------


def checklist(*unmet: str, evidence: str = "支委会会议记录 12 份") -> dict:
    return {key: (key not in unmet, "" if key in unmet else evidence) for key in CHECKLIST}


def _state() -> tuple:
    return list(BranchAssessment.objects.values_list("pk", "stars", "figures", "has_rules")), AuditEvent.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["orgadmin", "committee"])
def test_the_level_above_assesses(cast, role):
    actor = getattr(cast, role)
    assessment = branch_assess(actor=actor, organisation=cast.branch_a, year=Y, checklist=checklist("premises"))
    assessment.refresh_from_db()
    assert (assessment.organisation, assessment.year, assessment.assessed_by) == (cast.branch_a, Y, actor)
    assert not assessment.has_premises and assessment.has_rules
    assert assessment.rules_evidence == "支委会会议记录 12 份"
    # five items, and A's figures (no activity at all) reach no threshold → 3 − 1
    assert assessment.stars == 2
    assert assessment.figures["members"] == 3 and assessment.figures["year"] == Y
    event = AuditEvent.objects.get(action="assessment.create")
    assert event.object_id == str(assessment.pk) and event.actor == actor and event.changes["stars"] == 2


@pytest.mark.django_db
def test_a_general_branch_secretary_assesses_its_branches(cast):
    from branches import actions as branch_actions
    from branches.models import Role
    from tests.factories import member

    person = member(cast.general_branch, name="总支书记")
    user = branch_actions.person_account_create(actor=None, person=person, username="gb", password="demo12345")
    branch_actions.role_assign(
        actor=None,
        person=person,
        organisation=cast.general_branch,
        role=Role.SECRETARY,
        start_date=datetime.date(2020, 1, 1),
    )
    assert branch_assess(actor=user, organisation=cast.branch_b, year=Y, checklist=checklist()).stars >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("secretary", "党支部不能给自己评星"),  # A's own secretary: a branch does not rate itself
        ("outsider", "不在您的管理范围内"),  # B's secretary, for A
        ("member", "不在您的管理范围内"),
    ],
)
def test_who_may_not_assess(cast, role, message):
    before = _state()
    with pytest.raises(ValidationError) as error:
        branch_assess(actor=getattr(cast, role), organisation=cast.branch_a, year=Y, checklist=checklist())
    assert message in " ".join(error.value.messages)
    assert _state() == before


@pytest.mark.django_db
def test_the_outsider_may_not_rate_its_own_branch_either(cast):
    with pytest.raises(ValidationError, match="党支部不能给自己评星"):
        branch_assess(actor=cast.outsider, organisation=cast.branch_b, year=Y, checklist=checklist())


@pytest.mark.django_db
def test_every_ticked_item_needs_evidence(cast):
    before = _state()
    items = checklist() | {"rules": (True, "   "), "results": (True, "")}
    with pytest.raises(ValidationError) as error:
        branch_assess(actor=cast.committee, organisation=cast.branch_a, year=Y, checklist=items)
    assert len(error.value.messages) == 2
    assert "有完善的制度机制" in error.value.messages[0] and "请填写佐证材料" in error.value.messages[0]
    assert _state() == before
    # an item not ticked needs none
    branch_assess(actor=cast.committee, organisation=cast.branch_a, year=Y, checklist=checklist("rules", "results"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": Y + 2}, "评星年度"),
        ({"year": 1999}, "评星年度"),
        ({"checklist": {"canteen": (True, "食堂")}}, "未知的“六有”项目"),
        ({"checklist": checklist(evidence="字" * 301)}, "不能超过 300 字"),
    ],
)
def test_bad_input_writes_nothing(cast, change, message):
    before = _state()
    kwargs = {"actor": cast.orgadmin, "organisation": cast.branch_a, "year": Y, "checklist": checklist()} | change
    with pytest.raises(ValidationError, match=message):
        branch_assess(**kwargs)
    assert _state() == before


@pytest.mark.django_db
def test_only_branches_in_service(cast):
    with pytest.raises(ValidationError, match="只有党支部、联合党支部"):
        branch_assess(actor=cast.orgadmin, organisation=cast.general_branch, year=Y, checklist=checklist())
    group = OrganisationFactory(name="小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    with pytest.raises(ValidationError, match="只有党支部、联合党支部"):
        branch_assess(actor=cast.orgadmin, organisation=group, year=Y, checklist=checklist())
    joint = OrganisationFactory(name="联合支部", kind=Organisation.Kind.JOINT_BRANCH, parent=cast.general_branch)
    assert branch_assess(actor=cast.committee, organisation=joint, year=Y, checklist=checklist()).pk


@pytest.mark.django_db
def test_figures_are_frozen(cast):
    """Later data does not change an assessment made: its figures and stars stay as they were."""
    assessment = branch_assess(actor=cast.committee, organisation=cast.branch_a, year=Y, checklist=checklist())
    frozen = dict(assessment.figures)
    assert frozen["activities"] == 0
    people = [cast.secretary_person, cast.member_person, cast.person_a]
    for month in range(1, 13):  # a busy year added afterwards: 12 activities, everyone attending
        past_activity(cast.branch_a, datetime.date(Y, month, 5), attendees=people)
    assessment.refresh_from_db()
    assert assessment.figures == frozen and assessment.stars == 3
    # (the live figures did change, so the check above could fail)
    from evaluations.selectors.assessment import branch_figures

    assert branch_figures(organisation=cast.branch_a, year=Y)["activities"] == 12


@pytest.mark.django_db
def test_reassessing_a_year_updates_the_row_with_before_and_after(cast):
    first = branch_assess(actor=cast.committee, organisation=cast.branch_a, year=Y, checklist=checklist("rules"))
    people = [cast.secretary_person, cast.member_person, cast.person_a]
    for month in range(1, 13):
        for day in (5, 20):
            past_activity(cast.branch_a, datetime.date(Y, month, day), attendees=people)
    second = branch_assess(actor=cast.orgadmin, organisation=cast.branch_a, year=Y, checklist=checklist())
    assert second.pk == first.pk and BranchAssessment.objects.count() == 1
    second.refresh_from_db()
    assert second.has_rules and second.assessed_by == cast.orgadmin
    # all six items; 24 activities for 3 members (8.0 ≥ 6), everyone took part: two thresholds → 4 stars
    assert second.figures["activities_per_member"] == 8.0 and second.figures["participation_rate"] == 100.0
    assert second.stars == 4
    event = AuditEvent.objects.get(action="assessment.update")
    assert event.changes["has_rules"] == [False, True]
    assert event.changes["stars"] == [first.stars, 4]
    assert event.changes["figures"][0]["activities"] == 0 and event.changes["figures"][1]["activities"] == 24
    assert event.changes["assessed_by"] == [cast.committee.pk, cast.orgadmin.pk]


def test_who_may_assess_is_the_same_rule_with_and_without_a_query(cast):
    """`assessment_can_assess` (one branch, no query) and `assessable_branches` (the list) state one rule twice —
    a branch is assessed from strictly above, never by itself: for every user and organisation they agree."""
    from evaluations.selectors.assessment import assessable_branches, assessment_can_assess

    organisations = [cast.committee_org, cast.general_branch, cast.branch_a, cast.branch_b]
    decided = {}
    for user in (cast.orgadmin, cast.committee, cast.secretary, cast.member, cast.outsider):
        listed = set(assessable_branches(user=user)) & set(organisations)
        one_by_one = {o for o in organisations if assessment_can_assess(user=user, organisation=o)}
        assert one_by_one == listed, user.username
        decided[user.username] = one_by_one
    assert decided["committee"] == {cast.branch_a, cast.branch_b}
    assert decided["secretary"] == set()
