"""The happy paths through the web, bad input with its Chinese message, and the people list's filters."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from branches import actions
from branches.models import (
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    PoliticalStatus,
    RoleAssignment,
    StatusStep,
)
from portal.models import AuditEvent
from tests.factories import GridFactory, HostUnitFactory, OrganisationFactory, PersonFactory, fake_id_number, member

TODAY = timezone.localdate()
D = datetime.date


def _rows() -> tuple:
    return tuple(
        model.objects.count()
        for model in (Person, StatusStep, MembershipEvent, RoleAssignment, MobileMember, MobileReport, AuditEvent)
    )


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def secretary(cast, login):
    return login(cast.secretary)


# Adding and editing people ---------------------------------------------------------------------------------------


def test_secretary_adds_a_person(cast, secretary):
    grid = GridFactory(organisation=cast.branch_a, name="幸福里网格")
    host = HostUnitFactory(organisation=cast.branch_a, name="幸福里超市")
    number = fake_id_number(D(1995, 3, 8))
    form = secretary.get(reverse("branches:person_create"))
    assert form.status_code == 200
    assert "党支部A" in _text(form) and "党支部B" not in _text(form)

    response = secretary.post(
        reverse("branches:person_create"),
        {
            "name": "新积极分子",
            "organisation": cast.branch_a.pk,
            "phone": "13912345678",
            "id_number": number,
            "education": "bachelor",
            "grid": grid.pk,
            "host": host.pk,
            "political_status": PoliticalStatus.ACTIVIST,
            "status_date": "2024-03-01",
        },
    )
    person = Person.objects.get(name="新积极分子")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert (person.organisation, person.grid, person.host, person.phone) == (cast.branch_a, grid, host, "13912345678")
    assert person.political_status == PoliticalStatus.ACTIVIST
    assert list(person.status_steps.values_list("status", "date")) == [("activist", D(2024, 3, 1))]
    assert not person.events.exists()  # not a party member yet: no join
    assert person.birth_date == D(1995, 3, 8)
    assert person.id_number_masked == f"**************{number[-4:]}"
    audit = AuditEvent.objects.get(action="person.create", object_id=str(person.pk))
    assert audit.actor == cast.secretary

    page = secretary.get(response["Location"])
    assert "已添加人员。" in _text(page)
    assert "入党积极分子" in _text(page) and "幸福里网格" in _text(page)
    assert number not in _text(page)


def test_secretary_adds_a_full_member_with_the_join(cast, secretary):
    response = secretary.post(
        reverse("branches:person_create"),
        {
            "name": "新正式党员",
            "organisation": cast.branch_a.pk,
            "political_status": "full",
            "status_date": "2023-07-01",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="新正式党员")
    assert list(person.status_steps.values_list("status", flat=True)) == ["full"]
    assert list(person.events.values_list("kind", "date")) == [("join", D(2023, 7, 1))]


def test_secretary_edits_a_person_with_an_audited_before_and_after(cast, secretary):
    person = cast.person_a
    url = reverse("branches:person_update", args=[person.pk])
    form = secretary.get(url)
    assert form.status_code == 200
    assert 'value="甲群众党员"' in _text(form)

    response = secretary.post(
        url,
        {"name": "甲群众党员改名", "organisation": cast.branch_a.pk, "phone": "13700000001", "education": "college"},
    )
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert (person.name, person.phone, person.education) == ("甲群众党员改名", "13700000001", "college")
    audit = AuditEvent.objects.filter(action="person.update", object_id=str(person.pk)).get()
    assert audit.actor == cast.secretary
    assert audit.changes == {
        "name": ["甲群众党员", "甲群众党员改名"],
        "phone": ["", "13700000001"],
        "education": ["", "college"],
    }
    assert "已保存。" in _text(secretary.get(response["Location"]))


BAD_CREATES = [
    ({"phone": "1234"}, "请输入 11 位手机号码。"),
    ({"phone": "23800000000"}, "请输入 11 位手机号码。"),
    ({"id_number": "11010119800517001X"}, "身份证号码无效"),
    ({"political_status": "activist", "status_date": ""}, "须填写取得该政治面貌的日期。"),
    ({"status_date": "2099-01-01", "political_status": "applicant"}, "不能晚于今天"),
    ({"name": "  "}, "这个字段是必填项。"),
    ({"organisation": "branch_b"}, "选择一个有效的选项"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_CREATES, ids=[m for _, m in BAD_CREATES])
def test_bad_input_on_create_shows_a_chinese_error_and_writes_nothing(cast, secretary, bad, message):
    data = {"name": "坏数据", "organisation": cast.branch_a.pk, "political_status": "masses"} | bad
    if data["organisation"] == "branch_b":
        data["organisation"] = cast.branch_b.pk
    before = _rows()
    response = secretary.post(reverse("branches:person_create"), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert _rows() == before


def test_a_duplicate_id_number_is_refused_on_create(cast, secretary):
    number = fake_id_number()
    actions.person_create(actor=None, name="已登记者", organisation=cast.branch_b, id_number=number)
    before = _rows()
    response = secretary.post(
        reverse("branches:person_create"),
        {"name": "重复者", "organisation": cast.branch_a.pk, "political_status": "masses", "id_number": number},
    )
    assert response.status_code == 200
    assert "该身份证号码已登记。" in _text(response)
    assert "已登记者" not in _text(response)  # nor does it tell who (branch B is not the secretary's)
    assert _rows() == before


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"phone": "1380000"}, "请输入 11 位手机号码。"),
        ({"id_number": "110101198005170012"}, "身份证号码无效"),  # …0011 would be the right check digit
        ({"organisation": "branch_b"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_on_edit_shows_a_chinese_error_and_changes_nothing(cast, secretary, bad, message):
    person = cast.person_a
    data = {"name": "不该保存", "organisation": cast.branch_a.pk} | bad
    if data["organisation"] == "branch_b":
        data["organisation"] = cast.branch_b.pk
    before = _rows()
    response = secretary.post(reverse("branches:person_update", args=[person.pk]), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert _rows() == before
    person.refresh_from_db()
    assert (person.name, person.organisation) == ("甲群众党员", cast.branch_a)


# Steps, events and roles from the person's page -------------------------------------------------------------------


def test_status_step_from_the_person_page(cast, secretary):
    person = PersonFactory(organisation=cast.branch_a, name="甲申请人")
    page = secretary.get(person.get_absolute_url())
    assert reverse("branches:person_status_add", args=[person.pk]) in _text(page)
    response = secretary.post(
        reverse("branches:person_status_add", args=[person.pk]),
        {
            "status": "development_target",
            "date": "2024-05-01",
            "publicity_start": "2024-04-20",
            "publicity_end": "2024-04-27",
        },
        follow=True,
    )
    assert response.redirect_chain == [(person.get_absolute_url(), 302)]
    assert "已记录政治面貌变更。" in _text(response)
    step = person.status_steps.get()
    assert (step.status, step.date, step.publicity_start) == ("development_target", D(2024, 5, 1), D(2024, 4, 20))
    person.refresh_from_db()
    assert person.political_status == "development_target"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "applicant", "date": "2024-05-01"}, "只能向前推进"),  # person_a is a full member already
        ({"status": "full", "date": ""}, "日期：这个字段是必填项。"),
        ({"status": "nonsense", "date": "2024-05-01"}, "选择一个有效的选项"),
    ],
)
def test_bad_status_step_is_reported_on_the_page_and_changes_nothing(cast, secretary, data, message):
    person = cast.person_a
    before = _rows()
    response = secretary.post(reverse("branches:person_status_add", args=[person.pk]), data, follow=True)
    assert response.redirect_chain == [(person.get_absolute_url(), 302)]
    assert message in _text(response)
    assert "已记录政治面貌变更。" not in _text(response)
    assert _rows() == before


def test_membership_event_from_the_person_page(cast, secretary):
    person = cast.person_a
    response = secretary.post(
        reverse("branches:person_event_add", args=[person.pk]),
        {"kind": "transfer_out", "date": "2024-06-01", "note": "转往外省"},
        follow=True,
    )
    assert "已记录组织关系事件。" in _text(response)
    assert "不在册" in _text(response)
    person.refresh_from_db()
    assert person.is_active_member is False
    event = person.events.order_by("-date").first()
    assert (event.kind, event.date, event.note, event.recorded_by) == (
        "transfer_out",
        D(2024, 6, 1),
        "转往外省",
        cast.secretary,
    )

    # a second transfer out is refused, with the reason on the page
    before = _rows()
    response = secretary.post(
        reverse("branches:person_event_add", args=[person.pk]),
        {"kind": "transfer_out", "date": "2024-06-02"},
        follow=True,
    )
    assert "此人已不在册。" in _text(response)
    assert _rows() == before


def test_role_from_the_person_page(cast, secretary):
    person = cast.person_a
    response = secretary.post(
        reverse("branches:person_role_add", args=[person.pk]),
        {"organisation": cast.branch_a.pk, "role": "committee_member", "start_date": "2024-01-01", "liaison": "宣传"},
        follow=True,
    )
    assert "已记录职务任命。" in _text(response)
    assignment = RoleAssignment.objects.get(person=person)
    assert (assignment.organisation, assignment.role, assignment.liaison) == (cast.branch_a, "committee_member", "宣传")
    # a role in branch B is not the secretary's to give
    before = _rows()
    response = secretary.post(
        reverse("branches:person_role_add", args=[person.pk]),
        {"organisation": cast.branch_b.pk, "role": "organiser", "start_date": "2024-01-01"},
        follow=True,
    )
    assert "选择一个有效的选项" in _text(response)
    assert _rows() == before


# Mobile members -----------------------------------------------------------------------------------------------------


def test_departure_report_and_return(cast, secretary):
    person = cast.person_a
    leave = TODAY - datetime.timedelta(days=30)
    form = secretary.get(reverse("branches:mobile_depart", args=[person.pk]))
    assert form.status_code == 200 and "甲群众党员" in _text(form)

    response = secretary.post(
        reverse("branches:mobile_depart", args=[person.pk]),
        {"destination": "广东省深圳市", "leave_date": leave.isoformat(), "certificate_number": "LD-2024-001"},
    )
    record = MobileMember.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert (record.destination, record.leave_date, record.certificate_number) == ("广东省深圳市", leave, "LD-2024-001")
    assert "已登记外出。" in _text(secretary.get(response["Location"]))
    listed = _text(secretary.get(reverse("branches:mobile_list")))
    assert "广东省深圳市" in listed and "正常" in listed

    report_date = TODAY - datetime.timedelta(days=3)
    response = secretary.post(
        reverse("branches:mobile_report_add", args=[record.pk]),
        {"kind": "written", "date": report_date.isoformat(), "content": "参加流入地支部组织生活"},
        follow=True,
    )
    assert "已记录汇报。" in _text(response) and "参加流入地支部组织生活" in _text(response)
    report = record.reports.get()
    assert (report.kind, report.date, report.logged_by) == ("written", report_date, cast.secretary)

    response = secretary.post(
        reverse("branches:mobile_return", args=[record.pk]), {"date": TODAY.isoformat()}, follow=True
    )
    assert "已登记返回。" in _text(response)
    record.refresh_from_db()
    assert record.returned_on == TODAY
    # closed: the page says so and offers no more forms
    assert "已返回" in _text(response)
    assert reverse("branches:mobile_report_add", args=[record.pk]) not in _text(response)


def test_bad_mobile_input_is_reported_and_changes_nothing(cast, secretary):
    record = actions.mobile_departure_record(
        actor=None, person=cast.person_a, leave_date=TODAY - datetime.timedelta(days=10), destination="杭州"
    )
    masses = PersonFactory(organisation=cast.branch_a, name="甲群众")
    before = _rows()
    early = (record.leave_date - datetime.timedelta(days=1)).isoformat()
    response = secretary.post(
        reverse("branches:mobile_report_add", args=[record.pk]),
        {"kind": "oral", "date": early, "content": "x"},
        follow=True,
    )
    assert "汇报日期不能早于外出日期。" in _text(response)
    response = secretary.post(reverse("branches:mobile_return", args=[record.pk]), {"date": early}, follow=True)
    assert "返回日期不能早于外出日期。" in _text(response)
    # a second departure while the first is open
    response = secretary.post(
        reverse("branches:mobile_depart", args=[cast.person_a.pk]),
        {"destination": "南京", "leave_date": TODAY.isoformat()},
    )
    assert response.status_code == 200 and "此人已有未结束的外出登记。" in _text(response)
    # someone who is not a party member
    response = secretary.post(
        reverse("branches:mobile_depart", args=[masses.pk]),
        {"destination": "南京", "leave_date": TODAY.isoformat()},
    )
    assert response.status_code == 200 and "只有在册党员可以登记为流动党员。" in _text(response)
    assert _rows() == before
    assert MobileReport.objects.count() == 0 and MobileMember.objects.get().returned_on is None


def test_overdue_mobile_member_is_flagged_in_the_list(cast, secretary):
    # left four months ago, never reported: due two months after leaving, overdue a week later
    record = actions.mobile_departure_record(
        actor=None, person=cast.person_a, leave_date=TODAY - datetime.timedelta(days=120), destination="成都"
    )
    listed = _text(secretary.get(reverse("branches:mobile_list")))
    assert "逾期未汇报" in listed
    actions.mobile_report_record(actor=None, mobile_member=record, kind="oral", date=TODAY, content="电话汇报")
    listed = _text(secretary.get(reverse("branches:mobile_list")))
    assert "逾期未汇报" not in listed


# The people list ------------------------------------------------------------------------------------------------------


def _listed(response) -> set[str]:
    """Names linked in the list's table."""
    return set(re.findall(r'<a href="/branches/people/\d+/">([^<]+)</a>', _text(response)))


