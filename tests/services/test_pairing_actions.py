"""Pairing help actions: scope, one open pairing, dates, the helper must be an active party member, end instead
of delete, visits by the helper or a manager. The helpers at the top are shared by the other pairing tests."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import actions as branch_actions
from branches.models import MembershipEvent
from portal.models import AuditEvent
from services.actions.pairing import (
    household_create,
    household_update,
    pairing_create,
    pairing_end,
    pairing_update_plan,
    visit_record,
)
from services.models import Household, Pairing, PairingVisit
from tests.factories import PersonFactory, member
from tests.services.pairing_helpers import DAY, make_household, make_pairing, month_start, today

pytestmark = pytest.mark.django_db


# Households -------------------------------------------------------------------------------------------------


def test_household_is_created_in_scope_and_audited_without_personal_data(cast):
    household = household_create(
        actor=cast.secretary,
        organisation=cast.branch_a,
        head_name=" 李四 ",
        address="东湖路1号",
        phone="13800001111",
        situation=Household.Situation.ILLNESS,
        size=2,
        notes="",
    )
    assert household.head_name == "李四" and household.organisation == cast.branch_a
    event = AuditEvent.objects.get(action="household.create")
    assert event.object_id == str(household.pk) and "李四" not in event.summary


def test_household_outside_scope_or_not_in_a_branch_is_refused(cast):
    make_household(cast.branch_a)
    with pytest.raises(ValidationError, match="管理范围"):
        household_create(
            actor=cast.outsider,
            organisation=cast.branch_a,
            head_name="李四",
            address="东湖路1号",
            phone="",
            situation=Household.Situation.ILLNESS,
            size=2,
            notes="",
        )
    with pytest.raises(ValidationError, match="党支部"):
        make_household(cast.general_branch)
    assert Household.objects.count() == 1


def test_household_update_records_which_fields_changed(cast):
    household = make_household(cast.branch_a)
    household_update(actor=cast.secretary, household=household, address="新地址8号", size=4)
    household.refresh_from_db()
    assert household.address == "新地址8号" and household.size == 4
    event = AuditEvent.objects.get(action="household.update")
    assert event.changes == {"fields": ["address", "size"]}
    with pytest.raises(ValidationError):
        household_update(actor=cast.outsider, household=household, size=1)
    with pytest.raises(ValidationError):
        household_update(actor=cast.secretary, household=household, organisation=cast.branch_b)


# Pairings ---------------------------------------------------------------------------------------------------


def test_pairing_is_created_for_an_active_member_and_a_household_in_scope(cast):
    household = make_household(cast.branch_a)
    pairing = pairing_create(
        actor=cast.secretary,
        helper=cast.member_person,
        household=household,
        started_on=today(),
        help_plan="每月走访",
        content="陪同就医",
    )
    assert pairing.organisation == cast.branch_a and pairing.ended_on is None
    assert AuditEvent.objects.filter(action="pairing.create", object_id=str(pairing.pk)).exists()


@pytest.mark.parametrize("who", ["helper_outside", "household_outside"])
def test_pairing_outside_scope_is_refused(cast, who):
    household = make_household(cast.branch_b if who == "household_outside" else cast.branch_a)
    helper = cast.person_b if who == "helper_outside" else cast.person_a
    with pytest.raises(ValidationError, match="管理范围"):
        pairing_create(
            actor=cast.secretary,
            helper=helper,
            household=household,
            started_on=today(),
            help_plan="计划",
            content="内容",
        )
    assert not Pairing.objects.exists()


def test_helper_must_be_an_active_party_member(cast):
    household = make_household(cast.branch_a)
    masses = PersonFactory(organisation=cast.branch_a, name="群众甲")
    with pytest.raises(ValidationError, match="在册党员"):
        make_pairing(masses, household)
    gone = member(cast.branch_a, name="已转出")
    branch_actions.membership_event_record(
        actor=None, person=gone, kind=MembershipEvent.Kind.TRANSFER_OUT, date=today() - DAY
    )
    gone.refresh_from_db()
    assert not gone.is_active_member
    with pytest.raises(ValidationError, match="在册党员"):
        make_pairing(gone, household)
    assert not Pairing.objects.exists()


def test_one_open_pairing_per_helper_and_household_and_a_new_one_after_the_end(cast):
    household = make_household(cast.branch_a)
    first = make_pairing(cast.member_person, household)
    with pytest.raises(ValidationError, match="进行中的结对"):
        make_pairing(cast.member_person, household)
    pairing_end(actor=cast.secretary, pairing=first, ended_on=today(), reason="已脱困")
    second = make_pairing(cast.member_person, household, started_on=today())
    assert Pairing.objects.count() == 2 and second.ended_on is None
    # another helper for the same household is fine
    make_pairing(cast.person_a, household)


def test_started_on_cannot_be_in_the_future(cast):
    with pytest.raises(ValidationError, match="晚于今天"):
        make_pairing(cast.member_person, make_household(cast.branch_a), started_on=today() + DAY)


def test_plan_update_by_a_manager_only_and_not_after_the_end(cast):
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a))
    pairing_update_plan(actor=cast.committee, pairing=pairing, help_plan="新计划", content="新内容")
    pairing.refresh_from_db()
    assert (pairing.help_plan, pairing.content) == ("新计划", "新内容")
    with pytest.raises(ValidationError):
        pairing_update_plan(actor=cast.member, pairing=pairing, help_plan="我改的", content="x")
    pairing_end(actor=None, pairing=pairing, ended_on=today(), reason="搬离")
    with pytest.raises(ValidationError, match="已结束"):
        pairing_update_plan(actor=cast.secretary, pairing=pairing, help_plan="再改", content="x")


def test_end_keeps_the_pairing_and_its_visits_and_checks_dates(cast):
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a), started_on=today() - 30 * DAY)
    visit_record(actor=cast.member, pairing=pairing, date=today() - 5 * DAY, notes="上门走访")
    with pytest.raises(ValidationError, match="结束原因"):
        pairing_end(actor=cast.secretary, pairing=pairing, ended_on=today(), reason=" ")
    with pytest.raises(ValidationError, match="最后一次走访"):
        pairing_end(actor=cast.secretary, pairing=pairing, ended_on=today() - 10 * DAY, reason="已脱困")
    with pytest.raises(ValidationError, match="晚于今天"):
        pairing_end(actor=cast.secretary, pairing=pairing, ended_on=today() + DAY, reason="已脱困")
    with pytest.raises(ValidationError, match="管理范围"):
        pairing_end(actor=cast.member, pairing=pairing, ended_on=today(), reason="已脱困")
    pairing_end(actor=cast.secretary, pairing=pairing, ended_on=today(), reason="已脱困")
    pairing.refresh_from_db()
    assert pairing.ended_on == today() and PairingVisit.objects.filter(pairing=pairing).count() == 1
    assert AuditEvent.objects.get(action="pairing.end").changes["reason"] == "已脱困"
    with pytest.raises(ValidationError, match="已结束"):
        pairing_end(actor=cast.secretary, pairing=pairing, ended_on=today(), reason="再结束")


# Visits -----------------------------------------------------------------------------------------------------


def test_visits_by_the_helper_or_a_manager_but_not_by_others(cast):
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a))
    visit_record(actor=cast.member, pairing=pairing, date=today(), notes="本人走访")
    visit_record(actor=cast.committee, pairing=pairing, date=today(), notes="代为登记")
    other = make_pairing(cast.person_a, make_household(cast.branch_a, head_name="王五"))
    with pytest.raises(ValidationError, match="帮扶党员本人"):
        visit_record(actor=cast.member, pairing=other, date=today(), notes="不是我的")
    with pytest.raises(ValidationError, match="帮扶党员本人"):
        visit_record(actor=cast.outsider, pairing=pairing, date=today(), notes="外支部")
    assert PairingVisit.objects.count() == 2
    event = AuditEvent.objects.filter(action="pairing.visit").first()
    assert event.changes["photos"] == 0


@pytest.mark.parametrize(
    ("offset", "notes", "message"),
    [(-31, "早于结对", "早于结对日期"), (1, "明天", "晚于今天"), (0, "  ", "走访记录")],
    ids=["before-start", "future", "no-notes"],
)
def test_visit_dates_and_notes_are_checked(cast, offset, notes, message):
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a), started_on=today() - 30 * DAY)
    with pytest.raises(ValidationError, match=message):
        visit_record(actor=cast.member, pairing=pairing, date=today() + offset * DAY, notes=notes)
    assert not PairingVisit.objects.exists()


def test_no_visit_after_the_end_but_one_before_it_may_still_be_recorded(cast):
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a), started_on=today() - 30 * DAY)
    pairing_end(actor=None, pairing=pairing, ended_on=today() - 10 * DAY, reason="搬离")
    with pytest.raises(ValidationError, match="结束日期"):
        visit_record(actor=cast.member, pairing=pairing, date=today() - 5 * DAY, notes="结束后")
    visit_record(actor=cast.member, pairing=pairing, date=today() - 12 * DAY, notes="补登")
    assert PairingVisit.objects.count() == 1


def test_a_month_without_a_visit_is_one_rule_for_the_monthly_job_and_the_list(cast):
    """`pairings_without_visit` (the monthly job's query) and `missed_months` (the list, through `months_due`)
    state one rule twice — paired by the month's end, not ended before the next month began: for each of the last
    four completed months they name the same pairings."""
    from services.selectors.pairing import missed_months, pairings_without_visit

    m = [month_start(k) for k in range(5)]  # m[0] this month … m[4] four months back

    def pairing(name: str, started_on: datetime.date, ended_on: datetime.date | None = None, visit=None) -> Pairing:
        made = make_pairing(member(cast.branch_a, name=name), make_household(cast.branch_a), started_on=started_on)
        if visit is not None:
            visit_record(actor=None, pairing=made, date=visit, notes="上门走访")
        if ended_on is not None:
            made = pairing_end(actor=None, pairing=made, ended_on=ended_on, reason="已脱贫")
        return made

    made = [
        pairing("帮扶甲", m[4] + 14 * DAY, visit=m[2] + 3 * DAY),  # open, one visit
        pairing("帮扶乙", m[3] + 19 * DAY, ended_on=m[1] + 9 * DAY),  # ended mid-month
        pairing("帮扶丙", m[1] - DAY),  # paired on a month's last day
        pairing("帮扶丁", m[4], ended_on=m[2] - DAY),  # ended on a month's last day
    ]
    missed = missed_months(pairings=Pairing.objects.filter(pk__in=[p.pk for p in made]), today=today())
    named = {}
    for month in m[1:]:
        named[month] = set(pairings_without_visit(month=month))
        assert named[month] == {p for p in made if month in missed[p.pk]}, month
    assert named[m[4]] == {made[0], made[3]}
    assert named[m[3]] == {made[0], made[1]}  # 丁 ended on its last day: it owes nothing for it
    assert named[m[2]] == {made[1], made[2]}  # 甲 visited; 丙 paired on its last day owes it
    assert named[m[1]] == {made[0], made[2]}  # 乙 ended mid-month owes nothing for it
