"""Reference rows (host units, grids, the holiday calendar) saved from the admin and the calendar jobs."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import (
    MEMBER_STATUSES,
    CalendarDay,
    Grid,
    HostUnit,
)
from branches.selectors import scope_for
from portal.actions import notification_send
from portal.audit import audit_record, snapshot
from portal.lib.workdays import OFFICIAL_CALENDAR_SOURCE, official_calendar, official_calendar_years
from portal.models import User


@transaction.atomic
def host_unit_problems(host: HostUnit) -> dict[str, list[str]]:
    """What is wrong with a host unit's coverage, by field, without queries (the instructor loaded): the rules the
    admin's save and the host import both apply."""
    problems: dict[str, list[str]] = {}
    covered = host.formation != HostUnit.Formation.NONE
    if covered and host.organisation is None:
        problems["organisation"] = [f"组建方式为“{host.get_formation_display()}”时须填写党组织。"]
    if host.formation == HostUnit.Formation.INSTRUCTOR and host.instructor is None:
        problems["instructor"] = ["委派党建指导员的单位须填写指导员。"]
    if host.instructor is not None and host.instructor.political_status not in MEMBER_STATUSES:
        problems.setdefault("instructor", []).append(f"指导员{host.instructor.name}不是党员。")
    return problems


def reference_row_save(*, actor: User | None, instance: HostUnit | Grid | CalendarDay, changed: list[str]) -> None:
    """Reference rows kept by 组织部 in the admin (host units, grids, the holiday calendar): validated, saved and
    audited in one step."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护单位、网格和节假日安排。")
    if isinstance(instance, HostUnit) and (problems := host_unit_problems(instance)):
        raise ValidationError(problems)
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=f"{instance._meta.model_name}.{'create' if created else 'update'}",
        target=instance,
        changes={name: snapshot(instance, [name])[name] for name in changed},
    )


# The holiday calendar -----------------------------------------------------------------------------------------


def calendar_fill_years(*, today: datetime.date) -> list[int]:
    """The years a fill covers unless told: this year and next (the one whose arrangement comes each November or
    December), and any later year the package already knows."""
    return sorted({today.year, today.year + 1} | {year for year in official_calendar_years() if year > today.year})


@transaction.atomic
def calendar_fill(*, actor: User | None, years: Iterable[int] | None = None) -> dict[str, Any]:
    """Adds the public holidays and make-up workdays (调休上班) the `chinesecalendar` package knows for `years`
    (default: calendar_fill_years) on the dates the calendar does not have yet. A date already kept is left as it
    is — 组织部 may have edited it — so a second run adds nothing. Returns {"added": {"2026": 33, …},
    "unknown_years": [2027]}: the rows added per year the package knows, and the years it does not know yet."""
    if actor is not None and not scope_for(actor).everything:
        raise ValidationError("只有组织部可以维护节假日安排。")
    wanted = sorted(set(years)) if years is not None else calendar_fill_years(today=timezone.localdate())
    known = official_calendar_years()
    kept = set(CalendarDay.objects.filter(date__year__in=wanted).values_list("date", flat=True))
    rows = [
        CalendarDay(
            date=official.date,
            kind=CalendarDay.Kind.HOLIDAY if official.is_holiday else CalendarDay.Kind.WORKDAY,
            name=official.name,
        )
        for official in official_calendar(wanted)
        if official.date not in kept
    ]
    # A date 组织部 enter in the admin at this very moment wins: the unique date skips ours.
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    added = {str(year): sum(row.date.year == year for row in rows) for year in wanted if year in known}
    summary = {"added": added, "unknown_years": [year for year in wanted if year not in known]}
    if rows:
        audit_record(
            actor=actor,
            action="calendarday.fill",
            object_type=CalendarDay._meta.label,
            summary="从节假日库补充节假日安排 "
            + "，".join(f"{year} 年 {count} 天" for year, count in added.items() if count),
            changes={**summary, "library": OFFICIAL_CALENDAR_SOURCE},
        )
    return summary


def calendar_refresh(*, today: datetime.date) -> dict[str, Any]:
    """The weekly job: calendar_fill for calendar_fill_years(today); then, for a year the package does not know
    and whose deadlines are near (this year, or next year from December on) while the calendar has no holiday of
    it either (组织部 may have entered them by hand), a reminder to 组织部 — without one, working-day deadlines
    would silently count weekends only. Once per year and account (the reminder's key), so a re-run sends nothing.

    Not one transaction around the run: the fill is one, and each reminder commits on its own, as the other
    reminder jobs do."""
    summary = calendar_fill(actor=None, years=calendar_fill_years(today=today))
    near = [
        year
        for year in summary["unknown_years"]
        if year == today.year or (year == today.year + 1 and today.month == 12)
    ]
    entered = set(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY, date__year__in=near).values_list(
            "date__year", flat=True
        )
    )
    missing = [year for year in near if year not in entered]
    recipients = list(User.objects.filter(is_org_department=True, is_active=True).order_by("pk"))
    url = reverse("admin:branches_calendarday_changelist")
    reminded = 0
    for year in missing:
        for recipient in recipients:
            reminded += (
                notification_send(
                    recipient=recipient,
                    key=f"calendar-missing:{year}",
                    title=f"节假日安排尚无 {year} 年的法定节假日",
                    body=(
                        f"节假日库（{OFFICIAL_CALENDAR_SOURCE}）还没有 {year} 年的节假日安排，管理后台“节假日安排”中"
                        f"也没有 {year} 年的节假日。国务院公布安排后，请信息技术人员升级该库并运行 "
                        "manage.py calendar_fill，或在“节假日安排”中录入；在此之前，群众需求、差评整改等按工作日计算的"
                        "期限只跳过周末。"
                    ),
                    url=url,
                )
                is not None
            )
    return {**summary, "reminded": reminded}
