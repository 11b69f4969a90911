"""Reading a register of past activities: one row per participant per activity, as secretaries kept them.

Rows with the same (党组织, 活动名称, 开始时间) form one activity. Every check happens before anything is
written and is reported on the row it concerns, numbered as Excel shows it (the header is row 1). Lookups are
made once for the whole file (categories, organisations, teams, people by the keyed hash of their ID number,
activities imported before), so the number of queries does not grow with the rows. The rules an activity must
satisfy are `services.actions.activity_record_problems`, the same the bulk write applies.

The file is not read through an import-export ModelResource: its rows are not one model each (an activity is
several rows, and is written with its participants in one bulk step), so the resource's per-row save hooks do
not fit. Parsing (tablib), limits and the upload store are the roster's.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.db.models import Q
from django.utils import timezone

from branches import actions as branch_actions
from branches.models import Organisation, Person
from branches.resources import EXAMPLE_ID_NUMBER
from branches.resources.columns import cell_blank, cell_text, header_problems
from branches.selectors import Scope, scope_for
from portal.lib import idnumbers, xlsx
from portal.models import User
from services.actions import ActivityRecord, ParticipantRecord, activity_import_key, activity_record_problems
from services.models import Activity, ActivityCategory, Participation
from volunteers.models import Team, TeamMembership

COLUMNS = [
    "活动名称",
    "类别",
    "开始时间",
    "结束时间",
    "地点",
    "服务对象",
    "党组织",
    "服务队",
    "姓名",
    "身份证号",
    "角色",
    "出勤",
    "服务时长",
    "服务人次",
    "服务户次",
]
REQUIRED_COLUMNS = ("活动名称", "类别", "开始时间", "结束时间", "地点", "姓名", "身份证号", "出勤")
# Facts of the activity repeated on each of its rows: where two rows both fill one in, they must agree.
ACTIVITY_COLUMNS = ("类别", "结束时间", "地点", "服务对象", "服务队", "服务人次", "服务户次")
ROLES = {"组织者": Participation.Role.ORGANISER, "志愿者": Participation.Role.VOLUNTEER}
ATTENDANCE = {"出勤": True, "缺席": False}
DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
# 服务人次 and 服务户次 are PositiveIntegerFields: this is their range on PostgreSQL.
MAX_COUNT = 2_147_483_647
LABELS = {"new": "新增", "skip": "无变化", "blank": "空行，已忽略", "error": "错误"}


@dataclass
class RegisterRow:
    number: int
    outcome: str = "new"  # new, skip, blank, error
    title: str = ""
    starts: str = ""
    name: str = ""
    id_number: str = ""  # masked when valid: the preview never shows a whole ID number
    organisation: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.outcome]


@dataclass
class RegisterResult:
    rows: list[RegisterRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    records: list[ActivityRecord] = field(default_factory=list)
    existing_activities: int = 0
    written: dict | None = None  # the bulk write's counts, after a real import

    @property
    def has_problems(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    def preview_rows(self) -> list[RegisterRow]:
        return self.rows

    def counts(self) -> dict[str, int]:
        counts = {outcome: sum(1 for row in self.rows if row.outcome == outcome) for outcome in LABELS}
        return {**counts, "activities_new": len(self.records), "activities_existing": self.existing_activities}


def _normalise(dataset: tablib.Dataset) -> tuple[list[str], list[list[Any]]]:
    """Trimmed headers; unnamed empty columns and trailing empty rows dropped (Excel leaves both). Empty rows
    in the middle stay, so every row keeps the number the user sees in Excel."""
    headers = [cell_text(header) for header in dataset.headers or []]
    rows = [list(row) for row in dataset]
    keep = [i for i, header in enumerate(headers) if header or any(not cell_blank(row[i]) for row in rows)]
    while rows and all(cell_blank(value) for value in rows[-1]):
        rows.pop()
    return [headers[i] for i in keep], [[row[i] for i in keep] for row in rows]


def _datetime(value: Any) -> datetime.datetime:
    """An Excel date-time cell, or text as YYYY-MM-DD HH:MM; local time (Asia/Shanghai)."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        raise ValueError("只有日期没有时间，请写成 YYYY-MM-DD HH:MM（如 2024-03-12 09:00）。")
    else:
        text = cell_text(value)
        if not text:
            raise ValueError("不能为空。")
        for fmt in DATETIME_FORMATS:
            try:
                moment = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"“{text}”不是有效的时间，请写成 YYYY-MM-DD HH:MM（如 2024-03-12 09:00）。")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _hours(value: Any) -> Decimal | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是数字（单位：小时，如 2 或 1.5）。") from None
    if not hours.is_finite() or hours <= 0 or hours > 24:
        raise ValueError("应大于 0 且不超过 24 小时。")
    if hours != hours.quantize(Decimal("0.1")):
        raise ValueError("最多保留一位小数。")
    return hours.quantize(Decimal("0.1"))


