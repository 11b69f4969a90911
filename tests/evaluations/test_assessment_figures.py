"""The five measured figures of the branch assessment (DOMAIN §5) on a known data set, built with the actions:
activities (ended, closed, cancelled, on either side of the year's edges), participations, ratings, demands
(on time, late, never done, due before the year), review rounds (with and without one). Then the grouped version
for many branches agrees with the one-branch version, branch by branch.

The data set lies in last year (`Y`), wholly in the past, so every action's "not in the future" rule holds
whatever the day the tests run. The helpers here are shared by the other assessment tests.
"""

import datetime

import pytest

from branches.models import Organisation
from evaluations.selectors.assessment import branch_figures, branch_figures_many
from services.models import Activity
from tests.evaluations.assessment_helpers import Y, demand, past_activity, yearly_round
from tests.evaluations.conftest import local, rate
from tests.factories import OrganisationFactory, PersonFactory, member

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def data(cast):
    """Branch A (4 members) with a party group (1 member) and a 群众 who is no party member; B as the control."""
    group = OrganisationFactory(name="甲党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    grouper = member(group, name="小组党员")
    idle = member(cast.branch_a, name="甲未参加")
    PersonFactory(organisation=cast.branch_a, name="甲群众")  # not a party member: counted nowhere
    a, b = cast.branch_a, cast.branch_b

    # activities: counted a1 (ended), a2 (the group's, ended), a3 (closed); not counted the others
    a1 = past_activity(a, datetime.date(Y, 3, 10), attendees=[cast.secretary_person, cast.member_person])
    a2 = past_activity(group, datetime.date(Y, 5, 20), attendees=[grouper])
    past_activity(a, datetime.date(Y, 6, 1), attendees=[cast.member_person], state=Activity.State.CLOSED)
    past_activity(a, datetime.date(Y, 6, 2), state=Activity.State.CANCELLED)
    # the year before (ends 23:30 on 31 December) and the year after: `idle` attended only these, so did not take
    # part in Y
    a5 = past_activity(a, datetime.date(Y - 1, 12, 31), hour=22, minute=30, attendees=[idle])
    past_activity(a, datetime.date(Y + 1, 1, 1), hour=0, minute=30, attendees=[idle])
    # B's activity: person_a of A served there as a guest, which counts for A's participation (any organiser)
    b1 = past_activity(b, datetime.date(Y, 4, 1), attendees=[cast.outsider_person, cast.person_a])

    # ratings given in Y of the subtree's activities: 5, 4, 2, 3 and 1 (a5's, rated in the new year) → 3 of 5
    for level in (5, 4, 2):
        rate(a1, level, at=local(datetime.date(Y, 3, 10), 12))
    rate(a2, 3, at=local(datetime.date(Y, 5, 20), 12))
    rate(a5, 1, at=local(datetime.date(Y, 1, 1), 0))
    rate(a1, 5, at=local(datetime.date(Y + 1, 1, 1), 0))  # the next year
    rate(b1, 5, at=local(datetime.date(Y, 4, 1), 12))  # branch B

    # demands due in Y: on time d1, d4 (on its deadline), d5 (the group's); late d2; never done d3 → 3 of 5
    demand(cast, a, datetime.date(Y, 3, 2), late_by=-100)
    demand(cast, a, datetime.date(Y, 4, 1), late_by=3)
    demand(cast, a, datetime.date(Y, 5, 5), late_by=None)
    demand(cast, a, datetime.date(Y, 6, 1), late_by=0)
    demand(cast, group, datetime.date(Y, 7, 1), late_by=-100)
    demand(cast, a, datetime.date(Y - 1, 6, 1), late_by=5)  # due the year before
    demand(cast, b, datetime.date(Y, 3, 2), late_by=-100)  # branch B
    return {"group": group}


def test_each_figure_on_a_known_data_set(cast, data):
    figures = branch_figures(organisation=cast.branch_a, year=Y)
    assert (figures["members"], figures["activities"], figures["participants"]) == (5, 3, 4)
    assert figures["activities_per_member"] == 0.6
    assert figures["participation_rate"] == 80.0
    assert (figures["ratings"], figures["ratings_good"], figures["satisfaction_rate"]) == (5, 3, 60.0)
    assert figures["satisfaction_average"] == 3.0  # (5 + 4 + 2 + 3 + 1) / 5
    assert (figures["demands_due"], figures["demands_on_time"], figures["demands_on_time_rate"]) == (5, 3, 60.0)
    assert figures["review_rounds"] == 0 and figures["reviews_completed_rate"] is None  # no round: no figure


def test_branch_b_counts_only_its_own(cast, data):
    figures = branch_figures(organisation=cast.branch_b, year=Y)
    # B: 乙书记 and 乙党员; one activity (with A's person_a as a guest, not a member of B)
    assert (figures["members"], figures["activities"], figures["participants"]) == (2, 1, 1)
    assert figures["participation_rate"] == 50.0 and figures["activities_per_member"] == 0.5
    assert figures["satisfaction_average"] == 5.0
    assert (figures["ratings"], figures["satisfaction_rate"]) == (1, 100.0)
    assert (figures["demands_due"], figures["demands_on_time_rate"]) == (1, 100.0)


def test_reviews_completed_with_a_round(cast, data):
    yearly_round(cast.branch_a, Y, graded=2)  # four sheets (A's own members), two graded
    yearly_round(cast.branch_a, Y - 1, graded=0)  # another year: not counted
    figures = branch_figures(organisation=cast.branch_a, year=Y)
    assert (figures["review_rounds"], figures["review_sheets"], figures["reviews_graded"]) == (1, 4, 2)
    assert figures["reviews_completed_rate"] == 50.0
    assert branch_figures(organisation=cast.branch_a, year=Y - 1)["reviews_completed_rate"] == 0.0
    assert branch_figures(organisation=cast.branch_b, year=Y)["reviews_completed_rate"] is None


def test_demands_not_yet_due_are_left_out(cast, data):
    """Assessing while the year runs: a demand whose deadline is still ahead cannot be late."""
    figures = branch_figures(organisation=cast.branch_a, year=Y, today=datetime.date(Y, 5, 1))
    assert (figures["demands_due"], figures["demands_on_time"], figures["demands_on_time_rate"]) == (2, 1, 50.0)


def test_no_members_no_division(cast):
    empty = OrganisationFactory(name="空支部", parent=cast.general_branch)
    figures = branch_figures(organisation=empty, year=Y)
    assert figures["members"] == 0
    assert all(
        figures[key] is None
        for key in (
            "activities_per_member",
            "participation_rate",
            "satisfaction_rate",
            "demands_on_time_rate",
            "reviews_completed_rate",
        )
    )


def test_many_agrees_with_one_branch_at_a_time(cast, data):
    yearly_round(cast.branch_a, Y, graded=1)
    yearly_round(cast.branch_b, Y, graded=2)
    empty = OrganisationFactory(name="空支部", parent=cast.general_branch)
    # nested on purpose: the general branch holds A and B, A holds the group
    organisations = [cast.branch_a, cast.branch_b, cast.general_branch, data["group"], empty]
    many = branch_figures_many(organisations=organisations, year=Y)
    for organisation in organisations:
        assert many[organisation.pk] == branch_figures(organisation=organisation, year=Y), organisation.name
    # and the agreement is not between two empty answers
    assert many[cast.general_branch.pk]["activities"] == 4 and many[cast.branch_a.pk]["ratings"] == 5
    assert many[cast.branch_b.pk]["reviews_completed_rate"] == 100.0


def test_query_counts_do_not_grow(cast, data, django_assert_num_queries):
    with django_assert_num_queries(5):
        branch_figures(organisation=cast.branch_a, year=Y)
    few = [cast.branch_a, cast.branch_b]
    more = few + [OrganisationFactory(name=f"新支部{i}", parent=cast.general_branch) for i in range(6)]
    for organisations in (few, more):
        with django_assert_num_queries(5):
            branch_figures_many(organisations=organisations, year=Y)
