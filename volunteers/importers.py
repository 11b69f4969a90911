"""Team members (服务队队员) for the one import pipeline: one row per person and team, the person matched on the ID
number, the team on its name (and, where names repeat, the organisation). Each row is checked with
`actions.membership_add_problems` and written with `actions.membership_add`; a person already in the team is
unchanged, so re-importing a file changes nothing."""

from django.db.models import Q

from branches.importers import EXAMPLE_ID_NUMBER
from branches.importers.lookups import PersonLookup, ScopedImporter, read_id_number, shown_id_number, values_of
from portal.imports import cells
from portal.imports.base import Column, Row
from volunteers import actions
from volunteers.models import Team, TeamMembership
from volunteers.selectors import team_can_write


class TeamMemberImporter(ScopedImporter):
    kind = "team-members"
    title = "服务队队员"
    counted = "人"
    intro = (
        "每行一名队员：服务队名称、身份证号和入队日期。人员须已在名册中登记；已在队的人员不会重复加入，"
        "申请中的人员按此入队。服务队重名时请在“党组织”一列填写服务队所属党组织的名称或编码。"
    )
    organisation_label = None
    audit_action = "team.member_import"
    audit_object_type = "volunteers.TeamMembership"
    success_url = "services:team_list"
    shown = ("服务队", "姓名", "身份证号")
    columns = (
        Column("服务队", "服务队名称", True, "东湖社区志愿服务大队（示例，请删除此行）"),
        Column("党组织", "服务队所属党组织的名称或编码；服务队重名时填写"),
        Column("姓名", "与名册一致", example="张三"),
        Column("身份证号", "人员须已在名册中登记", True, EXAMPLE_ID_NUMBER),
        Column("加入日期", "如 2024-03-12", True, "2024-03-12"),
        Column("队内职务", "队长、副队长、队员；留空为队员", example="队员"),
    )

    def read(self, rows: list[Row]) -> None:
        roles = cells.labels_of(TeamMembership.Role)
        self.people = PersonLookup(rows)
        self.teams: dict[str, list[Team]] = {}
        for team in Team.objects.filter(name__in=values_of(rows, "服务队")).select_related("organisation"):
            self.teams.setdefault(team.name, []).append(team)
        self.writable: dict[int, bool] = {}
        for row in rows:
            values = row.values
            row.shown = [cells.text(row.cell("服务队"))[:120], cells.text(row.cell("姓名"))[:60], shown_id_number(row)]
            values["team"] = self._team(row)
            values["person"] = None
            if number := read_id_number(row):
                values["person"] = self.people.get(number)
                if values["person"] is None:
                    row.error("身份证号", "此身份证号未在名册中登记，请先在人员名册中登记此人。")
            name = cells.text(row.cell("姓名"))
            if values["person"] and name and name != values["person"].name:
                row.error("姓名", f"与身份证号登记的姓名（{values['person'].name}）不一致。")
            values["joined_on"] = row.read("加入日期", cells.date)
            values["role"] = row.read("队内职务", lambda v: cells.choice(v, roles), "") or TeamMembership.Role.MEMBER
        pairs = [
            (row.values["team"], row.values["person"]) for row in rows if row.values["team"] and row.values["person"]
        ]
        query = Q(pk__in=[])
        for team, person in pairs:
            query |= Q(team=team, person=person)
        self.current = (
            {
                (team_id, person_id): state
                for team_id, person_id, state in TeamMembership.objects.current()
                .filter(query)
                .values_list("team_id", "person_id", "state")
            }
            if pairs
            else {}
        )

    def _team(self, row: Row) -> Team | None:
        name = cells.text(row.cell("服务队"))
        if not name:
            if not row.failed("服务队"):
                row.error("服务队", "不能为空。")
            return None
        key = cells.text(row.cell("党组织"))
        candidates = [
            team
            for team in self.teams.get(name, [])
            if not key or key in (team.organisation.code, team.organisation.name)
        ]
        if not candidates:
            row.error("服务队", f"服务队“{name}”不存在。" if not key else f"{key}没有名为“{name}”的服务队。")
            return None
        if len(candidates) > 1:
            row.error("服务队", f"有多个服务队名为“{name}”，请在“党组织”一列写明所属党组织。")
            return None
        team = candidates[0]
        if team.pk not in self.writable:
            self.writable[team.pk] = self.actor is None or team_can_write(user=self.actor, team=team)
        if not self.writable[team.pk]:
            row.error("服务队", f"服务队“{name}”不在您的管理范围内。")
            return None
        return team

    def problems(self, rows: list[Row]) -> None:
        seen: dict[tuple[int, int], int] = {}
        for row in rows:
            team, person = row.values["team"], row.values["person"]
            if team is None or person is None:
                continue
            pair = (team.pk, person.pk)
            if pair in seen:
                row.error("身份证号", f"与第 {seen[pair]} 行是同一服务队的同一人。")
                continue
            seen[pair] = row.number
            state = self.current.get(pair)
            if state == TeamMembership.State.ACTIVE:
                row.outcome = "skip"
                continue
            for message in actions.membership_add_problems(
                team=team,
                person=person,
                joined_on=row.values["joined_on"],
                role=row.values["role"],
                current_state=state,
            ):
                row.error(None, message)
            row.outcome = "update" if state == TeamMembership.State.PENDING else "new"
            if state == TeamMembership.State.PENDING:
                row.changes = ["申请中 → 在队"]

    def write(self, rows: list[Row]) -> dict[str, int]:
        for row in rows:
            if row.outcome in ("new", "update"):
                actions.membership_add(
                    actor=self.actor,
                    team=row.values["team"],
                    person=row.values["person"],
                    joined_on=row.values["joined_on"],
                    role=row.values["role"],
                )
        return {}
