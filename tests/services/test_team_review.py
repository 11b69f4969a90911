"""The yearly team review (队伍梳理): what it proposes and why, deciding, idempotent runs, the job."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from branches import actions as branch_actions
from branches.models import MembershipEvent, Person
from services import actions
from services.models import HoursEntry
from services.tasks import team_review_propose_task
from tests.factories import member
from tests.harness import queries_of
from tests.services.team_helpers import give_hours
from volunteers import actions as team_actions
from volunteers import selectors as team_selectors
from volunteers.models import ReviewProposal, Team, TeamMembership

TODAY = timezone.localdate()
YEAR = TODAY.year
TWO_YEARS_AGO = TODAY - datetime.timedelta(days=730)


@pytest.fixture
def team(cast) -> Team:
    return team_actions.team_create(
        actor=cast.secretary, name="甲志愿服务大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )


def _join(cast, team: Team, name: str, joined_on: datetime.date = TWO_YEARS_AGO) -> Person:
    person = member(cast.branch_a, name=name)
    team_actions.membership_add(actor=cast.secretary, team=team, person=person, joined_on=joined_on)
    return person


@pytest.fixture
def crew(cast, team) -> dict[str, Person]:
    """One team member for each case of the review (and the ones it must leave alone)."""
    people = {
        name: _join(cast, team, name) for name in ("勤快", "退休", "转出", "调走", "闲置", "旧时长", "未审核", "已注销")
    }
    people["新队员"] = _join(cast, team, "新队员", joined_on=TODAY - datetime.timedelta(days=60))
    people["申请人"] = member(cast.branch_a, name="申请人")
    team_actions.membership_apply(actor=cast.secretary, team=team, person=people["申请人"])

    give_hours(cast.secretary, team, people["勤快"])  # recent approved hours: stays
    give_hours(cast.secretary, team, people["旧时长"], days_ago=400)  # only older than 12 months
    give_hours(cast.secretary, team, people["未审核"], approve=False)  # recent, never approved
    event = branch_actions.membership_event_record
    event(actor=cast.secretary, person=people["退休"], kind=MembershipEvent.Kind.RETIRE, date=TODAY)
    event(actor=cast.secretary, person=people["转出"], kind=MembershipEvent.Kind.TRANSFER_OUT, date=TODAY)
    # 调走: transferred out of branch A and into branch B (still a member, no longer of this branch)
    event(actor=cast.secretary, person=people["调走"], kind=MembershipEvent.Kind.TRANSFER_OUT, date=TODAY)
    event(
        actor=cast.committee,
        person=people["调走"],
        kind=MembershipEvent.Kind.TRANSFER_IN,
        date=TODAY,
        organisation=cast.branch_b,
    )
    event(actor=cast.secretary, person=people["已注销"], kind=MembershipEvent.Kind.DEATH, date=TODAY)
    return people


EXPECTED = {
    "退休": ("remove", "retired"),
    "转出": ("remove", "transferred"),
    "调走": ("remove", "left_branch"),
    "已注销": ("remove", "left_branch"),
    "闲置": ("remove", "no_hours"),
    "旧时长": ("remove", "no_hours"),
    "未审核": ("remove", "no_hours"),
    "申请人": ("admit", "applicant"),
}


def _proposals(team: Team) -> dict[str, tuple[str, str]]:
    return {
        p.membership.person.name: (p.kind, p.reason)
        for p in team_selectors.review_proposals_for_team(team=team, year=YEAR)
    }


def test_review_proposes_each_reason_and_leaves_active_members_alone(cast, team, crew):
    assert HoursEntry.objects.filter(state=HoursEntry.State.APPROVED).count() == 2
    result = actions.team_review_run(actor=None, year=YEAR, today=TODAY)
    assert result == {"teams": 1, "proposed": len(EXPECTED)}
    assert _proposals(team) == EXPECTED  # neither 勤快 (recent hours) nor 新队员 (joined 60 days ago)


def test_running_twice_proposes_nothing_new(cast, team, crew):
    actions.team_review_run(actor=None, year=YEAR, today=TODAY)
    assert actions.team_review_run(actor=None, year=YEAR, today=TODAY) == {"teams": 1, "proposed": 0}
    assert ReviewProposal.objects.count() == len(EXPECTED)


def test_the_task_twice_adds_nothing_the_second_time(cast, team, crew):
    first = team_review_propose_task.apply(kwargs={"year": YEAR})
    assert first.successful() and first.result == {"teams": 1, "proposed": len(EXPECTED)}
    second = team_review_propose_task.apply(kwargs={"year": YEAR})
    assert second.result == {"teams": 1, "proposed": 0}
    assert ReviewProposal.objects.count() == len(EXPECTED)
    # the task without a year takes the current one
    assert team_review_propose_task() == {"teams": 1, "proposed": 0}


def test_run_job_team_review(cast, team, crew, capsys):
    call_command("run_job", "team-review")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"teams": 1, "proposed": len(EXPECTED)}
    call_command("run_job", "team-review")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"teams": 1, "proposed": 0}


def test_confirm_applies_reject_keeps_and_history_stays(cast, team, crew):
    actions.team_review_run(actor=None, year=YEAR, today=TODAY)
    by_name = {p.membership.person.name: p for p in team_selectors.review_proposals_for_team(team=team, year=YEAR)}

    team_actions.review_proposal_decide(actor=cast.secretary, proposal=by_name["退休"], confirm=True)
    retired = TeamMembership.objects.get(team=team, person=crew["退休"])
    assert (retired.state, retired.leave_reason, retired.left_on) == ("left", "retired", TODAY)

    team_actions.review_proposal_decide(actor=cast.secretary, proposal=by_name["申请人"], confirm=True)
    assert TeamMembership.objects.get(team=team, person=crew["申请人"]).state == TeamMembership.State.ACTIVE

    team_actions.review_proposal_decide(actor=cast.secretary, proposal=by_name["闲置"], confirm=False)
    assert TeamMembership.objects.get(team=team, person=crew["闲置"]).state == TeamMembership.State.ACTIVE

    with pytest.raises(ValidationError, match="已处理"):
        team_actions.review_proposal_decide(actor=cast.secretary, proposal=by_name["闲置"], confirm=True)
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        team_actions.review_proposal_decide(actor=cast.outsider, proposal=by_name["调走"], confirm=True)

    decided = {
        p.membership.person.name: (p.state, p.decided_by)
        for p in team_selectors.review_proposals_for_team(team=team, year=YEAR)
        if p.state != ReviewProposal.State.PROPOSED
    }
    assert decided == {
        "退休": ("confirmed", cast.secretary),
        "申请人": ("confirmed", cast.secretary),
        "闲置": ("rejected", cast.secretary),
    }
    # a rerun proposes nothing again for the rejected one, and keeps the decisions
    assert actions.team_review_run(actor=None, year=YEAR, today=TODAY)["proposed"] == 0
    assert ReviewProposal.objects.filter(state=ReviewProposal.State.PROPOSED).count() == len(EXPECTED) - 3


def test_a_run_by_hand_is_limited_to_teams_the_actor_runs(cast, team, crew):
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        actions.team_review_run(actor=cast.outsider, year=YEAR, teams=[team])
    assert not ReviewProposal.objects.exists()
    result = actions.team_review_run(actor=cast.secretary, year=YEAR, teams=[team])
    assert result == {"teams": 1, "proposed": len(EXPECTED)}


def test_the_run_costs_the_same_queries_with_few_or_many_members(cast, team):
    def measure(year: int) -> int:
        return queries_of(lambda: actions.team_review_run(actor=None, year=year, today=TODAY))

    for i in range(2):
        _join(cast, team, f"少{i}")
    few = measure(YEAR - 2)
    for i in range(12):
        _join(cast, team, f"多{i}")
    many = measure(YEAR - 1)
    assert few == many
