"""The register of past activities (活动台账) for the one import pipeline: one row per participant per activity, as
secretaries kept them. Rows with the same (党组织, 活动名称, 开始时间) form one activity.

Each activity is checked with `actions.activity_record_problems` — the rules of the single actions (who
organises, times, hours, who may be added, closing) — and the file is written with `activities_register_bulk`, the
one bulk path. An activity imported before (the same organisation, title and start) is left as it is."""

from typing import Any

from branches.importers import EXAMPLE_ID_NUMBER
from branches.importers.lookups import (
    OrganisationLookup,
    PersonLookup,
    ScopedImporter,
    read_id_number,
    shown_id_number,
    values_of,
)
from portal.imports import cells
from portal.imports.base import Column, Row
from services.actions import (
    ActivityRecord,
    ParticipantRecord,
    activities_register_bulk,
    activity_import_key,
    activity_record_problems,
)
from services.models import Activity, ActivityCategory, Participation
from volunteers.models import Team, TeamMembership

ROLES = {"组织者": Participation.Role.ORGANISER, "志愿者": Participation.Role.VOLUNTEER}
ATTENDANCE = {"出勤": True, "缺席": False}
# Facts of the activity repeated on each of its rows: where two rows both fill one in, they must agree.
ACTIVITY_FACTS = {
    "类别": "category",
    "结束时间": "ends_at",
    "地点": "place",
    "服务对象": "target_group",
    "服务队": "team",
    "服务人次": "served_people",
    "服务户次": "served_households",
}


