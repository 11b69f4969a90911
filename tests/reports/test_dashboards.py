"""工作看板: the figures on a known data set (built with the actions) against plain ORM counts; the year filter;
scope (branch B's secretary sees nothing of A, 404 for A; a member is refused); every number's link opens a list
that shows exactly the rows counted; and the number of queries does not grow with the rows.

The data set lies in last year (`Y`), wholly in the past, so the actions' "not in the future" rules hold whatever
the day the tests run. Tree (tests/conftest.py): committee → general branch → 党支部A (+ a party group), 党支部B."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, Sum
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches import actions as branch_actions
from branches.models import MEMBER_STATUSES, HostUnit, MobileMember, Organisation, Person, RuleSettings
from branches.selectors import mobile_overdue_through
from evaluations.actions.follow_ups import follow_up_call_back, follow_up_close, follow_up_rectify
from evaluations.actions.points import points_adjustment_decide, points_adjustment_request, points_settle
from evaluations.models import FollowUp, PointsEntry, Rating, ReviewRound, ReviewSheet
from reports.dashboards.selectors import dashboard_for_user
from services import actions as service_actions
from services.actions.pairing import household_create, pairing_create, visit_record
from services.models import Activity, Demand, HoursEntry, Household, Participation
from tests.evaluations.conftest import local, rate
from tests.evaluations.test_assessment_figures import Y, demand, past_activity, yearly_round
from tests.factories import HostUnitFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db

URL = "dashboards:dashboard"


@pytest.fixture(autouse=True)
def _counted_afresh(settings, request):
    """Each test counts its own data set (a dashboard above a branch is otherwise kept for minutes); the caching
    has its own test."""
    if "keeps_the_figures" not in request.node.name:
        settings.DASHBOARD_CACHE_SECONDS = 0


HELD = (Activity.State.ENDED, Activity.State.CLOSED)
TODAY = timezone.localdate()


def _day(month: int, day: int, year: int = Y) -> datetime.date:
    return datetime.date(year, month, day)


def _grade(round_: ReviewRound, grades: list[str], *, closed: bool = True) -> None:
    """Grades and closing are what closing a round writes; set directly (as the assessment tests do), so that this
    test does not depend on the grading rules of the reviews area."""
    for pk, grade in zip(round_.sheets.order_by("pk").values_list("pk", flat=True), grades, strict=False):
        ReviewSheet.objects.filter(pk=pk).update(grade=grade)
    if closed:
        ReviewRound.objects.filter(pk=round_.pk).update(state=ReviewRound.State.CLOSED)


def _depart(person: Person, days_ago: int, *, report_days_ago: int | None = None) -> MobileMember:
    record = branch_actions.mobile_departure_record(
        actor=None, person=person, leave_date=TODAY - datetime.timedelta(days=days_ago), destination="广东省深圳市"
    )
    if report_days_ago is not None:
        branch_actions.mobile_report_record(
            actor=None,
            mobile_member=record,
            kind="written",
            date=TODAY - datetime.timedelta(days=report_days_ago),
            content="在外工作正常",
        )
    return record


def _pair(organisation: Organisation, helper: Person, *, visited: bool):
    household = household_create(
        actor=None,
        organisation=organisation,
        head_name="王大爷",
        address="东湖路1号",
        phone="",
        situation=Household.Situation.ILLNESS,
        size=1,
        notes="",
    )
    pairing = pairing_create(
        actor=None,
        helper=helper,
        household=household,
        started_on=TODAY - datetime.timedelta(days=70),
        help_plan="每月走访",
        content="代购生活用品",
    )
    if visited:
        visit_record(actor=None, pairing=pairing, date=TODAY, notes="上门看望")
    return pairing


@pytest.fixture
def data(cast):
    """Branch A (with a party group) carries the data set; branch B a little of everything (the control)."""
    a, b = cast.branch_a, cast.branch_b
    group = OrganisationFactory(name="甲党小组", kind=Organisation.Kind.PARTY_GROUP, parent=a)
    grouper = member(group, name="小组党员")
    idle = member(a, name="甲未参加")

    # Activities held in Y: a1 (March, 2 attended), a2 (the group's, May), a3 (closed, June); not counted: the
    # cancelled one, a published one not ended, the one of the year before and the one of the year after.
    a1 = past_activity(a, _day(3, 10), attendees=[cast.secretary_person, cast.member_person])
    a2 = past_activity(group, _day(5, 20), attendees=[grouper])
    past_activity(a, _day(6, 1), attendees=[cast.member_person], state=Activity.State.CLOSED)
    past_activity(a, _day(6, 2), state=Activity.State.CANCELLED)
    past_activity(a, _day(7, 1), attendees=[idle], state=Activity.State.PUBLISHED)
    a5 = past_activity(a, _day(12, 31, Y - 1), hour=22, minute=30, attendees=[idle])
    past_activity(a, _day(1, 1, Y + 1), hour=0, minute=30, attendees=[idle])
    b1 = past_activity(b, _day(4, 1), attendees=[cast.outsider_person, cast.person_a])
    # hours: a1's and a2's approved, the others pending
    entries = HoursEntry.objects.filter(participation__activity__in=[a1, a2, b1])
    service_actions.hours_approve(actor=cast.orgadmin, entries=list(entries))

    # Ratings given in Y of A's activities: 5, 4, 2 (a 差评), 3, and 1 (a5's, given on 1 January Y: a 差评)
    bad = rate(a1, 2, at=local(_day(3, 10), 12))
    for level in (5, 4):
        rate(a1, level, at=local(_day(3, 10), 12))
    rate(a2, 3, at=local(_day(5, 20), 12))
    rate(a5, 1, at=local(_day(1, 1), 0))
    rate(a1, 5, at=local(_day(1, 1, Y + 1), 9))  # the next year
    rate(b1, 5, at=local(_day(4, 1), 12))
    rate(b1, 1, at=local(_day(4, 1), 13))  # B's 差评
    # a1's follow-up is closed; a5's stays open (past its due date: overdue)
    follow_up = FollowUp.objects.get(rating=bad)
    follow_up = follow_up_call_back(actor=cast.orgadmin, follow_up=follow_up, callback_on=_day(3, 11), note="已联系")
    follow_up = follow_up_rectify(
        actor=cast.orgadmin, follow_up=follow_up, rectification="加强培训", rectified_on=_day(3, 12), upheld=False
    )
    follow_up_close(actor=cast.orgadmin, follow_up=follow_up, closing_note="已办结", closed_on=_day(3, 13))

    # Demands received in Y: on time (March, June, the group's July), done late (April), never done (May)
    demand(cast, a, _day(3, 2), late_by=-100)
    demand(cast, a, _day(4, 1), late_by=3)
    demand(cast, a, _day(5, 5), late_by=None)
    demand(cast, a, _day(6, 1), late_by=0)
    demand(cast, group, _day(7, 1), late_by=-100)
    demand(cast, a, _day(6, 1, Y - 1), late_by=5)  # the year before
    demand(cast, b, _day(3, 2), late_by=None)  # branch B

    # Reviews: A's yearly round of Y closed (1 优秀, 2 合格, 1 不合格); A's round of Y-1 and B's of Y also closed
    _grade(yearly_round(a, Y, graded=0), ["excellent", "qualified", "qualified", "unqualified"])
    _grade(yearly_round(a, Y - 1, graded=0), ["excellent", "excellent"])
    _grade(yearly_round(b, Y, graded=0), ["qualified"])

    # Hosts: in A single-built, in the group attached, one of A's not covered; B's joint; one nobody's
    HostUnitFactory(formation=HostUnit.Formation.SINGLE, organisation=a)
    HostUnitFactory(formation=HostUnit.Formation.ATTACHED, organisation=group)
    HostUnitFactory(formation=HostUnit.Formation.NONE, organisation=a)
    HostUnitFactory(formation=HostUnit.Formation.JOINT, organisation=b)
    HostUnitFactory(formation=HostUnit.Formation.NONE, organisation=None)

    # Mobile members of A: away without a report for 4 months (overdue), away 10 days, away long with a recent
    # report; one returned; B's overdue one
    _depart(cast.member_person, 120)
    _depart(grouper, 10)
    _depart(cast.person_a, 200, report_days_ago=20)
    branch_actions.mobile_return_record(actor=None, mobile_member=_depart(idle, 300), date=TODAY)
    _depart(cast.person_b, 120)

    # Pairs: A's helped this month and not; B's not
    _pair(a, cast.member_person, visited=True)
    _pair(a, cast.secretary_person, visited=False)
    _pair(b, cast.outsider_person, visited=False)

    points_settle(year=Y)
    return {"group": group, "grouper": grouper, "idle": idle}


# Figures against plain ORM counts ---------------------------------------------------------------------------


def _year_q(prefix: str, year: int = Y) -> Q:
    zone = timezone.get_current_timezone()
    return Q(
        **{
            f"{prefix}__gte": datetime.datetime(year, 1, 1, tzinfo=zone),
            f"{prefix}__lt": datetime.datetime(year + 1, 1, 1, tzinfo=zone),
        }
    )


def _expected(organisation: Organisation, year: int = Y) -> dict:
    """The figures, counted independently of the dashboard's code."""
    path = organisation.path
    held = Activity.objects.filter(_year_q("starts_at", year), organisation__path__startswith=path, state__in=HELD)
    attended = Participation.objects.filter(activity__in=held, state=Participation.State.ATTENDED)
    hours = HoursEntry.objects.filter(participation__in=attended, state=HoursEntry.State.APPROVED)
    ratings = Rating.objects.filter(_year_q("created_at", year), activity__organisation__path__startswith=path)
    demands = Demand.objects.filter(organisation__path__startswith=path, received_on__year=year)
    on_time = [d for d in demands if d.state in ("done", "called_back") and d.done_on <= d.deadline]
    late = [d for d in demands if d.done_on and d.done_on > d.deadline]
    open_overdue = [d for d in demands if d.state in Demand.OPEN_STATES and d.deadline < TODAY]
    follow_ups = FollowUp.objects.filter(_year_q("rating__created_at", year), organisation__path__startswith=path)
    hosts = HostUnit.objects.filter(organisation__path__startswith=path)
    rules = RuleSettings.current()
    away = list(MobileMember.objects.filter(person__organisation__path__startswith=path, returned_on__isnull=True))
    last_reports = {
        m.pk: m.reports.filter(kind__in=("written", "oral")).order_by("-date").values_list("date", flat=True).first()
        for m in away
    }
    sheets = ReviewSheet.objects.filter(
        round__organisation__path__startswith=path, round__year=year, round__kind="yearly", round__state="closed"
    )
    return {
        "activities": held.count(),
        "person_times": attended.count(),
        "hours": hours.aggregate(total=Sum("hours"))["total"] or Decimal(0),
        "ratings": ratings.count(),
        "good": ratings.filter(level__gte=3).count(),
        "demands_received": demands.count(),
        "demands_on_time": len(on_time),
        "demands_overdue": len(late) + len(open_overdue),
        "demands_open": demands.filter(state__in=Demand.OPEN_STATES).count(),
        "follow_ups_opened": follow_ups.count(),
        "follow_ups_closed": follow_ups.filter(state="closed").count(),
        "follow_ups_overdue": follow_ups.filter(state__in=FollowUp.OPEN_STATES, due_on__lt=TODAY).count(),
        "hosts": hosts.count(),
        "covered": hosts.exclude(formation="none").count(),
        "away": len(away),
        "mobile_overdue": sum(1 for m in away if m.is_overdue(last_reports[m.pk], rules, TODAY)),
        "grades": {grade: sheets.filter(grade=grade).count() for grade in ReviewSheet.Grade.values},
    }


