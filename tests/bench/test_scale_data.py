"""The scale data generator at its demo size: exact counts, a sound tree, references that hold together, and the
application's own computations (points settle, mass scores, assessment figures) agreeing with what it wrote."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone

from bench.scale import SCALES, generate
from branches.models import MEMBER_STATUSES, Grid, HostUnit, MobileMember, Organisation, Person, RoleAssignment
from evaluations.actions.points import points_settle
from evaluations.actions.reviews import mass_scores
from evaluations.models import BranchAssessment, FollowUp, PointsEntry, Rating, ReviewRound, ReviewSheet
from evaluations.selectors.assessment import branch_figures
from portal.models import User
from services.models import Activity, Demand, HoursEntry, Household, Pairing, Participation, Post
from volunteers.models import Team, TeamMembership

SPEC = SCALES["demo"]
SEED = 7


@pytest.fixture
def year() -> int:
    return timezone.localdate().year - 1


@pytest.fixture
def written(db, year) -> dict[str, int]:
    """The demo scale generated into the (empty) test database; rows written per model label."""
    return generate(scale="demo", year=year, seed=SEED, log=lambda line: None)


def test_counts_match_the_spec(written):
    assert Organisation.objects.count() == SPEC.organisations
    assert Person.objects.count() == SPEC.people
    members = Person.objects.filter(is_active_member=True, political_status__in=MEMBER_STATUSES)
    assert members.count() == SPEC.members
    assert Person.objects.filter(is_active_member=False).count() == SPEC.left
    assert Activity.objects.count() == SPEC.activities
    assert Activity.objects.filter(state=Activity.State.CANCELLED).count() == SPEC.cancelled
    assert Activity.objects.exclude(state__in=[Activity.State.CLOSED, Activity.State.CANCELLED]).count() == 0
    assert Participation.objects.count() == SPEC.participations
    assert Rating.objects.count() == SPEC.ratings
    assert Demand.objects.count() == SPEC.demands
    assert Household.objects.count() == Pairing.objects.count() == SPEC.households
    assert MobileMember.objects.count() == SPEC.mobile
    assert Post.objects.count() == SPEC.posts
    assert Grid.objects.count() == SPEC.committees + SPEC.communities + SPEC.grids
    kinds = dict(Organisation.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    assert kinds["general_branch"] == SPEC.general_branches
    assert kinds["branch"] + kinds["joint_branch"] == SPEC.branches
    assert kinds["joint_branch"] == SPEC.joint_branches
    # every table the generator reports holds exactly what it reports
    for label, rows in written.items():
        assert apps.get_model(label).objects.count() == rows, label


def test_trees_are_sound(written):
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    assert Team.objects.find_problems() == ([], [], [], [], [])
    assert Organisation.objects.get_root_nodes().count() == 1


def test_references_hold_together(written):
    connection.check_constraints()  # every foreign key points at a row
    root = Organisation.objects.get_root_nodes().get()
    outside = Participation.objects.exclude(activity__organisation__path__startswith=root.path) | (
        Participation.objects.exclude(person__organisation__path__startswith=root.path)
    )
    assert not outside.exists()
    # a branch's own activity draws on its subtree; a team's on the team's active members
    own = Participation.objects.filter(activity__team__isnull=True).exclude(
        person__organisation__path__startswith=F("activity__organisation__path")
    )
    assert not own.exists()
    in_team = TeamMembership.objects.filter(
        team=OuterRef("activity__team"), person=OuterRef("person"), state=TeamMembership.State.ACTIVE
    )
    assert not Participation.objects.filter(activity__team__isnull=False).exclude(Exists(in_team)).exists()
    # closed activities: attended people have approved hours, everyone starts inside the year
    attended = Participation.objects.filter(state=Participation.State.ATTENDED)
    assert HoursEntry.objects.filter(state=HoursEntry.State.APPROVED).count() == attended.count()
    assert not Activity.objects.exclude(starts_at__year=timezone.localdate().year - 1).exists()
    # ratings inside the rating window, every 差评 followed up
    rating = Rating.objects.order_by("created_at").first()
    assert rating.created_at >= rating.activity.starts_at
    assert not Rating.objects.filter(created_at__lt=F("activity__starts_at")).exists()
    assert not Rating.objects.filter(created_at__gt=F("activity__ends_at") + datetime.timedelta(days=7)).exists()
    bad = Rating.objects.filter(level__lte=Rating.BAD_UP_TO)
    assert bad.exists()
    assert FollowUp.objects.count() == bad.count()
    # every party member has a start (join or transfer in); every current secretary can log in
    assert not Person.objects.filter(political_status__in=MEMBER_STATUSES, events__isnull=True).exists()
    secretaries = RoleAssignment.objects.filter(role="secretary", end_date__isnull=True)
    assert secretaries.count() == User.objects.filter(username__startswith="sec").count()
    assert not secretaries.filter(person__user__isnull=True).exists()
    assert HostUnit.objects.filter(formation=HostUnit.Formation.INSTRUCTOR, instructor__isnull=False).exists()


def test_points_are_what_a_real_settle_books(written, year):
    keys = PointsEntry.objects.values("source_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert not keys.exists()
    assert PointsEntry.objects.filter(rule__code="base").count() == SPEC.members
    before = PointsEntry.objects.count()
    with transaction.atomic():
        counts = points_settle(year=year, until=datetime.date(year, 12, 31))
    assert counts == dict.fromkeys(counts, 0)
    assert PointsEntry.objects.count() == before


def test_reviews_and_assessments_agree_with_the_application(written, year):
    for round_ in ReviewRound.objects.all():
        sheets = list(round_.sheets.all())
        real = mass_scores(round=round_, person_ids=[sheet.person_id for sheet in sheets])
        assert [sheet.mass_score for sheet in sheets] == [real[sheet.person_id][0] for sheet in sheets]
    assert ReviewSheet.objects.exclude(grade="").count() == SPEC.members
    for assessment in BranchAssessment.objects.select_related("organisation"):
        assert assessment.figures == branch_figures(organisation=assessment.organisation, year=year)


def test_a_second_run_without_flush_refuses(written):
    rows = Participation.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("generate_scale_data", scale="demo")
    assert "数据库中已有数据" in str(error.value)
    assert "--flush" in str(error.value)
    assert Participation.objects.count() == rows


@pytest.fixture
def _fresh_content_types():
    yield
    ContentType.objects.clear_cache()  # --flush made content types that the test's rollback took away again


def _fingerprint() -> tuple:
    return (
        list(Person.objects.order_by("pk").values_list("name", "birth_date", "id_number_hash", "organisation__path")),
        list(Participation.objects.order_by("pk").values_list("activity_id", "person_id", "state")),
        list(PointsEntry.objects.order_by("pk").values_list("source_key", "points")),
    )


@pytest.mark.usefixtures("_fresh_content_types")
def test_flush_and_the_same_seed_give_the_same_data(written, year):
    first = _fingerprint()
    generate(scale="demo", year=year, seed=SEED, do_flush=True, log=lambda line: None)
    assert _fingerprint() == first
