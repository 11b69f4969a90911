"""Factories for rows. State changes in tests go through actions, as everywhere else."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from branches import actions
from branches.models import Grid, HostUnit, Organisation, Person, PoliticalStatus
from portal.lib import idnumbers

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
