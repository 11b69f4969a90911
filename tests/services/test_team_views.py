"""Team pages: what they show, the happy paths, and bad input (a Chinese message, nothing written)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, member
from tests.services.team_helpers import give_hours
from volunteers import actions as team_actions
from volunteers.models import PersonSkill, ReviewProposal, Skill, Team, TeamMembership

TODAY = timezone.localdate()
JOINED = TODAY - datetime.timedelta(days=30)


@pytest.fixture
def team(cast) -> Team:
    team = team_actions.team_create(
        actor=cast.secretary, name="甲志愿服务大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )
    team_actions.membership_add(
        actor=cast.secretary, team=team, person=cast.person_a, joined_on=JOINED, role=TeamMembership.Role.LEADER
    )
    return team


def _content(response) -> str:
    return response.content.decode()


def _memberships() -> list:
    return list(TeamMembership.objects.order_by("pk").values_list("pk", "state", "role", "joined_on", "left_on"))


# The list and founding a team --------------------------------------------------------------------------------


def test_team_list_is_a_tree_with_level_organisation_and_headcount(cast, login, team):
    squad = team_actions.team_create(
        actor=cast.secretary, name="甲第一分队", level=Team.Level.SQUAD, organisation=cast.branch_a, parent=team
    )
    content = _content(login(cast.secretary).get(reverse("services:team_list")))
    assert content.index("甲志愿服务大队") < content.index("甲第一分队")
    assert 'class="tree-indent-2"' in content and "分队" in content and "党支部A" in content
    assert "1 名队员" in content and "0 名队员" in content
    assert squad.get_absolute_url() in content
    assert reverse("services:team_create") in content


def test_team_create_with_a_parent(cast, login, team):
    client = login(cast.secretary)
    body = {"name": "甲第二分队", "level": "squad", "organisation": cast.branch_a.pk, "parent": team.pk}
    response = client.post(reverse("services:team_create"), body, follow=True)
    created = Team.objects.get(name="甲第二分队")
    assert response.redirect_chain[-1][0] == created.get_absolute_url()
    assert "已新建服务队" in _content(response)
    assert Team.objects.get_parent(created) == team


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "错层级", "level": "brigade"}, "下级服务队的层级须低于上级"),
        ({"name": "", "level": "squad"}, "这个字段是必填项"),
        ({"name": "乱层级", "level": "platoon"}, "选择一个有效的选项"),
    ],
)
def test_team_create_bad_input_writes_nothing(cast, login, team, body, message):
    client = login(cast.secretary)
    before = Team.objects.count()
    response = client.post(
        reverse("services:team_create"), {**body, "organisation": cast.branch_a.pk, "parent": team.pk}
    )
    assert response.status_code == 200
    assert message in _content(response)
    assert Team.objects.count() == before


def test_team_create_offers_only_writable_parents(cast, login, team):
    team_actions.team_create(actor=cast.outsider, name="乙大队", level=Team.Level.BRIGADE, organisation=cast.branch_b)
    content = _content(login(cast.secretary).get(reverse("services:team_create")))
    assert "甲志愿服务大队" in content and "乙大队" not in content


# The team's page -----------------------------------------------------------------------------------------------


def test_team_detail_shows_members_skills_hours_stars_applicants_and_activities(cast, login, team):
    team_actions.membership_add(actor=cast.secretary, team=team, person=cast.member_person, joined_on=JOINED)
    team_actions.person_skills_set(
        actor=cast.secretary, person=cast.person_a, skills=[Skill.objects.get(name="测血压")]
    )
    masses = PersonFactory(organisation=cast.branch_a, name="甲群众志愿者")
    team_actions.membership_apply(actor=cast.secretary, team=team, person=masses)
    give_hours(cast.secretary, team, cast.person_a)
    team_actions.star_levels_update(
        actor=None, hours_by_stars={1: Decimal(1), 2: Decimal(300), 3: Decimal(600), 4: Decimal(1000), 5: Decimal(1500)}
    )
    content = _content(login(cast.secretary).get(team.get_absolute_url()))
    for text in (
        "甲群众党员",
        "队长",
        "甲党员",
        "队员",
        "在队",
        f"{JOINED:%Y}年{JOINED.month}月{JOINED.day}日",
        "正式党员",
    ):
        assert text in content, text
    assert "测血压" in content and "1★" in content and "2.0" in content  # person_a's skill, star and hours
    assert "入队申请" in content and "甲群众志愿者" in content
    assert "正式党员 2" in content  # headcount by political status
    assert "2.0 小时" in content  # the team's approved hours
    activity = team.activities.get()
    assert activity.get_absolute_url() in content and activity.title in content


def test_add_a_member_then_end_the_membership(cast, login, team):
    client = login(cast.secretary)
    body = {"person": cast.member_person.pk, "role": "deputy", "joined_on": JOINED.isoformat()}
    response = client.post(reverse("services:team_member_add", args=[team.pk]), body, follow=True)
    assert "已添加队员" in _content(response)
    membership = TeamMembership.objects.get(team=team, person=cast.member_person)
    assert (membership.state, membership.role, membership.joined_on) == ("active", "deputy", JOINED)

    url = reverse("services:team_member_leave", args=[team.pk, membership.pk])
    response = client.post(url, {"reason": "retired", "left_on": TODAY.isoformat()}, follow=True)
    assert "已办理离队" in _content(response)
    membership.refresh_from_db()
    assert (membership.state, membership.leave_reason, membership.left_on) == ("left", "retired", TODAY)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"role": "member", "joined_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "入队日期不能晚于今天"),
        ({"role": "member", "joined_on": "2024-13-40"}, "输入一个有效的日期"),
        ({"role": "captain", "joined_on": TODAY.isoformat()}, "选择一个有效的选项"),
    ],
)
def test_add_member_bad_input_writes_nothing(cast, login, team, body, message):
    before = _memberships()
    response = login(cast.secretary).post(
        reverse("services:team_member_add", args=[team.pk]), {**body, "person": cast.member_person.pk}, follow=True
    )
    assert message in _content(response)
    assert _memberships() == before


def test_add_member_from_outside_the_scope_is_not_a_choice(cast, login, team):
    before = _memberships()
    body = {"person": cast.person_b.pk, "role": "member", "joined_on": TODAY.isoformat()}
    response = login(cast.secretary).post(reverse("services:team_member_add", args=[team.pk]), body, follow=True)
    assert "选择一个有效的选项" in _content(response)
    assert _memberships() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"reason": "bored", "left_on": TODAY.isoformat()}, "选择一个有效的选项"),
        ({"reason": "retired", "left_on": (JOINED - datetime.timedelta(days=1)).isoformat()}, "不能早于入队日期"),
        ({"reason": "retired", "left_on": ""}, "这个字段是必填项"),
    ],
)
def test_leave_bad_input_writes_nothing(cast, login, team, body, message):
    membership = TeamMembership.objects.get(team=team, person=cast.person_a)
    before = _memberships()
    url = reverse("services:team_member_leave", args=[team.pk, membership.pk])
    assert message in _content(login(cast.secretary).post(url, body, follow=True))
    assert _memberships() == before


def test_apply_then_admit(cast, login, team):
    response = login(cast.member).post(reverse("services:team_apply", args=[team.pk]), follow=True)
    assert "已提交入队申请" in _content(response)
    application = TeamMembership.objects.get(team=team, person=cast.member_person)
    assert application.state == TeamMembership.State.PENDING
    # applying again: a message, nothing new
    before = _memberships()
    response = login(cast.member).post(reverse("services:team_apply", args=[team.pk]), follow=True)
    assert "已是队员或已提交申请" in _content(response)
    assert _memberships() == before

    client = login(cast.secretary)
    url = reverse("services:team_member_admit", args=[team.pk, application.pk])
    response = client.post(url, {"joined_on": TODAY.isoformat()}, follow=True)
    assert "已吸收入队" in _content(response)
    application.refresh_from_db()
    assert (application.state, application.joined_on) == ("active", TODAY)
    # admitting an active member again: a message, nothing written
    before = _memberships()
    assert "该申请已处理" in _content(client.post(url, {"joined_on": TODAY.isoformat()}, follow=True))
    assert _memberships() == before


def test_apply_without_a_person_record_is_a_message(cast, login, team):
    response = login(cast.orgadmin).post(reverse("services:team_apply", args=[team.pk]), follow=True)
    assert "未关联人员档案" in _content(response)
    assert not TeamMembership.objects.filter(state=TeamMembership.State.PENDING).exists()


def test_archived_or_unknown_team_is_404(cast, login):
    assert login(cast.secretary).get(reverse("services:team_detail", args=[99999])).status_code == 404
    assert login(cast.member).post(reverse("services:team_apply", args=[99999])).status_code == 404


# The review page -----------------------------------------------------------------------------------------------


def test_review_page_start_decide_and_history(cast, login, team):
    idle = member(cast.branch_a, name="甲闲置队员")
    team_actions.membership_add(
        actor=cast.secretary, team=team, person=idle, joined_on=TODAY - datetime.timedelta(days=800)
    )
    client = login(cast.secretary)
    page = reverse("services:team_review", args=[team.pk])
    assert "暂无梳理建议" in _content(client.get(page))

    response = client.post(reverse("services:team_review_start", args=[team.pk]), {"year": TODAY.year}, follow=True)
    content = _content(response)
    assert "已生成梳理建议" in content and "甲闲置队员" in content and "12 个月无服务时长" in content
    proposal = ReviewProposal.objects.get(membership__person=idle)

    response = client.post(reverse("services:review_decide", args=[proposal.pk]), {"decision": "reject"}, follow=True)
    content = _content(response)
    assert "已记录为不采纳" in content and "不采纳" in content and "甲书记" in content  # who decided
    proposal.refresh_from_db()
    assert proposal.state == ReviewProposal.State.REJECTED
    assert TeamMembership.objects.get(team=team, person=idle).state == TeamMembership.State.ACTIVE

    # deciding twice: a message, nothing changes
    response = client.post(reverse("services:review_decide", args=[proposal.pk]), {"decision": "confirm"}, follow=True)
    assert "该建议已处理" in _content(response)
    proposal.refresh_from_db()
    assert proposal.state == ReviewProposal.State.REJECTED
    # the history stays, by year
    assert "甲闲置队员" in _content(client.get(page, {"year": TODAY.year}))
    assert "暂无梳理建议" in _content(client.get(page, {"year": TODAY.year - 1}))


def test_review_bad_input(cast, login, team):
    client = login(cast.secretary)
    page = reverse("services:team_review", args=[team.pk])
    content = _content(client.get(page, {"year": "去年"}))
    assert "年度无效" in content and str(TODAY.year) in content
    response = client.post(reverse("services:team_review_start", args=[team.pk]), {"year": TODAY.year + 1}, follow=True)
    assert "不能为将来的年度" in _content(response)
    response = client.post(reverse("services:team_review_start", args=[team.pk]), {"year": "abc"}, follow=True)
    assert "输入整数" in _content(response)
    assert not ReviewProposal.objects.exists()

    applicant = member(cast.branch_a, name="甲申请人")
    team_actions.membership_apply(actor=cast.secretary, team=team, person=applicant)
    team_actions.team_review_propose(team=team, year=TODAY.year, hours_last_12_months={})
    proposal = ReviewProposal.objects.get()
    response = client.post(reverse("services:review_decide", args=[proposal.pk]), {"decision": "maybe"}, follow=True)
    assert "选择一个有效的选项" in _content(response)
    proposal.refresh_from_db()
    assert proposal.state == ReviewProposal.State.PROPOSED


# Skills ------------------------------------------------------------------------------------------------------


def test_member_edits_own_skills(cast, login):
    client = login(cast.member)
    url = reverse("services:person_skills", args=[cast.member_person.pk])
    content = _content(client.get(url))
    assert "家电维修" in content and 'type="checkbox"' in content
    chosen = list(Skill.objects.filter(name__in=["理发", "陪伴老人"]))
    response = client.post(url, {"skills": [s.pk for s in chosen]}, follow=True)
    assert "已保存技能" in _content(response)
    assert set(PersonSkill.objects.filter(person=cast.member_person).values_list("skill__name", flat=True)) == {
        "理发",
        "陪伴老人",
    }
    # unticking everything clears them
    client.post(url, {})
    assert not PersonSkill.objects.filter(person=cast.member_person).exists()


def test_skills_bad_input_writes_nothing(cast, login):
    response = login(cast.secretary).post(
        reverse("services:person_skills", args=[cast.person_a.pk]), {"skills": [99999]}
    )
    assert response.status_code == 200 and "选择一个有效的选项" in _content(response)
    assert not PersonSkill.objects.exists()
