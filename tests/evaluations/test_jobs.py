"""The evaluation jobs, each run twice (the second run changes nothing): overdue follow-ups (daily), the monthly
briefing, the quarterly 红星榜, the yearly review round (December) and the branch assessment reminder (January)."""

import datetime

import pytest
from django.urls import resolve
from django.utils import timezone

from branches import actions as branch_actions
from branches.models import Organisation
from evaluations.actions.assessment import branch_assess
from evaluations.actions.points import points_settle
from evaluations.models import ReviewRound
from evaluations.tasks import (
    assessment_remind_task,
    follow_ups_overdue_remind_task,
    monthly_briefing_send_task,
    red_stars_publish_task,
    review_rounds_yearly_open_task,
)
from portal.models import JobRun, Notification, User
from services.actions.demands import demand_receive
from services.actions.pairing import household_create, pairing_create
from services.models import Demand, DemandCategory, Household
from tests.evaluations.conftest import activity, bad_follow_up, local
from tests.factories import OrganisationFactory
from tests.jobs import run, run_twice, sent

pytestmark = pytest.mark.django_db


def notice(user: str) -> Notification:
    return Notification.objects.get(recipient__username=user)


def url_name(url: str) -> str:
    assert url.startswith("/")
    return resolve(url.split("?")[0]).url_name


# Overdue follow-ups (daily) ---------------------------------------------------------------------------------


def test_overdue_follow_ups_remind_their_branch_secretary_once(cast, mailoutbox):
    User.objects.filter(username="secretary").update(email="secretary@example.org")
    late_a = bad_follow_up(activity(cast, organisation=cast.branch_a), at=local(datetime.date(2025, 6, 2)))
    late_b = bad_follow_up(activity(cast, organisation=cast.branch_b), at=local(datetime.date(2025, 6, 2)))
    bad_follow_up(activity(cast, organisation=cast.branch_a), at=local(datetime.date(2025, 6, 25)))  # not due yet

    summary = run_twice(follow_ups_overdue_remind_task, mailoutbox, today="2025-07-01")

    assert summary == {"overdue": 2, "reminded": 2, "no_account": 0}
    assert late_a.due_on == datetime.date(2025, 6, 23)
    assert sent() == sorted(
        [
            ("secretary", f"follow-up-overdue:{late_a.pk}:20250623"),
            ("outsider", f"follow-up-overdue:{late_b.pk}:20250623"),
        ]
    )
    assert "已逾期 8 天" in notice("secretary").body
    assert url_name(notice("secretary").url) == "follow_up_detail"
    assert [mail.to for mail in mailoutbox] == [["secretary@example.org"]]
    assert JobRun.objects.filter(name="follow-ups-overdue-remind", outcome=JobRun.Outcome.OK).count() == 2


# The monthly briefing ---------------------------------------------------------------------------------------


