"""Pairing help (结对帮扶): households, pairings, visits with photos, the register export. Validated, atomic,
audited. `actor=None` is the system (tests, set-up) and skips the access checks, as in the other actions.

Photos are checked completely before anything is written (count here; size, format, pixels and re-encoding to a
metadata-free JPEG in portal.lib.photos, which meeting photos share: the GPS position of the household's home
must never be stored). Stored through VisitPhoto's upload_to: private/visits/<uuid4 hex>.jpg.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from branches.actions.common import scope_require
from branches.models import Grid, Organisation, Person
from branches.selectors import committee_secretary_users, scope_for
from portal.actions import notification_send
from portal.audit import audit_record, diff, snapshot
from portal.lib import xlsx
from portal.lib.photos import photo_jpeg
from portal.models import User
from services.models import Household, Pairing, PairingVisit, VisitPhoto
from services.selectors.pairing import (
    PeriodCounts,
    pairing_can_visit,
    pairing_counts_by_organisation,
    pairing_register,
    pairings_without_visit,
)

HOUSEHOLD_FIELDS = ["organisation", "grid", "head_name", "address", "phone", "situation", "size", "notes"]
HOUSEHOLD_EDITABLE = ["grid", "head_name", "address", "phone", "situation", "size", "notes"]
MAX_PHOTOS_PER_VISIT = 5


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# Households -------------------------------------------------------------------------------------------------


def _check_household(household: Household) -> None:
    if not household.head_name:
        raise ValidationError("请填写户主姓名。")
    if not household.address:
        raise ValidationError("请填写住址。")
    if household.phone and not all(c.isdigit() or c in "-+ " for c in household.phone):
        raise ValidationError("联系电话只能包含数字。")
    if household.situation not in Household.Situation.values:
        raise ValidationError("请选择困难类型。")
    if not household.size or household.size < 1 or household.size > 30:
        raise ValidationError("家庭人口应在 1 到 30 人之间。")
    if household.grid_id is not None and household.grid.organisation_id is not None:
        # The grid's serving organisation is the household's branch, above it (a 总支 serving the community) or
        # below it: one line of the tree.
        grid_path, path = household.grid.organisation.path, household.organisation.path
        if not (path.startswith(grid_path) or grid_path.startswith(path)):
            raise ValidationError("所选网格不由该党组织服务。")


@transaction.atomic
def household_create(
    *,
    actor: User | None,
    organisation: Organisation,
    head_name: str,
    address: str,
    phone: str,
    situation: str,
    size: int,
    notes: str,
    grid: Grid | None = None,
) -> Household:
    """A household in need of help, registered with the branch that helps it (a 党支部 or 联合党支部)."""
    scope_require(actor, organisation, "所选党组织不在您的管理范围内。")
    if organisation.kind not in Organisation.BRANCH_KINDS:
        raise ValidationError("帮扶对象应登记在党支部（或联合党支部）。")
    if organisation.is_archived:
        raise ValidationError("该党组织已撤销。")
    household = Household(
        organisation=organisation,
        grid=grid,
        head_name=_clean_text(head_name),
        address=_clean_text(address),
        phone=_clean_text(phone),
        situation=situation,
        size=size,
        notes=_clean_text(notes),
    )
    _check_household(household)
    household.full_clean()
    household.save()
    # The summary names the household by its kind and number only: the audit log is no place for personal data.
    audit_record(actor=actor, action="household.create", target=household, summary=str(household))
    return household


@transaction.atomic
def household_update(*, actor: User | None, household: Household, **fields: Any) -> Household:
    household = Household.objects.select_for_update().select_related("organisation").get(pk=household.pk)
    scope_require(actor, household.organisation, "该帮扶对象不在您的管理范围内。")
    unknown = set(fields) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValidationError(f"不能直接修改：{', '.join(sorted(unknown))}")
    before = snapshot(household, list(fields))
    for name, value in fields.items():
        setattr(household, name, _clean_text(value) if isinstance(value, str) else value)
    _check_household(household)
    household.full_clean()
    household.save()
    changed = diff(before, snapshot(household, list(fields)))
    # Which fields changed, not their values (name, address and phone are personal data).
    audit_record(
        actor=actor,
        action="household.update",
        target=household,
        summary=str(household),
        changes={"fields": sorted(changed)},
    )
    return household


# Pairings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *,
    actor: User | None,
    helper: Person,
    household: Household,
    started_on: datetime.date,
    help_plan: str,
    content: str,
) -> Pairing:
    """一帮一: an active party member the actor manages, paired with a household of an organisation the actor
    manages. One open pairing per helper and household."""
    household = Household.objects.select_related("organisation").get(pk=household.pk)
    helper = Person.objects.select_related("organisation").get(pk=helper.pk)
    scope_require(actor, household.organisation, "该帮扶对象不在您的管理范围内。")
    scope_require(actor, helper.organisation, "所选党员不在您的管理范围内。")
    if not helper.is_active_member or not helper.is_party_member:
        raise ValidationError("帮扶人须是在册党员（正式党员或预备党员）。")
    if started_on > timezone.localdate():
        raise ValidationError("结对日期不能晚于今天。")
    help_plan, content = _clean_text(help_plan), _clean_text(content)
    if not content:
        raise ValidationError("请填写帮扶内容。")
    if not help_plan:
        raise ValidationError("请填写帮扶计划。")
    if Pairing.objects.filter(helper=helper, household=household, ended_on__isnull=True).exists():
        raise ValidationError("该党员与该户已有进行中的结对。")
    pairing = Pairing(
        helper=helper,
        household=household,
        organisation=household.organisation,
        started_on=started_on,
        help_plan=help_plan,
        content=content,
    )
    pairing.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a concurrent twin hits the unique constraint: the same message
            pairing.save()
    except IntegrityError as error:
        raise ValidationError("该党员与该户已有进行中的结对。") from error
    audit_record(actor=actor, action="pairing.create", target=pairing, summary=f"{helper.name} ↔ {household}")
    return pairing


def _locked(pairing: Pairing) -> Pairing:
    return Pairing.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pairing.pk)


@transaction.atomic
def pairing_update_plan(*, actor: User | None, pairing: Pairing, help_plan: str, content: str) -> Pairing:
    pairing = _locked(pairing)
    scope_require(actor, pairing.organisation, "该结对不在您的管理范围内。")
    if pairing.ended_on is not None:
        raise ValidationError("结对已结束，不能再修改帮扶计划。")
    help_plan, content = _clean_text(help_plan), _clean_text(content)
    if not content or not help_plan:
        raise ValidationError("请填写帮扶内容和帮扶计划。")
    fields = ["help_plan", "content"]
    before = snapshot(pairing, fields)
    pairing.help_plan, pairing.content = help_plan, content
    pairing.full_clean(validate_constraints=False)
    pairing.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor, action="pairing.update_plan", target=pairing, changes=diff(before, snapshot(pairing, fields))
    )
    return pairing


@transaction.atomic
def pairing_end(*, actor: User | None, pairing: Pairing, ended_on: datetime.date, reason: str) -> Pairing:
    """Ends the pairing (脱贫, moved away, the helper transferred …): the record and its visits stay."""
    pairing = _locked(pairing)
    scope_require(actor, pairing.organisation, "该结对不在您的管理范围内。")
    if pairing.ended_on is not None:
        raise ValidationError("该结对已结束。")
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError("请填写结束原因。")
    if ended_on < pairing.started_on:
        raise ValidationError("结束日期不能早于结对日期。")
    if ended_on > timezone.localdate():
        raise ValidationError("结束日期不能晚于今天。")
    last_visit = pairing.visits.order_by("-date").values_list("date", flat=True).first()
    if last_visit is not None and ended_on < last_visit:
        raise ValidationError(
            f"结束日期不能早于最后一次走访（{last_visit.year}年{last_visit.month}月{last_visit.day}日）。"
        )
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on", "updated_at"])
    # The model has no field for the reason: it is kept in the audit event (and shown from there).
    audit_record(
        actor=actor,
        action="pairing.end",
        target=pairing,
        summary=reason,
        changes={"ended_on": [None, ended_on.isoformat()], "reason": reason},
    )
    return pairing


# Visits and photos ------------------------------------------------------------------------------------------


def _photo_jpeg(upload: UploadedFile, position: int) -> bytes:
    """The upload as a clean JPEG (portal.lib.photos), or a ValidationError naming it (in Chinese)."""
    return photo_jpeg(upload, label=f"第 {position} 张照片（{upload.name}）", limit=settings.VISIT_PHOTO_MAX_BYTES)


def visit_photos_check(*, photos: list[UploadedFile]) -> list[bytes]:
    """Every photo checked and re-encoded before anything is written; the first problem refuses them all."""
    if len(photos) > MAX_PHOTOS_PER_VISIT:
        raise ValidationError(f"每次走访最多上传 {MAX_PHOTOS_PER_VISIT} 张照片（您选择了 {len(photos)} 张）。")
    return [_photo_jpeg(upload, position) for position, upload in enumerate(photos, 1)]


@transaction.atomic
def visit_record(
    *,
    actor: User | None,
    pairing: Pairing,
    date: datetime.date,
    notes: str,
    photos: list[UploadedFile] | None = None,
) -> PairingVisit:
    """A visit by the helper (recorded by them, or by someone who manages the pairing), with up to five photos."""
    pairing = _locked(pairing)
    if actor is not None and not pairing_can_visit(user=actor, pairing=pairing):
        raise ValidationError("只有帮扶党员本人或所在党组织的负责人可以登记走访。")
    notes = _clean_text(notes)
    if not notes:
        raise ValidationError("请填写走访记录。")
    if date < pairing.started_on:
        raise ValidationError("走访日期不能早于结对日期。")
    if date > timezone.localdate():
        raise ValidationError("走访日期不能晚于今天。")
    if pairing.ended_on is not None and date > pairing.ended_on:
        raise ValidationError("走访日期不能晚于结对结束日期。")
    images = visit_photos_check(photos=list(photos or []))
    visit = PairingVisit(pairing=pairing, date=date, notes=notes, recorded_by=actor)
    visit.full_clean(exclude=["recorded_by"])
    visit.save()
    saved: list[VisitPhoto] = []
    try:
        for content in images:
            photo = VisitPhoto(visit=visit)
            photo.image.save("photo.jpg", ContentFile(content), save=False)  # upload_to names it
            saved.append(photo)
            photo.save()
    except Exception:
        # The transaction rolls back the rows; the files already written are removed with them.
        for photo in saved:
            photo.image.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="pairing.visit",
        target=pairing,
        summary=f"走访 {date:%Y-%m-%d}，照片 {len(saved)} 张",
        changes={"visit": visit.pk, "date": date.isoformat(), "photos": len(saved)},
    )
    return visit


# The register (一帮一登记册) --------------------------------------------------------------------------------

REGISTER_HEADERS = [
    "党组织",
    "帮扶党员",
    "帮扶对象（户主）",
    "住址",
    "困难类型",
    "情况说明",
    "帮扶内容",
    "结对日期",
    "结束日期",
    "本年走访次数",
    "最近走访",
    "缺访月数",
]


def pairing_register_export(*, actor: User, pairings: Any, filters: dict[str, str] | None = None) -> bytes:
    """The register over `pairings` (a queryset the caller limited to the actor's scope and filters) as .xlsx;
    households masked per the actor's right; every string a text cell. Audited with the row count."""
    today = timezone.localdate()
    rows = pairing_register(user=actor, pairings=pairings, today=today)
    content = xlsx.workbook_bytes(
        title="一帮一登记册",
        headers=REGISTER_HEADERS,
        rows=(
            [
                row["pairing"].organisation.name,
                row["pairing"].helper.name,
                row["household"].name,
                row["household"].address,
                row["pairing"].household.get_situation_display(),
                row["household"].notes,
                row["pairing"].content,
                row["pairing"].started_on,
                row["pairing"].ended_on,
                row["pairing"].visits_this_year,
                row["pairing"].last_visit,
                len(row["missed"]),
            ]
            for row in rows
        ),
        bold_header=True,
        freeze_header=True,
        column_widths=[22, 10, 14, 28, 10, 24, 24, 12, 12, 12, 12, 10],
    )
    masked = sum(1 for row in rows if row["household"].masked)
    audit_record(
        actor=actor,
        action="pairing.export",
        object_type=Pairing._meta.label,
        summary=f"导出一帮一登记册 {len(rows)} 条（其中脱敏 {masked} 条）",
        changes={"rows": len(rows), "masked": masked, "filters": filters or {}},
    )
    return content


# The pairing jobs: monthly visit gaps, the quarterly inspection summary --------------------------------------
#
# Not one transaction around a run: each reminder commits on its own (see `notification_send`), so a failure
# halfway keeps what was sent and a re-run sends only the rest. The gaps themselves are derived (缺访 on the list
# and in the register), never stored.


def pairing_gaps_remind(*, today: datetime.date) -> dict:
    """每月: every pairing that owed a visit last month and had none reminds its helper, once per pairing and
    month (`pairing-gap:{pairing}:{YYYY-MM}`). Helpers without an account are counted, not reminded; the branch
    secretary sees them in the monthly briefing."""
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    label = f"{month.year}年{month.month}月"
    summary = {"month": f"{month:%Y-%m}", "gaps": 0, "reminded": 0, "no_account": 0}
    for pairing in pairings_without_visit(month=month):
        summary["gaps"] += 1
        helper = pairing.helper.user
        if helper is None:
            summary["no_account"] += 1
            continue
        if notification_send(
            recipient=helper,
            key=f"pairing-gap:{pairing.pk}:{month:%Y-%m}",
            title=f"结对帮扶走访提醒：{label}未走访",
            body=(
                f"您的结对帮扶（{pairing.household}，{pairing.organisation.name}）在{label}没有走访记录。"
                "一帮一结对每月至少走访一次，请尽快走访并登记走访情况。"
            ),
            url=reverse("services:pairing_detail", args=[pairing.pk]),
        ):
            summary["reminded"] += 1
    return summary


def _quarter_just_ended(today: datetime.date) -> tuple[int, int, datetime.date, datetime.date]:
    """(year, quarter, first day, last day) of the calendar quarter before the one `today` is in."""
    first_of_this = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = first_of_this - datetime.timedelta(days=1)
    quarter = (last.month - 1) // 3 + 1
    return last.year, quarter, datetime.date(last.year, 3 * quarter - 2, 1), last


def pairing_inspection_send(*, today: datetime.date) -> dict:
    """每季度 结对帮扶督查汇总: for the quarter just ended, each 组织部 member and each 党委/党总支 secretary gets
    one summary of the branches in their scope — pairs, visits and months without a visit (缺访月次) per branch —
    once per quarter (`pairing-inspection:{YYYY}Q{n}`). Counts only: no household's name or address."""
    year, quarter, first, last = _quarter_just_ended(today)
    counts = pairing_counts_by_organisation(first=first, last=last)
    # Each organisation's pairings count for the branch it lies in (a party group's for its branch); pairings held
    # above any branch (a committee's own) count for that organisation itself.
    step = Organisation.steplen
    ancestors = {path[:end] for path in counts for end in range(step, len(path) + 1, step)}
    known = {o.path: o for o in Organisation.objects.filter(path__in=ancestors)}
    units: dict[str, tuple[Organisation, PeriodCounts]] = {}
    for path, row in counts.items():
        branch = next(
            (known[p] for p in (path[:end] for end in range(step, len(path) + 1, step)) if known[p].is_branch),
            known[path],
        )
        unit = units.setdefault(branch.path, (branch, PeriodCounts()))[1]
        unit.pairs, unit.visits, unit.gaps = unit.pairs + row.pairs, unit.visits + row.visits, unit.gaps + row.gaps
    recipients = {user.pk: user for user in User.objects.filter(is_org_department=True, is_active=True)}
    recipients |= {user.pk: user for user in committee_secretary_users(on=today)}
    label = f"{year}年第{quarter}季度"
    summary = {"quarter": f"{year}Q{quarter}", "units": len(units), "reminded": 0}
    for user in sorted(recipients.values(), key=lambda u: u.pk):
        scope = scope_for(user)
        rows = [units[path] for path in sorted(units) if scope.covers_path(path)]
        if not rows:
            continue
        total = PeriodCounts(
            pairs=sum(r.pairs for _, r in rows),
            visits=sum(r.visits for _, r in rows),
            gaps=sum(r.gaps for _, r in rows),
        )
        lines = [
            f"{label}（{first:%m月%d日}至{last:%m月%d日}）共 {len(rows)} 个党组织：结对 {total.pairs} 对，"
            f"走访 {total.visits} 次，缺访 {total.gaps} 个月次。",
            *(f"{o.name}：结对 {r.pairs} 对，走访 {r.visits} 次，缺访 {r.gaps} 个月次" for o, r in rows),
        ]
        if notification_send(
            recipient=user,
            key=f"pairing-inspection:{year}Q{quarter}",
            title=f"{label}结对帮扶督查汇总",
            body="\n".join(lines),
            url=reverse("services:pairing_list"),
        ):
            summary["reminded"] += 1
    return summary
