"""Rosters in and out of spreadsheets: the import resource, the upload store, the template and the export.

Import. `PersonResource` is a django-import-export resource with the Chinese column headers of a branch roster.
Every check happens here, per row and before anything is written: the file is parsed by the library (tablib's
csv/xlsx), organisations, grids and already registered people are looked up once for the whole file, and each
row is cleaned against those caches (no query per row). A dry run only validates — it writes nothing, not even
inside a rolled-back transaction. Writes happen in the save hook through `branches.actions` (person_create for a
new ID number, person_update for a known one), so every rule and audit event of those actions applies.
`actions.roster_import` drives it: the whole-file dry run first, the real import only when that was clean, in
one transaction. The admin's import uses the same resource and the same action.

Row numbers are the ones the user sees in Excel: the header is row 1, the first data row is row 2.

Export. openpyxl in write-only mode; every string is written as a text cell, so user text that starts with
`=`, `+`, `-` or `@` is never a live formula.
"""

import datetime
import io
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from branches import actions
from branches.models import Grid, Organisation, Person, PoliticalStatus
from branches.selectors import Scope, scope_for
from portal.lib import idnumbers
from portal.models import User

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The template's example row carries this (valid, fictional) ID number; a file that still holds it is refused.
EXAMPLE_ID_NUMBER = idnumbers.with_check_char("11010119850312001")


# Cells ------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as trimmed text. Excel hands back numbers typed into a cell (phones) as int or float."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.Widget):
    def __init__(self, max_length: int) -> None:
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if len(text) > self.max_length:
            raise ValueError(f"不能超过 {self.max_length} 个字。")
        return text


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if text and not (len(text) == 11 and text.isdigit() and text.startswith("1")):
            raise ValueError(f"“{text}”不是 11 位手机号码。")
        return text