def _points_expected(organisation: Organisation, year: int) -> list[int]:
    members = Person.objects.filter(
        organisation__path__startswith=organisation.path, is_active_member=True, political_status__in=MEMBER_STATUSES
    )
    totals = []
    for person in members:
        raw = PointsEntry.objects.filter(person=person, date__year=year).aggregate(t=Sum("points"))["t"] or 0
        totals.append(max(raw, 0))
    bands = ((0, 59), (60, 69), (70, 79), (80, 89), (90, 10**6))
    return [sum(1 for t in totals if low <= t <= high) for low, high in bands]


def _values(dashboard: dict) -> dict:
    return {
        "activities": dashboard["activities"]["activities"].value,
        "person_times": dashboard["activities"]["person_times"].value,
        "hours": dashboard["activities"]["hours"].value,
        "ratings": dashboard["satisfaction"]["ratings"].value,
        "demands_received": dashboard["demands"]["received"].value,
        "demands_on_time": dashboard["demands"]["on_time"].value,
        "demands_overdue": dashboard["demands"]["overdue"].value,
        "demands_open": dashboard["demands"]["open"].value,
        "follow_ups_opened": dashboard["follow_ups"]["opened"].value,
        "follow_ups_closed": dashboard["follow_ups"]["closed"].value,
        "follow_ups_overdue": dashboard["follow_ups"]["overdue"].value,
        "hosts": dashboard["coverage"]["hosts"].value,
        "covered": dashboard["coverage"]["covered"].value,
        "away": dashboard["mobile"]["away"].value,
        "mobile_overdue": dashboard["mobile"]["overdue"].value,
        "grades": {row["grade"]: row["figure"].value for row in dashboard["review_grades"]},
    }


