"""The branches rules, exercised through the actions (the only way anything is written)."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches import actions, selectors
from branches.models import (
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    PoliticalStatus,
    Role,
    RoleAssignment,
    RuleSettings,
    StatusStep,
)
from portal.models import AuditEvent, User
from tests.factories import OrganisationFactory, PersonFactory, fake_id_number, member

D = datetime.date
TODAY = timezone.localdate()


def _rows() -> tuple:
    """Row counts of everything the actions write (a refused action must leave them all as they were)."""
    return tuple(
        model.objects.count()
        for model in (
            Organisation,
            Person,
            StatusStep,
            MembershipEvent,
            RoleAssignment,
            MobileMember,
            MobileReport,
            RuleSettings,
            AuditEvent,
        )
    )


def _last_audit(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no audit event {action}"
    return event


def _fresh(user: User) -> User:
    """The user without the scope cached on the object (as on the next request)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def applicant(cast) -> Person:
    return PersonFactory(organisation=cast.branch_a, name="甲申请人")


# Political status steps ---------------------------------------------------------------------------------------


def test_status_steps_move_forward_and_are_audited(cast, applicant):
    actions.status_step_add(
        actor=cast.secretary, person=applicant, status=PoliticalStatus.APPLICANT, date=D(2023, 3, 1)
    )
    actions.status_step_add(actor=cast.secretary, person=applicant, status=PoliticalStatus.ACTIVIST, date=D(2023, 9, 1))
    applicant.refresh_from_db()
    assert applicant.political_status == PoliticalStatus.ACTIVIST
    assert list(applicant.status_steps.values_list("status", "date")) == [
        ("applicant", D(2023, 3, 1)),
        ("activist", D(2023, 9, 1)),
    ]
    audit = _last_audit("person.status_step")
    assert audit.actor == cast.secretary
    assert audit.object_id == str(applicant.pk)
    assert audit.changes == {"political_status": ["applicant", "activist"]}


@pytest.mark.parametrize("status", [PoliticalStatus.APPLICANT, PoliticalStatus.ACTIVIST])
def test_status_step_never_goes_back_or_repeats(cast, applicant, status):
    actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.APPLICANT, date=D(2023, 3, 1))
    actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.ACTIVIST, date=D(2023, 9, 1))
    before = _rows()
    with pytest.raises(ValidationError, match="只能向前推进"):
        actions.status_step_add(actor=cast.secretary, person=applicant, status=status, date=D(2024, 1, 1))
    assert _rows() == before
    applicant.refresh_from_db()
    assert applicant.political_status == PoliticalStatus.ACTIVIST


def test_status_step_never_backdated_before_the_previous_step(cast, applicant):
    actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.APPLICANT, date=D(2023, 3, 1))
    before = _rows()
    with pytest.raises(ValidationError, match="不能早于上一步"):
        actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.ACTIVIST, date=D(2023, 2, 28))
    assert _rows() == before
    # the same day is fine
    actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.ACTIVIST, date=D(2023, 3, 1))
    assert applicant.status_steps.count() == 2


def test_status_step_not_in_the_future(cast, applicant):
    before = _rows()
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.status_step_add(
            actor=None, person=applicant, status=PoliticalStatus.APPLICANT, date=TODAY + datetime.timedelta(days=1)
        )
    assert _rows() == before


@pytest.mark.parametrize("status", [PoliticalStatus.APPLICANT, PoliticalStatus.ACTIVIST])
def test_publicity_only_for_the_three_publicity_steps(cast, applicant, status):
    before = _rows()
    with pytest.raises(ValidationError, match="公示"):
        actions.status_step_add(
            actor=None, person=applicant, status=status, date=D(2023, 3, 1), publicity_start=D(2023, 2, 20)
        )
    assert _rows() == before