class RosterDateWidget(widgets.Widget):
    """A real date cell, or text as YYYY-MM-DD or YYYY/MM/DD."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

    def clean(self, value, row=None, **kwargs) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{text}”不是有效日期，请写成 YYYY-MM-DD（如 1985-03-12）。")


class LabelWidget(widgets.Widget):
    """A choice written as its Chinese label (男, 本科, 正式党员 …), turned into the stored value."""

    def __init__(self, choices: type, aliases: dict[str, str] | None = None) -> None:
        super().__init__()
        self.choices = choices
        self.aliases = aliases or {}

    @cached_property
    def by_label(self) -> dict[str, str]:
        # Built on first use: the labels are lazy translations.
        return {str(label): value for value, label in self.choices.choices}

    def clean(self, value, row=None, **kwargs) -> str:
        text = _text(value)
        if not text:
            return ""
        found = self.by_label.get(text) or self.aliases.get(text)
        if found is None:
            raise ValueError(f"“{text}”不是可选的值（可填：{'、'.join(self.by_label)}）。")
        return found


class IdNumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        if isinstance(value, float) or (isinstance(value, int) and not idnumbers.is_valid(str(value))):
            # Excel keeps 15 significant digits: an ID number typed into a number cell has lost its last digits.
            raise ValueError("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写。")
        text = idnumbers.normalise(_text(value))
        if text and not idnumbers.is_valid(text):
            raise ValueError("身份证号码无效（应为 18 位且校验位正确）。")
        return text


# The resource -----------------------------------------------------------------------------------------------

# The roster's columns: header → resource field. Only 姓名 and 身份证号 must be present.
COLUMNS = {
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "身份证号": "id_number",
    "手机号": "phone",
    "学历": "education",
    "政治面貌": "political_status",
    "取得日期": "status_date",
    "党组织": "organisation",
    "网格": "grid",
}
REQUIRED_COLUMNS = ("姓名", "身份证号")
# Plain facts an import may change on an already registered person (blank cells leave them as they are).
UPDATABLE_FIELDS = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "手机号", "education": "学历"}

OUTCOME_LABELS = {
    RowResult.IMPORT_TYPE_NEW: "新增",
    RowResult.IMPORT_TYPE_UPDATE: "更新",
    RowResult.IMPORT_TYPE_SKIP: "无变化",
    RowResult.IMPORT_TYPE_INVALID: "错误",
    RowResult.IMPORT_TYPE_ERROR: "错误",
}


def _blank(value: Any) -> bool:
    return _text(value) == ""


def _normalise(dataset: tablib.Dataset) -> None:
    """In place: trimmed headers, unnamed empty columns and trailing empty rows dropped (Excel leaves both).

    Empty rows in the middle stay, so that every row keeps the number the user sees in Excel.
    """
    headers = [_text(header) for header in dataset.headers or []]
    rows = [list(row) for row in dataset]
    keep = [i for i, header in enumerate(headers) if header or any(not _blank(row[i]) for row in rows)]
    while rows and all(_blank(value) for value in rows[-1]):
        rows.pop()
    dataset.wipe()
    dataset.headers = [headers[i] for i in keep]
    for row in rows:
        dataset.append([row[i] for i in keep])


def _header_problems(headers: list[str], rows: int) -> list[str]:
    problems = []
    for position, header in enumerate(headers, 1):
        if not header:
            problems.append(f"第 {position} 列有数据但没有表头。")
        elif header not in COLUMNS:
            problems.append(f"未知的列“{header}”（请确认第 1 行是表头；可用的列：{'、'.join(COLUMNS)}）。")
    for header in sorted({h for h in headers if h and headers.count(h) > 1}):
        problems.append(f"列“{header}”出现了不止一次。")
    missing = [header for header in REQUIRED_COLUMNS if header not in headers]
    if missing:
        problems.append(f"缺少必填的列：{'、'.join(missing)}。")
    if rows == 0 and not problems:
        problems.append("文件中没有数据行。")
    if rows > settings.ROSTER_IMPORT_MAX_ROWS:
        problems.append(f"文件有 {rows} 行数据，超过上限 {settings.ROSTER_IMPORT_MAX_ROWS} 行，请分批导入。")
    return problems


class PersonInstanceLoader(BaseInstanceLoader):
    """Finds the registered person by the keyed hash of the row's ID number, from the resource's cache."""

    def get_instance(self, row):
        return self.resource.registered_person(row.get("身份证号"))


class RosterResult(Result):
    """The library's result, with row numbers as Excel shows them and what the preview page needs."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    def row_errors(self):
        return [(i + 2, row.errors) for i, row in enumerate(self.rows) if row.errors]

    @property
    def has_problems(self) -> bool:
        return self.has_errors() or self.has_validation_errors()

    @property
    def file_errors(self) -> list[str]:
        messages = []
        for error in self.base_errors:
            if isinstance(error.error, ValidationError):
                messages.extend(error.error.messages)
            else:
                logger.error("roster import failed", exc_info=error.error)
                messages.append("处理文件时发生内部错误，请联系管理员。")
        return messages

    def preview_rows(self) -> list["RosterRow"]:
        """Every data row with its outcome: 新增 / 更新 / 无变化 / 错误 and the reasons (built once)."""
        if getattr(self, "_preview_rows", None) is None:
            self._preview_rows = [RosterRow.from_row_result(number, row) for number, row in enumerate(self.rows, 2)]
        return self._preview_rows

    def counts(self) -> dict[str, int]:
        rows = self.preview_rows()
        return {
            outcome: sum(1 for row in rows if row.outcome == outcome)
            for outcome in ("new", "update", "skip", "blank", "error")
        }