def test_each_figure_on_a_known_data_set(cast, data):
    dashboard = dashboard_for_user(user=cast.orgadmin, year=Y, organisation=cast.branch_a)
    expected = _expected(cast.branch_a)
    got = _values(dashboard)
    assert got == {key: value for key, value in expected.items() if key != "good"}
    # and the known values themselves, so that a wrong expectation cannot hide a wrong figure
    assert (got["activities"], got["person_times"], got["hours"]) == (3, 4, Decimal("3.0"))
    assert (got["demands_received"], got["demands_on_time"], got["demands_overdue"], got["demands_open"]) == (
        5,
        3,
        2,
        1,
    )
    assert (got["follow_ups_opened"], got["follow_ups_closed"], got["follow_ups_overdue"]) == (2, 1, 1)
    assert (got["hosts"], got["covered"], got["away"], got["mobile_overdue"]) == (3, 2, 3, 1)
    assert got["grades"] == {"excellent": 1, "qualified": 2, "basic": 0, "unqualified": 1}
    assert got["ratings"] == 5 and expected["good"] == 3
    assert dashboard["satisfaction"]["rate"] == Decimal("60.0")
    assert dashboard["satisfaction"]["average"] == Decimal("3.0")  # (5 + 4 + 2 + 3 + 1) / 5
    assert [band["figure"].value for band in dashboard["points_bands"]] == _points_expected(cast.branch_a, Y)
    assert dashboard["demands"]["in_progress"].value == 0
    assert dashboard["mobile"]["on_time"].value == 2