def test_publicity_dates_are_ordered_and_kept(cast, applicant):
    before = _rows()
    with pytest.raises(ValidationError, match="公示结束日期不能早于开始日期"):
        actions.status_step_add(
            actor=None,
            person=applicant,
            status=PoliticalStatus.DEVELOPMENT_TARGET,
            date=D(2023, 3, 1),
            publicity_start=D(2023, 2, 20),
            publicity_end=D(2023, 2, 10),
        )
    assert _rows() == before
    for status, date, start, end in [
        (PoliticalStatus.DEVELOPMENT_TARGET, D(2023, 3, 1), D(2023, 2, 20), D(2023, 2, 27)),
        (PoliticalStatus.PROBATIONARY, D(2023, 9, 1), D(2023, 8, 20), D(2023, 8, 27)),
        (PoliticalStatus.FULL, D(2024, 9, 1), D(2024, 8, 20), D(2024, 8, 27)),
    ]:
        actions.status_step_add(
            actor=None, person=applicant, status=status, date=date, publicity_start=start, publicity_end=end
        )
    assert list(applicant.status_steps.values_list("status", "publicity_start", "publicity_end")) == [
        ("development_target", D(2023, 2, 20), D(2023, 2, 27)),
        ("probationary", D(2023, 8, 20), D(2023, 8, 27)),
        ("full", D(2024, 8, 20), D(2024, 8, 27)),
    ]


def test_reaching_probationary_records_one_join_and_full_adds_none(cast, applicant):
    actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.DEVELOPMENT_TARGET, date=D(2022, 1, 5))
    assert not applicant.events.exists()
    actions.status_step_add(
        actor=cast.secretary, person=applicant, status=PoliticalStatus.PROBATIONARY, date=D(2022, 7, 1)
    )
    assert list(applicant.events.values_list("kind", "date", "organisation")) == [
        ("join", D(2022, 7, 1), cast.branch_a.pk)
    ]
    assert applicant.events.get().recorded_by == cast.secretary
    actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.FULL, date=D(2023, 7, 1))
    assert applicant.events.count() == 1
    assert _last_audit("person.event.join").object_id == str(applicant.pk)


def test_status_step_outside_scope_is_refused(cast):
    before = _rows()
    with pytest.raises(ValidationError, match="管理范围"):
        actions.status_step_add(actor=cast.outsider, person=cast.person_a, status=PoliticalStatus.FULL, date=TODAY)
    assert _rows() == before


# Membership events ---------------------------------------------------------------------------------------------


def test_transfer_out_ends_active_membership(cast):
    person = cast.person_a
    actions.membership_event_record(
        actor=cast.secretary, person=person, kind=MembershipEvent.Kind.TRANSFER_OUT, date=D(2024, 5, 1)
    )
    person.refresh_from_db()
    assert person.is_active_member is False
    assert person.organisation == cast.branch_a  # the record stays where it was until someone takes it in
    audit = _last_audit("person.event.transfer_out")
    assert audit.actor == cast.secretary
    assert audit.changes == {"is_active_member": [True, False]}
    before = _rows()
    with pytest.raises(ValidationError, match="已不在册"):
        actions.membership_event_record(
            actor=None, person=person, kind=MembershipEvent.Kind.TRANSFER_OUT, date=D(2024, 6, 1)
        )
    assert _rows() == before


def test_transfer_in_needs_the_transfer_out_first_and_moves_the_person(cast):
    person = cast.person_a
    before = _rows()
    with pytest.raises(ValidationError, match="请先由原党组织办理转出"):
        actions.membership_event_record(
            actor=cast.outsider,
            person=person,
            kind=MembershipEvent.Kind.TRANSFER_IN,
            date=D(2024, 5, 1),
            organisation=cast.branch_b,
        )
    assert _rows() == before
    actions.membership_event_record(
        actor=cast.secretary, person=person, kind=MembershipEvent.Kind.TRANSFER_OUT, date=D(2024, 5, 1)
    )
    # the receiving branch's secretary takes them in
    actions.membership_event_record(
        actor=cast.outsider,
        person=person,
        kind=MembershipEvent.Kind.TRANSFER_IN,
        date=D(2024, 5, 10),
        organisation=cast.branch_b,
    )
    person.refresh_from_db()
    assert (person.organisation, person.is_active_member) == (cast.branch_b, True)
    assert _last_audit("person.event.transfer_in").changes == {
        "organisation": [cast.branch_a.pk, cast.branch_b.pk],
        "is_active_member": [False, True],
    }
    # …and from now on they are the outsider's, no longer branch A's
    assert selectors.person_list_for_user(user=_fresh(cast.outsider)).filter(pk=person.pk).exists()
    assert not selectors.person_list_for_user(user=_fresh(cast.secretary)).filter(pk=person.pk).exists()