@dataclass
class RosterRow:
    number: int
    outcome: str  # new, update, skip, blank, error
    label: str
    name: str
    id_number: str  # masked when valid: the preview never shows a whole ID number
    organisation: str
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_row_result(cls, number: int, result: RowResult) -> "RosterRow":
        values = result.row_values or {}
        id_text = idnumbers.normalise(_text(values.get("身份证号")))
        errors = []
        if result.validation_error is not None:
            error = result.validation_error
            error_dict = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            order = list(COLUMNS)  # reasons in the order of the sheet's columns, row-wide ones last
            for column, messages in sorted(
                error_dict.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
            ):
                errors += [message if column == NON_FIELD_ERRORS else f"{column}：{message}" for message in messages]
        for error in result.errors:
            logger.error("roster row %s failed", number, exc_info=error.error)
            errors.append("保存时发生内部错误，请联系管理员。")
        instance = result.instance
        outcome = "error" if errors else result.import_type
        if outcome == RowResult.IMPORT_TYPE_SKIP and getattr(instance, "_roster_blank", False):
            outcome = "blank"
        return cls(
            number=number,
            outcome=outcome,
            label="空行，已忽略" if outcome == "blank" else OUTCOME_LABELS.get(outcome, outcome),
            name=_text(values.get("姓名")),
            id_number=idnumbers.mask(id_text) if idnumbers.is_valid(id_text) else id_text[:24],
            organisation=_text(values.get("党组织")),
            changes=[UPDATABLE_FIELDS.get(name, "网格") for name in getattr(instance, "_roster_changes", {})],
            errors=errors,
        )


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

    @classmethod
    def get_result_class(cls):
        return RosterResult

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # All or nothing whoever calls (the staff page, the admin): one bad row rolls back the whole file.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)

    def after_import(self, dataset, result, **kwargs) -> None:
        # ModelResource resets the table's id sequence to max(id) after creating rows. The rows here took their
        # ids from the sequence as usual, and on PostgreSQL that reset could move the sequence back below ids a
        # concurrent transaction has drawn but not committed yet. Nothing to do.
        pass

    # Whole-file checks and caches ---------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        _normalise(dataset)
        problems = _header_problems(dataset.headers, len(dataset))
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
            id_number = idnumbers.normalise(_text(row.get("身份证号")))
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
            {_text(value) for value in dataset["党组织"]} - {""} if "党组织" in dataset.headers else set()
        )
        if organisation_keys:
            found = Organisation.objects.filter(Q(code__in=organisation_keys) | Q(name__in=organisation_keys))
            for organisation in found:
                if organisation.code in organisation_keys:
                    self._organisations_by_code[organisation.code] = organisation
                if organisation.name in organisation_keys:
                    self._organisations_by_name.setdefault(organisation.name, []).append(organisation)

        grid_names = {_text(value) for value in dataset["网格"]} - {""} if "网格" in dataset.headers else set()
        if grid_names:
            for grid in Grid.objects.filter(name__in=grid_names).select_related("organisation"):
                self._grids_by_name.setdefault(grid.name, []).append(grid)

    def _hash(self, id_number: str) -> str:
        return actions.id_number_fields(id_number)["id_number_hash"]

    def registered_person(self, value: Any) -> Person | None:
        id_number = idnumbers.normalise(_text(value))
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
        if all(_blank(value) for value in row.values()):
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
            person = actions.person_create(
                actor=self.actor,
                name=data["name"],
                organisation=data["organisation"],
                id_number=data["id_number"],
                political_status=data["political_status"] or PoliticalStatus.MASSES,
                status_date=data["status_date"],
                gender=data["gender"] or "",
                birth_date=data["birth_date"],
                phone=data["phone"] or "",
                education=data["education"] or "",
                grid=data["grid"],
            )
            # The row result (and the admin's log entry) describe the created person.
            instance.pk, instance.name, instance.organisation = person.pk, person.name, person.organisation
        else:
            actions.person_update(actor=self.actor, person=instance, **instance._roster_changes)


# Reading an upload ------------------------------------------------------------------------------------------


def roster_upload_read(upload: UploadedFile) -> tuple[bytes, tablib.Dataset]:
    """An uploaded roster's bytes and parsed rows; a Chinese ValidationError when it is not a usable file.
    The size is checked before the file is read."""
    if upload.size is not None and upload.size > settings.ROSTER_IMPORT_MAX_BYTES:
        raise ValidationError(_too_large_message())
    content = upload.read()
    return content, roster_dataset_load(file_name=upload.name or "", content=content)


def _too_large_message() -> str:
    limit = settings.ROSTER_IMPORT_MAX_BYTES
    shown = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"
    return f"文件太大，不能超过 {shown}。"


def roster_dataset_load(*, file_name: str, content: bytes) -> tablib.Dataset:
    """Parses .xlsx or .csv with the library's formats (tablib); a Chinese ValidationError otherwise."""
    if len(content) > settings.ROSTER_IMPORT_MAX_BYTES:
        raise ValidationError(_too_large_message())
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xls":
        raise ValidationError("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后上传。")
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("只能上传 Excel（.xlsx）或 CSV 文件。")
    if not content:
        raise ValidationError("文件是空的。")
    if suffix == ".xlsx":
        not_a_workbook = ValidationError("文件内容不是有效的 Excel（.xlsx）文件，请用 Excel 重新保存后上传。")
        if not content.startswith(b"PK\x03\x04"):  # an .xlsx is a zip archive
            raise not_a_workbook
        try:
            dataset = XLSX().create_dataset(content)
        except Exception as problem:  # whatever the parser trips on, the file is not a workbook
            raise not_a_workbook from problem
    else:
        dataset = _load_csv(content)
    if not any(_text(header) for header in dataset.headers or []):
        raise ValidationError("第 1 行应为表头（姓名、身份证号……），但它是空的。")
    return dataset


