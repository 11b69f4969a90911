"""The activities export: sheet 活动 (one row per activity with its figures) and sheet 出勤 (one row per person on
an activity's list). Cells are made by `portal.lib.xlsx` (every string a text cell: a title typed as a formula
stays text). Three queries whatever the number of activities: the activities, their approved hours, the lists.
"""

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.lib import xlsx
from services.models import Activity, HoursEntry, Participation
from services.selectors import approved_hours_sum

EXPORT_ACTIVITY_HEADERS = [
    "名称",
    "类别",
    "组织单位",
    "服务队",
    "开始",
    "结束",
    "地点",
    "状态",
    "人次",
    "人数",
    "时长合计",
    "服务人次",
    "服务户次",
    "资金",
    "物资",
]
EXPORT_ATTENDANCE_HEADERS = ["活动", "日期", "姓名", "角色", "出勤", "已审核时长"]


def _sheet(workbook: Workbook, title: str, headers: list[str], rows: Iterable[list[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    header = [xlsx.text_cell(sheet, text) for text in headers]
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx.value_cell(sheet, value) for value in row])


def _money(activity: Activity) -> Decimal | None:
    """资金: raised + lent + donated, when any was entered."""
    figures = [activity.money_raised, activity.money_lent, activity.money_donated]
    return sum((f for f in figures if f is not None), Decimal(0)) if any(f is not None for f in figures) else None


def activity_export_xlsx(activities: QuerySet[Activity]) -> tuple[bytes, dict[str, int]]:
    """The activities (already limited to the user's scope and filters) as .xlsx, and the row counts."""
    ids = activities.order_by().values("pk")
    hours = dict(
        HoursEntry.objects.counted()
        .filter(participation__activity_id__in=ids)
        .values_list("participation__activity_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    counts = {"activities": 0, "attendance": 0}

    def activity_rows():
        rows = (
            Activity.objects.filter(pk__in=ids)
            .select_related("organisation", "team", "category")
            .annotate(
                attended=Count("participations", filter=Participation.objects.attended_q("participations__")),
                people=Count(
                    "participations__person",
                    filter=Participation.objects.attended_q("participations__"),
                    distinct=True,
                ),
            )
            .order_by("starts_at", "pk")
        )
        for activity in rows.iterator(chunk_size=1000):
            counts["activities"] += 1
            yield [
                activity.title,
                activity.category.name,
                activity.organisation.name,
                activity.team.name if activity.team else "",
                activity.starts_at,
                activity.ends_at,
                activity.place,
                activity.display_state,
                activity.attended,
                activity.people,
                hours.get(activity.pk, Decimal(0)),
                activity.served_people,
                activity.served_households,
                _money(activity),
                activity.goods,
            ]

    def attendance_rows():
        rows = (
            Participation.objects.filter(activity_id__in=ids)
            .exclude(state=Participation.State.WITHDRAWN)
            .select_related("activity", "person")
            .annotate(approved_hours=approved_hours_sum())
            .order_by("activity__starts_at", "activity_id", "role", "person__name")
        )
        for participation in rows.iterator(chunk_size=2000):
            counts["attendance"] += 1
            yield [
                participation.activity.title,
                timezone.localtime(participation.activity.starts_at).date(),
                participation.person.name,
                participation.get_role_display(),
                participation.get_state_display(),
                participation.approved_hours,
            ]

    workbook = Workbook(write_only=True)
    _sheet(workbook, "活动", EXPORT_ACTIVITY_HEADERS, activity_rows())
    _sheet(workbook, "出勤", EXPORT_ATTENDANCE_HEADERS, attendance_rows())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), counts
