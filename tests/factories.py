"""Factories for rows. State changes in tests go through actions, as everywhere else."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from branches import actions
from branches.models import Grid, HostUnit, Organisation, Person, PoliticalStatus
from evaluations.models import PointsEntry, PointsRule, PointsRuleSet, Rating
from portal.lib import idnumbers
from services.models import ActivityCategory, Demand, DemandCategory, Household, Pairing, PairingVisit, Pledge

_id_serial = itertools.count(1)


def fake_id_number(birth: datetime.date = datetime.date(1980, 5, 17)) -> str:
    """A valid, fictional ID number, different on every call."""
    serial = next(_id_serial) % 1000
    return idnumbers.with_check_char(f"110101{birth:%Y%m%d}{serial:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo12345")


class OrganisationFactory(factory.Factory):
    """Organisations are tree nodes: created through the action so the materialised path is right."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = Organisation.Kind.BRANCH
    parent = None

    @classmethod
    def _create(cls, model_class, *, parent=None, **kwargs):
        return actions.organisation_create(actor=None, parent=parent, **kwargs)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    name = factory.Sequence(lambda n: f"第{n}网格")


class HostUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    sector = HostUnit.Sector.ENTERPRISE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    political_status = PoliticalStatus.MASSES


class ActivityCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityCategory

    code = factory.Sequence(lambda n: f"category{n}")
    name = factory.Sequence(lambda n: f"类别{n}")


class DemandFactory(factory.django.DjangoModelFactory):
    """A demand row as it stands (any state): for tests that only read demands. Tests of the demand steps use
    the actions."""

    class Meta:
        model = Demand

    organisation = factory.SubFactory(OrganisationFactory)
    channel = Demand.Channel.HOTLINE
    category = factory.LazyFunction(lambda: DemandCategory.objects.order_by("pk").first())
    content = factory.Sequence(lambda n: f"需求{n}")
    received_on = factory.LazyFunction(timezone.localdate)
    deadline = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=7))


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"承诺{n}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    organisation = factory.SubFactory(OrganisationFactory)
    head_name = factory.Sequence(lambda n: f"户主{n}")
    address = factory.Sequence(lambda n: f"幸福里{n}号")
    situation = Household.Situation.OLD_MEMBER


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    helper = factory.SubFactory(PersonFactory)
    household = factory.SubFactory(HouseholdFactory)
    organisation = factory.SelfAttribute("household.organisation")
    started_on = factory.LazyFunction(timezone.localdate)
    help_plan = "每月走访"
    content = "生活照料"


class PairingVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairingVisit

    pairing = factory.SubFactory(PairingFactory)
    date = factory.LazyFunction(timezone.localdate)
    notes = "走访"


class RatingFactory(factory.django.DjangoModelFactory):
    """A rating row as stored; a rating as the public gives it goes through rating_submit."""

    class Meta:
        model = Rating

    level = 5
    device = factory.Sequence(lambda n: f"factory-device-{n:06d}")


class PointsEntryFactory(factory.django.DjangoModelFactory):
    """A ledger row written directly (fixture data, or a row the settlement must cope with); settled rows come
    from points_settle."""

    class Meta:
        model = PointsEntry

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    date = factory.LazyFunction(timezone.localdate)
    points = 1
    rule = factory.LazyAttribute(lambda o: manual_rule(o.date.year))
    source_type = PointsEntry.Source.MANUAL
    source_key = factory.Sequence(lambda n: f"factory:{n}")


def manual_rule(year: int) -> PointsRule:
    """The year's manual-adjustment rule (its rule set made when the year has none)."""
    rule_set, _ = PointsRuleSet.objects.get_or_create(year=year, version=1, defaults={"is_current": True})
    rule, _ = PointsRule.objects.get_or_create(rule_set=rule_set, code=PointsRule.Code.MANUAL, defaults={"points": 0})
    return rule


def member(
    organisation: Organisation, name: str = "", joined: datetime.date = datetime.date(2010, 7, 1), **kwargs
) -> Person:
    """A full party member with the dated steps and join event a real one has (through the actions)."""
    person = PersonFactory(organisation=organisation, **({"name": name} if name else {}), **kwargs)
    actions.status_step_add(actor=None, person=person, status=PoliticalStatus.PROBATIONARY, date=joined)
    actions.status_step_add(
        actor=None, person=person, status=PoliticalStatus.FULL, date=joined + datetime.timedelta(days=366)
    )
    person.refresh_from_db()
    return person
