"""`manage.py seed_demo`: the demo district has everything the issue asks for, and a second run changes nothing."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from branches import selectors
from branches.demo.data import BRANCH_A, BRANCH_B, COMMITTEE_CODE, MEMBER_PHONE, PASSWORD, code_for
from branches.models import (
    PUBLICITY_STATUSES,
    Grid,
    HostUnit,
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    PoliticalStatus,
    Role,
    RoleAssignment,
    StatusStep,
)
from portal import actions as portal_actions
from portal.models import AuditEvent, User

LOGINS = ["orgadmin", "committee", "secretary", "member", "outsider"]
MODELS = [
    Organisation,
    Grid,
    HostUnit,
    Person,
    StatusStep,
    MembershipEvent,
    RoleAssignment,
    MobileMember,
    MobileReport,
    User,
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def org(key: str) -> Organisation:
    return Organisation.objects.get(code=code_for(key))


def current(role_q: Q) -> Q:
    today = timezone.localdate()
    return role_q & Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gt=today))


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker):
    """One seed for the whole module (it takes seconds), rolled back when the module is done.

    Each test still gets its own `db` transaction, nested inside this one as a savepoint, so a test that changes
    something (the second run below) leaves the district as seeded for the next test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module, db) -> str:
    return _seeded_module


def test_tree_has_committee_general_branches_branches_and_groups(seeded):
    committee = Organisation.objects.get(code=COMMITTEE_CODE, kind=Organisation.Kind.COMMITTEE)
    district = Organisation.objects.filter(path__startswith=committee.path)
    kinds = dict(district.values_list("kind").order_by().annotate(n=Count("pk")))
    assert kinds[Organisation.Kind.GENERAL_BRANCH] >= 2
    assert kinds[Organisation.Kind.BRANCH] + kinds[Organisation.Kind.JOINT_BRANCH] >= 12
    assert kinds[Organisation.Kind.JOINT_BRANCH] >= 1
    assert kinds[Organisation.Kind.PARTY_GROUP] >= 1
    assert district.count() == Organisation.objects.count()  # one tree: everything hangs under the committee


def test_hosts_cover_every_sector_and_formation(seeded):
    assert set(HostUnit.objects.values_list("sector", flat=True)) == set(HostUnit.Sector.values)
    assert set(HostUnit.objects.values_list("formation", flat=True)) == set(HostUnit.Formation.values)
    joint = (
        HostUnit.objects.filter(formation=HostUnit.Formation.JOINT)
        .values("organisation")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )
    assert Organisation.objects.filter(pk__in=joint.values("organisation"), kind=Organisation.Kind.JOINT_BRANCH)
    for host in HostUnit.objects.filter(formation=HostUnit.Formation.ATTACHED):
        assert host.organisation.kind == Organisation.Kind.PARTY_GROUP
    instructed = HostUnit.objects.filter(formation=HostUnit.Formation.INSTRUCTOR)
    assert instructed.exists()
    for host in instructed:
        assert host.instructor is not None
        assert host.instructor.roles.filter(role=Role.INSTRUCTOR, organisation=host.organisation).exists()
    uncovered = HostUnit.objects.filter(formation=HostUnit.Formation.NONE)
    assert uncovered.count() >= 1 and not uncovered.exclude(organisation=None).exists()
    assert HostUnit.objects.filter(has_trade_union=True).exists()


def test_grids_form_a_hierarchy_with_one_unserved(seeded):
    street = Grid.objects.get(level=Grid.Level.STREET)
    assert street.children.filter(level=Grid.Level.COMMUNITY).count() >= 3
    assert Grid.objects.filter(level=Grid.Level.GRID, parent__level=Grid.Level.COMMUNITY).count() >= 8
    assert Grid.objects.filter(organisation__isnull=True).exists()
    assert Grid.objects.filter(organisation__isnull=False).count() > Grid.objects.count() / 2
    people = Person.objects.count()
    assert 0 < Person.objects.filter(grid__isnull=True).count() < people / 10  # a few without a grid


