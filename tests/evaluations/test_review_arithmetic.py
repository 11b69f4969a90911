"""The review arithmetic: weighted totals (default and custom weights, a missing part renormalised), the mass score
from ratings and points, every grade boundary, the 优秀 cap of a third of the branch with ties at the cut-off.
Expected numbers are worked out by hand in the comments, never computed with the code under test."""

from decimal import Decimal as D

import pytest

from evaluations.actions.reviews import (
    grades_for,
    mass_scores,
    peer_score_submit,
    review_organisation_score,
    review_round_close,
    review_self_submit,
    weighted_total,
)
from evaluations.models import ReviewSheet
from tests.evaluations.review_helpers import add_members, attended_with_ratings, open_round, points, sheet_of, this_year

pytestmark = pytest.mark.django_db

G = ReviewSheet.Grade
DEFAULT = (10, 30, 40, 20)


def _total(scores, weights=DEFAULT):
    return weighted_total(list(zip(scores, weights, strict=True)))


# Weighted totals ---------------------------------------------------------------------------------------------


def test_total_with_the_default_weights():
    # 80×10% + 90×30% + 70×40% + 100×20% = 8 + 27 + 28 + 20
    assert _total([D(80), D(90), D(70), D(100)]) == D("83.0")


def test_total_with_custom_weights():
    # 80×25% + 90×25% + 70×25% + 100×25% = 85; 80×0 + 90×50 + 70×50 + 0 = 80
    assert _total([D(80), D(90), D(70), D(100)], (25, 25, 25, 25)) == D("85.0")
    assert _total([D(80), D(90), D(70), D(100)], (0, 50, 50, 0)) == D("80.0")


def test_a_missing_part_is_renormalised_not_zero():
    # no mutual score: (80×10 + 70×40 + 100×20) / 70 = 5600 / 70 = 80
    assert _total([D(80), None, D(70), D(100)]) == D("80.0")
    # only the self score: 80
    assert _total([D(80), None, None, None]) == D("80.0")
    assert _total([None, None, None, None]) is None


def test_total_rounds_half_up_to_a_tenth():
    # 84.5×10% + 90×30% + 90×40% + 90×20% = 8.45 + 27 + 36 + 18 = 89.45 → 89.5 (not 89.4: half-up, not even)
    assert _total([D("84.5"), D(90), D(90), D(90)]) == D("89.5")


# Grades ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", G.EXCELLENT),
        ("90.0", G.EXCELLENT),
        ("89.9", G.QUALIFIED),
        ("70.0", G.QUALIFIED),
        ("69.9", G.BASIC),
        ("60.0", G.BASIC),
        ("59.9", G.UNQUALIFIED),
        ("0", G.UNQUALIFIED),
    ],
)
def test_grade_boundaries(total, grade):
    # a branch of 30: the cap (10) does not bind
    assert grades_for({1: D(total)}, members=30)[1] == grade


def test_no_total_no_grade():
    assert grades_for({1: None, 2: D(75)}, members=3) == {1: "", 2: G.QUALIFIED}


@pytest.mark.parametrize(
    ("members", "totals", "excellent"),
    [
        # n = 3: at most one
        (3, [95, 92, 91], [0]),
        # n = 4: still one (⌊4/3⌋ = 1)
        (4, [91, 95, 93, 90], [1]),
        # n = 6: two, the highest ones
        (6, [90, 96, 92, 91, 80, 70], [1, 2]),
        # n = 2: nobody (⌊2/3⌋ = 0)
        (2, [99, 98], []),
    ],
    ids=["n3", "n4", "n6", "n2"],
)
def test_excellent_is_capped_at_a_third_of_the_branch(members, totals, excellent):
    grades = grades_for({i: D(t) for i, t in enumerate(totals)}, members=members)
    assert sorted(i for i, g in grades.items() if g == G.EXCELLENT) == excellent
    # the others at 90 or more are 合格, not 优秀
    assert all(grades[i] == G.QUALIFIED for i, t in enumerate(totals) if t >= 70 and i not in excellent)


