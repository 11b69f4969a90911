"""Every team page × every role of the cast: the expected status, written out as a table (by hand).

Outside the scope a team does not exist (404); a team's own member sees its page (200) but may not change it
(403); a member made 队长 runs their team. The admin obeys the same scope.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Person
from portal.models import AuditEvent
from services import actions
from services.models import Activity, ActivityCategory, HoursEntry, Participation
from tests.conftest import Cast
from tests.factories import member
from tests.harness import ADMIN_LOGIN, DONE, LOGIN, REFUSED, ScopeTable
from volunteers import actions as team_actions
from volunteers.models import PersonSkill, ReviewProposal, Skill, StarLevel, Team, TeamMembership


@dataclass
class World:
    cast: Cast
    team_a: Team  # the member is an ordinary 队员 here
    team_led: Team  # …and 队长 here
    team_open: Team  # a branch-A team the member is not on
    newcomer: Person  # an active person of branch A on no team
    objects: dict[str, int]
    today: datetime.date

    def pk(self, target: str) -> int:
        return self.objects[target]

    def args(self, targets: tuple) -> list:
        return [self.pk(t) for t in targets]


@pytest.fixture
def world(cast) -> World:
    today = timezone.localdate()
    joined = today - datetime.timedelta(days=30)
    sec = cast.secretary

    def team(name: str) -> Team:
        return team_actions.team_create(actor=sec, name=name, level=Team.Level.BRIGADE, organisation=cast.branch_a)

    team_a, team_led, team_open = team("甲服务大队"), team("甲先锋队"), team("甲敞开队")
    team_actions.membership_add(actor=sec, team=team_a, person=cast.member_person, joined_on=joined)
    in_a = team_actions.membership_add(actor=sec, team=team_a, person=cast.person_a, joined_on=joined)
    team_actions.membership_add(
        actor=sec, team=team_led, person=cast.member_person, joined_on=joined, role=TeamMembership.Role.LEADER
    )
    in_led = team_actions.membership_add(actor=sec, team=team_led, person=cast.person_a, joined_on=joined)
    applicants = [member(cast.branch_a, name=f"甲申请人{i}") for i in range(4)]
    apply_a = team_actions.membership_apply(actor=sec, team=team_a, person=applicants[0])
    apply_led = team_actions.membership_apply(actor=sec, team=team_led, person=applicants[1])
    year = today.year
    team_actions.team_review_propose(team=team_a, year=year, hours_last_12_months={})
    team_actions.team_review_propose(team=team_led, year=year, hours_last_12_months={})
    # applied after the proposals: a new run has something to propose
    team_actions.membership_apply(actor=sec, team=team_a, person=applicants[2])
    team_actions.membership_apply(actor=sec, team=team_led, person=applicants[3])
    proposal_a = ReviewProposal.objects.get(team=team_a, membership=apply_a)
    proposal_led = ReviewProposal.objects.get(team=team_led, membership=apply_led)

    category = ActivityCategory.objects.get(code="health")
    start = timezone.now() - datetime.timedelta(hours=3)
    activity = actions.activity_create(
        actor=sec,
        title="甲义诊",
        category=category,
        place="社区",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        team=team_a,
    )
    actions.activity_publish(actor=sec, activity=activity)
    participation = actions.participation_walk_in(actor=sec, activity=activity, person=cast.person_a)
    entry = participation.hours_entries.get()

    newcomer = member(cast.branch_a, name="甲新人")
    objects = {
        "team_a": team_a.pk,
        "team_led": team_led.pk,
        "team_open": team_open.pk,
        "in_a": in_a.pk,
        "in_led": in_led.pk,
        "apply_a": apply_a.pk,
        "apply_led": apply_led.pk,
        "proposal_a": proposal_a.pk,
        "proposal_led": proposal_led.pk,
        "person_a": cast.person_a.pk,
        "own": cast.member_person.pk,
        "activity": activity.pk,
        "participation": participation.pk,
        "entry": entry.pk,
        "skill": Skill.objects.get(name="理发").pk,
        "star": StarLevel.objects.get(stars=1).pk,
        "category": category.pk,
    }
    return World(cast, team_a, team_led, team_open, newcomer, objects, today)


def _create(w: World) -> dict:
    return {"name": "甲新队", "level": "brigade", "organisation": w.cast.branch_a.pk, "description": ""}


def _add(w: World) -> dict:
    return {"person": w.newcomer.pk, "role": "member", "joined_on": w.today.isoformat()}


def _leave(w: World) -> dict:
    return {"reason": "own_request", "left_on": w.today.isoformat()}


def _admit(w: World) -> dict:
    return {"joined_on": w.today.isoformat()}


def _start(w: World) -> dict:
    return {"year": w.today.year}


def _confirm(w: World) -> dict:
    return {"decision": "confirm"}


def _skills(w: World) -> dict:
    return {"skills": [Skill.objects.get(name="理发").pk, Skill.objects.get(name="测血压").pk]}


def _admin_team(w: World) -> dict:
    return {"name": "甲服务大队（改）", "description": "后台修改", "_save": "保存"}


S = "services:"
V = "admin:volunteers_"
SA = "admin:services_"

# fmt: off
# (url name, target object(s), method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, tuple, str, Callable | None, tuple]] = [
    (S + "team_list",          (),                        "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    (S + "team_create",        (),                        "get",  None,     (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider may found teams, but only in branch B: branch A is not a choice (form error, no write)
    (S + "team_create",        (),                        "post", _create,  (LOGIN, DONE, DONE, DONE, 404, 200)),
    (S + "team_detail",        ("team_a",),               "get",  None,     (LOGIN, 200, 200, 200, 200, 404)),
    (S + "team_detail",        ("team_open",),            "get",  None,     (LOGIN, 200, 200, 200, 404, 404)),
    (S + "team_member_add",    ("team_a",),               "post", _add,     (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "team_member_add",    ("team_a",),               "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "team_member_leave",  ("team_a", "in_a"),        "post", _leave,   (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "team_member_leave",  ("team_led", "in_led"),    "post", _leave,   (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "team_member_leave",  ("team_a", "in_a"),        "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    # a membership of another team under this team's URL does not exist
    (S + "team_member_leave",  ("team_a", "in_led"),      "post", _leave,   (LOGIN, 404, 404, 404, 403, 404)),
    (S + "team_member_admit",  ("team_a", "apply_a"),     "post", _admit,   (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "team_member_admit",  ("team_led", "apply_led"), "post", _admit,   (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "team_member_admit",  ("team_a", "apply_a"),     "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    # 组织部 has no person record to apply with (a message, nothing written)
    (S + "team_apply",         ("team_open",),            "post", None,     (LOGIN, REFUSED, DONE, DONE, DONE, 404)),
    (S + "team_apply",         ("team_open",),            "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "team_review",        ("team_a",),               "get",  None,     (LOGIN, 200, 200, 200, 403, 404)),
    (S + "team_review",        ("team_led",),             "get",  None,     (LOGIN, 200, 200, 200, 200, 404)),
    (S + "team_review_start",  ("team_a",),               "post", _start,   (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "team_review_start",  ("team_led",),             "post", _start,   (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "team_review_start",  ("team_a",),               "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "review_decide",      ("proposal_a",),           "post", _confirm, (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "review_decide",      ("proposal_led",),         "post", _confirm, (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "review_decide",      ("proposal_a",),           "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "person_skills",      ("person_a",),             "get",  None,     (LOGIN, 200, 200, 200, 404, 404)),
    (S + "person_skills",      ("person_a",),             "post", _skills,  (LOGIN, DONE, DONE, DONE, 404, 404)),
    (S + "person_skills",      ("own",),                  "get",  None,     (LOGIN, 200, 200, 200, 200, 404)),
    (S + "person_skills",      ("own",),                  "post", _skills,  (LOGIN, DONE, DONE, DONE, DONE, 404)),
    # the admin: members have no staff account; the outsider's admin does not know branch A's rows
    (V + "team_changelist",            (),                "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
    (V + "team_change",                ("team_a",),       "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (V + "team_change",                ("team_a",),       "post", _admin_team, (ADMIN_LOGIN, DONE, DONE, DONE, ADMIN_LOGIN, 404)),  # noqa: E501
    (V + "teammembership_changelist",  (),                "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
    (V + "teammembership_change",      ("in_a",),         "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (V + "reviewproposal_change",      ("proposal_a",),   "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (V + "skill_changelist",           (),                "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
    (V + "skill_add",                  (),                "get",  None,        (ADMIN_LOGIN, 200, 403, 403, ADMIN_LOGIN, 403)),  # noqa: E501
    (V + "starlevel_change",           ("star",),         "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
    (SA + "activitycategory_add",      (),                "get",  None,        (ADMIN_LOGIN, 200, 403, 403, ADMIN_LOGIN, 403)),  # noqa: E501
    (SA + "activity_change",           ("activity",),     "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (SA + "participation_change",      ("participation",), "get", None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (SA + "hoursentry_change",         ("entry",),        "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (SA + "hoursentry_changelist",     (),                "get",  None,        (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
]
# fmt: on


def _state() -> tuple:
    """Everything a team page could write, to show that a refused request wrote nothing."""
    return (
        list(Team.objects.order_by("pk").values_list("pk", "name", "description")),
        list(TeamMembership.objects.order_by("pk").values_list("pk", "state", "role", "left_on")),
        list(ReviewProposal.objects.order_by("pk").values_list("pk", "state")),
        list(PersonSkill.objects.order_by("pk").values_list("person_id", "skill_id")),
        list(Activity.objects.order_by("pk").values_list("pk", "state")),
        Participation.objects.count(),
        HoursEntry.objects.count(),
    )


TABLE = ScopeTable(MATRIX, state=_state)


@pytest.mark.parametrize("row", TABLE.params())
def test_team_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_lists_never_mention_branch_a_teams(world, login):
    client = login(world.cast.outsider)
    pages = {
        "teams": client.get(reverse("services:team_list")),
        "admin teams": client.get(reverse("admin:volunteers_team_changelist")),
        "admin memberships": client.get(reverse("admin:volunteers_teammembership_changelist")),
        "admin proposals": client.get(reverse("admin:volunteers_reviewproposal_changelist")),
        "admin activities": client.get(reverse("admin:services_activity_changelist")),
        "admin hours": client.get(reverse("admin:services_hoursentry_changelist")),
        "team form": client.get(reverse("services:team_create")),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        for name in ("甲服务大队", "甲先锋队", "甲敞开队", "甲群众党员", "甲申请人", "甲义诊", "党支部A"):
            assert name not in content, f"{label} shows {name}"
    # …while the secretary's do (so the check above can fail)
    secretary = login(world.cast.secretary)
    assert "甲服务大队" in secretary.get(reverse("services:team_list")).content.decode()
    assert "甲服务大队" in secretary.get(reverse("admin:volunteers_team_changelist")).content.decode()
    assert "甲义诊" in secretary.get(reverse("admin:services_activity_changelist")).content.decode()


def test_member_sees_own_teams_and_may_apply_to_the_others(world, login):
    content = login(world.cast.member).get(reverse("services:team_list")).content.decode()
    assert "甲服务大队" in content and "甲先锋队" in content
    assert reverse("services:team_apply", args=[world.team_open.pk]) in content
    assert reverse("services:team_apply", args=[world.team_a.pk]) not in content  # already on it
    # no write forms on the page of a team they are an ordinary member of; a leader gets them
    page = login(world.cast.member).get(reverse("services:team_detail", args=[world.team_a.pk])).content.decode()
    assert reverse("services:team_member_add", args=[world.team_a.pk]) not in page
    led = login(world.cast.member).get(reverse("services:team_detail", args=[world.team_led.pk])).content.decode()
    assert reverse("services:team_member_add", args=[world.team_led.pk]) in led
    assert reverse("services:team_review", args=[world.team_led.pk]) in led


def test_admin_star_levels_and_skills_go_through_their_actions(world, login):
    client = login(world.cast.orgadmin)
    url = reverse("admin:volunteers_starlevel_change", args=[world.pk("star")])
    response = client.post(url, {"min_hours": "80", "_save": "保存"})
    assert response.status_code == 302
    assert StarLevel.objects.get(stars=1).min_hours == 80
    assert AuditEvent.objects.filter(action="volunteers.star_levels", actor=world.cast.orgadmin).count() == 1
    # not increasing any more: the action's Chinese message, nothing written
    response = client.post(url, {"min_hours": "400", "_save": "保存"}, follow=True)
    assert "逐级递增" in response.content.decode()
    assert StarLevel.objects.get(stars=1).min_hours == 80

    response = client.post(reverse("admin:volunteers_skill_add"), {"name": "包饺子", "_save": "保存"})
    assert response.status_code == 302 and Skill.objects.filter(name="包饺子").exists()
    assert AuditEvent.objects.filter(action="skill.save").count() == 1
    # a secretary may not change the lists
    secretary = login(world.cast.secretary)
    assert secretary.post(url, {"min_hours": "90", "_save": "保存"}).status_code == 403
    assert StarLevel.objects.get(stars=1).min_hours == 80
