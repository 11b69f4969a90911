"""The shared read rules of service work as QuerySet methods: each returns exactly the rows its rule names, and
rows in every other state are left out. Rows are built directly (the rule is about stored states, whichever path
wrote them), one in each state."""

import datetime
from decimal import Decimal

import factory
import pytest
from django.db.models import Sum
from django.utils import timezone

from services.models import Activity, ActivityCategory, Demand, DemandCategory, HoursEntry, Participation
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 8)
NOON = datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC)


class _ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"活动{n}")
    organisation = factory.LazyFunction(OrganisationFactory)
    category = factory.LazyFunction(lambda: ActivityCategory.objects.order_by("pk").first())
    place = "社区服务站"
    starts_at = NOON
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))


class _ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    activity = factory.SubFactory(_ActivityFactory)
    person = factory.SubFactory(PersonFactory)


class _HoursEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HoursEntry

    participation = factory.SubFactory(_ParticipationFactory, state=Participation.State.ATTENDED)
    hours = Decimal(2)


class _DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand

    organisation = factory.LazyFunction(OrganisationFactory)
    channel = Demand.Channel.HOTLINE
    category = factory.LazyFunction(lambda: DemandCategory.objects.order_by("pk").first())
    content = "楼道灯坏了"
    received_on = TODAY
    deadline = TODAY + datetime.timedelta(days=7)


def test_held_is_ended_or_closed():
    by_state = {state: _ActivityFactory(state=state) for state in Activity.State.values}
    held = {by_state[Activity.State.ENDED].pk, by_state[Activity.State.CLOSED].pk}
    assert set(Activity.objects.held().values_list("pk", flat=True)) == held
    # the filter of the activity list and its related managers use the same method
    assert set(
        Activity.objects.filter(pk__in=[a.pk for a in by_state.values()]).held().values_list("pk", flat=True)
    ) == (held)


def test_attended_participations_only():
    activity = _ActivityFactory(state=Activity.State.ENDED)
    by_state = {state: _ParticipationFactory(activity=activity, state=state) for state in Participation.State.values}
    attended = by_state[Participation.State.ATTENDED]
    assert list(Participation.objects.attended()) == [attended]
    assert list(activity.participations.attended()) == [attended]
    # the same condition reached through a join: per activity, only the attended participation counts
    other = _ActivityFactory(state=Activity.State.ENDED)
    _ParticipationFactory(activity=other, state=Participation.State.NO_SHOW)
    assert list(
        Activity.objects.filter(Participation.objects.attended_q("participations__")).values_list("pk", flat=True)
    ) == [activity.pk]


def test_participations_of_held_activities():
    by_state = {
        state: _ParticipationFactory(activity=_ActivityFactory(state=state), state=Participation.State.ATTENDED)
        for state in Activity.State.values
    }
    assert set(Participation.objects.of_held_activities()) == {
        by_state[Activity.State.ENDED],
        by_state[Activity.State.CLOSED],
    }


def test_approved_entries_only():
    approved = _HoursEntryFactory(state=HoursEntry.State.APPROVED, approved_at=timezone.now())
    pending = _HoursEntryFactory(state=HoursEntry.State.PENDING)
    assert list(HoursEntry.objects.approved()) == [approved]
    assert list(pending.participation.hours_entries.approved()) == []
    # a correction counts once approved, with the entry it corrects
    correction = _HoursEntryFactory(
        participation=approved.participation, corrects=approved, hours=Decimal("-0.5"), state=HoursEntry.State.APPROVED
    )
    assert set(approved.participation.hours_entries.approved()) == {approved, correction}
    # through a join: the sum of a participation's approved entries
    totals = dict(
        Participation.objects.annotate(
            total=Sum("hours_entries__hours", filter=HoursEntry.objects.approved_q("hours_entries__"))
        ).values_list("pk", "total")
    )
    assert totals == {approved.participation_id: Decimal("1.5"), pending.participation_id: None}


def test_counted_hours_are_approved_entries_of_attended_participations():
    counted = _HoursEntryFactory(state=HoursEntry.State.APPROVED)
    _HoursEntryFactory(state=HoursEntry.State.PENDING)  # attended, not approved
    for state in (Participation.State.SIGNED_UP, Participation.State.WITHDRAWN, Participation.State.NO_SHOW):
        # approved, but the participation is not (or no longer) attended
        _HoursEntryFactory(state=HoursEntry.State.APPROVED, participation=_ParticipationFactory(state=state))
    assert list(HoursEntry.objects.counted()) == [counted]
    assert HoursEntry.objects.approved().count() == 4


def test_open_demands_are_received_or_assigned():
    by_state = {state: _DemandFactory(state=state) for state in Demand.State.values}
    assert set(Demand.objects.open()) == {by_state[Demand.State.RECEIVED], by_state[Demand.State.ASSIGNED]}