def test_transfer_in_needs_a_receiving_organisation_in_scope(cast):
    person = cast.person_a
    actions.membership_event_record(
        actor=None, person=person, kind=MembershipEvent.Kind.TRANSFER_OUT, date=D(2024, 5, 1)
    )
    before = _rows()
    with pytest.raises(ValidationError, match="转入须选择接收的党组织"):
        actions.membership_event_record(
            actor=None, person=person, kind=MembershipEvent.Kind.TRANSFER_IN, date=D(2024, 6, 1)
        )
    with pytest.raises(ValidationError, match="管理范围"):
        actions.membership_event_record(
            actor=cast.secretary,
            person=person,
            kind=MembershipEvent.Kind.TRANSFER_IN,
            date=D(2024, 6, 1),
            organisation=cast.branch_b,
        )
    assert _rows() == before


def test_retire_sets_is_retired_once(cast):
    person = cast.person_a
    actions.membership_event_record(
        actor=cast.secretary, person=person, kind=MembershipEvent.Kind.RETIRE, date=D(2024, 1, 1)
    )
    person.refresh_from_db()
    assert person.is_retired is True
    assert person.is_active_member is True  # retired members stay on the roll
    assert _last_audit("person.event.retire").changes == {"is_retired": [False, True]}
    before = _rows()
    with pytest.raises(ValidationError, match="已登记退休"):
        actions.membership_event_record(actor=None, person=person, kind=MembershipEvent.Kind.RETIRE, date=D(2024, 2, 1))
    assert _rows() == before


def test_event_dates_never_go_backwards_or_into_the_future(cast):
    person = cast.person_a  # joined 2010-07-01
    before = _rows()
    with pytest.raises(ValidationError, match="不能早于上一事件"):
        actions.membership_event_record(
            actor=None, person=person, kind=MembershipEvent.Kind.RETIRE, date=D(2010, 6, 30)
        )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        actions.membership_event_record(
            actor=None, person=person, kind=MembershipEvent.Kind.RETIRE, date=TODAY + datetime.timedelta(days=1)
        )
    assert _rows() == before


def test_join_event_needs_the_probationary_step(cast, applicant):
    before = _rows()
    with pytest.raises(ValidationError, match="预备党员"):
        actions.membership_event_record(
            actor=None, person=applicant, kind=MembershipEvent.Kind.JOIN, date=D(2024, 1, 1)
        )
    assert _rows() == before


def test_event_outside_scope_is_refused(cast):
    before = _rows()
    with pytest.raises(ValidationError, match="管理范围"):
        actions.membership_event_record(
            actor=cast.outsider, person=cast.person_a, kind=MembershipEvent.Kind.TRANSFER_OUT, date=TODAY
        )
    assert _rows() == before


# Headcount on a date, from events --------------------------------------------------------------------------------


def test_headcount_on_a_date_follows_the_events(cast):
    district = OrganisationFactory(name="第二党总支", kind=Organisation.Kind.GENERAL_BRANCH, parent=cast.committee_org)
    old = OrganisationFactory(name="老支部", parent=district)
    new = OrganisationFactory(name="新支部", parent=district)
    person = member(old, name="调动党员", joined=D(2015, 7, 1))

    def count(organisation: Organisation, on: datetime.date) -> int:
        return selectors.organisation_headcount_on(organisation=organisation, on=on)

    assert (count(old, D(2015, 6, 30)), count(district, D(2015, 6, 30))) == (0, 0)
    assert (count(old, D(2015, 7, 1)), count(district, D(2015, 7, 1))) == (1, 1)

    actions.membership_event_record(
        actor=None, person=person, kind=MembershipEvent.Kind.TRANSFER_OUT, date=D(2018, 3, 1)
    )
    actions.membership_event_record(
        actor=None, person=person, kind=MembershipEvent.Kind.TRANSFER_IN, date=D(2018, 4, 1), organisation=new
    )
    assert (count(old, D(2018, 2, 28)), count(new, D(2018, 2, 28))) == (1, 0)
    assert (count(old, D(2018, 3, 15)), count(new, D(2018, 3, 15)), count(district, D(2018, 3, 15))) == (0, 0, 0)
    assert (count(old, D(2018, 4, 1)), count(new, D(2018, 4, 1)), count(district, D(2018, 4, 1))) == (0, 1, 1)
    # the past does not change with later events
    assert count(old, D(2017, 1, 1)) == 1

    actions.membership_event_record(actor=None, person=person, kind=MembershipEvent.Kind.RETIRE, date=D(2020, 1, 1))
    assert (count(new, D(2021, 1, 1)), count(district, D(2021, 1, 1))) == (1, 1)
    # …and the committee above counts them with the cast's own members (all joined 2010-07-01)
    cast_members = count(cast.committee_org, D(2014, 1, 1))
    assert cast_members == 6  # 区委书记, 甲书记, 甲党员, 乙书记, 甲群众党员, 乙党员
    assert count(cast.committee_org, D(2021, 1, 1)) == cast_members + 1