@pytest.mark.parametrize(
    ("members", "totals", "excellent"),
    [
        # n = 6, cap 2: 95 is in; the two at 92 would make three → neither, nor the 91 below them
        (6, [95, 92, 92, 91, 80, 75], [0]),
        # n = 6, cap 2: a tie of two at the top fits exactly
        (6, [93, 93, 91, 80, 75, 70], [0, 1]),
        # n = 3, cap 1: a tie at the top does not fit → nobody is 优秀
        (3, [95, 95, 80], []),
        # n = 4, cap 1: the tie below the first place does not matter
        (4, [97, 92, 92, 60], [0]),
    ],
    ids=["tie-over-cap", "tie-fits", "top-tie-n3", "tie-below"],
)
def test_ties_at_the_cut_off_get_excellent_all_or_none(members, totals, excellent):
    grades = grades_for({i: D(t) for i, t in enumerate(totals)}, members=members)
    assert sorted(i for i, g in grades.items() if g == G.EXCELLENT) == excellent
    tied_out = [i for i, t in enumerate(totals) if t >= 90 and i not in excellent]
    assert all(grades[i] == G.QUALIFIED for i in tied_out)


# The mass score ----------------------------------------------------------------------------------------------


def test_mass_score_from_ratings_and_branch_average(cast):
    round_ = open_round(cast)
    attended_with_ratings(cast, cast.member_person, [5, 4, 4, 3])  # average 4 → (4 − 1) / 4 × 100 = 75
    attended_with_ratings(cast, cast.secretary_person, [5, 5], title="义诊")  # 5 → 100
    ids = [cast.member_person.pk, cast.secretary_person.pk, cast.person_a.pk]
    mass = mass_scores(round=round_, person_ids=ids)
    # nobody has points: the ratings part counts alone; person_a has no rating → the branch average (75 + 100) / 2
    assert mass == {
        cast.member_person.pk: (D("75.0"), False),
        cast.secretary_person.pk: (D("100.0"), False),
        cast.person_a.pk: (D("87.5"), True),
    }


def test_mass_score_blends_points_at_twenty_percent(cast):
    round_ = open_round(cast)
    attended_with_ratings(cast, cast.member_person, [5, 4, 4, 3])  # ratings part 75
    attended_with_ratings(cast, cast.secretary_person, [5, 5], title="义诊")  # ratings part 100
    points(cast.member_person, 20)
    points(cast.member_person, 10)  # 30 of the branch's highest 60 → 50
    points(cast.secretary_person, 60)  # → 100
    ids = [cast.member_person.pk, cast.secretary_person.pk, cast.person_a.pk]
    mass = mass_scores(round=round_, person_ids=ids)
    assert mass[cast.member_person.pk][0] == D("70.0")  # 0.8 × 75 + 0.2 × 50
    assert mass[cast.secretary_person.pk][0] == D("100.0")  # 0.8 × 100 + 0.2 × 100
    assert mass[cast.person_a.pk][0] == D("70.0")  # 0.8 × 87.5 (branch average) + 0.2 × 0 (no points)


def test_mass_score_ignores_ratings_of_activities_not_attended_and_outside_the_period(cast):
    last_year = open_round(cast, year=this_year() - 1)
    attended_with_ratings(cast, cast.member_person, [1, 1])  # this year: outside last year's round
    points(cast.member_person, 40)  # this year too
    assert mass_scores(round=last_year, person_ids=[cast.member_person.pk]) == {cast.member_person.pk: (None, False)}


def test_mass_score_with_points_only_when_the_branch_has_no_ratings(cast):
    round_ = open_round(cast)
    points(cast.member_person, 50)
    points(cast.secretary_person, 100)
    mass = mass_scores(round=round_, person_ids=[cast.member_person.pk, cast.secretary_person.pk])
    assert mass == {cast.member_person.pk: (D("50.0"), False), cast.secretary_person.pk: (D("100.0"), False)}


# End to end: closing a round ---------------------------------------------------------------------------------