def test_months(cast, data):
    months = dashboard_for_user(user=cast.orgadmin, year=Y, organisation=cast.branch_a)["months"]
    activities = {m["month"]: (m["activities"].value, m["person_times"].value) for m in months if m["activities"].value}
    assert activities == {3: (1, 2), 5: (1, 1), 6: (1, 1)}
    hours = {m["month"]: m["hours"].value for m in months if m["hours"].value}
    assert hours == {3: Decimal("2.0"), 5: Decimal("1.0")}  # June's hours are still pending
    demands = {m["month"]: (m["received"].value, m["on_time"].value, m["overdue"].value) for m in months}
    assert {k: v for k, v in demands.items() if v[0]} == {
        3: (1, 1, 0),
        4: (1, 0, 1),
        5: (1, 0, 1),
        6: (1, 1, 0),
        7: (1, 1, 0),
    }
    rated = {m["month"]: (m["ratings"].value, m["satisfaction_rate"]) for m in months if m["ratings"].value}
    assert rated == {1: (1, Decimal("0.0")), 3: (3, Decimal("66.7")), 5: (1, Decimal("100.0"))}


def test_year_filter_excludes_other_years(cast, data):
    before = _values(dashboard_for_user(user=cast.orgadmin, year=Y - 1, organisation=cast.branch_a))
    assert (before["activities"], before["person_times"], before["demands_received"]) == (1, 1, 1)
    assert before["ratings"] == 0 and before["follow_ups_opened"] == 0  # a5's 差评 was given in Y
    assert before["grades"] == {"excellent": 2, "qualified": 0, "basic": 0, "unqualified": 0}
    after = _values(dashboard_for_user(user=cast.orgadmin, year=Y + 1, organisation=cast.branch_a))
    assert (after["activities"], after["ratings"], after["demands_received"], after["follow_ups_opened"]) == (
        1,
        1,
        0,
        0,
    )
    for year, got in ((Y - 1, before), (Y + 1, after)):
        assert got == {key: value for key, value in _expected(cast.branch_a, year).items() if key != "good"}


