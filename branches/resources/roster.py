"""The import resource: `PersonResource` is a django-import-export resource with the Chinese column headers of
a branch roster.

Every check happens here, per row and before anything is written: the file is parsed by the library (tablib's
csv/xlsx), organisations, grids and already registered people are looked up once for the whole file, and each
row is cleaned against those caches (no query per row). A dry run only validates — it writes nothing, not even
inside a rolled-back transaction. Writes go through `branches.actions`: person_update for a known ID number in the
save hook, and people_create for all the new ones together once every row is through, so every rule and audit
event of those actions applies.
`actions.roster_import` drives it: the whole-file dry run first, the real import only when that was clean, in
one transaction. The admin's import uses the same resource and the same action.
"""

from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader

from branches import actions
from branches.models import Grid, Organisation, Person, PoliticalStatus
from branches.resources.columns import (
    COLUMNS,
    EXAMPLE_ID_NUMBER,
    REQUIRED_COLUMNS,
    UPDATABLE_FIELDS,
    IdNumberWidget,
    LabelWidget,
    PhoneWidget,
    RosterDateWidget,
    TextWidget,
    cell_blank,
    cell_text,
    header_problems,
)
from branches.resources.results import RosterResult
from branches.selectors import Scope, scope_for
from portal.lib import idnumbers
from portal.models import User


def _normalise(dataset: tablib.Dataset) -> None:
    """In place: trimmed headers, unnamed empty columns and trailing empty rows dropped (Excel leaves both).

    Empty rows in the middle stay, so that every row keeps the number the user sees in Excel.
    """
    headers = [cell_text(header) for header in dataset.headers or []]
    rows = [list(row) for row in dataset]
    keep = [i for i, header in enumerate(headers) if header or any(not cell_blank(row[i]) for row in rows)]
    while rows and all(cell_blank(value) for value in rows[-1]):
        rows.pop()
    dataset.wipe()
    dataset.headers = [headers[i] for i in keep]
    for row in rows:
        dataset.append([row[i] for i in keep])


class PersonInstanceLoader(BaseInstanceLoader):
    """Finds the registered person by the keyed hash of the row's ID number, from the resource's cache."""

    def get_instance(self, row):
        return self.resource.registered_person(row.get("身份证号"))


