"""Helpers for the review tests: rounds opened through the action, members added to branch A, activities a member
attended with public ratings, and points ledger rows (the ledger's own actions belong to the points area)."""

import datetime
import itertools

from django.utils import timezone

from evaluations.actions.reviews import review_round_open
from evaluations.models import PointsEntry, ReviewRound, ReviewSheet
from services import actions as service_actions
from tests.evaluations.conftest import activity, rate
from tests.factories import PointsEntryFactory, manual_rule, member

_keys = itertools.count(1)


def this_year() -> int:
    return timezone.localdate().year


def open_round(cast, *, organisation=None, kind=ReviewRound.Kind.YEARLY, year=None, half=None, **kwargs):
    today = timezone.localdate()
    return review_round_open(
        actor=kwargs.pop("actor", None),
        organisation=organisation or cast.branch_a,
        kind=kind,
        year=year or today.year,
        half=half,
        opens_on=kwargs.pop("opens_on", today),
        closes_on=kwargs.pop("closes_on", today + datetime.timedelta(days=14)),
        **kwargs,
    )


def sheet_of(round_: ReviewRound, person) -> ReviewSheet:
    return ReviewSheet.objects.get(round=round_, person=person)


def add_members(organisation, n: int, prefix: str = "党员") -> list:
    return [member(organisation, name=f"{prefix}{i:02d}") for i in range(n)]


def attended_with_ratings(cast, person, levels: list[int], title: str = "便民服务"):
    """An activity of the person's branch (started an hour ago) that the person attended, rated with `levels`."""
    subject = activity(cast, organisation=person.organisation, title=title)
    service_actions.participation_walk_in(actor=None, activity=subject, person=person)
    for level in levels:
        rate(subject, level)
    return subject


def points(person, amount: int, on: datetime.date | None = None) -> PointsEntry:
    """A ledger row for the mass score's points part (fixture data: the review only reads the totals)."""
    on = on or timezone.localdate()
    return PointsEntryFactory(
        person=person, date=on, points=amount, rule=manual_rule(on.year), source_key=f"test-review:{next(_keys)}"
    )