def test_people_have_every_status_with_dated_steps_and_events(seeded):
    assert Person.objects.count() >= 300
    assert set(Person.objects.values_list("political_status", flat=True)) == set(PoliticalStatus.values)
    assert Person.objects.exclude(phone="").count() > Person.objects.count() * 0.8
    assert not Person.objects.filter(Q(id_number_masked="") | Q(id_number_hash=None)).exists()
    today = timezone.localdate()
    assert not StatusStep.objects.filter(date__gt=today).exists()
    for person in Person.objects.exclude(political_status=PoliticalStatus.MASSES).prefetch_related("status_steps"):
        steps = list(person.status_steps.all())
        # every step from 入党申请人 up to the current status, in order, each with its date
        wanted = PoliticalStatus.values[1 : PoliticalStatus.rank(person.political_status) + 1]
        assert [step.status for step in steps] == wanted, person
        assert [step.date for step in steps] == sorted(step.date for step in steps)
        assert steps[0].date >= person.birth_date + datetime.timedelta(days=18 * 365)
        for step in steps:
            assert (step.publicity_start is not None) == (step.status in PUBLICITY_STATUSES)
    events = dict(MembershipEvent.objects.values_list("kind").order_by().annotate(n=Count("pk")))
    assert events[MembershipEvent.Kind.JOIN] >= 150
    assert events[MembershipEvent.Kind.TRANSFER_IN] >= 1
    assert events[MembershipEvent.Kind.TRANSFER_OUT] >= 1
    assert events[MembershipEvent.Kind.RETIRE] >= 1
    assert events[MembershipEvent.Kind.DEATH] == 1
    assert Person.objects.filter(is_active_member=False).count() >= 2
    assert Person.objects.filter(is_retired=True).count() == events[MembershipEvent.Kind.RETIRE]


def test_every_branch_general_branch_and_committee_has_a_current_secretary(seeded):
    led = Organisation.objects.exclude(
        kind__in=[
            Organisation.Kind.PARTY_GROUP,
            Organisation.Kind.FUNCTIONAL_GROUP,
            Organisation.Kind.TEMPORARY_GROUP,
        ]
    )
    assert led.count() >= 17
    for organisation in led:
        secretaries = RoleAssignment.objects.filter(current(Q(organisation=organisation, role=Role.SECRETARY)))
        assert secretaries.count() == 1, organisation
    assert RoleAssignment.objects.filter(role=Role.DEPUTY).exists()
    assert RoleAssignment.objects.filter(role=Role.COMMITTEE_MEMBER).exclude(liaison="").count() >= 10
    assert RoleAssignment.objects.filter(end_date__isnull=False).exists()  # one secretary was replaced


def test_mobile_members_include_one_overdue_and_one_returned(seeded):
    orgadmin = User.objects.get(username="orgadmin")
    rows = selectors.mobile_member_rows(records=selectors.mobile_member_list_for_user(user=orgadmin))
    assert 4 <= len(rows) <= 6
    assert sum(row["overdue"] for row in rows) >= 1
    assert sum(not row["overdue"] for row in rows if row["record"].returned_on is None) >= 3
    assert MobileMember.objects.filter(returned_on__isnull=False).count() == 1
    kinds = set(MobileReport.objects.values_list("kind", flat=True))
    assert kinds == set(MobileReport.Kind.values)
    assert not MobileReport.objects.filter(date__gt=timezone.localdate()).exists()


