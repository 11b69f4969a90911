"""The organisation tree (组织架构): one row per organisation, matched on its code (编号); 上级编号 names the parent
by code — an organisation already registered or another row of the same file, in any order. New organisations
are created together, parents first, through `actions.organisations_create`, whose rules
(`organisation_create_problems`) each row is checked against; a registered code may change its name, kind, date,
phone and address, never its parent."""

from django.core.exceptions import ValidationError

from branches import actions
from branches.importers.lookups import ScopedImporter, values_of
from branches.models import Organisation
from portal.imports import cells
from portal.imports.base import Column, Row

FIELDS = {"name": "名称", "kind": "类型", "founded_on": "成立日期", "phone": "联系电话", "address": "地址"}


class OrganisationImporter(ScopedImporter):
    kind = "organisations"
    title = "组织架构"
    counted = "个"
    intro = (
        "每行一个党组织，按“编号”（组织编码）识别；“上级编号”填上级党组织的编号（可以是已登记的，也可以是本文件中的另一行，"
        "顺序不限），留空为顶层党组织（只有组织部可以新建）。已登记的编号只更新名称、类型、成立日期、联系电话和地址；"
        "隶属关系的调整请在组织架构中办理。"
    )
    organisation_label = None
    audit_action = "organisation.import"
    audit_object_type = "branches.Organisation"
    success_url = "branches:organisation_tree"
    shown = ("编号", "名称", "上级编号")
    columns = (
        Column("编号", "组织编码，全区唯一，如 0101", True, "0101"),
        Column("名称", required=True, example="东湖社区党委（示例，请删除此行）"),
        Column("类型", "党委、党总支、党支部、联合党支部、党小组、功能党小组、临时党小组", True, "党委"),
        Column("上级编号", "上级党组织的编号；留空为顶层党组织", example="01"),
        Column("成立日期", "如 2010-07-01，可留空", example="2010-07-01"),
        Column("联系电话", "可留空"),
        Column("地址", "可留空"),
    )

    def read(self, rows: list[Row]) -> None:
        kinds = cells.labels_of(Organisation.Kind)
        codes = values_of(rows, "编号") | values_of(rows, "上级编号")
        self.registered = {
            organisation.code: organisation for organisation in Organisation.objects.filter(code__in=codes)
        }
        self.parents = {
            organisation.pk: organisation
            for organisation in Organisation.objects.filter(
                path__in={o.path[: -Organisation.steplen] for o in self.registered.values() if o.depth > 1}
            )
        }
        self.in_file: dict[str, Row] = {}
        for row in rows:
            values = row.values
            values["code"] = row.read("编号", lambda v: cells.bounded_text(v, 40, required=True), "")
            values["name"] = row.read("名称", lambda v: cells.bounded_text(v, 120, required=True), "")
            values["kind"] = row.read("类型", lambda v: cells.choice(v, kinds), "")
            if not values["kind"] and not row.failed("类型"):
                row.error("类型", "不能为空。")
            values["parent_code"] = row.read("上级编号", lambda v: cells.bounded_text(v, 40), "")
            values["founded_on"] = row.read("成立日期", cells.date)
            values["phone"] = row.read("联系电话", lambda v: cells.bounded_text(v, 40), "")
            values["address"] = row.read("地址", lambda v: cells.bounded_text(v, 200), "")
            row.shown = [values["code"], values["name"], values["parent_code"]]
            if values["code"] in self.in_file:
                row.error("编号", f"与第 {self.in_file[values['code']].number} 行的编号重复。")
            elif values["code"]:
                self.in_file[values["code"]] = row

    def _parent_of(self, organisation: Organisation) -> Organisation | None:
        if organisation.depth == 1:
            return None
        path = organisation.path[: -Organisation.steplen]
        return next((o for o in self.parents.values() if o.path == path), None)

    def problems(self, rows: list[Row]) -> None:
        for row in rows:
            if row.errors:
                continue
            values = row.values
            if values["code"] in self.registered:
                self._registered_problems(row, self.registered[values["code"]])
            else:
                self._new_problems(row)

    def _new_problems(self, row: Row) -> None:
        values = row.values
        parent = self._parent(row)
        if row.errors:
            return
        for message in actions.organisation_create_problems(
            actor=self.actor,
            name=values["name"],
            kind=values["kind"],
            parent=parent,
            founded_on=values["founded_on"],
        ):
            row.error(None, message)
        row.outcome = "new"

    def _parent(self, row: Row) -> Organisation | None:
        """The parent: a registered organisation, or — for a row whose parent is another row of the file — a
        stand-in with the kind of that row and the path of its nearest registered ancestor (for the scope rule)."""
        code = row.values["parent_code"]
        if not code:
            return None
        if code in self.registered:
            return self.registered[code]
        seen = {row.values["code"]}
        current = self.in_file.get(code)
        if current is None:
            row.error("上级编号", f"编号为“{code}”的党组织不存在（未登记，也不在本文件中）。")
            return None
        kind = current.values["kind"]
        while current is not None:
            if current.values["code"] in seen:
                row.error("上级编号", "上下级关系形成了循环。")
                return None
            seen.add(current.values["code"])
            above = current.values["parent_code"]
            if not above:
                return Organisation(name=current.values["name"], kind=kind, path="")
            if above in self.registered:
                ancestor = self.registered[above]
                return Organisation(name=current.values["name"], kind=kind, path=ancestor.path, depth=0)
            current = self.in_file.get(above)
        row.error("上级编号", f"编号为“{code}”的上级党组织链中有未登记的编号。")
        return None

    def _registered_problems(self, row: Row, organisation: Organisation) -> None:
        values = row.values
        if not self.scope.covers_path(organisation.path):
            row.error("编号", f"党组织“{organisation.name}”不在您的管理范围内，不能通过导入修改。")
            return
        parent = self._parent_of(organisation)
        if (parent.code if parent else "") != values["parent_code"]:
            row.error(
                "上级编号",
                f"“{organisation.name}”已登记在“{parent.name if parent else '顶层'}”之下；"
                "隶属关系的调整请在组织架构中办理，不能通过导入修改。",
            )
            return
        values["changes"] = {
            name: values[name]
            for name in FIELDS
            if values[name] not in ("", None) and values[name] != getattr(organisation, name)
        }
        row.changes = [FIELDS[name] for name in values["changes"]]
        row.outcome = "update" if row.changes else "skip"

    def write(self, rows: list[Row]) -> dict[str, int]:
        """The new organisations in one call, parents before their children (a parent may be later in the file)."""
        ordered, placed = [], set(self.registered)
        pending = [row for row in rows if row.outcome == "new"]
        while pending:
            ready = [row for row in pending if not row.values["parent_code"] or row.values["parent_code"] in placed]
            if not ready:  # problems() found every parent: this cannot happen, but must not loop
                raise ValidationError("上下级关系无法确定，未导入。")
            ordered += ready
            placed |= {row.values["code"] for row in ready}
            done = {id(row) for row in ready}
            pending = [row for row in pending if id(row) not in done]
        actions.organisations_create(
            actor=self.actor,
            organisations=[
                actions.NewOrganisation(
                    name=row.values["name"],
                    kind=row.values["kind"],
                    code=row.values["code"],
                    parent=self.registered.get(row.values["parent_code"]) or row.values["parent_code"] or None,
                    fields={
                        "founded_on": row.values["founded_on"],
                        "phone": row.values["phone"],
                        "address": row.values["address"],
                    },
                )
                for row in ordered
            ],
        )
        for row in rows:
            if row.outcome == "update":
                actions.organisation_update(
                    actor=self.actor, organisation=self.registered[row.values["code"]], **row.values["changes"]
                )
        return {}