def test_points_bands_this_year(cast, data):
    """This year's ledger: the base for everyone, and two approved adjustments that move people to the ends."""
    year = TODAY.year
    points_settle(year=year)
    for person, points in ((cast.member_person, 40), (data["idle"], -15)):
        adjustment = points_adjustment_request(actor=cast.secretary, person=person, points=points, reason="测试调整")
        points_adjustment_decide(actor=cast.committee, adjustment=adjustment, approve=True)
    bands = dashboard_for_user(user=cast.orgadmin, year=year, organisation=cast.branch_a)["points_bands"]
    counts = [band["figure"].value for band in bands]
    assert counts == _points_expected(cast.branch_a, year)
    assert counts[0] >= 1 and counts[-1] >= 1


def test_whole_tree_and_children(cast, data, login):
    """组织部's dashboard covers everything (the host without an organisation too); the committee's children table
    at the general branch rolls each figure up to A and B, and they add up to the total."""
    whole = _values(dashboard_for_user(user=cast.orgadmin, year=Y, organisation=None))
    a, b = _expected(cast.branch_a), _expected(cast.branch_b)
    assert whole["activities"] == a["activities"] + b["activities"]
    assert whole["demands_received"] == a["demands_received"] + b["demands_received"]
    assert (whole["hosts"], whole["covered"]) == (HostUnit.objects.count(), 3)

    dashboard = dashboard_for_user(user=cast.committee, year=Y, organisation=cast.general_branch)
    rows = {row["organisation"].pk: row for row in dashboard["children"]}
    assert set(rows) == {cast.branch_a.pk, cast.branch_b.pk}
    for branch, expected in ((cast.branch_a, a), (cast.branch_b, b)):
        row = rows[branch.pk]
        assert (row["activities"].value, row["person_times"].value, row["hours"].value) == (
            expected["activities"],
            expected["person_times"],
            expected["hours"],
        )
        assert (row["demands"]["received"].value, row["demands"]["overdue"].value) == (
            expected["demands_received"],
            expected["demands_overdue"],
        )
        assert row["ratings"].value == expected["ratings"]
        assert row["follow_ups"]["open"].value == expected["follow_ups_opened"] - expected["follow_ups_closed"]
        assert (row["mobile"]["away"].value, row["mobile"]["overdue"].value) == (
            expected["away"],
            expected["mobile_overdue"],
        )
        assert (row["coverage"]["hosts"].value, row["coverage"]["covered"].value) == (
            expected["hosts"],
            expected["covered"],
        )
    assert sum(row["activities"].value for row in rows.values()) == dashboard["activities"]["activities"].value


