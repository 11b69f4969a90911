"""Demand pages through the web: entry by a secretary, the demand page (forms only in the matching state, deadline
in working days, masked phone without the right), each state change through its POST view, the list's badges and
filters. Bad input: a Chinese message, nothing written."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from services.actions.demands import demand_assign, demand_call_back, demand_complete, demand_receive
from services.models import Demand
from tests.factories import member
from tests.services.demand_helpers import assigned, category, done, receive
from volunteers import actions as team_actions
from volunteers.models import Skill

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def detail(demand: Demand) -> str:
    return reverse("services:demand_detail", args=[demand.pk])


def test_secretary_enters_a_demand_received_last_week(cast, login):
    client = login(cast.secretary)
    page = client.get(reverse("services:demand_create"))
    assert page.status_code == 200
    assert page.context["form"].initial["received_on"] == timezone.localdate()
    assert page.context["form"].initial["organisation"] == cast.branch_a.pk  # their only branch, preselected
    received_on = datetime.date(2024, 9, 27)
    response = client.post(
        reverse("services:demand_create"),
        {
            "organisation": cast.branch_a.pk,
            "channel": "contact_card",
            "category": category("appliance").pk,
            "content": "冰箱不制冷",
            "requester_name": "李大爷",
            "requester_phone": "13912345678",
            "received_on": received_on.isoformat(),
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(demand)
    assert demand.channel == "contact_card" and demand.received_on == received_on
    assert demand.deadline == datetime.date(2024, 10, 4)
    assert "已受理群众需求" in str(next(iter(get_messages(response.wsgi_request))))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("received_on", "tomorrow", "受理日期不能晚于今天"),
        ("requester_phone", "0000", "联系电话格式不正确"),
        ("content", "", "这个字段是必填项"),
    ],
)
def test_create_refuses_bad_input(cast, login, field, value, message):
    if value == "tomorrow":
        value = (timezone.localdate() + DAY).isoformat()
    data = {
        "organisation": cast.branch_a.pk,
        "channel": "hotline",
        "category": category().pk,
        "content": "内容",
        "received_on": timezone.localdate().isoformat(),
    } | {field: value}
    response = login(cast.secretary).post(reverse("services:demand_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Demand.objects.exists()


def test_the_page_shows_only_the_form_of_the_current_state(cast, login):
    client = login(cast.secretary)
    demand = receive(cast)
    marks = {
        "assign": reverse("services:demand_assign", args=[demand.pk]),
        "complete": reverse("services:demand_complete", args=[demand.pk]),
        "callback": reverse("services:demand_call_back", args=[demand.pk]),
    }

    def shown() -> set[str]:
        content = client.get(detail(demand)).content.decode()
        return {name for name, action in marks.items() if action in content}

    assert shown() == {"assign"}
    demand_assign(actor=cast.secretary, demand=demand, person=cast.member_person)
    assert shown() == {"assign", "complete"}  # still re-assignable until done
    demand_complete(actor=cast.secretary, demand=demand, result="好了", done_on=timezone.localdate())
    assert shown() == {"callback"}
    demand_call_back(actor=cast.secretary, demand=demand, callback_on=timezone.localdate(), satisfaction="basic")
    assert shown() == set()
    assert "已回访" in client.get(detail(demand)).content.decode()


def test_member_sees_their_demand_read_only_with_the_phone_masked(cast, login):
    demand = assigned(cast, requester_phone="13812341234")
    member_page = login(cast.member).get(detail(demand)).content.decode()
    assert "138****1234" in member_page and "13812341234" not in member_page
    assert reverse("services:demand_complete", args=[demand.pk]) not in member_page
    secretary_page = login(cast.secretary).get(detail(demand)).content.decode()
    assert "13812341234" in secretary_page


def test_deadline_shows_working_days_left_or_days_overdue(cast, login):
    client = login(cast.secretary)
    fresh = receive(cast)
    late = receive(cast, received_on=timezone.localdate() - 30 * DAY)
    # five working days after today, whatever day today is (no holidays in this test's calendar)
    assert client.get(detail(fresh)).context["deadline_status"].working_days_left == 5
    assert "剩余 5 个工作日" in client.get(detail(fresh)).content.decode()
    content = client.get(detail(late)).content.decode()
    assert f"逾期 {(timezone.localdate() - late.deadline).days} 天" in content


def test_assign_through_the_page_lists_skilled_people_first(cast, login):
    skill = Skill.objects.get(name="家电维修")
    skilled = member(cast.branch_a, name="甲电工")
    team_actions.person_skills_set(actor=None, person=skilled, skills=[skill])
    demand = receive(cast, code="appliance")
    client = login(cast.secretary)
    choices = list(client.get(detail(demand)).context["assign_form"].fields["person"].queryset)
    assert choices[0] == skilled and choices[0].has_skill
    assert not any(p.has_skill for p in choices[1:])
    response = client.post(reverse("services:demand_assign", args=[demand.pk]), {"person": skilled.pk})
    assert response.status_code == 302 and response["Location"] == detail(demand)
    demand.refresh_from_db()
    assert demand.state == Demand.State.ASSIGNED and demand.assigned_person == skilled


def test_assign_refusals_come_back_as_messages_and_write_nothing(cast, login):
    demand = receive(cast)
    client = login(cast.secretary)
    before = AuditEvent.objects.count()
    for data in ({}, {"person": cast.person_b.pk}):
        response = client.post(reverse("services:demand_assign", args=[demand.pk]), data)
        assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("二选一" in t for t in texts)
    assert any("选择一个有效的选项" in t for t in texts)  # B's member is not a choice for A's secretary
    demand.refresh_from_db()
    assert demand.state == Demand.State.RECEIVED and AuditEvent.objects.count() == before


def test_result_and_callback_through_the_page(cast, login):
    demand = assigned(cast)
    client = login(cast.secretary)
    today = timezone.localdate().isoformat()
    client.post(reverse("services:demand_complete", args=[demand.pk]), {"result": "已上门修好", "done_on": today})
    demand.refresh_from_db()
    assert demand.state == Demand.State.DONE and demand.result == "已上门修好"
    client.post(
        reverse("services:demand_call_back", args=[demand.pk]),
        {"callback_on": today, "satisfaction": "satisfied", "note": "很满意"},
    )
    demand.refresh_from_db()
    assert demand.state == Demand.State.CALLED_BACK and demand.satisfaction == "satisfied"


def test_result_refused_when_done_in_the_future(cast, login):
    demand = assigned(cast)
    client = login(cast.secretary)
    tomorrow = (timezone.localdate() + DAY).isoformat()
    response = client.post(
        reverse("services:demand_complete", args=[demand.pk]), {"result": "x", "done_on": tomorrow}, follow=True
    )
    assert "办结日期不能晚于今天" in response.content.decode()
    demand.refresh_from_db()
    assert demand.state == Demand.State.ASSIGNED


def test_list_badges_and_filters(cast, login):
    today = timezone.localdate()
    overdue = receive(cast, received_on=today - 30 * DAY, code="environment", content="逾期的那件")
    unmet = receive(cast, code="appliance", content="没人会修")
    plain = done(cast, code="environment", content="按时办结")
    client = login(cast.secretary)
    url = reverse("services:demand_list")
    page = client.get(url)
    rows = list(page.context["page"])
    assert rows[0] == overdue  # overdue first
    content = page.content.decode()
    assert content.count(">逾期<") == 1 and content.count(">无人具备技能<") == 1

    def listed(**params) -> set[int]:
        return {d.pk for d in client.get(url, params).context["page"]}

    assert listed(overdue="on") == {overdue.pk}
    assert listed(state="done") == {plain.pk}
    assert listed(category=category("appliance").pk) == {unmet.pk}
    assert listed(channel="hotline") == {overdue.pk, unmet.pk, plain.pk}
    assert listed(channel="visit") == set()
    assert listed(organisation=cast.branch_a.pk) == {overdue.pk, unmet.pk, plain.pk}


def test_admin_shows_demands_in_scope_and_categories_read_only_for_secretaries(cast, login):
    mine = receive(cast, content="甲支部的需求")
    theirs = demand_receive(
        actor=None, organisation=cast.branch_b, channel="online", category=category(), content="乙支部的需求"
    )
    admin = login(cast.orgadmin)
    assert admin.get(reverse("admin:services_demandcategory_changelist")).status_code == 200
    assert admin.get(reverse("admin:services_demand_changelist")).status_code == 200
    secretary = login(cast.secretary)
    listed = {d.pk for d in secretary.get(reverse("admin:services_demand_changelist")).context["cl"].result_list}
    assert listed == {mine.pk}
    assert secretary.get(reverse("admin:services_demand_change", args=[theirs.pk])).status_code == 404
    category_url = reverse("admin:services_demandcategory_change", args=[category().pk])
    response = secretary.post(category_url, {"name": "改名", "code": "appliance", "deadline_working_days": 1})
    assert response.status_code == 403
    assert category().name == "家电维修"