def test_the_monthly_briefing_sums_each_branchs_open_items_for_its_secretary(cast, mailoutbox, login):
    group = OrganisationFactory(name="第一党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    for organisation in (cast.branch_a, group):  # a party group's demand counts for its branch
        demand_receive(
            actor=cast.secretary,
            organisation=organisation,
            channel=Demand.Channel.HOTLINE,
            category=DemandCategory.objects.get(code="appliance"),
            content="楼道灯坏了",
            received_on=datetime.date(2025, 6, 2),
        )
    bad_follow_up(activity(cast, organisation=cast.branch_a), at=local(datetime.date(2025, 6, 25)))
    household = household_create(
        actor=None,
        organisation=cast.branch_a,
        head_name="张三丰",
        address="东湖路18号",
        phone="",
        situation=Household.Situation.SUBSISTENCE,
        size=1,
        notes="",
    )
    pairing_create(
        actor=None,
        helper=cast.member_person,
        household=household,
        started_on=datetime.date(2025, 3, 1),
        help_plan="每月走访",
        content="代购",
    )
    branch_actions.mobile_departure_record(
        actor=None, person=cast.person_a, leave_date=datetime.date(2025, 5, 15), destination="杭州"
    )  # due 15 July

    summary = run_twice(monthly_briefing_send_task, mailoutbox, today="2025-07-01")

    assert summary == {"month": "2025-07", "branches": 1, "reminded": 1, "no_account": 0}
    assert sent() == [("secretary", f"briefing:{cast.branch_a.pk}:2025-07")]  # B has nothing open: no notice
    briefing = notice("secretary")
    assert briefing.title == "2025年7月工作提示：党支部A"
    for line in (
        "逾期未办结的群众需求 2 件",
        "未办结的差评整改 1 件",
        "6月未走访的结对 1 对",
        "本月应汇报或已逾期的流动党员 1 人",
    ):
        assert line in briefing.body
    assert url_name(briefing.url) == "demand_list"
    assert f"organisation={cast.branch_a.pk}" in briefing.url
    assert login(cast.secretary).get(briefing.url).status_code == 200


# 红星榜 (quarterly) ----------------------------------------------------------------------------------------------


def test_the_quarters_red_star_board_is_announced_to_the_branch_and_the_members_on_it(cast, mailoutbox, login):
    points_settle(year=2025, until=datetime.date(2025, 3, 31))  # the base points of 1 January: everyone 60

    summary = run_twice(red_stars_publish_task, mailoutbox, today="2025-04-01")

    assert summary == {"quarter": "2025Q1", "boards": 2, "reminded": 3, "no_account": 2}
    assert sent() == sorted(
        [
            ("secretary", f"red-stars:{cast.branch_a.pk}:2025Q1"),  # secretary and on the board: told once
            ("member", f"red-stars:{cast.branch_a.pk}:2025Q1"),
            ("outsider", f"red-stars:{cast.branch_b.pk}:2025Q1"),
        ]
    )  # 区委书记 (the committee's own member) is on no branch's board
    to_member = notice("member")
    assert to_member.title == "2025年第1季度红星榜已发布"
    assert "60 分" in to_member.body and "党支部A" in to_member.body
    assert url_name(to_member.url) == "red_star_board"
    assert f"organisation={cast.branch_a.pk}" in notice("secretary").url
    page = login(cast.member).get(to_member.url)
    assert page.status_code == 200 and "甲党员" in page.content.decode()


def test_an_empty_quarter_announces_nothing(cast, mailoutbox):
    assert run(red_stars_publish_task, today="2025-01-05") == {
        "quarter": "2024Q4",
        "boards": 0,
        "reminded": 0,
        "no_account": 0,
    }
    assert not Notification.objects.exists()


# The yearly review round (December) -------------------------------------------------------------------------


def test_the_yearly_round_is_opened_per_branch_and_announced_once(cast, mailoutbox):
    summary = run(review_rounds_yearly_open_task, today="2025-12-01")
    assert summary == {"opened": 2, "reminded": 5, "no_account": 2}
    rounds = {r.organisation_id: r for r in ReviewRound.objects.filter(kind=ReviewRound.Kind.YEARLY, year=2025)}
    round_a, round_b = rounds[cast.branch_a.pk], rounds[cast.branch_b.pk]
    assert (round_a.opens_on, round_a.closes_on) == (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
    assert sent() == sorted(
        [
            ("secretary", f"review-round:{round_a.pk}"),
            ("member", f"review-round:{round_a.pk}"),
            ("outsider", f"review-round:{round_b.pk}"),
            ("secretary", f"review-round-manage:{round_a.pk}"),
            ("outsider", f"review-round-manage:{round_b.pk}"),
        ]
    )
    assert url_name(notice("member").url) == "review_round_detail"

    before, mails = sent(), len(mailoutbox)
    assert run(review_rounds_yearly_open_task, today="2025-12-01") == {"opened": 0, "reminded": 0, "no_account": 2}
    assert sent() == before and len(mailoutbox) == mails
    assert ReviewRound.objects.filter(kind=ReviewRound.Kind.YEARLY).count() == 2


# Branch assessment (January) --------------------------------------------------------------------------------


def test_unassessed_branches_are_reminded_to_them_and_to_the_level_above(cast, mailoutbox):
    year = timezone.localdate().year - 1
    branch_assess(actor=None, organisation=cast.branch_b, year=year, checklist={})  # B is done
    lone = OrganisationFactory(name="独立支部")  # nothing above it but 组织部, and no secretary

    summary = run_twice(assessment_remind_task, mailoutbox, year=year, today=f"{year + 1}-01-10")

    assert summary == {"year": year, "unassessed": 2, "reminded": 3, "no_account": 1}
    assert sent() == sorted(
        [
            ("secretary", f"assessment-prepare:{cast.branch_a.pk}:{year}"),
            # 第一党总支 has no secretary: the committee above it assesses A
            ("committee", f"assessment-due:{year}"),
            ("orgadmin", f"assessment-due:{year}"),
        ]
    )  # B's secretary: B is assessed already
    assert "党支部A" in notice("committee").body and "党支部B" not in notice("committee").body
    assert "独立支部" in notice("orgadmin").body and "党支部A" not in notice("orgadmin").body
    assert url_name(notice("committee").url) == "assessment_list"
    assert lone.pk