@pytest.fixture
def listing(cast):
    group = OrganisationFactory(name="甲第一党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    grid = GridFactory(organisation=cast.branch_a, name="东区网格")
    in_group = member(group, name="组员张三")
    in_grid = PersonFactory(organisation=cast.branch_a, name="网格李四", grid=grid)
    activist = PersonFactory(organisation=cast.branch_a, name="积极分子王五")
    actions.status_step_add(actor=None, person=activist, status="activist", date=D(2024, 1, 1))
    return {"group": group, "grid": grid, "in_group": in_group, "in_grid": in_grid, "activist": activist}


def test_person_list_shows_the_secretarys_subtree(cast, secretary, listing):
    names = _listed(secretary.get(reverse("branches:person_list")))
    assert {"甲书记", "甲党员", "甲群众党员", "组员张三", "网格李四", "积极分子王五"} <= names
    assert not names & {"乙书记", "乙党员", "区委书记"}


def test_person_list_filters(cast, secretary, listing):
    url = reverse("branches:person_list")
    assert _listed(secretary.get(url, {"political_status": "activist"})) == {"积极分子王五"}
    assert _listed(secretary.get(url, {"political_status": "masses"})) == {"网格李四"}
    assert _listed(secretary.get(url, {"organisation": listing["group"].pk})) == {"组员张三"}
    # an organisation means its subtree: the branch includes its party group
    in_branch = _listed(secretary.get(url, {"organisation": cast.branch_a.pk}))
    assert {"组员张三", "甲党员", "网格李四"} <= in_branch
    assert _listed(secretary.get(url, {"grid": listing["grid"].pk})) == {"网格李四"}
    assert _listed(secretary.get(url, {"q": "张三"})) == {"组员张三"}
    assert _listed(secretary.get(url, {"q": "甲", "political_status": "full"})) == {"甲书记", "甲党员", "甲群众党员"}
    assert _listed(secretary.get(url, {"q": "没有这个人"})) == set()
    # another branch's organisation is not a valid filter for the secretary, and reveals nothing
    response = secretary.get(url, {"organisation": cast.branch_b.pk})
    assert response.status_code == 200
    assert not _listed(response) & {"乙书记", "乙党员"}


def test_person_list_pagination(cast, secretary):
    for i in range(35):
        PersonFactory(organisation=cast.branch_a, name=f"翻页人{i:02d}")
    url = reverse("branches:person_list")
    first = secretary.get(url, {"q": "翻页人"})
    second = secretary.get(url, {"q": "翻页人", "page": 2})
    page_one, page_two = _listed(first), _listed(second)
    assert len(page_one) == 30 and len(page_two) == 5
    assert page_one | page_two == {f"翻页人{i:02d}" for i in range(35)}
    assert "共 35 人" in _text(first)
    assert "q=%E7%BF%BB%E9%A1%B5%E4%BA%BA&amp;page=2" in _text(first)  # the next link keeps the search
    assert "第 2 / 2 页" in _text(second)


# The admin writes through the same actions: a refusal is a Chinese message, never a server error -----------------


def test_admin_refusal_is_a_message_and_changes_nothing(cast, secretary):
    """Only 组织部 moves organisations: the secretary choosing a new parent in the admin is refused cleanly."""
    url = reverse("admin:branches_organisation_change", args=[cast.branch_a.pk])
    group = OrganisationFactory(name="甲党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    paths = list(Organisation.objects.order_by("pk").values_list("name", "path"))
    before = _rows()
    response = secretary.post(url, {"name": "党支部A改名", "kind": "branch", "parent": group.pk, "_save": "保存"})
    assert response.status_code == 302 and response["Location"] == url
    assert "只有组织部可以调整组织隶属关系。" in _text(secretary.get(url))
    assert list(Organisation.objects.order_by("pk").values_list("name", "path")) == paths  # not renamed either
    assert _rows() == before
