"""Every rule of the default rule set (DOMAIN §5), with its cap and exemption, the yearly base and the floor.

The helpers at the top (past activities through the register action, settling last year) are shared by the other
points test modules. Everything happens in last year, so the dates are in the past whenever the tests run."""

import datetime
from decimal import Decimal

import pytest

from branches import actions as branch_actions
from branches.models import MobileReport, PoliticalStatus
from evaluations.actions.points import rule_set_for_year
from evaluations.models import PointsEntry, PointsRule
from evaluations.selectors.points import LONG_TERM_MOBILE_MONTHS, my_points
from services.models import (
    Activity,
    Demand,
    DemandCategory,
    Household,
    Pledge,
)
from tests.evaluations.conftest import local, rate
from tests.evaluations.points_helpers import YEAR, _upheld, day, past_activity, points_of, settle
from tests.factories import (
    DemandFactory,
    HouseholdFactory,
    PairingFactory,
    PairingVisitFactory,
    PersonFactory,
    PledgeFactory,
    PointsEntryFactory,
    member,
)

pytestmark = pytest.mark.django_db

Code = PointsRule.Code


def count_of(person, code: str) -> int:
    return PointsEntry.objects.filter(person=person, date__year=YEAR, rule__code=code).count()


def long_term_mobile(person, *, before: datetime.date):
    """An open mobile record that began more than LONG_TERM_MOBILE_MONTHS before `before`."""
    leave = before - datetime.timedelta(days=31 * (LONG_TERM_MOBILE_MONTHS + 1))
    return branch_actions.mobile_departure_record(actor=None, person=person, leave_date=leave, destination="深圳市")


# The default rule set -----------------------------------------------------------------------------------------


def test_the_default_rule_set_is_version_one_with_domain_points_and_caps():
    rule_set = rule_set_for_year(year=YEAR)
    rules = {rule.code: (rule.points, rule.monthly_cap) for rule in rule_set.rules.all()}
    assert rule_set.version == 1 and rule_set.is_current
    assert rules[Code.BASE] == (60, None)
    assert rules[Code.ATTENDED] == (2, 20)
    assert rules[Code.HOUR] == (1, 10)
    assert rules[Code.ORGANISED] == (3, None)
    assert rules[Code.NO_SHOW] == (-1, None)
    assert rules[Code.UPHELD_BAD_RATING] == (-2, None)
    assert rule_set_for_year(year=YEAR) == rule_set  # asking again creates nothing


# Base -----------------------------------------------------------------------------------------------------------


def test_base_60_on_1_january_only_for_active_party_members(cast):
    probationary = PersonFactory(organisation=cast.branch_a, name="预备党员")
    branch_actions.status_step_add(
        actor=None, person=probationary, status=PoliticalStatus.PROBATIONARY, date=datetime.date(2024, 7, 1)
    )
    masses = PersonFactory(organisation=cast.branch_a, name="群众")
    gone = member(cast.branch_a, name="已转出")
    gone.is_active_member = False
    gone.save(update_fields=["is_active_member"])
    settle()
    base = PointsEntry.objects.get(person=cast.member_person, rule__code=Code.BASE)
    assert (base.points, base.date, base.source_key) == (
        60,
        datetime.date(YEAR, 1, 1),
        f"base:{YEAR}:{cast.member_person.pk}",
    )
    assert points_of(probationary, Code.BASE) == 60
    assert points_of(masses) == 0 and points_of(gone) == 0


# Activities -----------------------------------------------------------------------------------------------------


def test_attended_2_each_capped_at_20_a_month_and_hours_capped_at_10(cast):
    person = cast.member_person
    for d in range(1, 12):  # 11 activities in March, one hour each
        past_activity(cast, day(3, d), [person], hours=Decimal(1))
    past_activity(cast, day(4, 2), [person], hours=Decimal(1))  # April has its own cap
    settle()
    march = PointsEntry.objects.filter(person=person, date__month=3)
    assert sum(march.filter(rule__code=Code.ATTENDED).values_list("points", flat=True)) == 20  # not 22
    assert sum(march.filter(rule__code=Code.HOUR).values_list("points", flat=True)) == 10  # not 11
    assert points_of(person, Code.ATTENDED) == 22 and points_of(person, Code.HOUR) == 11
    # the cap takes the earliest first (date, then source): the last March activity is the one left out
    last = Activity.objects.filter(starts_at__date=day(3, 11)).get()
    assert not PointsEntry.objects.filter(source_id=last.participations.get().pk, rule__code=Code.ATTENDED).exists()


