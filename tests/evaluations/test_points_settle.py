"""Settling is idempotent (twice books nothing; later settles book only what is new, within the caps), rule sets
are versioned without rewriting the past, manual adjustments need the level above, reversals are new entries."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from branches import actions as branch_actions
from branches.models import Role
from evaluations.actions.points import (
    points_adjustment_decide,
    points_adjustment_request,
    points_entry_reverse,
    rule_set_for_year,
    rule_set_new_version,
)
from evaluations.models import PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet
from evaluations.tasks import points_settle_task
from portal.models import AuditEvent
from tests.evaluations.points_helpers import YEAR, day, past_activity, points_of, settle
from tests.factories import PointsEntryFactory, UserFactory, member

pytestmark = pytest.mark.django_db
Code = PointsRule.Code


def test_settling_twice_books_nothing_the_second_time(cast):
    past_activity(cast, day(3), [cast.member_person, (cast.person_a, "organiser", True)])
    first = settle()
    assert first[Code.ATTENDED] == 2 and first[Code.ORGANISED] == 1 and first[Code.BASE] >= 4
    entries = PointsEntry.objects.count()
    total = points_of(cast.member_person)
    second = settle()
    assert sum(second.values()) == 0
    assert PointsEntry.objects.count() == entries and points_of(cast.member_person) == total
    assert AuditEvent.objects.filter(action="points.settle").count() == 2


def test_a_later_settle_books_only_the_new_participation_and_still_respects_the_cap(cast):
    person = cast.member_person
    for d in range(1, 10):  # 9 activities in March: 18 points
        past_activity(cast, day(3, d), [person], hours=Decimal(1))
    settle()
    keys = set(PointsEntry.objects.values_list("source_key", flat=True))
    new = past_activity(cast, day(3, 20), [person], hours=Decimal(1))
    past_activity(cast, day(3, 21), [person], hours=Decimal(1))  # the 11th: over the cap
    counts = settle()
    added = PointsEntry.objects.exclude(source_key__in=keys)
    participation = new.participations.get()
    assert set(added.values_list("source_key", flat=True)) == {
        f"attended:participation:{participation.pk}",
        f"hour:participation:{participation.pk}",
    }
    assert counts[Code.ATTENDED] == 1 and counts[Code.HOUR] == 1
    assert points_of(person, Code.ATTENDED) == 20


def test_the_database_refuses_a_second_entry_with_the_same_source_key(cast):
    settle()
    entry = PointsEntry.objects.filter(person=cast.member_person).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntryFactory(
            person=entry.person, organisation=entry.organisation, date=entry.date, points=1, rule=entry.rule,
            source_type=entry.source_type, source_key=entry.source_key,
        )  # fmt: skip


def test_the_job_twice_books_nothing_the_second_time(cast, capsys):
    call_command("run_job", "points-settle")
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert sum(first.values()) >= 5  # the base of the cast's members at least
    call_command("run_job", "points-settle")
    assert sum(json.loads(capsys.readouterr().out.strip().splitlines()[-1]).values()) == 0
    assert sum(points_settle_task(year=YEAR).values()) >= 5
    assert sum(points_settle_task(year=YEAR).values()) == 0


# Versions -------------------------------------------------------------------------------------------------------


def test_a_new_version_changes_new_entries_only(cast):
    past_activity(cast, day(3), [cast.member_person])
    settle()
    old_entry = PointsEntry.objects.get(person=cast.member_person, rule__code=Code.ATTENDED)
    v1 = rule_set_for_year(year=YEAR)
    v2 = rule_set_new_version(actor=cast.orgadmin, rule_set=v1, changes={Code.ATTENDED: (4, 20)}, note="提高参与分")
    v1.refresh_from_db()
    assert (v2.version, v2.is_current, v1.is_current) == (2, True, False)
    past_activity(cast, day(4), [cast.member_person])
    settle()
    old_entry.refresh_from_db()
    assert old_entry.points == 2 and old_entry.rule.rule_set == v1
    new_entry = PointsEntry.objects.filter(person=cast.member_person, rule__code=Code.ATTENDED).latest("date")
    assert new_entry.points == 4 and new_entry.rule.rule_set == v2
    assert AuditEvent.objects.filter(action="points.rule_set.new_version").exists()


def test_only_the_org_department_makes_a_new_version(cast):
    v1 = rule_set_for_year(year=YEAR)
    with pytest.raises(ValidationError, match="只有组织部"):
        rule_set_new_version(actor=cast.committee, rule_set=v1, changes={Code.ATTENDED: (4, 20)}, note="x")
    with pytest.raises(ValidationError, match="扣分项"):
        rule_set_new_version(actor=cast.orgadmin, rule_set=v1, changes={Code.NO_SHOW: (1, None)}, note="x")
    assert list(PointsRuleSet.objects.filter(year=YEAR).values_list("version", flat=True)) == [1]


# Adjustments and reversals --------------------------------------------------------------------------------------


def test_an_adjustment_needs_a_reason(cast):
    with pytest.raises(ValidationError, match="理由"):
        points_adjustment_request(actor=cast.secretary, person=cast.member_person, points=3, reason="  ")
    assert not PointsAdjustment.objects.exists()


def test_the_level_above_approves_and_the_entry_is_booked(cast):
    adjustment = points_adjustment_request(actor=cast.secretary, person=cast.member_person, points=3, reason="抗洪")
    with pytest.raises(ValidationError, match="本人"):
        points_adjustment_decide(actor=cast.secretary, adjustment=adjustment, approve=True)
    deputy = member(cast.branch_a, name="甲副书记")
    deputy.user = UserFactory(username="deputy")
    deputy.save(update_fields=["user"])
    branch_actions.role_assign(
        actor=None, person=deputy, organisation=cast.branch_a, role=Role.DEPUTY, start_date=day(1, 1)
    )
    for same_level in (deputy.user, cast.outsider):
        with pytest.raises(ValidationError, match="上级"):
            points_adjustment_decide(actor=same_level, adjustment=adjustment, approve=True)
    assert not PointsEntry.objects.exists()
    points_adjustment_decide(actor=cast.committee, adjustment=adjustment, approve=True)
    adjustment.refresh_from_db()
    entry = adjustment.entry
    assert adjustment.state == PointsAdjustment.State.APPROVED and adjustment.decided_by == cast.committee
    assert (entry.points, entry.source_type, entry.source_key) == (3, "manual", f"manual:{adjustment.pk}")
    with pytest.raises(ValidationError, match="已审批"):
        points_adjustment_decide(actor=cast.orgadmin, adjustment=adjustment, approve=True)


def test_a_rejection_books_nothing(cast):
    adjustment = points_adjustment_request(actor=cast.secretary, person=cast.member_person, points=-2, reason="缺勤")
    points_adjustment_decide(actor=cast.orgadmin, adjustment=adjustment, approve=False)
    adjustment.refresh_from_db()
    assert adjustment.state == PointsAdjustment.State.REJECTED and not PointsEntry.objects.exists()


def test_an_outsider_cannot_ask_for_a_member_of_another_branch(cast):
    with pytest.raises(ValidationError, match="管理范围"):
        points_adjustment_request(actor=cast.outsider, person=cast.member_person, points=3, reason="x")


def test_a_reversal_is_a_new_entry_and_happens_once(cast):
    past_activity(cast, day(3), [cast.member_person])
    settle()
    entry = PointsEntry.objects.get(person=cast.member_person, rule__code=Code.ATTENDED)
    before = points_of(cast.member_person)
    with pytest.raises(ValidationError, match="上级"):
        points_entry_reverse(actor=cast.secretary, entry=entry, reason="重复登记")
    reversal = points_entry_reverse(actor=cast.committee, entry=entry, reason="重复登记")
    entry.refresh_from_db()
    assert entry.points == 2  # the original stays as it was
    assert (reversal.points, reversal.reverses, reversal.source_key) == (-2, entry, f"reversal:{entry.pk}")
    assert points_of(cast.member_person) == before - 2
    with pytest.raises(ValidationError, match="已冲销"):
        points_entry_reverse(actor=cast.orgadmin, entry=entry, reason="再次")
    with pytest.raises(ValidationError, match="不能再冲销"):
        points_entry_reverse(actor=cast.orgadmin, entry=reversal, reason="再次")
