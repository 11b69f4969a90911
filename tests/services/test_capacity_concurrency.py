"""Two people taking the last place at the same moment: exactly one gets it (PostgreSQL row lock)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from services import actions
from services.models import ActivityCategory, Participation
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_people_racing_for_the_last_place_exactly_one_gets_it(cast):
    now = timezone.now()
    activity = actions.activity_create(
        actor=cast.secretary,
        title="最后一个名额",
        category=ActivityCategory.objects.get(code="convenience"),
        place="社区广场",
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=2),
        organisation=cast.branch_a,
        capacity=2,
    )
    actions.activity_publish(actor=cast.secretary, activity=activity)
    actions.participation_sign_up(actor=cast.member, activity=activity)  # one place left

    racers = []
    for index in range(2):
        person = member(cast.branch_a, name=f"抢名额{index}")
        user = UserFactory(username=f"racer{index}")
        person.user = user
        person.save(update_fields=["user"])
        racers.append(user)

    barrier = threading.Barrier(len(racers))
    outcomes: list = []

    def sign_up(user):
        try:
            barrier.wait()
            outcomes.append(actions.participation_sign_up(actor=user, activity=activity))
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(user,)) for user in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 1 and "名额已满" in refused[0].messages[0]
    assert Participation.objects.filter(activity=activity, state__in=Participation.TAKING_A_PLACE).count() == 2