def test_each_approved_hour_1_capped_at_10_a_month_whole_hours_only(cast):
    person = cast.member_person
    for d in (3, 4, 5):  # 12 approved hours in May
        past_activity(cast, day(5, d), [person], hours=Decimal(4))
    past_activity(cast, day(6, 1), [person], hours=Decimal("2.5"))  # 2.5 h → 2 points
    past_activity(cast, day(7, 1), [person], hours=Decimal(3), approve=False)  # pending: nothing
    settle()
    assert (
        sum(
            PointsEntry.objects.filter(person=person, date__month=5, rule__code=Code.HOUR).values_list(
                "points", flat=True
            )
        )
        == 10
    )
    assert (
        sum(
            PointsEntry.objects.filter(person=person, date__month=6, rule__code=Code.HOUR).values_list(
                "points", flat=True
            )
        )
        == 2
    )
    assert not PointsEntry.objects.filter(person=person, date__month=7, rule__code=Code.HOUR).exists()


def test_organised_3_only_for_closed_activities(cast):
    person = cast.member_person
    past_activity(cast, day(2), [(person, "organiser", True)])
    past_activity(cast, day(3), [(person, "organiser", True)], close=False)  # ended, not closed: not yet
    settle()
    assert points_of(person, Code.ORGANISED) == 3
    assert points_of(person, Code.ATTENDED) == 2  # the ended one counts for nothing yet


def test_high_satisfaction_1_with_95_percent_of_at_least_10_ratings(cast):
    person, other = cast.member_person, cast.person_a
    good = past_activity(cast, day(4, 1), [person, other])
    for _ in range(10):
        rate(good, 5, at=local(day(4, 1), 14))
    too_few = past_activity(cast, day(4, 2), [person])
    for _ in range(9):
        rate(too_few, 5, at=local(day(4, 2), 14))
    mixed = past_activity(cast, day(4, 3), [person])
    for level in [5] * 9 + [2]:  # 90 %
        rate(mixed, level, at=local(day(4, 3), 14))
    settle()
    assert points_of(person, Code.HIGH_SATISFACTION) == 1 and points_of(other, Code.HIGH_SATISFACTION) == 1
    entry = PointsEntry.objects.get(person=person, rule__code=Code.HIGH_SATISFACTION)
    assert entry.source_id == good.participations.get(person=person).pk


def test_no_show_minus_1_but_nothing_for_a_retired_member(cast):
    retired = member(cast.branch_a, name="退休党员")
    retired.is_retired = True
    retired.save(update_fields=["is_retired"])
    past_activity(
        cast, day(5), [cast.person_a, (cast.member_person, "volunteer", False), (retired, "volunteer", False)]
    )
    settle()
    assert points_of(cast.member_person, Code.NO_SHOW) == -1
    assert count_of(retired, Code.NO_SHOW) == 0
    assert points_of(retired) == 60  # the base only


def test_upheld_bad_rating_minus_2_for_the_organiser_not_for_a_long_term_mobile_member(cast):
    away = member(cast.branch_a, name="外出党员")
    activity = past_activity(
        cast, day(6), [(cast.member_person, "organiser", True), (away, "organiser", True), cast.person_a]
    )
    long_term_mobile(away, before=day(6, 20))
    follow_up = _upheld(activity, day(6, 20))
    _upheld(activity, day(6, 21), upheld=False)  # not upheld: nothing
    settle()
    entry = PointsEntry.objects.get(person=cast.member_person, rule__code=Code.UPHELD_BAD_RATING)
    assert (entry.points, entry.source_type, entry.source_id) == (-2, "follow_up", follow_up.pk)
    assert count_of(away, Code.UPHELD_BAD_RATING) == 0
    assert count_of(cast.person_a, Code.UPHELD_BAD_RATING) == 0  # a volunteer, not the organiser


def test_a_short_mobile_absence_does_not_exempt(cast):
    branch_actions.mobile_departure_record(
        actor=None, person=cast.member_person, leave_date=day(5, 1), destination="广州市"
    )
    past_activity(cast, day(5, 20), [cast.person_a, (cast.member_person, "volunteer", False)])
    settle()
    assert points_of(cast.member_person, Code.NO_SHOW) == -1


# Community work -------------------------------------------------------------------------------------------------


