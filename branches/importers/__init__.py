"""The branches app's importers for the one import pipeline (portal.imports): the organisation tree, host units
and the roster. `lookups` holds what the importers of every app look up once per file."""

from branches.importers.hosts import HostImporter
from branches.importers.organisations import OrganisationImporter
from branches.importers.people import EXAMPLE_ID_NUMBER, PersonImporter

__all__ = ["EXAMPLE_ID_NUMBER", "HostImporter", "OrganisationImporter", "PersonImporter"]