def test_closing_computes_every_sheet(cast):
    s, m, p = cast.secretary_person, cast.member_person, cast.person_a
    round_ = open_round(cast)
    for person, score in ((s, 90), (m, 80), (p, 50)):
        review_self_submit(actor=None, sheet=sheet_of(round_, person), text="自评", score=score)
    for person, score in ((s, 95), (m, 85), (p, 40)):
        review_organisation_score(actor=cast.committee, sheet=sheet_of(round_, person), score=score)
    for rater, ratee, score in ((s, m, 90), (p, m, 70), (m, s, 100), (p, s, 90), (s, p, 40), (m, p, 50)):
        peer_score_submit(actor=None, rater=rater, round=round_, ratee=ratee, score=score)
    attended_with_ratings(cast, m, [5, 4, 4, 3])  # 75
    attended_with_ratings(cast, s, [5, 5], title="义诊")  # 100; p: branch average 87.5

    review_round_close(actor=cast.secretary, round=round_)

    got = {
        sheet.person_id: (sheet.mutual_score, sheet.mass_score, sheet.total, sheet.grade)
        for sheet in ReviewSheet.objects.filter(round=round_)
    }
    assert got == {
        # 90×.1 + 95×.3 + 100×.4 + 95×.2 = 9 + 28.5 + 40 + 19
        s.pk: (D("95.0"), D("100.0"), D("96.5"), G.EXCELLENT),
        # 80×.1 + 80×.3 + 75×.4 + 85×.2 = 8 + 24 + 30 + 17
        m.pk: (D("80.0"), D("75.0"), D("79.0"), G.QUALIFIED),
        # 50×.1 + 45×.3 + 87.5×.4 + 40×.2 = 5 + 13.5 + 35 + 8
        p.pk: (D("45.0"), D("87.5"), D("61.5"), G.BASIC),
    }


def test_closing_with_custom_weights_and_missing_inputs(cast):
    s, m, p = cast.secretary_person, cast.member_person, cast.person_a
    round_ = open_round(cast, weights={"self": 20, "mutual": 20, "mass": 20, "organisation": 40})
    review_self_submit(actor=None, sheet=sheet_of(round_, m), text="自评", score=60)
    review_organisation_score(actor=cast.secretary, sheet=sheet_of(round_, m), score=50)
    peer_score_submit(actor=None, rater=s, round=round_, ratee=m, score=55)
    # m: no ratings and nobody rated in the branch, no points → no mass part;
    # (60×20 + 55×20 + 50×40) / 80 = (1200 + 1100 + 2000) / 80 = 53.75 → 53.8 → 不合格
    review_round_close(actor=None, round=round_)
    sheet = sheet_of(round_, m)
    assert (sheet.mass_score, sheet.total, sheet.grade) == (None, D("53.8"), G.UNQUALIFIED)
    # p gave nothing and got nothing: no total, no grade
    assert (sheet_of(round_, p).total, sheet_of(round_, p).grade) == (None, "")


def test_a_mutual_round_computes_the_mutual_part_only(cast):
    s, m = cast.secretary_person, cast.member_person
    round_ = open_round(cast, kind="mutual", half=1)
    peer_score_submit(actor=None, rater=s, round=round_, ratee=m, score=88)
    peer_score_submit(actor=None, rater=cast.person_a, round=round_, ratee=m, score=91)
    attended_with_ratings(cast, m, [5])
    review_round_close(actor=None, round=round_)
    sheet = sheet_of(round_, m)
    assert (sheet.mutual_score, sheet.mass_score, sheet.total, sheet.grade) == (D("89.5"), None, None, "")


def test_cap_in_a_closed_round_of_six(cast):
    """Six members, three at 90 or more with two tied at the cut-off: cap 2 → only the first is 优秀."""
    others = add_members(cast.branch_a, 3)
    people = [cast.secretary_person, cast.member_person, cast.person_a, *others]
    round_ = open_round(cast, weights={"self": 0, "mutual": 0, "mass": 0, "organisation": 100})
    for person, score in zip(people, [96, 92, 92, 91, 75, 55], strict=True):
        review_organisation_score(actor=cast.committee, sheet=sheet_of(round_, person), score=score)
    review_round_close(actor=None, round=round_)
    grades = [sheet_of(round_, person).grade for person in people]
    assert grades == [G.EXCELLENT, G.QUALIFIED, G.QUALIFIED, G.QUALIFIED, G.QUALIFIED, G.UNQUALIFIED]
