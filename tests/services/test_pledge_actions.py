"""Pledge actions: every rule of create, items, progress, appraisal and withdrawal, each refusal writing nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from branches.demo.build import demo_build
from branches.demo.data import MEMBER_PHONE
from branches.demo.logins import orgadmin_ensure
from portal.models import AuditEvent
from services.actions.pledges import (
    pledge_appraise,
    pledge_item_add,
    pledge_progress_record,
    pledge_withdraw,
)
from services.demo.pledges import pledges_demo_build, pledges_demo_summary
from services.models import Pledge, PledgeItem, PledgeProgress, Post
from services.selectors.pledges import pledge_items
from tests.factories import PersonFactory
from tests.services.pledge_helpers import APPRAISAL, ITEMS, make_pledge, this_year

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    return (
        list(Pledge.objects.order_by("pk").values_list("pk", "is_withdrawn", "result", "leader_comment")),
        PledgeItem.objects.count(),
        PledgeProgress.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call, *, match: str = "") -> str:
    """Runs an action that must refuse: returns its message; asserts nothing was written."""
    before = _written()
    with pytest.raises(ValidationError) as error:
        call()
    assert _written() == before
    message = " ".join(error.value.messages)
    assert match in message
    return message


# Create -----------------------------------------------------------------------------------------------------


def test_secretary_creates_a_member_pledge_with_items_and_an_audit_event(cast):
    items = [
        {"content": "走访困难户", "target": "12", "unit": "次"},
        {"content": "志愿服务", "target": Decimal("40.5"), "unit": "小时"},
    ]
    pledge = make_pledge(cast, person=cast.person_a, items=items, actor=cast.secretary)
    assert (pledge.year, pledge.organisation, pledge.person) == (this_year(), cast.branch_a, cast.person_a)
    assert list(pledge.items.values_list("content", "target", "unit")) == [
        ("走访困难户", Decimal(12), "次"),
        ("志愿服务", Decimal("40.5"), "小时"),
    ]
    event = AuditEvent.objects.get(action="pledge.create")
    assert event.actor == cast.secretary and event.object_id == str(pledge.pk)


def test_secretary_creates_an_organisation_pledge(cast):
    pledge = make_pledge(cast, actor=cast.secretary)
    assert pledge.person is None and pledge.organisation == cast.branch_a


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "至少"),
        ([{"content": "  ", "target": 5, "unit": "次"}], "第 1 项：请填写承诺事项内容"),
        ([{"content": "走访", "target": 0, "unit": "次"}], "目标应大于 0"),
        ([{"content": "走访", "target": -3, "unit": "次"}], "目标应大于 0"),
        ([{"content": "走访", "target": "很多", "unit": "次"}], "目标应为大于 0 的数字"),
        ([{"content": "走访", "target": None, "unit": "次"}], "目标应为大于 0 的数字"),
        ([{"content": "走访", "target": 5, "unit": ""}], "请填写单位"),
        ([{"content": "走访", "target": 5, "unit": "一二三四五六七八九十十"}], "单位不能超过 10 个字"),
        ([*ITEMS, {"content": "帮扶", "target": 2, "unit": ""}], "第 2 项"),
    ],
)
def test_every_item_must_be_concrete_and_measurable(cast, items, message):
    refused(lambda: make_pledge(cast, person=cast.person_a, items=items), match=message)


def test_one_pledge_per_member_per_year(cast):
    make_pledge(cast, person=cast.person_a)
    refused(lambda: make_pledge(cast, person=cast.person_a), match="每名党员每年一份")
    # another year is another pledge
    make_pledge(cast, person=cast.person_a, year=this_year() - 1)
    assert Pledge.objects.filter(person=cast.person_a).count() == 2


def test_after_withdrawal_the_member_may_pledge_again_and_the_old_one_stays(cast):
    first = make_pledge(cast, person=cast.person_a)
    pledge_withdraw(actor=cast.secretary, pledge=first, reason="内容需要调整")
    second = make_pledge(cast, person=cast.person_a, title="新承诺")
    assert set(Pledge.objects.filter(person=cast.person_a).values_list("pk", "is_withdrawn")) == {
        (first.pk, True),
        (second.pk, False),
    }


def test_member_creates_their_own_pledge_for_this_year(cast):
    pledge = make_pledge(cast, person=cast.member_person, actor=cast.member)
    assert pledge.person == cast.member_person
    assert AuditEvent.objects.filter(action="pledge.create", actor=cast.member).exists()


def test_member_cannot_pledge_for_others_for_the_organisation_or_for_another_year(cast):
    refused(lambda: make_pledge(cast, person=cast.person_a, actor=cast.member), match="只能为本人")
    refused(lambda: make_pledge(cast, actor=cast.member), match="只能为本人")
    refused(
        lambda: make_pledge(cast, person=cast.member_person, actor=cast.member, year=this_year() - 1),
        match="只能填写",
    )


def test_outsider_cannot_pledge_in_branch_a(cast):
    refused(lambda: make_pledge(cast, person=cast.person_a, actor=cast.outsider), match="只能为本人")
    refused(lambda: make_pledge(cast, actor=cast.outsider))


def test_person_must_belong_to_the_organisation_and_be_a_party_member(cast):
    refused(lambda: make_pledge(cast, person=cast.person_b, organisation=cast.branch_a), match="不属于")
    masses = PersonFactory(organisation=cast.branch_a, name="群众甲")
    refused(lambda: make_pledge(cast, person=masses), match="在册党员")


def test_year_must_be_near(cast):
    refused(lambda: make_pledge(cast, year=this_year() - 3), match="年度应在")


# Items ------------------------------------------------------------------------------------------------------


def test_member_adds_an_item_to_their_own_pledge_but_not_to_anothers(cast):
    own = make_pledge(cast, person=cast.member_person)
    item = pledge_item_add(actor=cast.member, pledge=own, content="结对帮扶", target="2", unit="户")
    assert item.pledge == own and item.target == 2
    other = make_pledge(cast, person=cast.person_a)
    refused(lambda: pledge_item_add(actor=cast.member, pledge=other, content="x", target=1, unit="次"))
    refused(lambda: pledge_item_add(actor=cast.secretary, pledge=own, content="x", target=0, unit="次"), match="目标")


# Progress ---------------------------------------------------------------------------------------------------


def _first_of_year() -> datetime.date:
    return datetime.date(this_year(), 1, 1)


def test_progress_by_the_member_and_by_a_writer_adds_up(cast):
    pledge = make_pledge(cast, person=cast.member_person, items=[{"content": "走访", "target": 10, "unit": "次"}])
    item = pledge.items.get()
    pledge_progress_record(actor=cast.member, item=item, date=_first_of_year(), amount="3", note="一月")
    pledge_progress_record(actor=cast.secretary, item=item, date=timezone.localdate(), amount=Decimal(4), note="")
    pledge_progress_record(actor=cast.committee, item=item, date=_first_of_year(), amount=Decimal("0.5"), note="")
    [shown] = pledge_items(pledge=pledge)
    assert (shown.done, shown.percent) == (Decimal("7.5"), 75)
    assert [e.recorded_by for e in shown.entries] == [cast.member, cast.committee, cast.secretary]
    assert AuditEvent.objects.filter(action="pledge.progress").count() == 3


def test_percent_is_capped_at_100(cast):
    pledge = make_pledge(cast, person=cast.person_a, items=[{"content": "走访", "target": 3, "unit": "次"}])
    pledge_progress_record(actor=cast.secretary, item=pledge.items.get(), date=_first_of_year(), amount=5, note="")
    [shown] = pledge_items(pledge=pledge)
    assert (shown.done, shown.percent) == (Decimal(5), 100)


def test_progress_refused_for_others_outside_the_year_in_the_future_or_not_positive(cast):
    pledge = make_pledge(cast, person=cast.person_a)
    item = pledge.items.get()
    refused(
        lambda: pledge_progress_record(actor=cast.member, item=item, date=_first_of_year(), amount=1, note=""),
        match="本人或党组织",
    )
    refused(lambda: pledge_progress_record(actor=cast.outsider, item=item, date=_first_of_year(), amount=1, note=""))
    last_year = datetime.date(this_year() - 1, 12, 31)
    refused(
        lambda: pledge_progress_record(actor=cast.secretary, item=item, date=last_year, amount=1, note=""),
        match="年内",
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(lambda: pledge_progress_record(actor=cast.secretary, item=item, date=tomorrow, amount=1, note=""))
    for amount in (0, -1, "abc"):
        refused(
            lambda amount=amount: pledge_progress_record(
                actor=cast.secretary, item=item, date=_first_of_year(), amount=amount, note=""
            ),
            match="完成量",
        )


def test_no_progress_items_or_withdrawal_after_appraisal(cast):
    pledge = make_pledge(cast, person=cast.member_person)
    pledge_appraise(actor=cast.secretary, pledge=pledge, **APPRAISAL)
    item = pledge.items.get()
    refused(
        lambda: pledge_progress_record(actor=cast.member, item=item, date=_first_of_year(), amount=1, note=""),
        match="已评议",
    )
    refused(
        lambda: pledge_item_add(actor=cast.secretary, pledge=pledge, content="x", target=1, unit="次"), match="已评议"
    )
    refused(lambda: pledge_withdraw(actor=cast.member, pledge=pledge, reason="不想要了"), match="已评议")


def test_no_progress_on_a_withdrawn_pledge(cast):
    pledge = make_pledge(cast, person=cast.member_person)
    pledge_withdraw(actor=cast.member, pledge=pledge, reason="重新填写")
    refused(
        lambda: pledge_progress_record(
            actor=cast.member, item=pledge.items.get(), date=_first_of_year(), amount=1, note=""
        ),
        match="已撤回",
    )


# Appraisal --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("result", ["fulfilled", "partial", "unfulfilled"])
def test_writer_appraises_with_each_result(cast, result):
    pledge = make_pledge(cast, person=cast.member_person)
    pledge_appraise(actor=cast.secretary, pledge=pledge, **(APPRAISAL | {"result": result}))
    pledge.refresh_from_db()
    assert (pledge.result, pledge.mutual_rating, pledge.mass_rating) == (result, "good", "fair")
    assert pledge.appraised_on == timezone.localdate() and pledge.leader_comment == "完成较好。"
    assert AuditEvent.objects.get(action="pledge.appraise").changes["result"] == ["", result]


def test_appraisal_only_by_a_writer_never_by_the_member_themself(cast):
    own = make_pledge(cast, person=cast.member_person)
    refused(lambda: pledge_appraise(actor=cast.member, pledge=own, **APPRAISAL), match="只有党组织")
    refused(lambda: pledge_appraise(actor=cast.outsider, pledge=own, **APPRAISAL), match="只有党组织")
    secretarys = make_pledge(cast, person=cast.secretary_person)
    refused(lambda: pledge_appraise(actor=cast.secretary, pledge=secretarys, **APPRAISAL), match="本人")
    pledge_appraise(actor=cast.committee, pledge=secretarys, **APPRAISAL)  # the level above may


def test_appraisal_only_once(cast):
    pledge = make_pledge(cast, person=cast.person_a)
    pledge_appraise(actor=cast.secretary, pledge=pledge, **APPRAISAL)
    refused(lambda: pledge_appraise(actor=cast.orgadmin, pledge=pledge, **APPRAISAL), match="不能重复")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"leader_comment": " "}, "党组织评价"),
        ({"mutual_rating": ""}, "党员互评"),
        ({"mass_rating": "excellent"}, "群众评议"),
        ({"result": ""}, "践诺结果"),
    ],
)
def test_appraisal_needs_every_part(cast, missing, message):
    pledge = make_pledge(cast, person=cast.person_a)
    refused(lambda: pledge_appraise(actor=cast.secretary, pledge=pledge, **(APPRAISAL | missing)), match=message)


def test_withdrawn_pledge_is_not_appraised(cast):
    pledge = make_pledge(cast, person=cast.person_a)
    pledge_withdraw(actor=cast.secretary, pledge=pledge, reason="调离")
    refused(lambda: pledge_appraise(actor=cast.secretary, pledge=pledge, **APPRAISAL), match="已撤回")


# Withdrawal -------------------------------------------------------------------------------------------------


def test_withdraw_flags_keeps_the_row_and_records_the_reason(cast):
    pledge = make_pledge(cast, person=cast.member_person)
    pledge_withdraw(actor=cast.member, pledge=pledge, reason="重新填写")
    pledge.refresh_from_db()
    assert pledge.is_withdrawn and pledge.items.count() == 1
    assert AuditEvent.objects.get(action="pledge.withdraw").summary == "重新填写"
    refused(lambda: pledge_withdraw(actor=cast.member, pledge=pledge, reason="再撤"), match="已撤回")


def test_withdraw_needs_a_reason_and_the_right(cast):
    pledge = make_pledge(cast, person=cast.person_a)
    refused(lambda: pledge_withdraw(actor=cast.secretary, pledge=pledge, reason="  "), match="撤回原因")
    refused(lambda: pledge_withdraw(actor=cast.member, pledge=pledge, reason="不要了"), match="不能撤回")
    refused(lambda: pledge_withdraw(actor=cast.outsider, pledge=pledge, reason="不要了"), match="不能撤回")


def test_a_duplicate_past_the_check_meets_the_constraint_with_a_chinese_message(cast, monkeypatch):
    """Two requests at the same moment both pass the existence check; the unique constraint stops the second."""
    make_pledge(cast, person=cast.person_a)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    refused(lambda: make_pledge(cast, person=cast.person_a), match="每名党员每年一份")


def test_demo_fills_every_register_through_the_actions():
    """The demo district's pledges and posts: this year's with progress, last year's with each result, posts of
    every kind, some checked lately and some never; everything audited (built through the actions)."""

    today = timezone.localdate()
    demo_build(today=today)
    pledges_demo_build(actor=orgadmin_ensure(), today=today)
    this = Pledge.objects.filter(year=today.year)
    assert this.filter(person__isnull=True).count() >= 10 and this.filter(person__isnull=False).count() >= 30
    assert this.filter(person__phone=MEMBER_PHONE).exists()  # the demo member sees their own pledge
    assert PledgeProgress.objects.filter(item__pledge__year=today.year, date__lte=today).exists()
    assert not PledgeProgress.objects.filter(date__gt=today).exists()
    assert set(Pledge.objects.filter(year=today.year - 1).values_list("result", flat=True)) == set(Pledge.Result)
    assert set(Post.objects.values_list("kind", flat=True)) == set(Post.Kind)
    assert Post.objects.filter(last_checked_on__isnull=True).exists()
    assert Post.objects.filter(last_checked_on__isnull=False).exists()
    assert AuditEvent.objects.filter(action="pledge.appraise").count() == Pledge.objects.exclude(result="").count()
    assert pledges_demo_summary().startswith(f"承诺 {Pledge.objects.count()} 份")