# Scope in the actions ----------------------------------------------------------------------------------------------


def test_outsider_cannot_create_a_person_in_branch_a(cast):
    before = _rows()
    with pytest.raises(ValidationError) as error:
        actions.person_create(actor=cast.outsider, name="越权添加", organisation=cast.branch_a)
    assert error.value.messages == ["所选党组织不在您的管理范围内。"]
    assert _rows() == before
    assert not Person.objects.filter(name="越权添加").exists()


def test_outsider_cannot_move_a_person_of_theirs_into_branch_a(cast):
    before = _rows()
    with pytest.raises(ValidationError, match="管理范围"):
        actions.person_update(actor=cast.outsider, person=cast.person_b, organisation=cast.branch_a)
    assert _rows() == before
    cast.person_b.refresh_from_db()
    assert cast.person_b.organisation == cast.branch_b


def test_person_update_refuses_fields_kept_by_other_actions(cast):
    with pytest.raises(ValidationError, match="不能直接修改"):
        actions.person_update(actor=None, person=cast.person_a, political_status=PoliticalStatus.MASSES)
    cast.person_a.refresh_from_db()
    assert cast.person_a.political_status == PoliticalStatus.FULL


def test_person_create_with_a_status_records_the_step_and_the_join(cast):
    person = actions.person_create(
        actor=cast.secretary,
        name="  新党员 ",
        organisation=cast.branch_a,
        political_status=PoliticalStatus.PROBATIONARY,
        status_date=D(2024, 7, 1),
    )
    assert person.name == "新党员"
    assert list(person.status_steps.values_list("status", "date")) == [("probationary", D(2024, 7, 1))]
    assert list(person.events.values_list("kind", "date")) == [("join", D(2024, 7, 1))]
    audit = _last_audit("person.create")
    assert (audit.actor, audit.object_id, audit.summary) == (cast.secretary, str(person.pk), "新党员")


# ID numbers ------------------------------------------------------------------------------------------------------


def test_id_number_with_a_bad_check_character_is_refused(cast):
    good = fake_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = _rows()
    with pytest.raises(ValidationError, match="身份证号无效"):
        actions.person_create(actor=None, name="错号", organisation=cast.branch_a, id_number=bad)
    assert _rows() == before


def test_only_the_masked_id_number_and_a_hash_are_stored(cast):
    number = fake_id_number(D(1990, 2, 14))
    person = actions.person_create(actor=cast.secretary, name="有号", organisation=cast.branch_a, id_number=number)
    row = Person.objects.filter(pk=person.pk).values().get()
    assert row["id_number_masked"] == f"**************{number[-4:]}"
    assert row["id_number_hash"] and len(row["id_number_hash"]) == 64
    assert all(number not in str(value) and number[6:14] not in str(value) for value in row.values() if value)
    # the birth date and gender come from the number (not its digits in a text field)
    assert row["birth_date"] == D(1990, 2, 14)
    assert row["gender"] in ("male", "female")
    # nor does the number reach the audit log
    logged = json.dumps(list(AuditEvent.objects.values("summary", "changes")), ensure_ascii=False)
    assert number not in logged
    # it is found again by the number, through the hash
    assert actions.person_find_by_id_number(number.lower()) == person


def test_a_registered_id_number_is_refused(cast):
    number = fake_id_number()
    actions.person_create(actor=None, name="先登记", organisation=cast.branch_a, id_number=number)
    before = _rows()
    with pytest.raises(ValidationError, match="已登记"):
        actions.person_create(actor=None, name="后登记", organisation=cast.branch_b, id_number=number)
    with pytest.raises(ValidationError, match="已登记"):
        actions.person_update(actor=None, person=cast.person_a, id_number=number)
    assert _rows() == before


