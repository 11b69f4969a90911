"""The text search (`q`) of the activity, demand, follow-up, pledge and team lists: it finds by the fields it names,
stays inside the user's scope, keeps the other filters, and pagination links keep the whole query string."""

import pytest
from django.urls import reverse

from services import actions
from services.actions.demands import demand_receive
from services.models import Demand
from tests.evaluations.conftest import activity as rated_activity
from tests.evaluations.conftest import bad_follow_up
from tests.services.activity_helpers import make_activity
from tests.services.demand_helpers import category, receive
from tests.services.pledge_helpers import make_pledge
from volunteers import actions as team_actions

pytestmark = pytest.mark.django_db


def _page(client, name: str, **params) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode()


def test_activities_by_title_or_place(cast, login):
    make_activity(cast, title="社区义诊")
    actions.activity_update(actor=None, activity=make_activity(cast, title="便民理发"), place="幸福里活动室")
    make_activity(cast, title="乙支部义诊", organisation=cast.branch_b)
    client = login(cast.secretary)
    page = _page(client, "services:activity_list", q="义诊")
    assert "社区义诊" in page and "便民理发" not in page
    assert "乙支部义诊" not in page  # outside the scope: never found
    page = _page(client, "services:activity_list", q="幸福里")
    assert "便民理发" in page and "社区义诊" not in page
    assert 'type="search"' in page and 'value="幸福里"' in page


def test_activity_search_keeps_the_other_filters(cast, login):
    make_activity(cast, title="义诊草稿", publish=False)
    make_activity(cast, title="义诊已发布")
    page = _page(login(cast.secretary), "services:activity_list", q="义诊", state="draft")
    assert "义诊草稿" in page and "义诊已发布" not in page


def test_demands_by_content_or_requester(cast, login):
    receive(cast, content="楼道灯坏了", requester_name="王大妈")
    receive(cast, content="下水道堵塞", requester_name="李大爷")
    demand_receive(
        actor=cast.outsider,
        organisation=cast.branch_b,
        channel=Demand.Channel.HOTLINE,
        category=category("appliance"),
        content="楼道灯也坏了",
    )
    client = login(cast.secretary)
    page = _page(client, "services:demand_list", q="楼道")
    assert "楼道灯坏了" in page and "下水道" not in page and "楼道灯也坏了" not in page
    page = _page(client, "services:demand_list", q="李大爷")
    assert "下水道堵塞" in page and "楼道灯坏了" not in page


def test_follow_ups_by_activity_title(cast, login):
    bad_follow_up(rated_activity(cast, organisation=cast.branch_a, title="理发服务"))
    bad_follow_up(rated_activity(cast, organisation=cast.branch_a, title="法律咨询"))
    page = _page(login(cast.secretary), "evaluations:follow_up_list", q="法律")
    assert "法律咨询" in page and "理发服务" not in page


def test_pledges_by_title_or_person(cast, login):
    make_pledge(cast, person=cast.member_person, title="每月走访三户")
    make_pledge(cast, person=cast.person_a, title="义务理发十次")
    client = login(cast.secretary)
    page = _page(client, "services:pledge_list", q="走访")
    assert "每月走访三户" in page and "义务理发十次" not in page
    page = _page(client, "services:pledge_list", q="甲群众")
    assert "义务理发十次" in page and "每月走访三户" not in page


def test_teams_by_name(cast, login):
    team_actions.team_create(actor=None, name="红色理发队", level="brigade", organisation=cast.branch_a)
    team_actions.team_create(actor=None, name="法律援助队", level="brigade", organisation=cast.branch_a)
    team_actions.team_create(actor=None, name="乙理发队", level="brigade", organisation=cast.branch_b)
    page = _page(login(cast.secretary), "services:team_list", q="理发")
    teams = page[: page.index("申请加入服务队")] if "申请加入服务队" in page else page
    assert "红色理发队" in teams and "法律援助队" not in teams and "乙理发队" not in teams


def test_pagination_links_keep_every_filter(cast, login):
    for n in range(35):
        make_activity(cast, title=f"义诊{n:02d}")
    page = _page(login(cast.secretary), "services:activity_list", q="义诊", state="published", category="")
    assert "第 1 / 2 页" in page
    assert "?q=%E4%B9%89%E8%AF%8A&amp;state=published&amp;category=&amp;page=2" in page
