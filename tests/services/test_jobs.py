"""The service-work jobs, each run twice (the second run changes nothing): overdue demands (daily), pairing visit
gaps (monthly), the pairing inspection summary (quarterly), the pledge appraisal (December)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import resolve
from django.utils import timezone

from branches import actions as branch_actions
from branches.models import Organisation, Role
from portal.models import JobRun, Notification, User
from services.actions.demands import demand_assign, demand_complete, demand_receive
from services.actions.pairing import household_create, pairing_create, visit_record
from services.actions.pledges import pledge_appraise, pledge_create, pledge_withdraw
from services.forms.pledges import UNAPPRAISED
from services.models import Demand, DemandCategory, Household
from services.tasks import (
    demands_overdue_remind_task,
    pairing_gaps_remind_task,
    pairing_inspection_send_task,
    pledge_appraisal_remind_task,
)
from tests.factories import OrganisationFactory, member
from tests.jobs import run, run_twice, sent
from volunteers import actions as team_actions
from volunteers.models import Team, TeamMembership

pytestmark = pytest.mark.django_db


def url_name(user: str, key: str) -> str:
    notice = Notification.objects.get(recipient__username=user, key=key)
    assert notice.url.startswith("/")
    return resolve(notice.url.split("?")[0]).url_name


# Overdue demands (daily) ------------------------------------------------------------------------------------


def receive(actor, organisation, received_on: datetime.date) -> Demand:
    return demand_receive(
        actor=actor,
        organisation=organisation,
        channel=Demand.Channel.HOTLINE,
        category=DemandCategory.objects.get(code="appliance"),
        content="楼道灯坏了",
        received_on=received_on,
    )


def test_overdue_demands_remind_the_assignee_else_the_secretary_once(cast, mailoutbox):
    User.objects.filter(username__in=["member", "secretary"]).update(email="x@example.org")
    received = datetime.date(2025, 6, 2)  # Monday: due 9 June (5 working days)
    to_member = demand_assign(
        actor=cast.secretary, demand=receive(cast.secretary, cast.branch_a, received), person=cast.member_person
    )
    unassigned = receive(cast.secretary, cast.branch_a, received)
    no_login = demand_assign(
        actor=cast.outsider, demand=receive(cast.outsider, cast.branch_b, received), person=cast.person_b
    )  # no account: B's secretary instead
    team = team_actions.team_create(
        actor=None, name="甲支部便民分队", level=Team.Level.SQUAD, organisation=cast.branch_a
    )
    team_actions.membership_add(
        actor=None,
        team=team,
        person=cast.secretary_person,
        joined_on=datetime.date(2022, 1, 1),
        role=TeamMembership.Role.LEADER,
    )
    team_actions.membership_add(actor=None, team=team, person=cast.member_person, joined_on=datetime.date(2022, 1, 1))
    to_team = demand_assign(actor=cast.secretary, demand=receive(cast.secretary, cast.branch_a, received), team=team)
    receive(cast.secretary, cast.branch_a, datetime.date(2025, 6, 13))  # due 20 June: not late on the 16th
    done_late = demand_assign(
        actor=cast.secretary, demand=receive(cast.secretary, cast.branch_a, received), person=cast.member_person
    )
    demand_complete(actor=cast.secretary, demand=done_late, result="已修好", done_on=datetime.date(2025, 6, 12))

    summary = run_twice(demands_overdue_remind_task, mailoutbox, today="2025-06-16")

    assert summary == {"overdue": 4, "reminded": 4, "no_account": 0}
    assert sent() == sorted(
        [
            ("member", f"demand-overdue:{to_member.pk}:20250609"),
            ("secretary", f"demand-overdue:{unassigned.pk}:20250609"),
            ("outsider", f"demand-overdue:{no_login.pk}:20250609"),
            ("secretary", f"demand-overdue:{to_team.pk}:20250609"),  # the team's leader (a member is not)
        ]
    )
    assert url_name("member", f"demand-overdue:{to_member.pk}:20250609") == "demand_detail"
    assert "已逾期 7 天" in Notification.objects.get(recipient__username="member").body
    assert len(mailoutbox) == 3  # member once, secretary twice (two demands); the outsider has no address
    assert JobRun.objects.filter(name="demands-overdue-remind", outcome=JobRun.Outcome.OK).count() == 2


def test_a_demand_handed_to_someone_else_reminds_the_new_assignee(cast):
    demand = demand_assign(
        actor=cast.secretary,
        demand=receive(cast.secretary, cast.branch_a, datetime.date(2025, 6, 2)),
        person=cast.member_person,
    )
    run(demands_overdue_remind_task, today="2025-06-16")
    demand_assign(actor=cast.secretary, demand=demand, person=cast.secretary_person)
    assert run(demands_overdue_remind_task, today="2025-06-17")["reminded"] == 1
    assert sent() == [
        ("member", f"demand-overdue:{demand.pk}:20250609"),
        ("secretary", f"demand-overdue:{demand.pk}:20250609"),
    ]


# Pairing help: monthly gaps, quarterly inspection --------------------------------------------------------------


def household(organisation: Organisation) -> Household:
    return household_create(
        actor=None,
        organisation=organisation,
        head_name="张三丰",
        address="东湖社区东湖路18号",
        phone="13812341234",
        situation=Household.Situation.SUBSISTENCE,
        size=2,
        notes="",
    )


def pair(helper, organisation: Organisation, started_on: datetime.date):
    return pairing_create(
        actor=None,
        helper=helper,
        household=household(organisation),
        started_on=started_on,
        help_plan="每月走访一次",
        content="代购生活用品",
    )


def visit(pairing, day: datetime.date) -> None:
    visit_record(actor=None, pairing=pairing, date=day, notes="走访，送去米面油")


def test_helpers_without_a_visit_last_month_are_reminded_once_per_month(cast, mailoutbox):
    User.objects.filter(username="member").update(email="member@example.org")
    missed = pair(cast.member_person, cast.branch_a, datetime.date(2025, 3, 1))
    visit(missed, datetime.date(2025, 4, 10))  # April only
    no_login = pair(cast.person_a, cast.branch_a, datetime.date(2025, 3, 1))
    visited = pair(cast.outsider_person, cast.branch_b, datetime.date(2025, 3, 1))
    visit(visited, datetime.date(2025, 5, 20))
    pair(cast.secretary_person, cast.branch_a, datetime.date(2025, 6, 1))  # paired in June: owes nothing for May

    summary = run_twice(pairing_gaps_remind_task, mailoutbox, today="2025-06-03")

    assert summary == {"month": "2025-05", "gaps": 2, "reminded": 1, "no_account": 1}
    assert sent() == [("member", f"pairing-gap:{missed.pk}:2025-05")]
    notice = Notification.objects.get()
    assert "2025年5月" in notice.title and "张三丰" not in notice.body  # no household's name in a mail
    assert url_name("member", f"pairing-gap:{missed.pk}:2025-05") == "pairing_detail"
    assert [mail.to for mail in mailoutbox] == [["member@example.org"]]
    assert no_login.pk  # counted as no account, reminded to nobody

    # The next month's gaps are new reminders: June, now for everyone paired by then (but the one without login).
    assert run(pairing_gaps_remind_task, today="2025-07-01") == {
        "month": "2025-06",
        "gaps": 4,
        "reminded": 3,
        "no_account": 1,
    }
    assert {key for user, key in sent() if user == "member"} == {
        f"pairing-gap:{missed.pk}:2025-05",
        f"pairing-gap:{missed.pk}:2025-06",
    }


def test_the_quarterly_inspection_summary_goes_to_each_committee_for_its_branches(cast, mailoutbox):
    since = datetime.date(2020, 1, 1)
    other_committee = OrganisationFactory(name="第二委员会", kind=Organisation.Kind.COMMITTEE)
    branch_c = OrganisationFactory(name="党支部C", parent=other_committee)
    c_secretary = member(other_committee, name="丙书记")
    branch_actions.role_assign(
        actor=None, person=c_secretary, organisation=other_committee, role=Role.SECRETARY, start_date=since
    )
    branch_actions.person_account_create(actor=None, person=c_secretary, username="c_secretary", password="demo12345")

    in_a = pair(cast.member_person, cast.branch_a, datetime.date(2025, 3, 1))
    for day in (datetime.date(2025, 4, 10), datetime.date(2025, 4, 20), datetime.date(2025, 6, 5)):
        visit(in_a, day)  # May missed
    in_b = pair(cast.outsider_person, cast.branch_b, datetime.date(2025, 4, 15))
    visit(in_b, datetime.date(2025, 5, 2))  # April and June missed
    pair(member(branch_c, name="丙党员"), branch_c, datetime.date(2025, 1, 1))  # never visited

    summary = run_twice(pairing_inspection_send_task, mailoutbox, today="2025-07-01")

    assert summary == {"quarter": "2025Q2", "units": 3, "reminded": 3}
    assert sent() == [
        ("c_secretary", "pairing-inspection:2025Q2"),
        ("committee", "pairing-inspection:2025Q2"),
        ("orgadmin", "pairing-inspection:2025Q2"),
    ]  # branch secretaries get none
    bodies = dict(Notification.objects.values_list("recipient__username", "body"))
    a_line, b_line = "党支部A：结对 1 对，走访 3 次，缺访 1 个月次", "党支部B：结对 1 对，走访 1 次，缺访 2 个月次"
    c_line = "党支部C：结对 1 对，走访 0 次，缺访 3 个月次"
    assert a_line in bodies["committee"] and b_line in bodies["committee"] and "党支部C" not in bodies["committee"]
    assert c_line in bodies["c_secretary"] and "党支部A" not in bodies["c_secretary"]
    assert all(line in bodies["orgadmin"] for line in (a_line, b_line, c_line))
    assert "共 3 个党组织：结对 3 对，走访 4 次，缺访 6 个月次" in bodies["orgadmin"]
    assert "张三丰" not in bodies["orgadmin"]
    assert url_name("committee", "pairing-inspection:2025Q2") == "pairing_list"
    assert Notification.objects.get(recipient__username="committee").title == "2025年第2季度结对帮扶督查汇总"


# Pledges: the year-end appraisal ------------------------------------------------------------------------------


def pledge(organisation, person=None, year=None):
    return pledge_create(
        actor=None,
        year=year or timezone.localdate().year,
        organisation=organisation,
        person=person,
        title="为群众办实事",
        items=[{"content": "走访困难户", "target": Decimal(12), "unit": "次"}],
    )


def test_the_pledge_appraisal_is_announced_once_to_each_organisation_and_pledger(cast, mailoutbox, login):
    year = timezone.localdate().year
    own = pledge(cast.branch_a, cast.member_person)
    pledge(cast.branch_a, cast.person_a)  # no account
    pledge(cast.branch_b)  # B's own pledge
    appraised = pledge(cast.branch_a, cast.secretary_person)
    pledge_appraise(
        actor=None,
        pledge=appraised,
        leader_comment="完成",
        mutual_rating="good",
        mass_rating="good",
        result="fulfilled",
    )
    pledge_withdraw(actor=None, pledge=pledge(cast.branch_b, cast.person_b), reason="调离")

    summary = run_twice(pledge_appraisal_remind_task, mailoutbox, today=f"{year}-12-01")

    assert summary == {"year": year, "pending": 3, "reminded": 3, "no_account": 1}
    assert sent() == sorted(
        [
            ("secretary", f"pledge-appraisal:{cast.branch_a.pk}:{year}"),
            ("outsider", f"pledge-appraisal:{cast.branch_b.pk}:{year}"),
            ("member", f"pledge-progress:{own.pk}"),
        ]
    )
    to_a = Notification.objects.get(recipient__username="secretary")
    assert "2 份" in to_a.title
    assert f"result={UNAPPRAISED}" in to_a.url and f"organisation={cast.branch_a.pk}" in to_a.url
    page = login(cast.secretary).get(to_a.url)
    assert page.status_code == 200
    assert url_name("member", f"pledge-progress:{own.pk}") == "pledge_detail"
