"""The yearly report (年度报告): a known district built through the actions, the report built for last year, and
each section's figures compared with independent queries written here (plain ORM counts over the models, never
the builder's own functions). The workbook is read back with openpyxl: the summary sheet first, every table as
the data says, text never a formula; the command writes a file; the number of queries does not grow with the rows.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branches import actions as branches_actions
from branches.models import (
    MEMBER_STATUSES,
    Grid,
    HostUnit,
    MembershipEvent,
    MobileMember,
    Organisation,
    Person,
    PoliticalStatus,
    StatusStep,
)
from branches.selectors import organisation_headcount_on
from evaluations.actions import assessment as assessment_actions
from evaluations.actions import follow_ups as follow_up_actions
from evaluations.actions import points as points_actions
from evaluations.actions import questionnaires as questionnaire_actions
from evaluations.actions import reviews as review_actions
from evaluations.actions.ratings import RatingRecord, ratings_register_bulk
from evaluations.models import (
    Answer,
    BranchAssessment,
    FollowUp,
    PointsEntry,
    Question,
    Rating,
    Response,
    ReviewRound,
    ReviewSheet,
)
from evaluations.selectors.points import red_star_board
from reports import actions as report_actions
from reports.models import ReportExport
from reports.yearly import SECTIONS, yearly_report_data, yearly_report_xlsx
from reports.yearly import points as points_module
from services.actions import activities as activity_actions
from services.actions import demands as demand_actions
from services.actions import pairing as pairing_actions
from services.actions import pledges as pledge_actions
from services.actions.registers import ActivityRecord, ParticipantRecord, activities_register_bulk
from services.actions.teams import team_review_run
from services.models import (
    Activity,
    ActivityCategory,
    Demand,
    DemandCategory,
    HoursEntry,
    Household,
    Pairing,
    PairingVisit,
    Participation,
    Pledge,
    PledgeItem,
)
from tests.factories import GridFactory, HostUnitFactory, OrganisationFactory, PersonFactory, member
from volunteers import actions as volunteer_actions
from volunteers.models import ReviewProposal, Team, TeamMembership

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
Y = TODAY.year - 1  # the report's year: wholly past, so every dated action accepts it
NEXT = datetime.date(Y + 1, 1, 1)  # "after the year", and never in the future
YEAR_END = datetime.date(Y, 12, 31)
FORMULA_ORG = '=HYPERLINK("http://evil.example","点我")'
FORMULA_CATEGORY = "=1+2"
FORMULA_GOODS = "=SUM(A1:A9) 大米十袋"
ZONE = timezone.get_current_timezone()


def d(month: int, day: int, year: int = Y) -> datetime.date:
    return datetime.date(year, month, day)


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = Y) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZONE)


def year_q(field: str, year: int = Y) -> Q:
    """A datetime field in a local calendar year, written the plain way (Django's __year uses local time)."""
    return Q(**{f"{field}__year": year})


# The district ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    cast: object
    joint: Organisation
    group_a: Organisation
    newcomer: Person
    late_joiner: Person
    leaver: Person
    group_member: Person
    activist: Person
    applicant: Person
    volunteer: Person
    cat1: ActivityCategory
    cat2: ActivityCategory
    formula_category: ActivityCategory
    brigade: Team


def _register(records: list[ActivityRecord]) -> None:
    activities_register_bulk(actor=None, activities=records)


def _activity(title, organisation, category, starts, hours=2, participants=(), **extra) -> ActivityRecord:
    return ActivityRecord(
        title=title,
        category=category,
        place="活动室",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        organisation=organisation,
        participants=list(participants),
        **extra,
    )


def _attended(person, hours=None) -> ParticipantRecord:
    return ParticipantRecord(person=Person.objects.select_related("organisation").get(pk=person.pk), hours=hours)


def _no_show(person) -> ParticipantRecord:
    return ParticipantRecord(person=Person.objects.select_related("organisation").get(pk=person.pk), attended=False)


def _build_people(cast):
    joint = OrganisationFactory(name=FORMULA_ORG, kind=Organisation.Kind.JOINT_BRANCH, parent=cast.general_branch)
    group_a = OrganisationFactory(name="党支部A第一党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    newcomer = PersonFactory(name="新党员", organisation=cast.branch_a)
    branches_actions.status_step_add(
        actor=None, person=newcomer, status=PoliticalStatus.PROBATIONARY, date=d(3, 1)
    )  # joins in the year
    late_joiner = PersonFactory(name="次年入党", organisation=cast.branch_a)
    branches_actions.status_step_add(actor=None, person=late_joiner, status=PoliticalStatus.PROBATIONARY, date=NEXT)
    leaver = member(cast.branch_b, name="转出党员")
    branches_actions.membership_event_record(
        actor=None, person=leaver, kind=MembershipEvent.Kind.TRANSFER_OUT, date=d(6, 1)
    )
    group_member = member(group_a, name="小组党员")
    activist = PersonFactory(name="积极分子乙", organisation=cast.branch_b)
    branches_actions.status_step_add(actor=None, person=activist, status=PoliticalStatus.APPLICANT, date=d(2, 1))
    branches_actions.status_step_add(actor=None, person=activist, status=PoliticalStatus.ACTIVIST, date=d(5, 1))
    applicant = PersonFactory(name="申请人乙", organisation=cast.branch_b)
    branches_actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.APPLICANT, date=d(1, 10))
    branches_actions.status_step_add(actor=None, person=applicant, status=PoliticalStatus.DEVELOPMENT_TARGET, date=NEXT)
    volunteer = PersonFactory(name="群众志愿者", organisation=cast.branch_a)
    return joint, group_a, newcomer, late_joiner, leaver, group_member, activist, applicant, volunteer


def _build_coverage(cast, joint):
    grid_a = GridFactory(name="A网格", organisation=cast.branch_a)
    community_b = GridFactory(name="B社区", level=Grid.Level.COMMUNITY, organisation=cast.branch_b)
    orphan = GridFactory(name="B社区无主网格", parent=community_b)
    GridFactory(name="无主网格", organisation=None)
    branches_actions.person_update(actor=None, person=cast.secretary_person, grid=grid_a)
    sectors, formations = HostUnit.Sector, HostUnit.Formation
    HostUnitFactory(
        name="A单位", sector=sectors.ENTERPRISE, formation=formations.SINGLE, organisation=cast.branch_a, grid=grid_a
    )
    HostUnitFactory(name="联建企业", sector=sectors.ENTERPRISE, formation=formations.JOINT, organisation=joint)
    HostUnitFactory(name="联建协会", sector=sectors.SOCIAL_ORG, formation=formations.JOINT, organisation=joint)
    HostUnitFactory(
        name="挂靠学校", sector=sectors.SCHOOL, formation=formations.ATTACHED, organisation=cast.general_branch
    )
    HostUnitFactory(
        name="指导员企业",
        sector=sectors.ENTERPRISE,
        formation=formations.INSTRUCTOR,
        organisation=cast.branch_b,
        instructor=cast.person_b,
    )
    HostUnitFactory(name="B未覆盖村", sector=sectors.VILLAGE, formation=formations.NONE, grid=orphan)
    HostUnitFactory(name="游离单位", sector=sectors.ENTERPRISE, formation=formations.NONE)


def _build_mobile(cast):
    away = branches_actions.mobile_departure_record(
        actor=None, person=cast.member_person, leave_date=d(1, 10), destination="深圳"
    )
    branches_actions.mobile_report_record(actor=None, mobile_member=away, kind="written", date=d(3, 1), content="汇报")
    branches_actions.mobile_report_record(actor=None, mobile_member=away, kind="check", date=d(4, 1), content="回访")
    branches_actions.mobile_report_record(actor=None, mobile_member=away, kind="oral", date=NEXT, content="次年汇报")
    branches_actions.mobile_departure_record(
        actor=None, person=cast.person_b, leave_date=d(11, 1), destination="上海"
    )  # due on 1 January: not overdue at the year's end


def _build_teams(cast, w):
    brigade = volunteer_actions.team_create(
        actor=None, name="A志愿大队", level=Team.Level.BRIGADE, organisation=cast.branch_a
    )
    squad = volunteer_actions.team_create(
        actor=None, name="A第一分队", level=Team.Level.SQUAD, organisation=cast.branch_a, parent=brigade
    )
    group_b = volunteer_actions.team_create(
        actor=None, name="B服务小组", level=Team.Level.GROUP, organisation=cast.branch_b
    )
    add = volunteer_actions.membership_add
    add(actor=None, team=brigade, person=cast.secretary_person, joined_on=d(1, 5))
    add(actor=None, team=brigade, person=w["volunteer"], joined_on=d(1, 5))
    add(actor=None, team=squad, person=cast.member_person, joined_on=d(2, 1))
    add(actor=None, team=squad, person=cast.secretary_person, joined_on=d(2, 1))
    add(actor=None, team=group_b, person=cast.outsider_person, joined_on=d(3, 1))
    leaving = add(actor=None, team=group_b, person=w["activist"], joined_on=d(6, 1))
    volunteer_actions.membership_leave(actor=None, membership=leaving, left_on=d(8, 1), reason="own_request")
    add(actor=None, team=brigade, person=cast.person_a, joined_on=NEXT)
    volunteer_actions.membership_apply(actor=cast.secretary, team=brigade, person=w["newcomer"])
    team_review_run(actor=None, year=Y, today=d(12, 1), teams=[brigade])
    for proposal in ReviewProposal.objects.filter(team=brigade, year=Y):
        volunteer_actions.review_proposal_decide(actor=cast.secretary, proposal=proposal, confirm=True)
    return brigade


def _build_activities(cast, w, cats):
    cat1, cat2, formula = cats
    a, b = cast.branch_a, cast.branch_b
    _register(
        [
            _activity(
                "A义诊",
                a,
                cat1,
                at(3, 15),
                participants=[
                    _attended(cast.secretary_person),
                    _attended(cast.member_person, Decimal("3")),
                    _attended(w["volunteer"]),
                    _no_show(cast.person_a),
                ],
                figures={
                    "served_people": 30,
                    "served_households": 10,
                    "money_donated": Decimal("500.50"),
                    "goods": FORMULA_GOODS,
                },
            ),
            _activity(
                "A便民",
                a,
                cat1,
                at(3, 20, 14),
                participants=[_attended(cast.secretary_person), _attended(w["volunteer"])],
                figures={"served_people": 20},
                close=False,  # ended, not closed: still held
            ),
            _activity(
                "B法律咨询",
                b,
                cat2,
                at(5, 10),
                hours=3,
                participants=[_attended(cast.outsider_person), _attended(cast.person_b)],
                approve=False,  # hours pending: not counted
            ),
            _activity("联建活动", w["joint"], formula, at(7, 1), hours=1, participants=[_attended(w["group_member"])]),
            # starts at 23:00 local on 31 December: December of the year, whatever UTC says
            _activity(
                "跨年夜服务",
                a,
                cat2,
                at(12, 31, 23),
                hours=1.5,
                participants=[_attended(cast.member_person)],
            ),
            # the next year, and the year before: not counted
            _activity("新年服务", a, cat1, at(1, 1, 0, 30, year=Y + 1), participants=[_attended(cast.member_person)]),
            _activity("去年服务", a, cat1, at(12, 31, 10, year=Y - 1), participants=[_attended(cast.member_person)]),
            # 5 × 24 h the year before: member_person reaches 1★ (100 h) by the year's end
            *(
                _activity(
                    f"去年长时服务{i}",
                    a,
                    cat2,
                    at(2 * i + 1, 1, year=Y - 1),
                    hours=24,
                    participants=[_attended(cast.member_person, Decimal(24))],
                )
                for i in range(5)
            ),
        ]
    )
    # a correction of approved hours (3 h → 2.5 h): a second entry on the same participation, counted once in 人次
    original = HoursEntry.objects.get(participation__activity__title="A义诊", participation__person=cast.member_person)
    correction = activity_actions.hours_correct(
        actor=cast.secretary, entry=original, corrected_total=Decimal("2.5"), note="核减路程时间"
    )
    activity_actions.hours_approve(actor=cast.secretary, entries=[correction])
    draft = activity_actions.activity_create(
        actor=None, title="草稿", category=cat1, place="x", starts_at=at(4, 1), ends_at=at(4, 1, 11), organisation=a
    )
    cancelled = activity_actions.activity_create(
        actor=None, title="取消", category=cat1, place="x", starts_at=at(4, 2), ends_at=at(4, 2, 11), organisation=a
    )
    activity_actions.activity_cancel(actor=None, activity=cancelled, reason="下雨")
    return draft


def _build_ratings(cast):
    by_title = {activity.title: activity for activity in Activity.objects.all()}
    rows = []
    for title, levels, moment in (
        ("A义诊", [5, 4, 3, 2], at(3, 15, 12)),
        ("B法律咨询", [5, 1], at(5, 10, 13)),
        ("联建活动", [5], at(7, 1, 11)),
        ("跨年夜服务", [4], at(1, 1, 0, 45, year=Y + 1)),  # given in the next year
        ("去年服务", [1], at(12, 31, 15, year=Y - 1)),  # given the year before
    ):
        rows += [
            RatingRecord(activity=by_title[title], level=level, device=f"{title}-{i}", rated_at=moment)
            for i, level in enumerate(levels)
        ]
    ratings_register_bulk(actor=None, rows=rows)
    follow_up = FollowUp.objects.get(rating__activity__title="A义诊")
    follow_up_actions.follow_up_call_back(actor=None, follow_up=follow_up, callback_on=d(3, 20), note="已联系")
    follow_up_actions.follow_up_rectify(
        actor=None, follow_up=follow_up, rectification="改进", rectified_on=d(3, 25), upheld=True
    )
    follow_up_actions.follow_up_close(actor=None, follow_up=follow_up, closing_note="办结", closed_on=d(3, 30))


def _build_demands(cast):
    x, y = DemandCategory.objects.order_by("order", "pk")[:2]
    admin = cast.orgadmin

    def receive(organisation, channel, category, received_on):
        return demand_actions.demand_receive(
            actor=admin,
            organisation=organisation,
            channel=channel,
            category=category,
            content="路灯不亮",
            received_on=received_on,
        )

    def done(demand, done_on, callback_on=None):
        demand_actions.demand_assign(actor=admin, demand=demand, person=cast.member_person)
        demand_actions.demand_complete(actor=admin, demand=demand, result="已修好", done_on=done_on)
        if callback_on:
            demand_actions.demand_call_back(
                actor=admin, demand=demand, callback_on=callback_on, satisfaction="satisfied"
            )

    a, b = cast.branch_a, cast.branch_b
    done(receive(a, "hotline", x, d(3, 2)), d(3, 3), d(3, 5))  # on time, called back
    done(receive(a, "visit", x, d(4, 1)), d(5, 30))  # late
    receive(b, "online", y, d(6, 1))  # open, overdue
    receive(b, "hotline", y, d(12, 29))  # open, not yet due at the year's end
    done(receive(a, "contact_card", x, d(9, 1)), NEXT)  # done after the year: open and overdue at its end
    receive(a, "hotline", x, d(11, 1, year=Y - 1))  # carried over from the year before
    receive(b, "hotline", y, NEXT)  # the next year


def _build_pairing(cast):
    household_a = pairing_actions.household_create(
        actor=None,
        organisation=cast.branch_a,
        head_name="王某",
        address="A路1号",
        phone="",
        situation=Household.Situation.SUBSISTENCE,
        size=3,
        notes="",
    )
    household_b = pairing_actions.household_create(
        actor=None,
        organisation=cast.branch_b,
        head_name="李某",
        address="B路2号",
        phone="",
        situation=Household.Situation.ILLNESS,
        size=2,
        notes="",
    )
    p1 = pairing_actions.pairing_create(
        actor=None,
        helper=cast.member_person,
        household=household_a,
        started_on=d(2, 10),
        help_plan="每月",
        content="帮",
    )
    for day in (d(2, 15), d(3, 1), d(3, 20), d(5, 5)):
        pairing_actions.visit_record(actor=None, pairing=p1, date=day, notes="走访")
    p2 = pairing_actions.pairing_create(
        actor=None,
        helper=cast.person_b,
        household=household_b,
        started_on=d(6, 1, year=Y - 1),
        help_plan="每月",
        content="帮",
    )
    for day in (d(7, 1, year=Y - 1), d(1, 10), d(2, 10), d(3, 10)):
        pairing_actions.visit_record(actor=None, pairing=p2, date=day, notes="走访")
    pairing_actions.pairing_end(actor=None, pairing=p2, ended_on=d(4, 15), reason="脱困")
    pairing_actions.pairing_create(
        actor=None, helper=cast.secretary_person, household=household_a, started_on=NEXT, help_plan="每月", content="帮"
    )


def _build_pledges(cast):
    create = pledge_actions.pledge_create
    mine = create(
        actor=None,
        year=Y,
        organisation=cast.branch_a,
        person=cast.member_person,
        title="我的承诺",
        items=[{"content": "走访", "target": 12, "unit": "次"}, {"content": "服务", "target": 20, "unit": "小时"}],
    )
    first, second = mine.items.order_by("pk")
    pledge_actions.pledge_progress_record(actor=None, item=first, date=d(6, 1), amount=12)
    pledge_actions.pledge_progress_record(actor=None, item=second, date=d(6, 1), amount=5)
    pledge_actions.pledge_appraise(
        actor=None, pledge=mine, leader_comment="好", mutual_rating="good", mass_rating="fair", result="fulfilled"
    )
    branch = create(
        actor=None,
        year=Y,
        organisation=cast.branch_b,
        title="支部承诺",
        items=[{"content": "x", "target": 5, "unit": "件"}],
    )
    pledge_actions.pledge_appraise(
        actor=None, pledge=branch, leader_comment="可", mutual_rating="fair", mass_rating="fair", result="partial"
    )
    withdrawn = create(
        actor=None,
        year=Y,
        organisation=cast.branch_a,
        person=cast.person_a,
        title="撤回",
        items=[{"content": "y", "target": 1, "unit": "次"}],
    )
    pledge_actions.pledge_withdraw(actor=None, pledge=withdrawn, reason="调整")
    create(
        actor=None,
        year=Y + 1,
        organisation=cast.branch_a,
        person=cast.person_a,
        title="次年",
        items=[{"content": "z", "target": 1, "unit": "次"}],
    )


def _build_reviews_and_assessment(cast):
    round_ = review_actions.review_round_open(
        actor=None,
        organisation=cast.branch_a,
        kind=ReviewRound.Kind.YEARLY,
        year=Y,
        opens_on=d(12, 1),
        closes_on=d(12, 20),
    )
    for sheet in round_.sheets.select_related("person"):
        score = 10 if sheet.person_id == cast.person_a.pk else 95
        review_actions.review_self_submit(actor=None, sheet=sheet, text="自评", score=score)
        review_actions.review_organisation_score(actor=None, sheet=sheet, score=score)
    review_actions.review_round_close(actor=None, round=round_)
    for sheet in ReviewSheet.objects.filter(round=round_, grade=ReviewSheet.Grade.UNQUALIFIED):
        review_actions.review_follow_up_record(actor=None, sheet=sheet, note="已谈心谈话")
    review_actions.review_round_open(
        actor=None,
        organisation=cast.branch_b,
        kind=ReviewRound.Kind.MUTUAL,
        year=Y,
        half=1,
        opens_on=d(6, 1),
        closes_on=d(6, 30),
    )
    checklist = {"leadership": (True, "班子齐"), "backbone": (True, "骨干"), "premises": (False, "")}
    assessment_actions.branch_assess(actor=None, organisation=cast.branch_a, year=Y, checklist=checklist)
    assessment_actions.branch_assess(actor=None, organisation=cast.branch_b, year=Y - 1, checklist=checklist)


@pytest.fixture
def world(cast) -> World:
    people = _build_people(cast)
    joint, group_a, newcomer, late_joiner, leaver, group_member, activist, applicant, volunteer = people
    w = {
        "joint": joint,
        "newcomer": newcomer,
        "activist": activist,
        "volunteer": volunteer,
        "group_member": group_member,
    }
    _build_coverage(cast, joint)
    _build_mobile(cast)
    brigade = _build_teams(cast, w)
    cat1, cat2 = ActivityCategory.objects.order_by("order", "pk")[:2]
    formula = ActivityCategory.objects.create(code="formula", name=FORMULA_CATEGORY, order=99)
    _build_activities(cast, w, (cat1, cat2, formula))
    _build_ratings(cast)
    _build_demands(cast)
    _build_pairing(cast)
    _build_pledges(cast)
    points_actions.points_settle(year=Y)
    points_actions.points_settle(year=Y + 1)
    _build_reviews_and_assessment(cast)
    return World(
        cast=cast,
        joint=joint,
        group_a=group_a,
        newcomer=newcomer,
        late_joiner=late_joiner,
        leaver=leaver,
        group_member=group_member,
        activist=activist,
        applicant=applicant,
        volunteer=volunteer,
        cat1=cat1,
        cat2=cat2,
        formula_category=formula,
        brigade=brigade,
    )


@pytest.fixture
def report(world):
    return yearly_report_data(year=Y, organisation=None)


@pytest.fixture
def workbook(world):
    return openpyxl.load_workbook(io.BytesIO(yearly_report_xlsx(year=Y, organisation=None)))


# Reading the workbook back --------------------------------------------------------------------------------------


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def read_table(sheet, title: str, headers: list[str]) -> list[list]:
    """The rows of a titled table (its total row last), as written."""
    rows = sheet_rows(sheet)
    start = next(i for i, row in enumerate(rows) if row and row[0] == title)
    header = next(i for i in range(start + 1, len(rows)) if list(rows[i][: len(headers)]) == headers)
    found = []
    for row in rows[header + 1 :]:
        if row is None or all(value is None for value in row):
            break
        found.append(list(row[: len(headers)]))
    return found


def plain(value):
    """What a value reads back as: numbers as rounded floats, dates as dates."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def branch_row(table, name: str) -> list:
    return next(row for row in table.rows if row[0] == name)


# The workbook ---------------------------------------------------------------------------------------------------


def test_the_summary_sheet_comes_first_with_the_year_the_scope_and_every_section(workbook, report):
    assert workbook.sheetnames == ["汇总", *(f"{n} {title}" for n, (title, _) in enumerate(SECTIONS, 1))]
    summary = workbook["汇总"]
    rows = sheet_rows(summary)
    assert rows[0][0] == f"全部党组织 {Y} 年度报告"
    info = {row[0]: row[1] for row in rows[1:5]}
    assert info["统计年度"] == f"{Y} 年"
    assert info["范围"] == "全部党组织"
    assert info["统计区间"] == f"{Y}-01-01 至 {Y}-12-31"
    assert abs(info["生成时间"] - timezone.localtime().replace(tzinfo=None)) < datetime.timedelta(minutes=5)
    assert all(value is None for value in rows[5])
    assert list(rows[6][:4]) == ["部分", "指标", "数值", "说明"]
    parts = {row[0] for row in rows[7:]}
    assert parts == {f"{n} {title}" for n, (title, _) in enumerate(SECTIONS, 1)}
    written = [(row[0], row[1], plain(row[2])) for row in rows[7:]]
    expected = [
        (f"{section.number} {section.title}", figure.label, plain(figure.value))
        for section in report.sections
        for figure in section.figures
    ]
    assert written == expected
    assert summary.freeze_panes == "A8"
    assert all(summary.cell(row=7, column=c).font.b for c in range(1, 5))


def test_every_table_and_figure_is_written_as_the_data_says_with_formats(workbook, report):
    for section in report.sections:
        sheet = workbook[f"{section.number} {section.title}"]
        assert sheet.freeze_panes == "B3"
        assert sheet["A1"].value.endswith(section.title) and sheet["A1"].font.b
        figures = read_table(sheet, "主要指标", ["指标", "数值", "说明"])
        assert [[row[0], plain(row[1])] for row in figures] == [[f.label, plain(f.value)] for f in section.figures]
        for table in section.tables:
            written = read_table(sheet, table.title, table.headers)
            expected = [*table.rows, *([table.total] if table.total is not None else [])]
            assert [[plain(v) for v in row] for row in written] == [
                [None if v == "" else plain(v) for v in row] for row in expected
            ], table.title
        assert all(sheet.column_dimensions[letter].width >= 8 for letter in "ABC")

    sheet = workbook["4 服务活动"]
    rows = sheet_rows(sheet)
    header_row = next(i for i, row in enumerate(rows, 1) if row[0] == "类别" and row[1] == "活动数")
    header_cells = [sheet.cell(row=header_row, column=c) for c in range(1, 12)]
    assert all(cell.font.b for cell in header_cells)
    total_row = header_row + 1 + len(report.section(4).table("活动成效（按类别）").rows)
    assert sheet.cell(row=total_row, column=1).value == "合计"
    assert sheet.cell(row=total_row, column=2).number_format == "#,##0"
    assert sheet.cell(row=total_row, column=5).number_format == "#,##0.0"  # hours
    assert sheet.cell(row=total_row, column=8).number_format == "#,##0.00"  # money
    sheet = workbook["8 群众评价"]
    rows = sheet_rows(sheet)
    rate_row = next(i for i, row in enumerate(rows, 1) if row[0] == "满意率")
    assert sheet.cell(row=rate_row, column=2).number_format == "0.0%"


def test_text_that_looks_like_a_formula_stays_text(workbook):
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    values = {cell.value for cell in cells}
    assert {FORMULA_ORG, FORMULA_CATEGORY, FORMULA_GOODS} <= values
    assert all(cell.data_type == "s" for cell in cells)


# 1 组织覆盖 ------------------------------------------------------------------------------------------------------


def test_coverage(world, report):
    section = report.section(1)
    by_sector = section.table("单位覆盖情况（按单位类型和组建方式）")
    for sector, label in HostUnit.Sector.choices:
        for formation, formation_label in HostUnit.Formation.choices:
            expected = HostUnit.objects.filter(sector=sector, formation=formation).count()
            assert by_sector.cell(str(label), str(formation_label)) == expected
    total = HostUnit.objects.count()
    covered = HostUnit.objects.exclude(formation=HostUnit.Formation.NONE).count()
    assert (total, covered) == (7, 5)
    assert by_sector.cell("合计", "单位总数") == total
    assert section.figure("单位覆盖率") == pytest.approx(covered / total)

    joint = section.table("联合党支部及其覆盖的单位")
    assert joint.rows == [[FORMULA_ORG, "第一党总支", 2, "联建企业、联建协会"]]
    instructors = section.table("委派党建指导员覆盖的单位")
    assert instructors.rows == [["乙党员", "党支部B", 1, "指导员企业"]]

    # full members at the year's end, per branch with its party groups, below 3: B (2) and the joint branch (0)
    below = section.table("正式党员不足 3 名的党支部（年末）")
    assert [(row[0], row[3]) for row in below.rows] == [("党支部B", 2), (FORMULA_ORG, 0)]
    unserved = section.table("尚无服务党组织的网格")
    assert sorted(row[0] for row in unserved.rows) == sorted(
        Grid.objects.filter(organisation__isnull=True).values_list("name", flat=True)
    )
    roll = year_end_roll()
    no_grid = Person.objects.filter(pk__in=roll, grid__isnull=True).count()
    assert section.figure("未纳入网格的党员") == no_grid == len(roll) - 1  # only 甲书记 has a grid


# 2 党员队伍 ------------------------------------------------------------------------------------------------------


def year_end_roll(on: datetime.date = YEAR_END) -> dict[int, str]:
    """Person id → organisation path of party members on the roll on a date, from events alone (written plainly
    here: the last join/transfer/exit of each person up to the date)."""
    last = {}
    for event in (
        MembershipEvent.objects.filter(date__lte=on)
        .exclude(kind=MembershipEvent.Kind.RETIRE)
        .select_related("organisation")
        .order_by("date", "pk")
    ):
        last[event.person_id] = event
    return {pk: e.organisation.path for pk, e in last.items() if e.kind in MembershipEvent.STARTING}


def status_on(on: datetime.date = YEAR_END) -> dict[int, str]:
    status = {}
    for step in StatusStep.objects.filter(date__lte=on).order_by("date", "pk"):
        status[step.person_id] = step.status
    return status


def test_membership_at_the_year_end_and_the_year_changes(world, report):
    section = report.section(2)
    roll, status = year_end_roll(), status_on()
    full = sum(1 for pk in roll if status[pk] == PoliticalStatus.FULL)
    probationary = sum(1 for pk in roll if status[pk] == PoliticalStatus.PROBATIONARY)
    assert (full, probationary) == (7, 1)  # the leaver is gone, the late joiner not yet there
    assert (
        section.figure("年末党员")
        == len(roll)
        == organisation_headcount_on(organisation=world.cast.committee_org, on=d(12, 31))
    )
    table = section.table("年末政治面貌构成")
    assert table.cell("正式党员", "人数") == full
    assert table.cell("预备党员", "人数") == probationary
    assert table.cell("入党积极分子", "人数") == 1
    assert table.cell("入党申请人", "人数") == 1  # 发展对象 only in the next year
    assert table.cell("发展对象", "人数") == 0

    events = section.table("年内组织关系变动")
    for kind, label in MembershipEvent.Kind.choices:
        expected = MembershipEvent.objects.filter(kind=kind, date__year=Y).count()
        assert events.cell(str(label), "人次") == expected
    assert events.cell("入党", "人次") == 1 and events.cell("转出", "人次") == 1
    steps = section.table("年内政治面貌变更")
    assert steps.cell("入党积极分子", "人数") == StatusStep.objects.filter(status="activist", date__year=Y).count() == 1

    per_unit = section.table("各党组织年末党员及年内变动")
    a = world.cast.branch_a.path
    a_members = sum(1 for pk, path in roll.items() if path.startswith(a))
    assert branch_row(per_unit, "党支部A")[4] == a_members == 5  # the party group's member counts with A
    assert branch_row(per_unit, "党支部B")[7] == 1  # 转出

    # mobile members: one away all year and overdue (last report 1 March), one left in November (not yet due)
    assert section.figure("年内流动党员") == MobileMember.objects.filter(leave_date__year=Y).count() == 2
    assert section.figure("年内汇报（书面、口头）") == 1
    assert section.figure("年内回访核实") == 1
    assert section.figure("年末逾期未汇报") == 1
    assert section.figure("流动党员按期汇报率") == pytest.approx(0.5)
    overdue = section.table("年末逾期未汇报的流动党员")
    assert [row[0] for row in overdue.rows] == ["甲党员"]


# 3 志愿服务 ------------------------------------------------------------------------------------------------------


def test_volunteers(world, report):
    section = report.section(3)
    levels = section.table("志愿服务队（按层级）")
    on_team = TeamMembership.objects.filter(joined_on__lte=d(12, 31)).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=d(12, 31))
    )
    for level, label in Team.Level.choices:
        here = on_team.filter(team__level=level)
        assert levels.cell(str(label), "服务队") == Team.objects.filter(level=level).count()
        assert levels.cell(str(label), "年末在队人数") == here.values("person").distinct().count()
        members = here.filter(person__political_status__in=MEMBER_STATUSES).values("person").distinct().count()
        assert levels.cell(str(label), "党员") == members
    assert levels.cell("合计", "年末在队人数") == on_team.values("person").distinct().count() == 4
    assert levels.cell("合计", "其他") == 1  # the masses volunteer

    changes = section.table("年内入队和离队")
    assert changes.cell("入队", "人次") == TeamMembership.objects.filter(joined_on__year=Y).count() == 6
    assert changes.cell("离队：本人申请", "人次") == 1
    review = section.table(f"{Y} 年度队伍梳理（吐故纳新）")
    assert review.rows == [["建议吸收", "入队申请待审", 1, 1, 0, 0]]
    assert section.figure("队伍梳理确认吸收") == ReviewProposal.objects.filter(year=Y, state="confirmed").count()

    stars = section.table("星级志愿者（截至年末的累计已审核时长）")
    hours = dict(
        HoursEntry.objects.filter(
            state="approved",
            participation__state="attended",
            participation__activity__starts_at__lt=at(1, 1, 0, 0, Y + 1),
        )
        .values_list("participation__person_id")
        .annotate(total=Sum("hours"))
    )
    assert stars.cell("1 星", "人数") == sum(1 for total in hours.values() if 100 <= total < 300) == 1
    assert stars.cell("有服务时长的人数", "人数") == len(hours)


# 4 服务活动 ------------------------------------------------------------------------------------------------------


def held_in_year():
    return Activity.objects.filter(year_q("starts_at"), state__in=["ended", "closed"])


def test_activities_by_category_and_month_people_and_hours(world, report):
    section = report.section(4)
    by_month = section.table("活动数量（按类别和月份）")
    for category in ActivityCategory.objects.all():
        if category.name not in [row[0] for row in by_month.rows]:
            assert not held_in_year().filter(category=category).exists()
            continue
        for month in range(1, 13):
            expected = held_in_year().filter(category=category, starts_at__month=month).count()
            assert by_month.cell(category.name, f"{month}月") == expected, (category.name, month)
    assert by_month.cell(world.cat2.name, "12月") == 1  # 23:00 on 31 December, local time
    assert by_month.cell("合计", "合计") == held_in_year().count() == 5

    attended = Participation.objects.filter(activity__in=held_in_year(), state="attended")
    approved = HoursEntry.objects.filter(participation__in=attended, state="approved")
    effect = section.table("活动成效（按类别）")
    assert effect.cell("合计", "参与人次") == attended.count() == 9
    assert effect.cell("合计", "参与人数") == attended.values("person").distinct().count() == 6
    assert HoursEntry.objects.filter(participation__in=attended).count() == attended.count() + 1  # the correction
    assert effect.cell("合计", "服务时长（小时）") == approved.aggregate(h=Sum("hours"))["h"] == Decimal("13")
    served = held_in_year().aggregate(people=Sum("served_people"), donated=Sum("money_donated"))
    assert (
        effect.cell("合计", "服务群众（人次）") == served["people"] == 30
    )  # the ended (not closed) one has no figures
    assert effect.cell("合计", "捐赠资金（元）") == served["donated"] == Decimal("500.50")
    cat1 = attended.filter(activity__category=world.cat1)
    assert effect.cell(world.cat1.name, "参与人次") == cat1.count()
    assert effect.cell(world.cat1.name, "参与人数") == cat1.values("person").distinct().count()
    monthly = section.table("活动成效（按月份）")
    assert monthly.cell("3月", "参与人次") == attended.filter(activity__starts_at__month=3).count() == 5
    goods = section.table("登记的物资（按内容）")
    assert goods.rows == [[FORMULA_GOODS, 1, 1]]
    assert section.figure("已取消的活动") == Activity.objects.filter(year_q("starts_at"), state="cancelled").count()


# 5 群众需求 ------------------------------------------------------------------------------------------------------


def test_demands_on_time_overdue_callbacks_and_open_at_the_year_end(world, report):
    section = report.section(5)
    end = d(12, 31)
    year = Demand.objects.filter(received_on__year=Y)
    done = Q(done_on__isnull=False, done_on__lte=end)
    channel = section.table("群众需求（按来源渠道）")
    for value, label in Demand.Channel.choices:
        here = year.filter(channel=value)
        assert channel.cell(str(label), "受理") == here.count()
        assert channel.cell(str(label), "年末未办结") == here.exclude(done).count()
    on_time = year.filter(done, done_on__lte=F("deadline")).count()
    late = year.filter(done, done_on__gt=F("deadline")).count()
    open_overdue = year.exclude(done).filter(deadline__lt=end).count()
    assert (on_time, late, open_overdue) == (1, 1, 2)
    assert channel.cell("合计", "按时办结") == on_time
    assert channel.cell("合计", "逾期办结") == late
    assert channel.cell("合计", "逾期未办结") == open_overdue
    assert channel.cell("合计", "按时办结率") == pytest.approx(on_time / (on_time + late + open_overdue))
    assert channel.cell("合计", "已回访") == year.filter(callback_on__lte=end).count() == 1
    assert channel.cell("合计", "年末未办结") == year.exclude(done).count() == 3
    category = section.table("群众需求（按需求类别）")
    for row in category.rows:
        assert row[1] == year.filter(category__name=row[0]).count()
    assert section.figure("本年受理") == year.count() == 5
    assert section.figure("往年受理、年末仍未办结") == 1


# 6 结对帮扶 ------------------------------------------------------------------------------------------------------


def test_pairing_visits_per_pair_and_months_without_a_visit(world, report):
    section = report.section(6)
    pairs = Pairing.objects.filter(started_on__lte=d(12, 31)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=d(1, 1))
    )
    visits = PairingVisit.objects.filter(date__year=Y)
    assert section.figure("年内结对") == pairs.count() == 2
    assert section.figure("帮扶户数") == pairs.values("household").distinct().count() == 2
    assert section.figure("走访次数") == visits.count() == 7
    assert section.figure("平均每对走访") == pytest.approx(7 / 2)
    # p1: February–December due (11), visited in February, March, May → 8 missed; p2: January–March, all visited
    assert section.figure("应走访月数") == 14
    assert section.figure("缺访月数") == 8
    assert section.figure("有缺访月份的结对") == 1
    by_unit = section.table("各党组织结对帮扶")
    assert branch_row(by_unit, "党支部A")[2:] == [1, 1, 1, 4, 4.0, 8]
    assert branch_row(by_unit, "党支部B")[2:] == [1, 1, 1, 3, 3.0, 0]
    situations = section.table("帮扶对象（按困难类型）")
    assert situations.cell("低保", "走访次数") == visits.filter(pairing__household__situation="subsistence").count()


# 7 公开承诺 ------------------------------------------------------------------------------------------------------


def test_pledges_made_fulfilled_and_appraised(world, report):
    section = report.section(7)
    pledges = Pledge.objects.filter(year=Y, is_withdrawn=False)
    by_kind = section.table("承诺与践诺（按承诺主体）")
    assert by_kind.cell("党员承诺", "承诺数") == pledges.filter(person__isnull=False).count() == 1
    assert by_kind.cell("党组织承诺", "承诺数") == pledges.filter(person__isnull=True).count() == 1
    assert by_kind.cell("合计", "已践诺") == pledges.filter(result="fulfilled").count() == 1
    assert by_kind.cell("合计", "部分践诺") == pledges.filter(result="partial").count() == 1
    assert by_kind.cell("合计", "践诺率") == pytest.approx(0.5)
    items = PledgeItem.objects.filter(pledge__in=pledges)
    assert by_kind.cell("合计", "承诺事项") == items.count() == 3
    completed = [
        item for item in items.annotate(done=Sum("progress__amount")) if item.done and item.done >= item.target
    ]
    assert by_kind.cell("合计", "已完成目标的事项") == len(completed) == 1
    ratings = section.table("践诺评议结果")
    assert ratings.cell("群众评议", "较好") == pledges.filter(mass_rating="fair").count() == 2
    assert section.figure("撤回的承诺") == Pledge.objects.filter(year=Y, is_withdrawn=True).count() == 1


# 8 群众评价 ------------------------------------------------------------------------------------------------------


def test_ratings_and_satisfaction_per_branch_and_category_and_follow_ups(world, report):
    section = report.section(8)
    ratings = Rating.objects.filter(year_q("created_at"))
    by_unit = section.table("群众评价（按党组织）")
    for organisation in (world.cast.branch_a, world.cast.branch_b, world.joint):
        here = ratings.filter(activity__organisation=organisation)
        row = branch_row(by_unit, organisation.name)
        good = here.filter(level__gte=3).count()
        assert row[2] == here.count()
        assert row[8] == pytest.approx(good / here.count())
        assert row[9] == pytest.approx(here.aggregate(s=Sum("level"))["s"] / here.count())
    assert by_unit.total[2] == ratings.count() == 7
    by_category = section.table("群众评价（按活动类别）")
    assert (
        by_category.cell(FORMULA_CATEGORY, "评价数")
        == ratings.filter(activity__category__name=FORMULA_CATEGORY).count()
    )
    assert section.figure("满意率") == pytest.approx(ratings.filter(level__gte=3).count() / ratings.count())

    follow_ups = FollowUp.objects.filter(year_q("rating__created_at"))
    table = section.table("差评整改（按责任党组织）")
    assert table.cell("合计", "差评整改") == follow_ups.count() == 2
    assert table.cell("合计", "已办结") == follow_ups.filter(closed_on__lte=d(12, 31)).count() == 1
    assert table.cell("合计", "逾期") == follow_ups.filter(closed_on__isnull=True, due_on__lt=d(12, 31)).count() == 1
    assert table.cell("合计", "差评属实") == follow_ups.filter(upheld=True).count() == 1
    assert branch_row(table, "党支部A")[5] == 1  # closed


def test_questionnaire_tallies_of_the_running_year(cast):
    questionnaire = questionnaire_actions.questionnaire_create(
        actor=cast.orgadmin, organisation=cast.branch_a, title="满意度"
    )
    single = questionnaire_actions.question_add(
        actor=cast.orgadmin, questionnaire=questionnaire, kind="single", text="满意吗", options=["满意", "不满意"]
    )
    text = questionnaire_actions.question_add(
        actor=cast.orgadmin, questionnaire=questionnaire, kind="text", text="建议", required=False
    )
    questionnaire_actions.questionnaire_publish(actor=cast.orgadmin, questionnaire=questionnaire)
    yes, no = single.options.order_by("position")
    for device, option, words in (("p1", yes, "好"), ("p2", yes, ""), ("p3", no, "差")):
        answers = {single.pk: {"options": [option.pk]}}
        if words:
            answers[text.pk] = {"text": words}
        questionnaire_actions.response_submit(
            questionnaire=questionnaire, answers=answers, channel="online", device=device
        )
    # a paper form whose answer is 无效: a response, but not an answer the shares count
    questionnaire_actions.response_submit(
        questionnaire=questionnaire, answers={single.pk: {"mark": "spoiled"}}, channel="paper", entered_by=cast.orgadmin
    )

    section = yearly_report_data(year=TODAY.year, organisation=None).section(8)
    listing = section.table("问卷调查")
    assert listing.rows == [["满意度", "党支部A", 4, 3, 1]]
    tally = section.table("问卷选项统计")
    answered = Answer.objects.filter(question=single, spoiled=False).values("response").distinct().count()
    assert answered == 3
    picked_yes = Answer.objects.filter(option=yes).count()
    assert tally.rows[0] == ["满意度", "1. 满意吗", "满意", picked_yes, pytest.approx(picked_yes / answered)]
    assert tally.rows[1][3] == Answer.objects.filter(option=no).count() == 1
    assert tally.rows[2] == ["满意度", "2. 建议", "（填空）", 2, None]
    assert section.figure("问卷答卷") == Response.objects.count() == 4
    assert Question.objects.count() == 2
    # last year's report has none of them
    assert yearly_report_data(year=Y, organisation=None).section(8).table("问卷调查").rows == []


# 9 积分与评议 ----------------------------------------------------------------------------------------------------


def test_points_distribution_red_star_board_and_review_grades(world, report):
    section = report.section(9)
    totals = {
        person: max(total, 0)
        for person, total in PointsEntry.objects.filter(date__year=Y)
        .values_list("person")
        .annotate(total=Sum("points"))
    }
    bands = section.table("年度积分分布")
    assert bands.cell("60–99 分", "党员人数") == sum(1 for t in totals.values() if 60 <= t <= 99)
    assert bands.cell("合计", "党员人数") == len(totals)
    assert section.figure("平均积分") == pytest.approx(sum(totals.values()) / len(totals))
    assert section.figure("最高积分") == max(totals.values())
    by_rule = section.table("积分来源（按规则）")
    assert (
        by_rule.cell("基础分", "积分合计")
        == PointsEntry.objects.filter(date__year=Y, rule__code="base").aggregate(s=Sum("points"))["s"]
    )
    assert by_rule.cell("合计", "记录数") == PointsEntry.objects.filter(date__year=Y).count()

    board = section.table("红星榜（各季度积分前十名）")
    q1 = (
        PointsEntry.objects.filter(date__gte=d(1, 1), date__lte=d(3, 31))
        .values("person__name")
        .annotate(total=Sum("points"))
        .order_by("-total", "person__name")
    )
    first_quarter = [row for row in board.rows if row[0] == "第1季度"]
    assert [(row[2], row[4]) for row in first_quarter] == [(r["person__name"], r["total"]) for r in q1[:10]]

    sheets = ReviewSheet.objects.filter(round__year=Y, round__kind="yearly")
    grades = section.table(f"{Y} 年度民主评议等次（按党支部）")
    for value, label in ReviewSheet.Grade.choices:
        assert grades.cell("合计", str(label)) == sheets.filter(grade=value).count()
    assert grades.cell("合计", "参评党员") == sheets.count()
    unqualified = sheets.filter(grade="unqualified")
    assert unqualified.count() == 1
    assert section.table("评定为不合格的党员及批评教育").rows == [
        ["党支部A", "甲群众党员", unqualified.get().total, "已谈心谈话"]
    ]
    rounds = section.table("评议轮次")
    assert (
        rounds.cell("上半年相互评议打分", "进行中") == ReviewRound.objects.filter(year=Y, half=1, state="open").count()
    )


def test_the_red_star_board_is_the_one_the_board_page_shows(world, report, monkeypatch):
    board = report.section(9).table("红星榜（各季度积分前十名）")
    for quarter in range(1, 5):
        expected = red_star_board(organisation=world.cast.committee_org, year=Y, quarter=quarter)
        written = [row for row in board.rows if row[0] == f"第{quarter}季度"]
        assert [row[1:] for row in written] == [
            [r["rank"], r["person__name"], r["person__organisation__name"], r["points"]] for r in expected
        ]
    assert any(row[0] == "第1季度" for row in board.rows)

    # names read through the ledger (many people to name) give the same tables
    monkeypatch.setattr(points_module, "NAMES_BY_ID_UP_TO", 0)
    again = yearly_report_data(year=Y, organisation=None).section(9)
    assert again.table("红星榜（各季度积分前十名）").rows == board.rows
    assert again.table("各党组织党员积分").rows == report.section(9).table("各党组织党员积分").rows


# 10 评星晋级 -----------------------------------------------------------------------------------------------------


def test_stars_per_branch_and_the_checklist(world, report):
    section = report.section(10)
    assessment = BranchAssessment.objects.get(year=Y)
    table = section.table(f"{Y} 年度各党支部星级与“六有”")
    row = branch_row(table, "党支部A")
    assert row[2] == assessment.stars
    assert row[3:9] == ["有", "有", "无", "无", "无", "无"]
    assert row[9] == 2
    assert row[11] == pytest.approx(assessment.figures["participation_rate"] / 100)
    assert branch_row(table, "党支部B")[2] == "未评定"  # assessed only the year before
    branches = Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS).count()
    assert section.figure("党支部") == branches == 3
    assert section.figure("已评星") == BranchAssessment.objects.filter(year=Y).count() == 1
    assert section.table("星级分布").cell(f"{assessment.stars} 星", "党支部数") == 1


# Scope, command, progress, queries ------------------------------------------------------------------------------


def test_a_subtree_report_counts_only_its_own_rows(world):
    a = world.cast.branch_a
    report = yearly_report_data(year=Y, organisation=a)
    assert report.scope_label == "党支部A"
    names = {
        row[0]
        for section in report.sections
        for table in section.tables
        if table.headers[:2] == ["党组织", "上级党组织"]
        for row in table.rows
    }
    assert names == {"党支部A"}  # the party group counts with its branch; B and the joint branch are not there
    activities = report.section(4).table("活动成效（按类别）")
    held = held_in_year().filter(organisation__path__startswith=a.path)
    assert activities.cell("合计", "活动数") == held.count() == 3
    assert (
        activities.cell("合计", "参与人次") == Participation.objects.filter(activity__in=held, state="attended").count()
    )
    assert report.section(1).figure("单位总数") == 1
    assert report.section(2).figure("年末党员") == 5
    assert report.section(5).figure("本年受理") == Demand.objects.filter(received_on__year=Y, organisation=a).count()
    assert (
        report.section(8).figure("群众评价")
        == Rating.objects.filter(year_q("created_at"), activity__organisation=a).count()
    )
    assert [row[0] for row in report.section(10).table(f"{Y} 年度各党支部星级与“六有”").rows] == ["党支部A"]


def test_rows_of_other_years_are_left_out(world, report):
    # built above: activities, ratings, demands, pledges, pairings, visits and points of the years before and after
    assert report.section(4).figure("开展服务活动") == 5
    assert report.section(8).figure("群众评价") == 7
    assert report.section(5).figure("本年受理") == 5
    assert report.section(7).figure("承诺数") == 2
    assert report.section(6).figure("年内结对") == 2
    assert Activity.objects.filter(state__in=["ended", "closed"]).count() > 5
    assert Rating.objects.count() > 7


def test_the_command_writes_a_workbook_that_openpyxl_opens(world, tmp_path):
    output = tmp_path / "年度报告.xlsx"
    out = io.StringIO()
    call_command("yearly_report", year=Y, organisation=world.cast.branch_a.pk, output=str(output), stdout=out)
    assert str(output) in out.getvalue() and "用时" in out.getvalue()
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames[0] == "汇总"
    assert workbook["汇总"]["A1"].value == f"党支部A {Y} 年度报告"
    with pytest.raises(CommandError, match="没有编号为"):
        call_command("yearly_report", year=Y, organisation=999999, output=str(output))
    with pytest.raises(CommandError, match="年度须在"):
        call_command("yearly_report", year=TODAY.year + 1, output=str(output))
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command("yearly_report", year=Y, output=str(tmp_path / "missing" / "r.xlsx"))


def test_a_background_export_stores_the_real_workbook(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    export = report_actions.report_export_scheduled(year=Y)
    assert report_actions.report_export_run(export_id=export.pk)["built"] is True
    export.refresh_from_db()
    assert (export.status, export.progress, export.step) == (ReportExport.Status.DONE, 100, "完成")
    with export.file.open("rb") as stored:
        workbook = openpyxl.load_workbook(stored)
    assert workbook.sheetnames[0] == "汇总" and len(workbook.sheetnames) == 11


def test_progress_is_reported_for_each_section_below_100(cast):
    calls = []
    yearly_report_xlsx(year=Y, organisation=None, progress=lambda percent, step: calls.append((percent, step)))
    assert [step for _, step in calls] == [*(f"正在统计：{title}" for title, _ in SECTIONS), "正在生成工作簿"]
    percents = [percent for percent, _ in calls]
    assert percents == sorted(percents) and 0 <= percents[0] and percents[-1] <= 99


@pytest.mark.postgres
def test_the_postgres_settings_hold_during_the_report_and_are_undone_after(cast):
    def work_mem() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return cursor.fetchone()[0]

    before = work_mem()
    during = []
    yearly_report_data(year=Y, organisation=None, progress=lambda percent, step: during.append(work_mem()))
    assert set(during) == {"64MB"} != {before}
    assert work_mem() == before


def _grow(cast, n: int, start: int = 0) -> None:
    """n more branches, each with members, a host, a grid, a team, an activity with attendance and ratings, a
    demand, a pairing with a visit, a pledge and points."""
    cat = ActivityCategory.objects.order_by("pk").first()
    demand_category = DemandCategory.objects.order_by("pk").first()
    records, ratings = [], []
    for i in range(start, start + n):
        branch = OrganisationFactory(name=f"增设支部{i}", parent=cast.general_branch)
        people = [member(branch, name=f"增设党员{i}-{j}") for j in range(3)]
        grid = GridFactory(name=f"增设网格{i}", organisation=branch)
        HostUnitFactory(name=f"增设单位{i}", formation=HostUnit.Formation.SINGLE, organisation=branch, grid=grid)
        team = volunteer_actions.team_create(actor=None, name=f"增设队{i}", level=Team.Level.GROUP, organisation=branch)
        volunteer_actions.membership_add(actor=None, team=team, person=people[0], joined_on=d(1, 2))
        records.append(
            _activity(f"增设活动{i}", branch, cat, at(4, i + 1), participants=[_attended(p) for p in people])
        )
        demand = demand_actions.demand_receive(
            actor=cast.orgadmin,
            organisation=branch,
            channel="hotline",
            category=demand_category,
            content="事",
            received_on=d(5, 1),
        )
        demand_actions.demand_assign(actor=cast.orgadmin, demand=demand, person=people[0])
        household = pairing_actions.household_create(
            actor=None, organisation=branch, head_name="某", address="路", phone="", situation="other", size=1, notes=""
        )
        pairing = pairing_actions.pairing_create(
            actor=None, helper=people[1], household=household, started_on=d(2, 1), help_plan="计划", content="内容"
        )
        pairing_actions.visit_record(actor=None, pairing=pairing, date=d(2, 3), notes="走访")
        pledge_actions.pledge_create(
            actor=None,
            year=Y,
            organisation=branch,
            person=people[2],
            title="承诺",
            items=[{"content": "c", "target": 1, "unit": "次"}],
        )
    _register(records)
    for activity in Activity.objects.filter(title__startswith="增设活动", ratings__isnull=True):
        ratings += [
            RatingRecord(activity=activity, level=level, device=f"{activity.pk}-{level}", rated_at=activity.ends_at)
            for level in (5, 4, 1)
        ]
    ratings_register_bulk(actor=None, rows=ratings)
    points_actions.points_settle(year=Y)


def _count_queries(organisation=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        yearly_report_xlsx(year=Y, organisation=organisation)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(cast):
    _grow(cast, 1)
    small = _count_queries()
    small_subtree = _count_queries(cast.general_branch)
    _grow(cast, 4, start=1)
    assert Participation.objects.count() >= 15 and Rating.objects.count() >= 15
    assert _count_queries() == small
    assert _count_queries(cast.general_branch) == small_subtree
    assert small <= 60