def _count(value: Any) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    # isdecimal, not isdigit: "²" and "①" are digits to isdigit but int() refuses them (with an English message).
    if not text.isdecimal():
        raise ValueError(f"“{text}”不是非负整数。")
    # The column is an integer (PositiveIntegerField): a bigger number would only fail at the write, after a
    # clean preview. The length is checked first: int() refuses very long digit strings, in English.
    if len(text.lstrip("0")) > len(str(MAX_COUNT)) or int(text) > MAX_COUNT:
        raise ValueError(f"“{text[:20]}”太大，不能超过 {MAX_COUNT}。")
    return int(text)


class ActivityRegisterReader:
    """Reads a register for `actor` (None: a system job, no scope limit); rows with a blank 党组织 cell belong
    to `organisation`."""

    def __init__(self, *, actor: User | None, organisation: Organisation | None) -> None:
        self.actor = actor
        self.default_organisation = organisation
        self.scope = scope_for(actor) if actor is not None else Scope(everything=True)

    def read(self, dataset: tablib.Dataset) -> RegisterResult:
        headers, rows = _normalise(dataset)
        problems = header_problems(headers, columns=COLUMNS, required=REQUIRED_COLUMNS, rows=len(rows))
        if not self.scope.manages_anything:
            problems.insert(0, "您没有导入活动的权限。")
        if problems:
            return RegisterResult(file_errors=problems)
        cells = [dict(zip(headers, row, strict=True)) for row in rows]
        self._prepare(cells)
        result = RegisterResult()
        groups: dict[tuple, list[tuple[RegisterRow, dict]]] = {}
        for number, row in enumerate(cells, 2):
            line, data = self._clean(number, row)
            result.rows.append(line)
            if data is not None and data["key"] is not None:
                groups.setdefault(data["key"], []).append((line, data))
        self._group(groups, result)
        for line in result.rows:
            if line.errors:
                line.outcome = "error"
        return result

    # Lookups, once per file ---------------------------------------------------------------------------------

    def _prepare(self, rows: list[dict[str, Any]]) -> None:
        def values(column: str) -> set[str]:
            return {cell_text(row.get(column)) for row in rows} - {""}

        self.categories = {category.name: category for category in ActivityCategory.objects.filter(is_active=True)}
        keys = values("党组织")
        self.organisations_by_code: dict[str, Organisation] = {}
        self.organisations_by_name: dict[str, list[Organisation]] = {}
        if keys:
            for organisation in Organisation.objects.filter(Q(code__in=keys) | Q(name__in=keys)):
                if organisation.code in keys:
                    self.organisations_by_code[organisation.code] = organisation
                if organisation.name in keys:
                    self.organisations_by_name.setdefault(organisation.name, []).append(organisation)
        self.teams: dict[str, list[Team]] = {}
        for team in Team.objects.filter(name__in=values("服务队"), is_archived=False).select_related("organisation"):
            self.teams.setdefault(team.name, []).append(team)
        self.team_members = set(
            TeamMembership.objects.filter(
                team_id__in=[team.pk for teams in self.teams.values() for team in teams],
                state=TeamMembership.State.ACTIVE,
            ).values_list("team_id", "person_id")
        )
        hashes = sorted(
            {
                branch_actions.id_number_fields(number)["id_number_hash"]
                for number in (idnumbers.normalise(text) for text in values("身份证号"))
                if idnumbers.is_valid(number)
            }
        )
        self.people: dict[str, Person] = {}
        for start in range(0, len(hashes), 500):  # stay under SQLite's limit on query parameters
            chunk = Person.objects.filter(id_number_hash__in=hashes[start : start + 500]).select_related("organisation")
            self.people.update({person.id_number_hash: person for person in chunk})

    # One row ------------------------------------------------------------------------------------------------

    def _clean(self, number: int, row: dict[str, Any]) -> tuple[RegisterRow, dict | None]:
        line = RegisterRow(
            number=number,
            title=cell_text(row.get("活动名称"))[:120],
            starts=cell_text(row.get("开始时间"))[:20],
            name=cell_text(row.get("姓名"))[:60],
            organisation=cell_text(row.get("党组织"))[:120],
        )
        if all(cell_blank(value) for value in row.values()):
            line.outcome = "blank"
            return line, None

        def error(column: str, message: str) -> None:
            line.errors.append(f"{column}：{message}")

        def clean(column: str, parse):
            try:
                return parse(row.get(column))
            except ValueError as problem:
                error(column, str(problem))
                return None

        data: dict[str, Any] = {"number": number}
        data["title"] = line.title
        if not data["title"]:
            error("活动名称", "不能为空。")
        elif len(cell_text(row.get("活动名称"))) > 120:
            error("活动名称", "不能超过 120 个字。")
        data["starts_at"] = clean("开始时间", _datetime)
        data["ends_at"] = clean("结束时间", _datetime)
        if data["starts_at"] and data["ends_at"] and data["ends_at"] <= data["starts_at"]:
            error("结束时间", "必须晚于开始时间。")
        category = cell_text(row.get("类别"))
        data["category"] = self.categories.get(category)
        if data["category"] is None and category:
            error("类别", f"“{category}”不是可选的类别（可填：{'、'.join(self.categories)}）。")
        elif data["category"] is None:
            error("类别", "不能为空。")
        data["place"] = cell_text(row.get("地点"))
        if not data["place"]:
            error("地点", "不能为空。")
        elif len(data["place"]) > 120:
            error("地点", "不能超过 120 个字。")
        data["target_group"] = cell_text(row.get("服务对象"))
        if len(data["target_group"]) > 80:
            error("服务对象", "不能超过 80 个字。")
        data["organisation"] = self._organisation(line.organisation, error)
        data["team"] = self._team(cell_text(row.get("服务队")), data["organisation"], error)
        data["person"] = self._person(row, line, error)
        role = cell_text(row.get("角色"))
        data["role"] = ROLES.get(role or "志愿者")
        if data["role"] is None:
            error("角色", f"“{role}”应为组织者或志愿者。")
        attendance = cell_text(row.get("出勤"))
        data["attended"] = ATTENDANCE.get(attendance)
        if data["attended"] is None:
            error("出勤", f"“{attendance}”应为出勤或缺席。" if attendance else "请填写出勤或缺席。")
        data["hours"] = clean("服务时长", _hours)
        if data["attended"] is False and data["hours"] is not None:
            error("服务时长", "缺席的人员不能登记时长。")
        data["served_people"] = clean("服务人次", _count)
        data["served_households"] = clean("服务户次", _count)
        data["failed"] = {message.split("：", 1)[0] for message in line.errors}
        key_ok = data["title"] and data["starts_at"] and data["organisation"] is not None
        data["key"] = (data["organisation"].pk, data["title"], data["starts_at"]) if key_ok else None
        return line, data

    def _organisation(self, key: str, error) -> Organisation | None:
        if not key:
            if self.default_organisation is None:
                error("党组织", "请填写党组织（名称或组织编码）。")
            return self.default_organisation
        candidates = [self.organisations_by_code[key]] if key in self.organisations_by_code else []
        candidates = candidates or self.organisations_by_name.get(key, [])
        if not candidates:
            error("党组织", f"党组织“{key}”不存在。")
        elif len(candidates) > 1:
            error("党组织", f"有多个党组织名为“{key}”，请改填组织编码。")
        elif not self.scope.covers_path(candidates[0].path):
            error("党组织", f"党组织“{key}”不在您的管理范围内。")
        else:
            return candidates[0]
        return None

    def _team(self, name: str, organisation: Organisation | None, error) -> Team | None:
        if not name or organisation is None:
            return None
        candidates = [t for t in self.teams.get(name, []) if t.organisation.path.startswith(organisation.path)]
        if not candidates:
            error("服务队", f"服务队“{name}”不存在，或不属于{organisation.name}。")
            return None
        if len(candidates) > 1:
            error("服务队", f"{organisation.name}下有多个服务队名为“{name}”。")
            return None
        return candidates[0]

    def _person(self, row: dict[str, Any], line: RegisterRow, error) -> Person | None:
        value = row.get("身份证号")
        if isinstance(value, float) or (isinstance(value, int) and not idnumbers.is_valid(str(value))):
            error("身份证号", "身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写。")
            return None
        text = idnumbers.normalise(cell_text(value))
        if not text:
            error("身份证号", "不能为空。")
            return None
        if not idnumbers.is_valid(text):
            error("身份证号", "身份证号码无效（应为 18 位且校验位正确）。")
            line.id_number = text[:24]
            return None
        line.id_number = idnumbers.mask(text)
        if text == EXAMPLE_ID_NUMBER:
            error("身份证号", "这是模板中的示例行，请删除后再导入。")
            return None
        person = self.people.get(branch_actions.id_number_fields(text)["id_number_hash"])
        if person is None:
            error("身份证号", "此身份证号未在名册中登记，请先在人员名册中登记此人。")
            return None
        if line.name and line.name != person.name:
            error("姓名", f"与身份证号登记的姓名（{person.name}）不一致。")
        return person

    # Rows → activities --------------------------------------------------------------------------------------

    def _group(self, groups: dict[tuple, list[tuple[RegisterRow, dict]]], result: RegisterResult) -> None:
        keys = {key: activity_import_key(organisation_id=key[0], title=key[1], starts_at=key[2]) for key in groups}
        found = Activity.objects.filter(import_key__in=list(keys.values())).values_list("pk", "import_key")
        by_pk = dict(found)
        existing = {import_key: set() for import_key in by_pk.values()}
        for activity_id, person_id in Participation.objects.filter(activity_id__in=by_pk).values_list(
            "activity_id", "person_id"
        ):
            existing[by_pk[activity_id]].add(person_id)

        for key, members in groups.items():
            merged = self._merge(members)
            if keys[key] in existing:
                result.existing_activities += 1
                for line, data in members:
                    if data["person"] is not None and data["person"].pk not in existing[keys[key]]:
                        line.errors.append(
                            "该活动此前已导入，当时的名单中没有此人；导入不会修改已登记的活动，请在活动页面补登。"
                        )
                    elif not line.errors:
                        line.outcome = "skip"
                continue
            record, numbers = self._record(key, keys[key], members, merged)
            if record is None:
                continue
            first = members[0][0]
            problems = activity_record_problems(actor=self.actor, record=record, team_members=self.team_members)
            for index, message in problems:
                if index is None:
                    first.errors.append(f"活动：{message}")
                else:
                    numbers[index].errors.append(message)
            if any(message for index, message in problems if index is None):
                for line, _ in members[1:]:
                    line.errors.append(f"该活动有问题，见第 {first.number} 行。")
            if not any(line.errors for line, _ in members):
                result.records.append(record)

    def _merge(self, members: list[tuple[RegisterRow, dict]]) -> dict[str, Any]:
        """The activity's facts from its rows: the first filled-in value of each; a different one is an error."""
        fields = {
            "类别": "category",
            "结束时间": "ends_at",
            "地点": "place",
            "服务对象": "target_group",
            "服务队": "team",
            "服务人次": "served_people",
            "服务户次": "served_households",
        }
        merged: dict[str, Any] = {}
        first_row: dict[str, int] = {}
        for line, data in members:
            for column in ACTIVITY_COLUMNS:
                name = fields[column]
                value = data[name]
                if column in data["failed"] or value in (None, ""):
                    continue
                if name not in merged:
                    merged[name], first_row[name] = value, line.number
                elif merged[name] != value:
                    line.errors.append(f"{column}：与第 {first_row[name]} 行（同一活动）不一致。")
        return merged

    def _record(
        self, key: tuple, import_key: str, members: list[tuple[RegisterRow, dict]], merged: dict[str, Any]
    ) -> tuple[ActivityRecord | None, list[RegisterRow]]:
        if "category" not in merged or "ends_at" not in merged or "place" not in merged:
            return None, []  # each row already says what is missing
        participants, numbers, seen = [], [], {}
        for line, data in members:
            person = data["person"]
            if person is None or data["attended"] is None or data["role"] is None:
                continue
            if person.pk in seen:
                line.errors.append(f"身份证号：与第 {seen[person.pk]} 行是同一人（同一活动中重复）。")
                continue
            seen[person.pk] = line.number
            participants.append(
                ParticipantRecord(person=person, role=data["role"], attended=data["attended"], hours=data["hours"])
            )
            numbers.append(line)
        figures = {name: merged[name] for name in ("served_people", "served_households") if name in merged}
        record = ActivityRecord(
            title=key[1],
            category=merged["category"],
            place=merged["place"],
            target_group=merged.get("target_group", ""),
            starts_at=key[2],
            ends_at=merged["ends_at"],
            organisation=members[0][1]["organisation"],
            team=merged.get("team"),
            participants=participants,
            figures=figures,
            import_key=import_key,
        )
        return record, numbers


# The template -----------------------------------------------------------------------------------------------


def register_template_xlsx() -> bytes:
    """The columns to fill in, with one example row (refused on import if left in)."""
    example = [
        "社区义诊（示例，请删除此行）",
        "义诊",
        "2024-03-12 09:00",
        "2024-03-12 11:30",
        "东湖社区党群服务中心",
        "辖区老年居民",
        "",
        "",
        "张三",
        EXAMPLE_ID_NUMBER,
        "志愿者",
        "出勤",
        "2.5",
        "120",
        "80",
    ]
    return xlsx.workbook_bytes(
        title="活动登记",
        headers=COLUMNS,
        rows=[example],
        bold_header=True,
        freeze_header=True,
        column_widths=[max(len(h) * 2, len(v) * 1.6, 8) for h, v in zip(COLUMNS, example, strict=True)],
    )
