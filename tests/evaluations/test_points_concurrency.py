"""Two settles at the same moment (PostgreSQL): the entries are those of one settle, no key twice. Nothing but the
unique source key stands between them: no lock is taken."""

import threading
from collections import Counter

import pytest
from django.db import connection

from evaluations.actions.points import points_settle, rule_set_for_year
from evaluations.models import PointsEntry
from tests.evaluations.points_helpers import END, YEAR, day, past_activity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_settles_at_the_same_moment_pay_once(cast):
    for d in range(1, 13):
        past_activity(cast, day(3, d), [cast.member_person, cast.person_a, (cast.secretary_person, "organiser", True)])
    rule_set_for_year(year=YEAR)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(points_settle(year=YEAR, until=END))
        except Exception as error:  # noqa: BLE001 — the test reports whatever went wrong
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2 and all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    keys = Counter(PointsEntry.objects.values_list("source_key", flat=True))
    assert keys and max(keys.values()) == 1
    # exactly one settle's worth: a third settle finds nothing new, and the caps held
    assert sum(points_settle(year=YEAR, until=END).values()) == 0
    march = PointsEntry.objects.filter(person=cast.member_person, date__month=3, rule__code="attended")
    assert sum(march.values_list("points", flat=True)) == 20
    assert len(keys) == sum(outcomes[0].values())  # each thread computed the same set; one of them landed
