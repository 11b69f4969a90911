"""What every importer of a lower or higher app looks up once per file: organisations by code or name, people by
the keyed hash of their ID number, grids and host units by name — each resolved within the importer's scope."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from branches import actions
from branches.models import Grid, HostUnit, Organisation, Person
from branches.selectors import Scope, organisation_choices_for_user, organisation_default_for_user, scope_for
from portal.imports import cells
from portal.imports.base import Importer, Row
from portal.lib import idnumbers
from portal.models import User

CHUNK = 500  # stay under SQLite's limit on query parameters


def values_of(rows: Iterable[Row], header: str) -> set[str]:
    return {cells.text(row.cell(header)) for row in rows} - {""}


def id_hash(id_number: str) -> str:
    return actions.id_number_fields(id_number)["id_number_hash"]


class ScopedImporter(Importer):
    """An importer for those who manage organisations (a secretary into their subtree, 组织部 anywhere)."""

    organisation_label = "导入到"

    def __init__(self, *, actor: User | None, organisation: Organisation | None = None) -> None:
        super().__init__(actor=actor, organisation=organisation)
        self.scope = scope_for(actor) if actor is not None else Scope(everything=True)

    @classmethod
    def allowed(cls, user: User | None) -> bool:
        return user is None or scope_for(user).manages_anything

    @classmethod
    def organisation_choices(cls, user: User) -> QuerySet[Organisation] | None:
        """The organisations the upload may name as the default (None: this kind has no default organisation)."""
        return organisation_choices_for_user(user=user) if cls.organisation_label else None

    @classmethod
    def organisation_default(cls, user: User, choices: QuerySet[Organisation]) -> Organisation | None:
        return organisation_default_for_user(user=user, choices=choices)


class OrganisationLookup:
    """Organisations named in a column, by 组织编码 or by name, found with one query."""

    def __init__(self, keys: set[str], scope: Scope) -> None:
        self.scope = scope
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        if keys:
            for organisation in Organisation.objects.filter(Q(code__in=keys) | Q(name__in=keys)):
                if organisation.code in keys:
                    self.by_code[organisation.code] = organisation
                if organisation.name in keys:
                    self.by_name.setdefault(organisation.name, []).append(organisation)

    def resolve(self, row: Row, column: str, key: str, *, writable: bool = True) -> Organisation | None:
        """The organisation `key` names, or None with the row's error: unknown, ambiguous, out of scope, archived."""
        candidates = [self.by_code[key]] if key in self.by_code else self.by_name.get(key, [])
        if not candidates:
            row.error(column, f"党组织“{key}”不存在。")
        elif len(candidates) > 1:
            row.error(column, f"有多个党组织名为“{key}”，请改填组织编码。")
        elif writable and not self.scope.covers_path(candidates[0].path):
            row.error(column, f"党组织“{key}”不在您的管理范围内。")
        elif candidates[0].is_archived:
            row.error(column, f"党组织“{key}”已撤销。")
        else:
            return candidates[0]
        return None


class PersonLookup:
    """Registered people by the keyed hash of the ID numbers in a column, with one query per 500 numbers."""

    def __init__(self, rows: Iterable[Row], column: str = "身份证号") -> None:
        hashes = sorted(
            {
                id_hash(number)
                for number in (idnumbers.normalise(text) for text in values_of(rows, column))
                if idnumbers.is_valid(number)
            }
        )
        self.people: dict[str, Person] = {}
        for start in range(0, len(hashes), CHUNK):
            chunk = Person.objects.filter(id_number_hash__in=hashes[start : start + CHUNK]).select_related(
                "organisation", "grid", "host"
            )
            self.people.update({person.id_number_hash: person for person in chunk})

    def get(self, id_number: str) -> Person | None:
        return self.people.get(id_hash(id_number)) if idnumbers.is_valid(id_number) else None


def read_id_number(row: Row, column: str = "身份证号", *, required: bool = True) -> str:
    """The row's ID number, normalised ("" with the row's error when missing or invalid); the preview shows it
    masked. The template's example number is refused."""
    from branches.importers.people import EXAMPLE_ID_NUMBER

    number = row.read(column, cells.id_number, "")
    if not number and required and not row.failed(column):
        row.error(column, "不能为空。")
    if number == EXAMPLE_ID_NUMBER:
        row.error(column, "这是模板中的示例行，请删除后再导入。")
        return ""
    return number


def shown_id_number(row: Row, column: str = "身份证号") -> str:
    """The preview's ID number: masked — a mistyped number is masked too (one wrong digit from a real one)."""
    number = idnumbers.normalise(cells.text(row.cell(column)))
    return idnumbers.mask(number) or (f"{number[:2]}…{number[-2:]}" if len(number) > 6 else number)


class NamedLookup:
    """Grids or host units by name (grids may repeat a name in different communities)."""

    def __init__(self, model: type[Grid] | type[HostUnit], names: set[str]) -> None:
        self.by_name: dict[str, list[Any]] = {}
        if names:
            for item in model.objects.filter(name__in=names).select_related("organisation"):
                self.by_name.setdefault(item.name, []).append(item)

    def candidates(self, name: str) -> list[Any]:
        return self.by_name.get(name, [])