def test_changing_the_id_number_audits_old_and_new_masked_forms(cast):
    first, second = fake_id_number(), fake_id_number()
    person = actions.person_create(actor=None, name="换号", organisation=cast.branch_a, id_number=first)
    actions.person_update(actor=cast.secretary, person=person, id_number=second)
    audit = _last_audit("person.update")
    assert audit.changes == {"id_number_masked": [idmask(first), idmask(second)]}
    assert first not in json.dumps(audit.changes) and second not in json.dumps(audit.changes)
    # the same number again changes nothing, so nothing is audited
    updates = AuditEvent.objects.filter(action="person.update").count()
    actions.person_update(actor=cast.secretary, person=person, id_number=second)
    assert AuditEvent.objects.filter(action="person.update").count() == updates


def idmask(number: str) -> str:
    return f"**************{number[-4:]}"


# Roles ------------------------------------------------------------------------------------------------------------


def test_role_assign_and_end_give_and_take_scope(cast):
    assert not selectors.scope_for(_fresh(cast.member)).manages_anything
    assignment = actions.role_assign(
        actor=cast.secretary,
        person=cast.member_person,
        organisation=cast.branch_a,
        role=Role.DEPUTY,
        start_date=D(2024, 1, 1),
        liaison="志愿服务队",
    )
    assert _last_audit("role.assign").object_id == str(assignment.pk)
    assert selectors.scope_for(_fresh(cast.member)).covers_path(cast.branch_a.path)

    actions.role_end(actor=cast.secretary, assignment=assignment, end_date=TODAY)
    assignment.refresh_from_db()
    assert assignment.end_date == TODAY
    assert _last_audit("role.end").actor == cast.secretary
    assert not selectors.scope_for(_fresh(cast.member)).manages_anything


def test_role_assign_rules(cast):
    actions.role_assign(
        actor=None, person=cast.person_a, organisation=cast.branch_a, role=Role.ORGANISER, start_date=D(2024, 1, 1)
    )
    before = _rows()
    with pytest.raises(ValidationError, match="已担任该职务"):
        actions.role_assign(
            actor=None, person=cast.person_a, organisation=cast.branch_a, role=Role.ORGANISER, start_date=D(2024, 6, 1)
        )
    with pytest.raises(ValidationError, match="未知职务"):
        actions.role_assign(
            actor=None, person=cast.person_a, organisation=cast.branch_a, role="emperor", start_date=D(2024, 6, 1)
        )
    with pytest.raises(ValidationError, match="管理范围"):
        actions.role_assign(
            actor=cast.outsider,
            person=cast.person_a,
            organisation=cast.branch_a,
            role=Role.COUNSELLOR,
            start_date=D(2024, 6, 1),
        )
    assert _rows() == before


def test_role_end_rules(cast):
    assignment = actions.role_assign(
        actor=None, person=cast.person_a, organisation=cast.branch_a, role=Role.ORGANISER, start_date=D(2024, 1, 1)
    )
    before = _rows()
    with pytest.raises(ValidationError, match="离任日期不能早于任职日期"):
        actions.role_end(actor=None, assignment=assignment, end_date=D(2023, 12, 31))
    with pytest.raises(ValidationError, match="管理范围"):
        actions.role_end(actor=cast.outsider, assignment=assignment, end_date=D(2024, 6, 1))
    assert _rows() == before
    actions.role_end(actor=None, assignment=assignment, end_date=D(2024, 6, 1))
    with pytest.raises(ValidationError, match="已结束"):
        actions.role_end(actor=None, assignment=assignment, end_date=D(2024, 7, 1))
    # once ended, the same role can be given again
    actions.role_assign(
        actor=None, person=cast.person_a, organisation=cast.branch_a, role=Role.ORGANISER, start_date=D(2024, 7, 1)
    )
    assert RoleAssignment.objects.filter(person=cast.person_a, role=Role.ORGANISER).count() == 2


