"""The roster (人员名册): one row per person, matched on the ID number.

A new ID number registers the person (`actions.people_create`, all the file's new people together); a registered
one may update only the plain facts (name, gender, birth date, phone, education, grid, work unit) and gain a role,
never move organisation or status (those have their own steps). The rules of a new person are
`actions.person_new_problems`, the same the create form and the action apply."""

from typing import Any

from django.utils import timezone

from branches import actions
from branches.importers.lookups import (
    NamedLookup,
    OrganisationLookup,
    PersonLookup,
    ScopedImporter,
    read_id_number,
    shown_id_number,
    values_of,
)
from branches.models import Grid, HostUnit, Organisation, Person, PoliticalStatus, Role, RoleAssignment
from portal.imports import cells
from portal.imports.base import Column, Row
from portal.lib import idnumbers

# The template's example row carries this (valid, fictional) ID number; a file that still holds it is refused.
EXAMPLE_ID_NUMBER = idnumbers.with_check_char("11010119850312001")
STATUS_ALIASES = {"中共党员": PoliticalStatus.FULL, "中共预备党员": PoliticalStatus.PROBATIONARY}
# Plain facts an import may change on an already registered person (blank cells leave them as they are).
UPDATABLE = {"name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "手机号", "education": "学历"}


class PersonImporter(ScopedImporter):
    kind = "people"
    title = "人员名册"
    counted = "人"
    intro = (
        "按身份证号识别人员：已登记的人员只更新姓名、性别、出生日期、手机号、学历、网格和工作单位，并可增加职务；"
        "组织关系和政治面貌的变动请在人员页面办理。重复导入同一文件不会改变任何数据。"
    )
    organisation_help = "“党组织”一列留空的人员导入到这里。"
    audit_action = "person.roster_import"
    audit_object_type = "branches.Person"
    success_url = "branches:person_list"
    shown = ("姓名", "身份证号", "党组织")
    columns = (
        Column("姓名", required=True, example="张三（示例，请删除此行）"),
        Column("身份证号", "18 位；请把该列设为“文本”格式。系统只保存脱敏号码。", True, EXAMPLE_ID_NUMBER),
        Column("性别", "男 / 女；留空则按身份证号确定", example="男"),
        Column("出生日期", "如 1985-03-12 或 1985/03/12；留空则按身份证号确定", example="1985-03-12"),
        Column("手机号", "11 位，可留空；开通账号时作为登录名", example="13800000000"),
        Column("学历", "小学及以下、初中、高中/中专、大专、本科、研究生，可留空", example="本科"),
        Column(
            "政治面貌",
            "群众、入党申请人、入党积极分子、发展对象、预备党员、正式党员；留空为群众",
            example="正式党员",
        ),
        Column("取得日期", "取得该政治面貌的日期；政治面貌不是群众时必填", example="2010-07-01"),
        Column("党组织", "党组织名称或组织编码；留空则导入到上传时选择的党组织"),
        Column("网格", "网格名称，可留空"),
        Column("工作单位", "单位名称（须已在“单位”中登记），可留空"),
        Column("职务", "书记、副书记、委员、组织员、党建指导员、联络员，在本人所在党组织任职；可留空"),
        Column("任职日期", "留空为导入当天", example=""),
    )

    def read(self, rows: list[Row]) -> None:
        self.gender_labels = cells.labels_of(Person.Gender)
        self.education_labels = cells.labels_of(Person.Education)
        self.status_labels = cells.labels_of(PoliticalStatus, STATUS_ALIASES)
        self.role_labels = cells.labels_of(Role)
        self.people = PersonLookup(rows)
        self.organisations = OrganisationLookup(values_of(rows, "党组织"), self.scope)
        self.grids = NamedLookup(Grid, values_of(rows, "网格"))
        self.hosts = NamedLookup(HostUnit, values_of(rows, "工作单位"))
        first_row: dict[str, int] = {}
        for row in rows:
            row.shown = [cells.text(row.cell("姓名"))[:60], shown_id_number(row), cells.text(row.cell("党组织"))[:120]]
            self._read_row(row)
            number = row.values["id_number"]
            if number and number in first_row:
                row.error("身份证号", f"与第 {first_row[number]} 行的身份证号重复。")
            elif number:
                first_row[number] = row.number
        self._read_roles(rows)

    def _read_row(self, row: Row) -> None:
        values = row.values
        values["name"] = row.read("姓名", lambda v: cells.bounded_text(v, 60), "")
        values["id_number"] = read_id_number(row)
        values["gender"] = row.read("性别", lambda v: cells.choice(v, self.gender_labels), "")
        values["birth_date"] = row.read("出生日期", cells.date)
        values["phone"] = row.read("手机号", cells.phone, "")
        values["education"] = row.read("学历", lambda v: cells.choice(v, self.education_labels), "")
        values["political_status"] = row.read("政治面貌", lambda v: cells.choice(v, self.status_labels), "")
        values["status_date"] = row.read("取得日期", cells.date)
        values["role"] = row.read("职务", lambda v: cells.choice(v, self.role_labels), "")
        values["role_start"] = row.read("任职日期", cells.date)
        key = cells.text(row.cell("党组织"))
        values["organisation_given"] = bool(key)
        # Blank: a new person goes to the upload's organisation; a registered one stays where they are.
        values["organisation"] = self.organisations.resolve(row, "党组织", key) if key else self.organisation
        values["grid"] = self._grid(row, cells.text(row.cell("网格")), values["organisation"])
        values["host"] = self._host(row, cells.text(row.cell("工作单位")))
        values["person"] = self.people.get(values["id_number"]) if values["id_number"] else None

    def _grid(self, row: Row, name: str, organisation: Organisation | None) -> Grid | None:
        if not name:
            return None
        # A grid may serve no organisation yet; otherwise its organisation must be within the importer's scope.
        candidates = [
            grid
            for grid in self.grids.candidates(name)
            if grid.organisation is None or self.scope.covers_path(grid.organisation.path)
        ]
        if len(candidates) > 1 and organisation is not None:
            candidates = [grid for grid in candidates if grid.organisation_id == organisation.pk] or candidates
        if not candidates:
            row.error("网格", f"网格“{name}”不存在或不在您的管理范围内。")
        elif len(candidates) > 1:
            row.error("网格", f"有多个网格名为“{name}”，无法确定是哪一个。")
        else:
            return candidates[0]
        return None

    def _host(self, row: Row, name: str) -> HostUnit | None:
        if not name:
            return None
        found = self.hosts.candidates(name)  # host names are unique
        if not found:
            row.error("工作单位", f"单位“{name}”未登记，请先导入或登记单位。")
            return None
        return found[0]

    def _read_roles(self, rows: list[Row]) -> None:
        """The current roles of the registered people with a 职务 cell, so a re-import does not assign twice."""
        people = [row.values["person"] for row in rows if row.values.get("role") and row.values["person"]]
        today = timezone.localdate()
        self.current_roles = set(
            RoleAssignment.objects.filter(person__in=people, start_date__lte=today, end_date__isnull=True).values_list(
                "person_id", "organisation_id", "role"
            )
        )

    def problems(self, rows: list[Row]) -> None:
        today = timezone.localdate()
        for row in rows:
            values = row.values
            if values["role_start"] and values["role_start"] > today:
                row.error("任职日期", "不能晚于今天。")
            person = values["person"]
            if person is None:
                self._new_problems(row)
            else:
                self._registered_problems(row, person)

    def _new_problems(self, row: Row) -> None:
        values = row.values
        if values["organisation"] is None and not row.failed("党组织"):
            row.error("党组织", "请填写党组织（名称或组织编码）。")
        problems = actions.person_new_problems(
            name=values["name"],
            id_number=values["id_number"],
            birth_date=values["birth_date"],
            political_status=values["political_status"] or PoliticalStatus.MASSES,
            status_date=values["status_date"],
        )
        for name, messages in problems.items():
            column = actions.PERSON_LABELS[name]
            if not row.failed(column):
                for message in messages:
                    row.error(column, message)
        row.outcome = "new"

    def _registered_problems(self, row: Row, person: Person) -> None:
        """A registered ID number: only its plain facts may change (and a role be added), only inside the scope.
        A blank 党组织 cell does not move anyone: it only says where a new person goes."""
        values = row.values
        if not self.scope.covers_path(person.organisation.path):
            row.error("身份证号", "此人已在您管理范围以外的党组织登记，不能通过导入修改，请联系组织部。")
            return
        organisation = values["organisation"]
        if values["organisation_given"] and organisation and organisation.pk != person.organisation_id:
            row.error(
                "党组织",
                f"此人已登记在“{person.organisation.name}”；组织关系变动请办理转出、转入，不能通过导入修改。",
            )
        status = values["political_status"]
        if status and status != person.political_status:
            row.error(
                "政治面貌",
                f"与系统记录（{person.get_political_status_display()}）不一致；政治面貌变更请在人员页面逐步记录。",
            )
        birth = values["birth_date"]
        if birth and birth > timezone.localdate():
            row.error("出生日期", "不能晚于今天。")
        values["changes"] = self._changes(person, values)
        row.changes = [
            UPDATABLE.get(name, {"grid": "网格", "host": "工作单位"}.get(name, "")) for name in values["changes"]
        ]
        if values["role"] and (person.pk, person.organisation_id, values["role"]) not in self.current_roles:
            row.changes.append("职务")
        row.outcome = "update" if row.changes else "skip"

    @staticmethod
    def _changes(person: Person, values: dict[str, Any]) -> dict[str, Any]:
        changes = {
            name: values[name]
            for name in UPDATABLE
            if values[name] not in ("", None) and values[name] != getattr(person, name)
        }
        for name in ("grid", "host"):
            if values[name] is not None and values[name].pk != getattr(person, f"{name}_id"):
                changes[name] = values[name]
        return changes

    def write(self, rows: list[Row]) -> dict[str, int]:
        new_rows = [row for row in rows if row.outcome == "new"]
        # The file's new people are registered together: one person at a time cost a 10,000-row roster 40 s.
        created = actions.people_create(
            actor=self.actor,
            people=[
                actions.NewPerson(
                    name=row.values["name"],
                    organisation=row.values["organisation"],
                    id_number=row.values["id_number"],
                    political_status=row.values["political_status"] or PoliticalStatus.MASSES,
                    status_date=row.values["status_date"],
                    fields={
                        "gender": row.values["gender"],
                        "birth_date": row.values["birth_date"],
                        "phone": row.values["phone"],
                        "education": row.values["education"],
                        "grid": row.values["grid"],
                        "host": row.values["host"],
                    },
                )
                for row in new_rows
            ],
        )
        for row, person in zip(new_rows, created, strict=True):
            row.values["person"] = person
        roles = 0
        for row in rows:
            person, values = row.values["person"], row.values
            if row.outcome == "update" and values["changes"]:
                actions.person_update(actor=self.actor, person=person, **values["changes"])
            if values["role"] and (person.pk, person.organisation_id, values["role"]) not in self.current_roles:
                actions.role_assign(
                    actor=self.actor,
                    person=person,
                    organisation=person.organisation,
                    role=values["role"],
                    start_date=values["role_start"] or timezone.localdate(),
                )
                roles += 1
        return {"roles": roles}

    def success_message(self, counts: dict[str, int]) -> str:
        message = super().success_message(counts)
        return message + (f"任命职务 {counts['roles']} 项。" if counts.get("roles") else "")
