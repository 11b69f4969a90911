"""The importers the apps supply, named in settings.IMPORTERS (kind → dotted path): `portal` names them without
importing any app."""

from django.conf import settings
from django.utils.module_loading import import_string

from portal.imports.base import Importer


def importer_class(kind: str) -> type[Importer] | None:
    path = settings.IMPORTERS.get(kind)
    return import_string(path) if path else None


def importer_classes() -> list[type[Importer]]:
    """In the order a new installation loads them (settings.IMPORTERS' order)."""
    return [import_string(path) for path in settings.IMPORTERS.values()]