def test_demo_logins_work_and_have_the_right_scope(seeded):
    for username in LOGINS:
        assert authenticate(username=username, password=PASSWORD) is not None, username
    member = authenticate(username=MEMBER_PHONE, password=PASSWORD)
    assert member is not None and member.username == "member"
    assert member.person.organisation == org(BRANCH_A)
    assert member.person.political_status == PoliticalStatus.FULL
    assert MEMBER_PHONE in seeded and "http://127.0.0.1:8000" in seeded
    for username in LOGINS:
        assert username in seeded

    orgadmin = User.objects.get(username="orgadmin")
    assert orgadmin.is_org_department and orgadmin.is_staff and orgadmin.is_superuser
    branch_a, branch_b = org(BRANCH_A), org(BRANCH_B)
    users = {username: User.objects.get(username=username) for username in LOGINS}
    for username in ("committee", "secretary", "outsider"):
        assert users[username].is_staff and users[username].groups.exists()
    assert not users["member"].is_staff
    assert selectors.scope_for(users["committee"]).covers_path(branch_a.path)
    assert selectors.scope_for(users["committee"]).covers_path(branch_b.path)
    assert selectors.scope_for(users["secretary"]).covers_path(branch_a.path)
    assert not selectors.scope_for(users["secretary"]).covers_path(branch_b.path)
    assert selectors.scope_for(users["outsider"]).covers_path(branch_b.path)
    assert not selectors.scope_for(users["outsider"]).covers_path(branch_a.path)
    assert not selectors.scope_for(users["member"]).manages_anything


def test_second_run_changes_nothing_and_restores_the_demo_password(seeded):
    before = counts()
    member = User.objects.get(username="member")
    portal_actions.account_password_set(actor=None, user=member, password="another-secret-42")
    assert authenticate(username="member", password=PASSWORD) is None

    output = seed()

    assert counts() == before
    assert "已存在" in output
    for username in LOGINS:
        assert authenticate(username=username, password=PASSWORD) is not None, username
    # the only new audit events are the five password resets (plus the one made above)
    assert AuditEvent.objects.filter(action="account.password_set").count() == 6


# The volunteer teams and the demo year (services.demo) ------------------------------------------------------


def test_teams_have_levels_leaders_members_applicants_and_skills(seeded):
    from volunteers.models import PersonSkill, Team, TeamMembership

    assert set(Team.objects.values_list("level", flat=True)) == set(Team.Level.values)
    for team in Team.objects.all():
        active = team.memberships.filter(state=TeamMembership.State.ACTIVE)
        assert 5 <= active.count() <= 25, team
        assert active.filter(role=TeamMembership.Role.LEADER).count() == 1, team
    assert TeamMembership.objects.filter(state=TeamMembership.State.PENDING).exists()
    assert PersonSkill.objects.count() >= 20


def test_the_demo_year_has_activities_participations_and_every_state(seeded):
    from services.models import Activity, ActivityCategory, HoursEntry, Participation

    today = timezone.localdate()
    assert Activity.objects.count() >= 1000
    assert Participation.objects.count() >= 10000
    assert not ActivityCategory.objects.filter(activities__isnull=True).exists()  # every category used
    states = dict(Activity.objects.values_list("state").order_by().annotate(n=Count("pk")))
    assert set(states) == set(Activity.State.values)
    assert states[Activity.State.CLOSED] > Activity.objects.count() * 0.8
    past = Activity.objects.filter(state__in=[Activity.State.CLOSED, Activity.State.ENDED])
    assert not past.filter(ends_at__date__gte=today).exists()
    assert past.filter(starts_at__date__lte=today - datetime.timedelta(days=330)).exists()  # spread over the year
    assert not past.filter(starts_at__date__lt=today - datetime.timedelta(days=366)).exists()
    upcoming = Activity.objects.filter(state=Activity.State.PUBLISHED, starts_at__gt=timezone.now())
    assert upcoming.exists() and Participation.objects.filter(activity__in=upcoming).exists()
    assert not Activity.objects.filter(state=Activity.State.CLOSED, served_people__isnull=True).exists()
    assert Participation.objects.filter(state=Participation.State.NO_SHOW).exists()
    approved = HoursEntry.objects.filter(state=HoursEntry.State.APPROVED)
    assert approved.count() >= 9000
    assert approved.filter(hours__gte=1, hours__lte=4).count() > approved.count() * 0.95


