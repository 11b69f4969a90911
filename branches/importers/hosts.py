"""Host units (单位) and how a party organisation covers them: one row per unit, matched on its name. Kept by
组织部 (as in the admin); each row is checked with `actions.host_unit_problems` and saved through
`actions.reference_row_save`, the admin's path."""

from branches import actions
from branches.importers.lookups import (
    NamedLookup,
    OrganisationLookup,
    PersonLookup,
    ScopedImporter,
    read_id_number,
    values_of,
)
from branches.models import Grid, HostUnit
from branches.selectors import scope_for
from portal.imports import cells
from portal.imports.base import Column, Row
from portal.models import User

FIELDS = {
    "sector": "类型",
    "formation": "组建方式",
    "organisation": "党组织编号",
    "instructor": "指导员身份证号",
    "grid": "网格",
    "staff_count": "职工人数",
    "has_trade_union": "建有工会",
    "has_youth_league": "建有共青团",
    "has_womens_federation": "建有妇联",
}
FLAGS = {"建有工会": "has_trade_union", "建有共青团": "has_youth_league", "建有妇联": "has_womens_federation"}


class HostImporter(ScopedImporter):
    kind = "hosts"
    title = "单位"
    counted = "个"
    intro = (
        "每行一个单位（企业、村、社区、学校、机关事业单位、社会组织），按名称识别，重复导入不会重复登记。"
        "“组建方式”说明哪个党组织覆盖它：单独建、联合建填本单位所在支部，挂靠建填主管单位党组织，"
        "委派党建指导员填派出指导员的党组织并填写指导员的身份证号。只有组织部可以导入单位。"
    )
    organisation_label = None
    audit_action = "hostunit.import"
    audit_object_type = "branches.HostUnit"
    success_url = "branches:organisation_tree"
    shown = ("名称", "类型", "组建方式")
    columns = (
        Column("名称", "单位全称，全区唯一", True, "示范区恒达机械有限公司（示例，请删除此行）"),
        Column("类型", "企业、村、社区、学校、机关事业单位、社会组织", True, "企业"),
        Column("组建方式", "单独建、联合建、挂靠建、委派党建指导员、未覆盖；留空为未覆盖", example="单独建"),
        Column("党组织编号", "覆盖本单位的党组织的编号（组织编码）；未覆盖时留空", example="0101"),
        Column("指导员身份证号", "委派党建指导员时必填：指导员（党员）的身份证号"),
        Column("网格", "网格名称，可留空"),
        Column("职工人数", "从业人员数，可留空", example="120"),
        Column("建有工会", "是 / 否，留空为否", example="是"),
        Column("建有共青团", "是 / 否，留空为否", example="否"),
        Column("建有妇联", "是 / 否，留空为否", example="否"),
    )

    @classmethod
    def allowed(cls, user: User | None) -> bool:
        return user is None or scope_for(user).everything

    def read(self, rows: list[Row]) -> None:
        sectors = cells.labels_of(HostUnit.Sector)
        formations = cells.labels_of(HostUnit.Formation, {"委派指导员": HostUnit.Formation.INSTRUCTOR})
        self.organisations = OrganisationLookup(values_of(rows, "党组织编号"), self.scope)
        self.people = PersonLookup(rows, "指导员身份证号")
        self.grids = NamedLookup(Grid, values_of(rows, "网格"))
        self.registered = {
            host.name: host
            for host in HostUnit.objects.filter(name__in=values_of(rows, "名称")).select_related(
                "organisation", "instructor", "grid"
            )
        }
        first_row: dict[str, int] = {}
        for row in rows:
            values = row.values
            values["name"] = row.read("名称", lambda v: cells.bounded_text(v, 160, required=True), "")
            values["sector"] = row.read("类型", lambda v: cells.choice(v, sectors), "")
            if not values["sector"] and not row.failed("类型"):
                row.error("类型", "不能为空。")
            formation = row.read("组建方式", lambda v: cells.choice(v, formations), "")
            values["formation"] = formation or HostUnit.Formation.NONE
            code = cells.text(row.cell("党组织编号"))
            values["organisation"] = self.organisations.resolve(row, "党组织编号", code) if code else None
            values["instructor"] = None
            if number := read_id_number(row, "指导员身份证号", required=False):
                values["instructor"] = self.people.get(number)
                if values["instructor"] is None:
                    row.error("指导员身份证号", "此身份证号未在名册中登记，请先导入人员名册。")
            values["grid"] = self._grid(row, cells.text(row.cell("网格")))
            values["staff_count"] = row.read("职工人数", cells.count) or 0
            for column, name in FLAGS.items():
                values[name] = bool(row.read(column, cells.yes_no))
            row.shown = [values["name"], cells.text(row.cell("类型")), cells.text(row.cell("组建方式"))]
            if values["name"] in first_row:
                row.error("名称", f"与第 {first_row[values['name']]} 行的单位重名。")
            elif values["name"]:
                first_row[values["name"]] = row.number

    def _grid(self, row: Row, name: str) -> Grid | None:
        if not name:
            return None
        found = self.grids.candidates(name)
        if len(found) != 1:
            row.error("网格", f"网格“{name}”不存在。" if not found else f"有多个网格名为“{name}”，无法确定是哪一个。")
            return None
        return found[0]

    def problems(self, rows: list[Row]) -> None:
        for row in rows:
            if row.errors:
                continue
            values = row.values
            registered = self.registered.get(values["name"])
            host = registered or HostUnit(name=values["name"])
            values["changed"] = [name for name in FIELDS if not registered or getattr(host, name) != values[name]]
            for name in FIELDS:
                setattr(host, name, values[name])
            for name, messages in actions.host_unit_problems(host).items():
                for message in messages:
                    row.error(FIELDS[name], message)
            values["host"] = host
            row.changes = [FIELDS[name] for name in values["changed"]] if registered else []
            row.outcome = "new" if registered is None else ("update" if row.changes else "skip")

    def write(self, rows: list[Row]) -> dict[str, int]:
        for row in rows:
            if row.outcome in ("new", "update"):
                changed = ["name", *FIELDS] if row.outcome == "new" else row.values["changed"]
                actions.reference_row_save(actor=self.actor, instance=row.values["host"], changed=changed)
        return {}