class ActivityImporter(ScopedImporter):
    kind = "activities"
    title = "活动台账"
    counted = "行"
    intro = (
        "每行一名参与者：同一党组织、活动名称和开始时间的行合为一个活动。人员按身份证号匹配（须已在名册中登记）。"
        "导入的活动直接记为已关闭，出勤者的时长由您审核通过（您本人的时长须由他人审核）；已导入过的活动不会重复登记。"
    )
    organisation_label = "组织单位"
    organisation_help = "“党组织”一列留空的活动记在这里。"
    audit_action = "activity.register_import"
    audit_object_type = "services.Activity"
    success_url = "services:activity_list"
    shown = ("活动名称", "开始时间", "姓名", "身份证号")
    columns = (
        Column("活动名称", required=True, example="社区义诊（示例，请删除此行）"),
        Column("类别", "服务类别，如 便民服务、义诊、法律咨询", True, "义诊"),
        Column("开始时间", "如 2024-03-12 09:00", True, "2024-03-12 09:00"),
        Column("结束时间", "如 2024-03-12 11:30", True, "2024-03-12 11:30"),
        Column("地点", required=True, example="东湖社区党群服务中心"),
        Column("服务对象", "可留空", example="辖区老年居民"),
        Column("党组织", "组织单位的名称或编码；留空则记在上传时选择的组织单位"),
        Column("服务队", "服务队名称（本组织或上级组织的服务队），可留空"),
        Column("姓名", "参与者姓名", True, "张三"),
        Column("身份证号", "参与者须已在名册中登记", True, EXAMPLE_ID_NUMBER),
        Column("角色", "组织者、志愿者；留空为志愿者", example="志愿者"),
        Column("出勤", "出勤、缺席", True, "出勤"),
        Column("服务时长", "小时，最多一位小数；留空按活动时长计", example="2.5"),
        Column("服务人次", "可留空", example="120"),
        Column("服务户次", "可留空", example="80"),
    )

    # Read: cells, and lookups once per file -------------------------------------------------------------------

    def read(self, rows: list[Row]) -> None:
        self.categories = {category.name: category for category in ActivityCategory.objects.filter(is_active=True)}
        self.organisations = OrganisationLookup(values_of(rows, "党组织"), self.scope)
        self.teams: dict[str, list[Team]] = {}
        for team in Team.objects.filter(name__in=values_of(rows, "服务队"), is_archived=False).select_related(
            "organisation"
        ):
            self.teams.setdefault(team.name, []).append(team)
        self.team_members = set(
            TeamMembership.objects.filter(
                team_id__in=[team.pk for teams in self.teams.values() for team in teams],
                state=TeamMembership.State.ACTIVE,
            ).values_list("team_id", "person_id")
        )
        self.people = PersonLookup(rows)
        for row in rows:
            self._read_row(row)

    def _read_row(self, row: Row) -> None:
        values = row.values
        row.shown = [
            cells.text(row.cell("活动名称"))[:120],
            cells.text(row.cell("开始时间"))[:20],
            cells.text(row.cell("姓名"))[:60],
            shown_id_number(row),
        ]
        values["title"] = row.read("活动名称", lambda v: cells.bounded_text(v, 120, required=True), "")
        values["starts_at"] = row.read("开始时间", cells.moment)
        values["ends_at"] = row.read("结束时间", cells.moment)
        if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
            row.error("结束时间", "必须晚于开始时间。")
        values["category"] = row.read("类别", lambda v: self._category(cells.text(v)))
        values["place"] = row.read("地点", lambda v: cells.bounded_text(v, 120, required=True), "")
        values["target_group"] = row.read("服务对象", lambda v: cells.bounded_text(v, 80), "")
        key = cells.text(row.cell("党组织"))
        if key:
            values["organisation"] = self.organisations.resolve(row, "党组织", key)
        elif self.organisation is None:
            row.error("党组织", "请填写党组织（名称或组织编码）。")
            values["organisation"] = None
        else:
            values["organisation"] = self.organisation
        values["team"] = self._team(row, cells.text(row.cell("服务队")), values["organisation"])
        values["person"] = self._person(row)
        values["role"] = row.read("角色", lambda v: self._label(v, ROLES, "组织者或志愿者", "志愿者"))
        values["attended"] = row.read("出勤", lambda v: self._label(v, ATTENDANCE, "出勤或缺席"))
        values["hours"] = row.read("服务时长", cells.hours)
        if values["attended"] is False and values["hours"] is not None:
            row.error("服务时长", "缺席的人员不能登记时长。")
        values["served_people"] = row.read("服务人次", cells.count)
        values["served_households"] = row.read("服务户次", cells.count)
        key_ok = values["title"] and values["starts_at"] and values["organisation"] is not None
        values["key"] = (values["organisation"].pk, values["title"], values["starts_at"]) if key_ok else None

    def _category(self, name: str) -> ActivityCategory:
        if not name:
            raise ValueError("不能为空。")
        if name not in self.categories:
            raise ValueError(f"“{name[:20]}”不是可选的类别（可填：{'、'.join(self.categories)}）。")
        return self.categories[name]

    @staticmethod
    def _label(value: Any, labels: dict[str, Any], allowed: str, default: str | None = None) -> Any:
        written = cells.text(value) or default
        if written is None:
            raise ValueError(f"请填写{allowed}。")
        if written not in labels:
            raise ValueError(f"“{written[:20]}”应为{allowed}。")
        return labels[written]

    def _team(self, row: Row, name: str, organisation: Any) -> Team | None:
        """A team of the organisation's subtree, or of an organisation above it (a committee's team serving one
        of its branches)."""
        if not name or organisation is None:
            return None
        candidates = [
            team
            for team in self.teams.get(name, [])
            if team.organisation.path.startswith(organisation.path)
            or organisation.path.startswith(team.organisation.path)
        ]
        if not candidates:
            row.error("服务队", f"服务队“{name}”不存在，或不属于{organisation.name}及其上级党组织。")
            return None
        if len(candidates) > 1:
            row.error("服务队", f"{organisation.name}及其上下级中有多个服务队名为“{name}”。")
            return None
        return candidates[0]

    def _person(self, row: Row):
        number = read_id_number(row)
        if not number:
            return None
        person = self.people.get(number)
        if person is None:
            row.error("身份证号", "此身份证号未在名册中登记，请先在人员名册中登记此人。")
            return None
        name = cells.text(row.cell("姓名"))
        if name and name != person.name:
            row.error("姓名", f"与身份证号登记的姓名（{person.name}）不一致。")
        return person

    # Problems: rows → activities, each checked with the actions' rules -------------------------------------------

    def problems(self, rows: list[Row]) -> None:
        groups: dict[tuple, list[Row]] = {}
        for row in rows:
            if row.values["key"] is not None:
                groups.setdefault(row.values["key"], []).append(row)
        keys = {key: activity_import_key(organisation_id=key[0], title=key[1], starts_at=key[2]) for key in groups}
        by_pk = dict(Activity.objects.filter(import_key__in=list(keys.values())).values_list("pk", "import_key"))
        existing: dict[str, set[int]] = {import_key: set() for import_key in by_pk.values()}
        for activity_id, person_id in Participation.objects.filter(activity_id__in=by_pk).values_list(
            "activity_id", "person_id"
        ):
            existing[by_pk[activity_id]].add(person_id)
        self.records: list[ActivityRecord] = []
        for key, members in groups.items():
            merged = self._merge(members)
            if keys[key] in existing:
                for row in members:
                    person = row.values["person"]
                    if person is not None and person.pk not in existing[keys[key]]:
                        row.error(
                            None, "该活动此前已导入，当时的名单中没有此人；导入不会修改已登记的活动，请在活动页面补登。"
                        )
                    else:
                        row.outcome = "skip"
                continue
            self._check(key, keys[key], members, merged)

    def _merge(self, members: list[Row]) -> dict[str, Any]:
        """The activity's facts from its rows: the first filled-in value of each; a different one is an error."""
        merged: dict[str, Any] = {}
        first_row: dict[str, int] = {}
        for row in members:
            for column, name in ACTIVITY_FACTS.items():
                value = row.values[name]
                if row.failed(column) or value in (None, ""):
                    continue
                if name not in merged:
                    merged[name], first_row[name] = value, row.number
                elif merged[name] != value:
                    row.error(column, f"与第 {first_row[name]} 行（同一活动）不一致。")
        return merged

    def _check(self, key: tuple, import_key: str, members: list[Row], merged: dict[str, Any]) -> None:
        if "category" not in merged or "ends_at" not in merged or "place" not in merged:
            return  # each row already says what is missing
        participants, numbered, seen = [], [], {}
        for row in members:
            person = row.values["person"]
            if person is None or row.values["attended"] is None or row.values["role"] is None:
                continue
            if person.pk in seen:
                row.error("身份证号", f"与第 {seen[person.pk]} 行是同一人（同一活动中重复）。")
                continue
            seen[person.pk] = row.number
            participants.append(
                ParticipantRecord(
                    person=person, role=row.values["role"], attended=row.values["attended"], hours=row.values["hours"]
                )
            )
            numbered.append(row)
        record = ActivityRecord(
            title=key[1],
            category=merged["category"],
            place=merged["place"],
            target_group=merged.get("target_group", ""),
            starts_at=key[2],
            ends_at=merged["ends_at"],
            organisation=members[0].values["organisation"],
            team=merged.get("team"),
            participants=participants,
            figures={name: merged[name] for name in ("served_people", "served_households") if name in merged},
            import_key=import_key,
        )
        first = members[0]
        problems = activity_record_problems(actor=self.actor, record=record, team_members=self.team_members)
        for index, message in problems:
            if index is None:
                first.error("活动", message)
            else:
                numbered[index].error(None, message)
        if any(index is None for index, _ in problems):
            for row in members[1:]:
                row.error(None, f"该活动有问题，见第 {first.number} 行。")
        if not any(row.errors for row in members):
            self.records.append(record)
        for row in members:
            row.outcome = "new"

    def write(self, rows: list[Row]) -> dict[str, int]:
        return activities_register_bulk(actor=self.actor, activities=self.records, source="导入")

    def success_message(self, counts: dict[str, int]) -> str:
        message = (
            f"已导入活动 {counts.get('activities', 0)} 个、参与记录 {counts.get('participations', 0)} 条，"
            f"审核时长 {counts.get('approved', 0)} 条。"
        )
        if counts.get("own_pending"):
            message += f"您本人的 {counts['own_pending']} 条时长须由他人审核，仍为待审核。"
        return message