# Scope ------------------------------------------------------------------------------------------------------


def test_outsider_sees_only_branch_b(cast, data, login):
    client = login(cast.outsider)
    response = client.get(reverse(URL), {"year": Y})
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard["organisation"] == cast.branch_b
    assert _values(dashboard) == {k: v for k, v in _expected(cast.branch_b).items() if k != "good"}
    assert dashboard["activities"]["activities"].value == 1  # not A's three
    content = response.content.decode()
    assert "党支部A" not in content and "甲党小组" not in content
    assert f"organisation={cast.branch_a.pk}" not in content
    # A's organisation does not exist for B's secretary
    assert client.get(reverse(URL), {"year": Y, "organisation": cast.branch_a.pk}).status_code == 404
    assert client.get(reverse(URL), {"organisation": cast.general_branch.pk}).status_code == 404
    with pytest.raises(Http404):
        dashboard_for_user(user=cast.outsider, year=Y, organisation=cast.branch_a)


def test_member_without_role_is_refused(cast, login):
    client = login(cast.member)
    assert client.get(reverse(URL)).status_code == 403
    assert client.get(reverse(URL), {"organisation": cast.branch_a.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        dashboard_for_user(user=cast.member, year=Y, organisation=None)


def test_anonymous_goes_to_login(client):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_year_falls_back_with_a_message(cast, login):
    response = login(cast.secretary).get(reverse(URL), {"year": "abc"})
    assert response.status_code == 200
    assert response.context["dashboard"]["year"] == TODAY.year
    assert "年度有误" in response.content.decode()
    assert login(cast.secretary).get(reverse(URL), {"organisation": "x"}).status_code == 404


def test_post_is_refused(cast, login):
    assert login(cast.secretary).post(reverse(URL)).status_code == 405


# The branch dashboard ---------------------------------------------------------------------------------------


def test_branch_secretary_gets_the_branch_dashboard_with_work_to_do(cast, data, login):
    response = login(cast.secretary).get(reverse(URL), {"year": Y})
    dashboard = response.context["dashboard"]
    assert dashboard["organisation"] == cast.branch_a and dashboard["is_branch"] and not dashboard["children"]
    lists = {item["kind"]: item for item in dashboard["actions"]}
    assert [d.content for d in lists["demands"]["rows"]] == ["楼道灯坏了"]  # May's, never done
    assert lists["demands"]["figure"].value == 1
    assert lists["follow_ups"]["figure"].value == 1
    assert [p.helper for p in lists["pairings"]["rows"]] == [cast.secretary_person]
    assert [m.person for m in lists["mobile"]["rows"]] == [cast.member_person]
    for item in lists.values():  # each count is the linked list's
        assert _list_count(login(cast.secretary), item["figure"].url) == item["figure"].value


# Drill-down: every number links to exactly its rows ---------------------------------------------------------


def _list_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "cl" in context:  # the admin's change list
        return context["cl"].result_count
    if "grade=" in url:  # review rounds: how many sheets of the grade each listed round has
        return sum(round_.grade_count for round_ in context["page"].object_list)
    return context["page"].paginator.count


def test_figures_equal_the_counts_of_their_lists(cast, data, login):
    client = login(cast.orgadmin)
    dashboard = client.get(reverse(URL), {"year": Y, "organisation": cast.branch_a.pk}).context["dashboard"]
    march = dashboard["months"][2]
    checks = [
        (march["activities"], 1),
        (dashboard["activities"]["activities"], 3),
        (dashboard["demands"]["overdue"], 2),
        (dashboard["demands"]["on_time"], 3),
        (dashboard["demands"]["open"], 1),
        (dashboard["demands"]["received"], 5),
        (dashboard["follow_ups"]["open"], 1),
        (dashboard["follow_ups"]["overdue"], 1),
        (dashboard["follow_ups"]["closed"], 1),
        (dashboard["mobile"]["overdue"], 1),
        (dashboard["mobile"]["on_time"], 2),
        (dashboard["coverage"]["covered"], 2),
        (dashboard["coverage"]["hosts"], 3),
        (dashboard["review_grades"][1]["figure"], 2),  # 合格
    ]
    checks += [(band["figure"], None) for band in dashboard["points_bands"]]
    checks += [(m[key], None) for m in dashboard["months"] for key in ("activities", "received", "overdue")]
    for figure, known in checks:
        assert _list_count(client, figure.url) == figure.value, figure.url
        if known is not None:
            assert figure.value == known, figure.url
    # the activities of a month are the rows whose 人次 the month counts
    page = client.get(march["person_times"].url).context["page"]
    assert sum(activity.attended_count for activity in page.object_list) == march["person_times"].value


def test_children_figures_equal_the_counts_of_their_lists(cast, data, login):
    client = login(cast.committee)
    dashboard = client.get(reverse(URL), {"year": Y, "organisation": cast.general_branch.pk}).context["dashboard"]
    for row in dashboard["children"]:
        for figure in (
            row["activities"],
            row["demands"]["received"],
            row["demands"]["overdue"],
            row["follow_ups"]["open"],
            row["mobile"]["overdue"],
            row["coverage"]["covered"],
        ):
            assert _list_count(client, figure.url) == figure.value, figure.url


HREF = re.compile(r'href="([^"#]+)"')


def _links(content: str) -> set[str]:
    main = content[content.index("<main") : content.index("</main>")]
    return {unescape(href) for href in HREF.findall(main) if href.startswith(("/", "?"))}


@pytest.mark.parametrize("role", ["orgadmin", "committee", "secretary"])
def test_every_link_resolves(cast, data, login, role):
    client = login(getattr(cast, role))
    response = client.get(reverse(URL), {"year": Y})
    links = _links(response.content.decode())
    assert len(links) > 40
    for link in sorted(links):
        url = reverse(URL) + link if link.startswith("?") else link
        assert client.get(url).status_code == 200, url


def test_chart_data_is_passed_with_json_script(cast, data, login):
    content = login(cast.secretary).get(reverse(URL), {"year": Y}).content.decode()
    assert '<script id="dashboard-data" type="application/json">' in content
    assert "js/dashboard.js" in content and "vendor/echarts/echarts.min.js" in content
    assert "style=" not in content[content.index("<main") : content.index("</main>")]
    assert re.search(r"<script>(?!\s*</script>)", content) is None  # no inline scripts


# Queries ----------------------------------------------------------------------------------------------------

CEILING = 40


def _count(client, django_assert_max_num_queries, **params) -> int:
    with django_assert_max_num_queries(CEILING), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return len(queries)


def _more(cast, i: int) -> None:
    """A new branch under the general branch with everything, and more of everything in A."""
    branch = OrganisationFactory(name=f"新党支部{i}", parent=cast.general_branch)
    people = [member(branch, name=f"党员{i}-{n}") for n in range(3)]
    for day in (3, 13):
        activity = past_activity(branch, _day(1 + i % 12, day), attendees=people)
        service_actions.hours_approve(
            actor=cast.orgadmin, entries=list(HoursEntry.objects.filter(participation__activity=activity))
        )
        rate(activity, 5, at=local(_day(1 + i % 12, day), 12))
        rate(activity, 1, at=local(_day(1 + i % 12, day), 13))
    more_in_a = past_activity(cast.branch_a, _day(1 + i % 12, 20), attendees=[cast.person_a])
    rate(more_in_a, 2, at=local(_day(1 + i % 12, 20), 12))
    demand(cast, branch, _day(1 + i % 12, 3), late_by=None)
    demand(cast, cast.branch_a, _day(1 + i % 12, 4), late_by=2)
    HostUnitFactory(formation=HostUnit.Formation.SINGLE, organisation=branch)
    HostUnitFactory(formation=HostUnit.Formation.NONE, organisation=cast.branch_a)
    _depart(people[0], 150)
    _grade(yearly_round(branch, Y, graded=0), ["excellent", "qualified", "basic"])
    _pair(cast.branch_a, member(cast.branch_a, name=f"帮扶党员{i}"), visited=i % 2 == 0)
    _depart(member(cast.branch_a, name=f"外出党员{i}"), 90)


@pytest.mark.parametrize(
    ("role", "organisation"),
    [("orgadmin", None), ("committee", "general_branch"), ("secretary", None)],
)
def test_queries_do_not_grow_with_rows(cast, data, login, django_assert_max_num_queries, role, organisation):
    client = login(getattr(cast, role))
    params = {"year": Y}
    if organisation:
        params["organisation"] = getattr(cast, organisation).pk
    _count(client, django_assert_max_num_queries, **params)  # warm process-wide caches
    few = _count(client, django_assert_max_num_queries, **params)
    for i in range(4):
        _more(cast, i)
    points_settle(year=Y)
    many = _count(client, django_assert_max_num_queries, **params)
    assert many == few
    children = client.get(reverse(URL), params).context["dashboard"]["children"]
    # 组织部: the root's one child (the general branch); the committee at the general branch: A, B and the four new
    assert len(children) == {"orgadmin": 1, "committee": 6, "secretary": 0}[role]


# The SQL form of "overdue" of mobile members ----------------------------------------------------------------


@pytest.mark.parametrize(("interval", "grace"), [(2, 7), (1, 0), (3, 30)])
def test_mobile_overdue_bound_agrees_with_the_model(interval, grace):
    """For every day of two years (a leap year among them) and bases around it: base ≤ bound ⇔ is_overdue."""
    rules = RuleSettings(mobile_report_interval_months=interval, mobile_report_grace_days=grace)
    record = MobileMember(leave_date=datetime.date(2000, 1, 1))
    day = datetime.date(2023, 1, 1)
    while day < datetime.date(2025, 1, 1):
        bound = mobile_overdue_through(today=day, rules=rules)
        for offset in range(-6, 7):
            base = bound + datetime.timedelta(days=offset)
            assert (base <= bound) == record.is_overdue(base, rules, day), (day, base)
        day += datetime.timedelta(days=1)
    # and a month end: 31 March less a month is 28/29 February (no 31st)
    monthly = RuleSettings(mobile_report_interval_months=1, mobile_report_grace_days=0)
    assert mobile_overdue_through(today=datetime.date(2024, 3, 31), rules=monthly) == datetime.date(2024, 2, 29)
    assert mobile_overdue_through(today=datetime.date(2023, 2, 28), rules=monthly) == datetime.date(2023, 1, 27)


def test_above_a_branch_the_dashboard_keeps_the_figures_for_a_while(cast, data, login, settings):
    """Counted once for a subtree and year, then served from the cache (the page says when it was counted); a
    branch's dashboard is always counted afresh; another subtree or year is counted for itself."""
    settings.DASHBOARD_CACHE_SECONDS = 600
    committee = login(cast.committee)
    first = committee.get(reverse(URL), {"year": Y})
    with CaptureQueriesContext(connection) as again:
        second = committee.get(reverse(URL), {"year": Y})
    assert second.context["dashboard"]["counted_at"] == first.context["dashboard"]["counted_at"]
    assert len(again) < 10  # the session, the user, the form's choices: no figure is counted again
    assert "数据统计于" in second.content.decode()
    other_year = committee.get(reverse(URL), {"year": Y - 1}).context["dashboard"]
    assert other_year["year"] == Y - 1 and other_year["counted_at"] > first.context["dashboard"]["counted_at"]

    secretary = login(cast.secretary)
    secretary.get(reverse(URL), {"year": Y})
    with CaptureQueriesContext(connection) as branch_again:
        page = secretary.get(reverse(URL), {"year": Y})
    assert len(branch_again) > 10 and "数据统计于" not in page.content.decode()