class PersonResource(resources.ModelResource):
    """A branch roster. `actor` is the importing user (None: a system job); `organisation` receives the rows
    whose 党组织 cell is blank."""

    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget(max_length=60))
    gender = fields.Field(attribute="gender", column_name="性别", widget=LabelWidget(Person.Gender))
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=RosterDateWidget())
    id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=IdNumberWidget())
    phone = fields.Field(attribute="phone", column_name="手机号", widget=PhoneWidget())
    education = fields.Field(attribute="education", column_name="学历", widget=LabelWidget(Person.Education))
    political_status = fields.Field(
        attribute="political_status",
        column_name="政治面貌",
        widget=LabelWidget(
            PoliticalStatus,
            aliases={"中共党员": PoliticalStatus.FULL, "中共预备党员": PoliticalStatus.PROBATIONARY},
        ),
    )
    status_date = fields.Field(attribute="status_date", column_name="取得日期", widget=RosterDateWidget())
    organisation = fields.Field(attribute="organisation", column_name="党组织", widget=TextWidget(max_length=120))
    grid = fields.Field(attribute="grid", column_name="网格", widget=TextWidget(max_length=120))

    class Meta:
        model = Person
        fields = tuple(COLUMNS.values())
        import_id_fields = ("id_number",)
        instance_loader_class = PersonInstanceLoader
        skip_diff = True  # the preview lists outcomes and changed columns, not an HTML diff per row
        report_skipped = True  # every row appears in the result, so the preview can show all of them
        store_row_values = True
        store_instance = True
        clean_model_instances = False  # person_create / person_update run full_clean themselves
        name = "人员名册"

    def __init__(self, *, actor: User | None = None, organisation: Organisation | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.actor = actor
        self.default_organisation = organisation
        self.scope = scope_for(actor) if actor is not None else Scope(everything=True)
        self._registered: dict[str, Person] = {}
        self._duplicate_of: dict[int, int] = {}
        self._organisations_by_code: dict[str, Organisation] = {}
        self._organisations_by_name: dict[str, list[Organisation]] = {}
        self._grids_by_name: dict[str, list[Grid]] = {}
        self._new_people: list[tuple[Person, actions.NewPerson]] = []

    @classmethod
    def get_result_class(cls):
        return RosterResult

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # All or nothing whoever calls (the staff page, the admin): one bad row rolls back the whole file.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)

    def after_import(self, dataset, result, **kwargs) -> None:
        """Registers the new people of the file together (`actions.people_create`): one person at a time cost a
        10,000-row roster 40 s. A failure here is the file's error, and the whole import rolls back.

        (ModelResource would also reset the table's id sequence to max(id) here. The rows took their ids from the
        sequence as usual, and on PostgreSQL that reset could move the sequence back below ids a concurrent
        transaction has drawn but not committed yet: not done.)"""
        if self._is_dry_run(kwargs) or not self._new_people:
            return
        people = actions.people_create(actor=self.actor, people=[new for _instance, new in self._new_people])
        for (instance, _new), person in zip(self._new_people, people, strict=True):
            # The row result (and the admin's log entry) describe the created person.
            instance.pk, instance.name, instance.organisation = person.pk, person.name, person.organisation
        for row in result.rows:
            if row.import_type == row.IMPORT_TYPE_NEW:
                row.add_instance_info(row.instance)  # the id was not known when the row was read

    # Whole-file checks and caches ---------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        _normalise(dataset)
        problems = header_problems(dataset.headers, columns=COLUMNS, required=REQUIRED_COLUMNS, rows=len(dataset))
        if not self.scope.manages_anything:
            problems.insert(0, "您没有导入名册的权限。")
        if problems:
            # File-level problems stop here: the rows are not examined one by one.
            headers = dataset.headers
            dataset.wipe()
            dataset.headers = headers
            raise ValidationError(problems)
        self._prepare(dataset)

    def _prepare(self, dataset: tablib.Dataset) -> None:
        """One query each for the organisations, grids and registered people the file names."""
        first_row: dict[str, int] = {}
        hashes = set()
        for number, row in enumerate(dataset.dict, 1):
            id_number = idnumbers.normalise(cell_text(row.get("身份证号")))
            if not idnumbers.is_valid(id_number):
                continue
            if id_number in first_row:
                self._duplicate_of[number] = first_row[id_number] + 1
            else:
                first_row[id_number] = number
                hashes.add(self._hash(id_number))
        hashes = sorted(hashes)
        for start in range(0, len(hashes), 500):  # stay under SQLite's limit on query parameters
            people = Person.objects.filter(id_number_hash__in=hashes[start : start + 500]).select_related(
                "organisation", "grid"
            )
            self._registered.update({person.id_number_hash: person for person in people})

        organisation_keys = (
            {cell_text(value) for value in dataset["党组织"]} - {""} if "党组织" in dataset.headers else set()
        )
        if organisation_keys:
            found = Organisation.objects.filter(Q(code__in=organisation_keys) | Q(name__in=organisation_keys))
            for organisation in found:
                if organisation.code in organisation_keys:
                    self._organisations_by_code[organisation.code] = organisation
                if organisation.name in organisation_keys:
                    self._organisations_by_name.setdefault(organisation.name, []).append(organisation)

        grid_names = {cell_text(value) for value in dataset["网格"]} - {""} if "网格" in dataset.headers else set()
        if grid_names:
            for grid in Grid.objects.filter(name__in=grid_names).select_related("organisation"):
                self._grids_by_name.setdefault(grid.name, []).append(grid)

    def _hash(self, id_number: str) -> str:
        return actions.id_number_fields(id_number)["id_number_hash"]

    def registered_person(self, value: Any) -> Person | None:
        id_number = idnumbers.normalise(cell_text(value))
        return self._registered.get(self._hash(id_number)) if idnumbers.is_valid(id_number) else None

    # One row ------------------------------------------------------------------------------------------------

    def import_instance(self, instance: Person, row, **kwargs) -> None:
        """Cleans the row into `instance._roster` without touching the instance: the update action compares the
        untouched record with the new values for its audit diff."""
        data, errors = self._clean_row(instance, row, kwargs.get("row_number", 0))
        instance._roster = data
        instance._roster_blank = data is None
        if errors:
            raise ValidationError(errors)

    def _clean_row(self, instance: Person, row, number: int) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
        if all(cell_blank(value) for value in row.values()):
            return None, {}
        errors: dict[str, list[str]] = {}

        def error(column: str, message: str) -> None:
            errors.setdefault(column, []).append(message)

        data: dict[str, Any] = {}
        for column, name in COLUMNS.items():
            try:
                data[name] = self.fields[name].clean(row) if column in row else None
            except ValueError as problem:
                error(column, str(problem))
                data[name] = None

        if not data["name"] and "姓名" not in errors:
            error("姓名", "姓名不能为空。")
        if not data["id_number"] and "身份证号" not in errors:
            error("身份证号", "身份证号不能为空。")
        elif data["id_number"] == EXAMPLE_ID_NUMBER:
            error("身份证号", "这是模板中的示例行，请删除后再导入。")
        elif number in self._duplicate_of:
            error("身份证号", f"与第 {self._duplicate_of[number]} 行的身份证号重复。")
        today = timezone.localdate()
        for column, name in (("出生日期", "birth_date"), ("取得日期", "status_date")):
            if data[name] and data[name] > today:
                error(column, "不能晚于今天。")

        organisation_given = bool(data["organisation"])
        data["organisation"] = self._resolve_organisation(data["organisation"], error)
        data["grid"] = self._resolve_grid(data["grid"], data["organisation"], error)

        if instance.pk is not None:
            self._check_registered(instance, data, organisation_given, error)
        else:
            status = data["political_status"] or PoliticalStatus.MASSES
            if status != PoliticalStatus.MASSES and not data["status_date"] and "取得日期" not in errors:
                error("取得日期", f"政治面貌为“{PoliticalStatus(status).label}”时须填写取得该政治面貌的日期。")
            birth = data["birth_date"] or (idnumbers.birth_date(data["id_number"]) if data["id_number"] else None)
            if birth and data["status_date"] and data["status_date"] < birth:
                error("取得日期", "不能早于出生日期。")
        return data, errors

    def _resolve_organisation(self, key: str | None, error) -> Organisation | None:
        if not key:
            if self.default_organisation is None:
                error("党组织", "请填写党组织（名称或组织编码）。")
            return self.default_organisation
        candidates = [self._organisations_by_code[key]] if key in self._organisations_by_code else []
        candidates = candidates or self._organisations_by_name.get(key, [])
        if not candidates:
            error("党组织", f"党组织“{key}”不存在。")
            return None
        if len(candidates) > 1:
            error("党组织", f"有多个党组织名为“{key}”，请改填组织编码。")
            return None
        organisation = candidates[0]
        if not self.scope.covers_path(organisation.path):
            error("党组织", f"党组织“{key}”不在您的管理范围内。")
            return None
        if organisation.is_archived:
            error("党组织", f"党组织“{key}”已撤销。")
            return None
        return organisation

    def _resolve_grid(self, name: str | None, organisation: Organisation | None, error) -> Grid | None:
        if not name:
            return None
        # A grid may serve no organisation yet; otherwise its organisation must be within the importer's scope.
        candidates = [
            grid
            for grid in self._grids_by_name.get(name, [])
            if grid.organisation is None or self.scope.covers_path(grid.organisation.path)
        ]
        if len(candidates) > 1 and organisation is not None:
            candidates = [grid for grid in candidates if grid.organisation_id == organisation.pk] or candidates
        if not candidates:
            error("网格", f"网格“{name}”不存在或不在您的管理范围内。")
            return None
        if len(candidates) > 1:
            error("网格", f"有多个网格名为“{name}”，无法确定是哪一个。")
            return None
        return candidates[0]

    def _check_registered(self, person: Person, data: dict[str, Any], organisation_given: bool, error) -> None:
        """A registered ID number: only its plain facts may change, and only inside the importer's scope.

        A blank 党组织 cell does not move anyone: it only says where a new person goes."""
        if not self.scope.covers_path(person.organisation.path):
            error("身份证号", "此人已在您管理范围以外的党组织登记，不能通过导入修改，请联系组织部。")
            return
        if organisation_given and data["organisation"] and data["organisation"].pk != person.organisation_id:
            error(
                "党组织",
                f"此人已登记在“{person.organisation.name}”；组织关系变动请办理转出、转入，不能通过导入修改。",
            )
        if data["political_status"] and data["political_status"] != person.political_status:
            error(
                "政治面貌",
                f"与系统记录（{person.get_political_status_display()}）不一致；政治面貌变更请在人员页面逐步记录。",
            )

    def _changes(self, person: Person) -> dict[str, Any]:
        data = person._roster
        changes = {
            name: data[name]
            for name in UPDATABLE_FIELDS
            if data[name] not in ("", None) and data[name] != getattr(person, name)
        }
        if data["grid"] is not None and data["grid"].pk != person.grid_id:
            changes["grid"] = data["grid"]
        return changes

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors:
            return False
        if instance._roster is None:
            return True  # an empty row in the middle of the sheet
        if instance.pk is None:
            return False
        instance._roster_changes = self._changes(instance)
        return not instance._roster_changes

    def save_instance(self, instance, is_create, row, **kwargs) -> None:
        if self._is_dry_run(kwargs):
            return  # the dry run validates only; nothing is written, not even in a rolled-back transaction
        data = instance._roster
        if is_create:
            # Registered with the file's other new people once every row is through (after_import).
            new = actions.NewPerson(
                name=data["name"],
                organisation=data["organisation"],
                id_number=data["id_number"],
                political_status=data["political_status"] or PoliticalStatus.MASSES,
                status_date=data["status_date"],
                fields={
                    "gender": data["gender"] or "",
                    "birth_date": data["birth_date"],
                    "phone": data["phone"] or "",
                    "education": data["education"] or "",
                    "grid": data["grid"],
                },
            )
            self._new_people.append((instance, new))
        else:
            actions.person_update(actor=self.actor, person=instance, **instance._roster_changes)
