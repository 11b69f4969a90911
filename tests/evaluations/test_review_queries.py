"""No N+1 on the review pages: the same number of queries with 3 members and with 15, under a fixed ceiling. Each
test loads the page once to warm process-wide caches, measures it small, adds members and inputs, measures again."""

import pytest
from django.urls import reverse

from evaluations.actions.reviews import (
    peer_score_submit,
    review_organisation_score,
    review_round_close,
    review_self_submit,
)
from evaluations.models import ReviewRound
from tests.evaluations.review_helpers import add_members, attended_with_ratings, open_round, points, this_year
from tests.harness import page_queries

pytestmark = pytest.mark.django_db

CEILING = 15


def _fill(cast, round_: ReviewRound) -> None:
    """Every input given for everyone (peer scores among all members), some ratings and points."""
    sheets = list(round_.sheets.select_related("person"))
    for sheet in sheets:
        if round_.kind == "yearly":
            review_self_submit(actor=None, sheet=sheet, text="自评", score=85)
            review_organisation_score(actor=cast.committee, sheet=sheet, score=80)
        for other in sheets:
            if other.pk != sheet.pk:
                peer_score_submit(actor=None, rater=sheet.person, round=round_, ratee=other.person, score=90)
    attended_with_ratings(cast, sheets[0].person, [5, 4])
    points(sheets[0].person, 10)


@pytest.mark.parametrize("kind", ["yearly", "mutual"])
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("role", ["secretary", "member", "orgadmin"])
def test_review_round_detail(cast, login, role, closed, kind):
    client = login(getattr(cast, role))
    year = this_year()
    small = open_round(cast, kind=kind, year=year - 1, half=1 if kind == "mutual" else None)
    _fill(cast, small)
    add_members(cast.branch_a, 12)  # 15 members from now on
    big = open_round(cast, kind=kind, year=year, half=1 if kind == "mutual" else None)
    _fill(cast, big)
    assert (small.sheets.count(), big.sheets.count()) == (3, 15)
    if closed:
        review_round_close(actor=None, round=small)
        review_round_close(actor=None, round=big)
    few_url = reverse("evaluations:review_round_detail", args=[small.pk])
    page_queries(client, few_url, CEILING)
    few = page_queries(client, few_url, CEILING)
    many = page_queries(client, reverse("evaluations:review_round_detail", args=[big.pk]), CEILING)
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "member", "committee"])
def test_review_round_list(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse("evaluations:review_round_list")
    open_round(cast, year=this_year() - 5)
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    add_members(cast.branch_a, 5)
    for year in range(this_year() - 4, this_year() + 1):
        open_round(cast, year=year)
        open_round(cast, kind="mutual", year=year, half=1)
        open_round(cast, kind="mutual", year=year, half=2, organisation=cast.branch_b)
    many = page_queries(client, url, CEILING)
    assert len(client.get(url).context["page"]) > 1
    assert many == few
