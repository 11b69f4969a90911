"""Two secretaries recording the same change at the same moment: PostgreSQL row locks keep one outcome."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from branches import actions
from branches.models import MembershipEvent, PoliticalStatus, StatusStep
from tests.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(target, count: int = 2) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(target())
        except (ValidationError, IntegrityError) as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_same_status_step_twice_at_once_records_one_step_and_one_join(cast):
    person = PersonFactory(organisation=cast.branch_a, political_status=PoliticalStatus.DEVELOPMENT_TARGET)
    outcomes = _race(
        lambda: actions.status_step_add(
            actor=None, person=person, status=PoliticalStatus.PROBATIONARY, date=datetime.date(2025, 7, 1)
        )
    )
    assert len(outcomes) == 2
    assert sum(isinstance(outcome, Exception) for outcome in outcomes) == 1
    assert StatusStep.objects.filter(person=person, status=PoliticalStatus.PROBATIONARY).count() == 1
    assert MembershipEvent.objects.filter(person=person, kind=MembershipEvent.Kind.JOIN).count() == 1


def test_same_return_twice_at_once_closes_once(cast):
    record = actions.mobile_departure_record(
        actor=None, person=cast.person_a, leave_date=datetime.date(2025, 1, 5), destination="深圳"
    )
    outcomes = _race(
        lambda: actions.mobile_return_record(actor=None, mobile_member=record, date=datetime.date(2025, 6, 1))
    )
    assert sum(isinstance(outcome, ValidationError) for outcome in outcomes) == 1
    record.refresh_from_db()
    assert record.returned_on == datetime.date(2025, 6, 1)


def test_opening_the_same_accounts_twice_at_once_opens_each_once(cast):
    """Two clicks of 「开通账号」 for the same people at once: the rows are locked and re-read, so the second waits
    and then skips them (already has an account) instead of opening a second account for anyone."""
    from branches.models import Person
    from portal.models import User

    people = [PersonFactory(organisation=cast.branch_a, name=f"并发{i}", phone=f"1396666{i:04d}") for i in range(20)]
    ids = [person.pk for person in people]
    users = User.objects.count()
    outcomes = _race(
        lambda: actions.people_accounts_open(actor=cast.secretary, people=Person.objects.filter(pk__in=ids))
    )
    assert sorted(len(outcome.opened) for outcome in outcomes) == [0, 20]
    assert User.objects.count() == users + 20
    assert Person.objects.filter(pk__in=ids, user__isnull=True).count() == 0
