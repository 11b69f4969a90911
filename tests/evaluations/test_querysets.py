"""FollowUp.objects.open(): 未办结 is every state but closed (not only 待回访)."""

import datetime

import factory
import pytest

from evaluations.models import FollowUp, Rating
from services.models import Activity, ActivityCategory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC)


class _ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = "社区义诊"
    organisation = factory.LazyFunction(OrganisationFactory)
    category = factory.LazyFunction(lambda: ActivityCategory.objects.order_by("pk").first())
    place = "社区服务站"
    starts_at = NOON
    ends_at = NOON + datetime.timedelta(hours=2)
    state = Activity.State.ENDED


class _RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    activity = factory.SubFactory(_ActivityFactory)
    level = Rating.Level.VERY_UNSATISFIED
    device = factory.Sequence(lambda n: f"device-{n}")


class _FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    rating = factory.SubFactory(_RatingFactory)
    organisation = factory.LazyAttribute(lambda o: o.rating.activity.organisation)
    due_on = datetime.date(2026, 12, 29)


def test_open_follow_ups_are_all_but_closed():
    by_state = {state: _FollowUpFactory(state=state) for state in FollowUp.State.values}
    assert set(FollowUp.objects.open()) == {
        by_state[FollowUp.State.OPEN],
        by_state[FollowUp.State.CALLED_BACK],
        by_state[FollowUp.State.RECTIFIED],
    }