def _load_csv(content: bytes) -> tablib.Dataset:
    not_a_csv = ValidationError("文件内容不是有效的 CSV 文件，请用 Excel 另存为 .xlsx 或 CSV（UTF-8）后上传。")
    if b"\x00" in content:
        raise not_a_csv  # binary content (an image, a workbook) renamed .csv
    # Excel saves CSV as UTF-8 with a BOM, or in the Chinese legacy encoding when asked for plain "CSV".
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise not_a_csv
    try:
        return CSV().create_dataset(text)
    except tablib.InvalidDimensions as problem:
        raise ValidationError("有的行比表头多出了列，请检查是否有多余的逗号或列。") from problem
    except Exception as problem:  # a parser failure means the file is not a usable CSV
        raise not_a_csv from problem


# Keeping an upload between preview and confirm ----------------------------------------------------------------

UPLOAD_DIR = "imports"
UPLOAD_MAX_AGE = datetime.timedelta(hours=24)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class StoredUpload:
    token: str
    organisation_id: int
    file_name: str
    content: bytes


def roster_upload_store(*, user: User, organisation: Organisation, file_name: str, content: bytes) -> str:
    """Keeps the uploaded bytes server-side under an unguessable token bound to the uploading user.

    The confirm step reads them back from here: it never trusts a second upload from the browser."""
    _sweep_old_uploads()
    token = secrets.token_urlsafe(32)
    meta = {"user_id": user.pk, "organisation_id": organisation.pk, "file_name": PurePath(file_name).name}
    default_storage.save(f"{UPLOAD_DIR}/{token}.data", ContentFile(content))
    default_storage.save(f"{UPLOAD_DIR}/{token}.json", ContentFile(json.dumps(meta).encode()))
    return token


def roster_upload_load(*, user: User, token: str) -> StoredUpload | None:
    """The stored upload, or None when the token is malformed, unknown, expired or another user's."""
    if not _TOKEN.match(token or ""):
        return None
    try:
        with default_storage.open(f"{UPLOAD_DIR}/{token}.json") as handle:
            meta = json.loads(handle.read())
        if timezone.now() - default_storage.get_modified_time(f"{UPLOAD_DIR}/{token}.json") > UPLOAD_MAX_AGE:
            return None
        if meta["user_id"] != user.pk:
            return None
        with default_storage.open(f"{UPLOAD_DIR}/{token}.data") as handle:
            content = handle.read()
    except (OSError, ValueError, KeyError):
        return None
    return StoredUpload(
        token=token, organisation_id=meta["organisation_id"], file_name=meta["file_name"], content=content
    )


def roster_upload_discard(*, token: str) -> None:
    if _TOKEN.match(token or ""):
        for suffix in ("data", "json"):
            default_storage.delete(f"{UPLOAD_DIR}/{token}.{suffix}")


def _sweep_old_uploads() -> None:
    """Uploads previewed but never confirmed are removed after a day (checked whenever a new one arrives)."""
    try:
        names = default_storage.listdir(UPLOAD_DIR)[1]
    except OSError:
        return
    cutoff = timezone.now() - UPLOAD_MAX_AGE
    for name in names:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except OSError:
            continue


# The template -----------------------------------------------------------------------------------------------


def roster_template_xlsx() -> bytes:
    """The columns to fill in, with one example row (refused on import if left in)."""
    dataset = tablib.Dataset(headers=list(COLUMNS), title="人员名册")
    dataset.append(
        [
            "张三（示例，请删除此行）",
            "男",
            "1985-03-12",
            EXAMPLE_ID_NUMBER,
            "13800000000",
            "本科",
            "正式党员",
            "2010-07-01",
            "",
            "",
        ]
    )
    return dataset.export("xlsx")


# Export -----------------------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号（脱敏）",
    "手机号",
    "学历",
    "政治面貌",
    "党组织",
    "网格",
    "在册",
]


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """A text cell, whatever the text looks like: '=…' would otherwise become a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _date_cell(sheet, value: datetime.date | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def person_export_xlsx(people: QuerySet[Person]) -> tuple[bytes, int]:
    """The people as an .xlsx workbook (write-only: rows stream out, memory stays flat) and how many rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员")
    sheet.append([_text_cell(sheet, header) for header in EXPORT_HEADERS])
    count = 0
    for person in people.select_related("organisation", "grid").iterator(chunk_size=1000):
        sheet.append(
            [
                _text_cell(sheet, person.name),
                _text_cell(sheet, person.get_gender_display()),
                _date_cell(sheet, person.birth_date),
                _text_cell(sheet, person.id_number_masked),
                _text_cell(sheet, person.phone),
                _text_cell(sheet, person.get_education_display()),
                _text_cell(sheet, person.get_political_status_display()),
                _text_cell(sheet, person.organisation.name),
                _text_cell(sheet, person.grid.name if person.grid else ""),
                _text_cell(sheet, "是" if person.is_active_member else "否"),
            ]
        )
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count