def test_member_has_approved_hours_and_a_star_and_secretary_has_hours_to_approve(seeded):
    from services import selectors as service_selectors

    member = User.objects.get(username="member")
    standing = service_selectors.my_standing(person_id=member.person.pk)
    assert standing.hours >= 100 and standing.stars >= 1
    secretary = User.objects.get(username="secretary")
    pending = service_selectors.hours_pending_for_user(user=secretary)
    assert pending.exclude(participation__person__user=secretary).exists()


def test_the_checker_finds_each_suspicious_pattern(seeded):
    from services import selectors as service_selectors

    found = service_selectors.suspicious_hours_for_user(user=User.objects.get(username="orgadmin"))
    assert 1 <= len(found["overlaps"]) <= 10
    assert 1 <= len(found["long_days"]) <= 10
    assert 1 <= len(found["late_entries"]) <= 10  # a handful, not the whole imported year


def test_second_run_adds_no_team_activity_or_participation(seeded):
    from services.models import Activity, HoursEntry, Participation
    from volunteers.models import Team, TeamMembership

    models = [Team, TeamMembership, Activity, Participation, HoursEntry]
    before = {model.__name__: model.objects.count() for model in models}
    seed()
    assert {model.__name__: model.objects.count() for model in models} == before


def test_every_community_register_is_filled_in_every_state(seeded):
    from services.models import Demand, Household, Pairing, PairingVisit, Pledge, Post, VisitPhoto
    from services.selectors.demands import demand_list_for_user

    assert set(Demand.objects.values_list("state", flat=True)) == set(Demand.State.values)
    assert set(Demand.objects.values_list("channel", flat=True)) == set(Demand.Channel.values)
    secretary = User.objects.get(username="secretary")
    demands = list(demand_list_for_user(user=secretary))
    assert demands and demands[0].is_overdue, "the secretary's list starts with an overdue demand"
    assert any(demand.is_unmet for demand in demand_list_for_user(user=User.objects.get(username="orgadmin")))
    assert Pledge.objects.filter(person__isnull=False).exists() and Pledge.objects.filter(person__isnull=True).exists()
    assert {"fulfilled", "partial", "unfulfilled"} <= set(Pledge.objects.values_list("result", flat=True))
    assert set(Post.objects.values_list("kind", flat=True)) == set(Post.Kind.values)
    assert set(Household.objects.values_list("situation", flat=True)) == set(Household.Situation.values)
    assert Pairing.objects.count() >= 30 and PairingVisit.objects.count() >= 300 and VisitPhoto.objects.exists()
    assert Pairing.objects.filter(helper__user__username="member").exists()
    assert "群众需求" in seeded and "结对帮扶" in seeded and "承诺" in seeded


def test_second_run_adds_no_community_record(seeded):
    from services.models import Demand, Pairing, PairingVisit, Pledge, PledgeProgress, Post

    models = [Demand, Pledge, PledgeProgress, Post, Pairing, PairingVisit]
    before = {model.__name__: model.objects.count() for model in models}
    assert "已存在" in seed()
    assert {model.__name__: model.objects.count() for model in models} == before


def test_the_holiday_calendar_comes_from_the_package_and_a_year_it_lacks_from_the_demo_table(seeded):
    from branches.models import CalendarDay
    from portal.lib.workdays import official_calendar, official_calendar_years

    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        kept = {
            row.date: (row.kind == CalendarDay.Kind.HOLIDAY, row.name)
            for row in CalendarDay.objects.filter(date__year=year)
        }
        if year in official_calendar_years():
            assert kept == {day.date: (day.is_holiday, day.name) for day in official_calendar([year])}, year
        else:  # the package does not know it yet: the demo's own 元旦, 国庆节 and a make-up workday
            assert kept[datetime.date(year, 1, 1)] == (True, "元旦")
            assert kept[datetime.date(year, 10, 1)] == (True, "国庆节")
            assert (False, "国庆节调休上班") in kept.values()