# Organisations ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_organisation_move_refuses_its_own_subtree(cast, target):
    new_parent = {"itself": cast.general_branch, "child": cast.branch_a}.get(target)
    if new_parent is None:
        new_parent = OrganisationFactory(name="甲党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    paths = list(Organisation.objects.order_by("pk").values_list("pk", "path"))
    before = _rows()
    with pytest.raises(ValidationError, match="不能把党组织移到它自己或下级组织之下"):
        actions.organisation_move(actor=cast.orgadmin, organisation=cast.general_branch, new_parent=new_parent)
    assert list(Organisation.objects.order_by("pk").values_list("pk", "path")) == paths
    assert _rows() == before


def test_organisation_move_only_by_the_organisation_department(cast):
    second = OrganisationFactory(name="第二党总支", kind=Organisation.Kind.GENERAL_BRANCH, parent=cast.committee_org)
    before = _rows()
    with pytest.raises(ValidationError, match="只有组织部"):
        actions.organisation_move(actor=cast.committee, organisation=cast.branch_b, new_parent=second)
    assert _rows() == before
    moved = actions.organisation_move(actor=cast.orgadmin, organisation=cast.branch_b, new_parent=second)
    assert Organisation.objects.get_parent(moved) == second
    assert moved.path.startswith(second.path)
    # the people follow their organisation: subtree queries now find them under the new parent
    assert Person.objects.filter(organisation__path__startswith=second.path, pk=cast.person_b.pk).exists()
    audit = _last_audit("organisation.move")
    assert (audit.actor, audit.changes) == (cast.orgadmin, {"parent": [cast.general_branch.pk, second.pk]})


def test_only_the_organisation_department_creates_a_top_level_organisation(cast):
    before = _rows()
    with pytest.raises(ValidationError, match="只有组织部"):
        actions.organisation_create(actor=cast.committee, name="另一个党委", kind=Organisation.Kind.COMMITTEE)
    assert _rows() == before
    created = actions.organisation_create(
        actor=cast.committee, name="新党支部", kind="branch", parent=cast.general_branch
    )
    assert Organisation.objects.get_parent(created) == cast.general_branch
    assert _last_audit("organisation.create").object_id == str(created.pk)


# Mobile members ------------------------------------------------------------------------------------------------------


@pytest.fixture
def traveller(cast) -> Person:
    return member(cast.branch_a, name="甲外出党员")


LEFT = D(2024, 1, 15)


def _record(person: Person, leave: datetime.date = LEFT) -> MobileMember:
    return actions.mobile_departure_record(actor=None, person=person, leave_date=leave, destination="深圳")


def _last_report(record: MobileMember) -> datetime.date | None:
    """The date the list pages use: the latest report, from the selector's annotation."""
    return (
        selectors.mobile_member_list_for_user(user=User.objects.get(username="orgadmin")).get(pk=record.pk).last_report
    )


def test_next_due_is_two_months_after_the_last_report_or_the_leave_date(cast, traveller):
    record = _record(traveller)
    rules = RuleSettings.current()
    assert _last_report(record) is None
    assert record.next_due(None, rules) == D(2024, 3, 15)
    actions.mobile_report_record(actor=None, mobile_member=record, kind="oral", date=D(2024, 2, 20), content="电话汇报")
    assert _last_report(record) == D(2024, 2, 20)
    assert record.next_due(_last_report(record), rules) == D(2024, 4, 20)


def test_overdue_only_after_the_seven_day_grace(cast, traveller):
    record = _record(traveller)
    rules = RuleSettings.current()
    due = D(2024, 3, 15)
    assert record.is_overdue(None, rules, today=due) is False
    assert record.is_overdue(None, rules, today=due + datetime.timedelta(days=7)) is False
    assert record.is_overdue(None, rules, today=due + datetime.timedelta(days=8)) is True


def test_a_check_is_not_a_report(cast, traveller):
    record = _record(traveller)
    actions.mobile_report_record(actor=None, mobile_member=record, kind="check", date=D(2024, 3, 1), content="回访单位")
    assert _last_report(record) is None
    assert record.next_due(_last_report(record), RuleSettings.current()) == D(2024, 3, 15)
    actions.mobile_report_record(actor=None, mobile_member=record, kind="written", date=D(2024, 2, 1), content="书面")
    actions.mobile_report_record(actor=None, mobile_member=record, kind="check", date=D(2024, 4, 1), content="回访")
    assert _last_report(record) == D(2024, 2, 1)


def test_a_returned_record_is_never_overdue_and_takes_no_reports(cast, traveller):
    record = _record(traveller)
    rules = RuleSettings.current()
    far = D(2030, 1, 1)
    assert record.is_overdue(None, rules, today=far) is True
    returned = actions.mobile_return_record(actor=cast.secretary, mobile_member=record, date=D(2024, 6, 1))
    assert returned.returned_on == D(2024, 6, 1)
    assert _last_audit("mobile.return").actor == cast.secretary
    assert returned.is_overdue(None, rules, today=far) is False
    before = _rows()
    with pytest.raises(ValidationError, match="已返回"):
        actions.mobile_report_record(
            actor=None, mobile_member=returned, kind="written", date=D(2024, 6, 2), content="x"
        )
    with pytest.raises(ValidationError, match="已登记返回"):
        actions.mobile_return_record(actor=None, mobile_member=returned, date=D(2024, 6, 2))
    assert _rows() == before


def test_one_open_departure_per_person(cast, traveller):
    record = _record(traveller)
    assert _last_audit("mobile.depart").object_id == str(record.pk)
    before = _rows()
    with pytest.raises(ValidationError, match="未结束的外出登记"):
        _record(traveller, leave=D(2024, 2, 1))
    assert _rows() == before
    actions.mobile_return_record(actor=None, mobile_member=record, date=D(2024, 6, 1))
    again = _record(traveller, leave=D(2024, 8, 1))
    assert traveller.mobile_records.filter(returned_on__isnull=True).get() == again


def test_departure_rules(cast, applicant, traveller):
    before = _rows()
    with pytest.raises(ValidationError, match="只有在册党员"):
        _record(applicant)
    with pytest.raises(ValidationError, match="预计返回日期不能早于外出日期"):
        actions.mobile_departure_record(
            actor=None, person=traveller, leave_date=D(2024, 5, 1), destination="深圳", expected_return=D(2024, 4, 1)
        )
    with pytest.raises(ValidationError, match="管理范围"):
        actions.mobile_departure_record(
            actor=cast.outsider, person=traveller, leave_date=D(2024, 5, 1), destination="x"
        )
    assert _rows() == before


def test_report_rules(cast, traveller):
    record = _record(traveller)
    before = _rows()
    with pytest.raises(ValidationError, match="不能早于外出日期"):
        actions.mobile_report_record(actor=None, mobile_member=record, kind="written", date=D(2024, 1, 14), content="x")
    with pytest.raises(ValidationError, match="请填写汇报内容"):
        actions.mobile_report_record(actor=None, mobile_member=record, kind="written", date=D(2024, 2, 1), content="  ")
    with pytest.raises(ValidationError, match="管理范围"):
        actions.mobile_report_record(
            actor=cast.outsider, mobile_member=record, kind="oral", date=D(2024, 2, 1), content="x"
        )
    assert _rows() == before
    report = actions.mobile_report_record(
        actor=cast.secretary, mobile_member=record, kind="written", date=D(2024, 2, 1), content=" 书面汇报 "
    )
    assert (report.content, report.logged_by) == ("书面汇报", cast.secretary)
    assert _last_audit("mobile.report.written").object_id == str(record.pk)


def test_rule_changes_change_the_derivation_and_are_audited(cast, traveller):
    record = _record(traveller)
    before = _rows()
    with pytest.raises(ValidationError, match="只有组织部"):
        actions.rule_settings_update(actor=cast.secretary, mobile_report_interval_months=3)
    assert _rows() == before

    actions.rule_settings_update(actor=cast.orgadmin, mobile_report_interval_months=3, mobile_report_grace_days=0)
    rules = RuleSettings.current()
    assert record.next_due(None, rules) == D(2024, 4, 15)
    assert record.is_overdue(None, rules, today=D(2024, 4, 15)) is False
    assert record.is_overdue(None, rules, today=D(2024, 4, 16)) is True
    audit = _last_audit("rules.update")
    assert audit.actor == cast.orgadmin
    assert audit.changes == {"mobile_report_interval_months": [2, 3], "mobile_report_grace_days": [7, 0]}
    # a second change edits the same single row
    actions.rule_settings_update(actor=cast.orgadmin, mobile_report_interval_months=1)
    assert RuleSettings.objects.count() == 1
    assert RuleSettings.current().mobile_report_interval_months == 1
    assert _last_audit("rules.update").changes == {"mobile_report_interval_months": [3, 1]}