def _demand(cast, person, *, done_on: datetime.date, deadline: datetime.date) -> Demand:
    return DemandFactory(
        organisation=cast.branch_a,
        channel=Demand.Channel.HOTLINE,
        category=DemandCategory.objects.order_by("pk").first(),
        content="楼道灯坏了",
        received_on=deadline - datetime.timedelta(days=7),
        deadline=deadline,
        state=Demand.State.DONE,
        assigned_person=person,
        result="已修好",
        done_on=done_on,
    )


def test_demand_done_within_its_deadline_3_to_the_assigned_person(cast):
    on_time = _demand(cast, cast.member_person, done_on=day(3, 5), deadline=day(3, 5))
    _demand(cast, cast.member_person, done_on=day(3, 9), deadline=day(3, 5))  # late: nothing
    settle()
    entry = PointsEntry.objects.get(person=cast.member_person, rule__code=Code.DEMAND_ON_TIME)
    assert (entry.points, entry.source_key) == (3, f"demand_on_time:demand:{on_time.pk}")


def test_pairing_visit_1_at_most_once_per_pair_and_month(cast):
    household = HouseholdFactory(
        organisation=cast.branch_a, head_name="王大爷", address="幸福里1号", situation=Household.Situation.OLD_MEMBER
    )
    pairing = PairingFactory(
        helper=cast.member_person, household=household, organisation=cast.branch_a, started_on=day(1, 1),
        help_plan="每月走访", content="生活照料",
    )  # fmt: skip
    for on in (day(2, 3), day(2, 20), day(3, 1)):
        PairingVisitFactory(pairing=pairing, date=on, notes="走访")
    settle()
    keys = set(PointsEntry.objects.filter(rule__code=Code.PAIRING_VISIT).values_list("source_key", flat=True))
    assert keys == {f"pairing_visit:{pairing.pk}:{YEAR}-02", f"pairing_visit:{pairing.pk}:{YEAR}-03"}
    assert points_of(cast.member_person, Code.PAIRING_VISIT) == 2


def test_pledge_fulfilled_5(cast):
    PledgeFactory(
        year=YEAR, organisation=cast.branch_a, person=cast.member_person, title="每月服务",
        result=Pledge.Result.FULFILLED, appraised_on=day(12, 1),
    )  # fmt: skip
    PledgeFactory(
        year=YEAR, organisation=cast.branch_a, person=cast.person_a, title="每月服务",
        result=Pledge.Result.PARTIAL, appraised_on=day(12, 1),
    )  # fmt: skip
    settle()
    assert points_of(cast.member_person, Code.PLEDGE_FULFILLED) == 5
    assert count_of(cast.person_a, Code.PLEDGE_FULFILLED) == 0


def test_mobile_report_on_time_1_late_nothing(cast):
    record = branch_actions.mobile_departure_record(
        actor=None, person=cast.member_person, leave_date=day(1, 1), destination="杭州市"
    )
    report = lambda on, kind=MobileReport.Kind.WRITTEN: branch_actions.mobile_report_record(  # noqa: E731
        actor=None, mobile_member=record, kind=kind, date=on, content="思想汇报"
    )
    on_time = report(day(3, 5))  # due 1 March + 7 days' grace
    report(day(4, 1), MobileReport.Kind.CHECK)  # the branch's check is not a report
    report(day(7, 1))  # previous 5 March: due 5 May + 7 → late
    report(day(8, 15))  # previous 1 July: on time
    settle()
    entries = PointsEntry.objects.filter(person=cast.member_person, rule__code=Code.MOBILE_REPORT).order_by("date")
    assert [e.date for e in entries] == [day(3, 5), day(8, 15)]
    assert entries[0].source_id == on_time.pk


# The floor ------------------------------------------------------------------------------------------------------


def test_the_yearly_total_never_shows_below_zero(cast):
    settle()
    manual = rule_set_for_year(year=YEAR).rules.get(code=Code.MANUAL)
    PointsEntryFactory(
        person=cast.member_person, organisation=cast.branch_a, date=day(9), points=-75, rule=manual,
        source_type="manual", source_key="test:floor",
    )  # fmt: skip
    points = my_points(person_id=cast.member_person.pk, year=YEAR)
    assert points.raw_total == -15 and points.total == 0 and points.floored


def test_volunteers_who_are_not_party_members_earn_no_points(cast):
    volunteer = PersonFactory(organisation=cast.branch_a, name="群众志愿者")
    past_activity(cast, day(3), [cast.member_person, volunteer])
    settle()
    assert points_of(volunteer) == 0 and points_of(cast.member_person, Code.ATTENDED) == 2
