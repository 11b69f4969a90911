"""Branch assessment (评星晋级): the stars rule and the one writer, `branch_assess`.

Re-assessing a branch for a year it already has updates that row (one assessment per branch and year, as the
model's constraint says): a mistake in the checklist can be put right, the figures are measured and frozen again,
and the audit event keeps the before and after of every changed field — the earlier assessment stays readable
in the audit log rather than as a second, competing row.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from branches.models import Organisation
from branches.selectors import scope_for
from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import (
    CHECKLIST,
    assessment_can_assess,
    branch_figures,
    checklist_label,
)
from portal.audit import audit_record, snapshot
from portal.models import User

MAX_EVIDENCE = 300
FIRST_YEAR = 2000

# The figure thresholds (达标线). A figure that is missing (no members, no ratings, no demand due, no review round)
# does not reach its threshold.
ACTIVITIES_PER_MEMBER_MIN = 6.0  # 人均参加服务活动 ≥ 6 次
PARTICIPATION_MIN = 80.0  # 党员参与率 ≥ 80 %
SATISFACTION_MIN = 95.0  # 群众满意率 ≥ 95 %
DEMANDS_ON_TIME_MIN = 90.0  # 需求按时办结率 ≥ 90 %
REVIEWS_COMPLETED_MIN = 100.0  # 民主评议完成率 = 100 %

THRESHOLDS = {
    "activities_per_member": ACTIVITIES_PER_MEMBER_MIN,
    "participation_rate": PARTICIPATION_MIN,
    "satisfaction_rate": SATISFACTION_MIN,
    "demands_on_time_rate": DEMANDS_ON_TIME_MIN,
    "reviews_completed_rate": REVIEWS_COMPLETED_MIN,
}

# 六有 items met → base stars
BASE_STARS = {6: 4, 5: 3, 4: 2, 3: 2, 2: 1, 1: 1, 0: 1}
BONUS_FROM = 4  # this many thresholds reached or more: one star more
PENALTY_UP_TO = 1  # this many thresholds reached or fewer: one star less
MIN_STARS, MAX_STARS = 1, 5


def thresholds_met(figures: dict) -> dict[str, bool]:
    """Each figure: whether it reaches its threshold (a missing figure does not)."""
    return {key: figures.get(key) is not None and figures[key] >= threshold for key, threshold in THRESHOLDS.items()}


def stars_for(*, checklist_count: int, figures: dict) -> int:
    """评星规则（1–5 星）：

    第一步，看“六有”达标几项，定基础星级：六项全有 4 星；有五项 3 星；有三至四项 2 星；两项及以下 1 星。
    第二步，看五项量化指标是否达标：人均参加活动 ≥ 6 次、党员参与率 ≥ 80%、群众满意率 ≥ 95%、需求按时办结率
    ≥ 90%、民主评议完成率 = 100%（没有数据的指标按未达标计）。达标四项及以上加 1 星；达标一项或没有达标的
    减 1 星；达标两至三项不加不减。
    最后，星级最低 1 星、最高 5 星。因此五星党支部必须“六有”齐全且至少四项指标达标。
    """
    if not 0 <= checklist_count <= len(CHECKLIST):
        raise ValueError(f"checklist_count out of range: {checklist_count}")
    stars = BASE_STARS[checklist_count]
    reached = sum(thresholds_met(figures).values())
    if reached >= BONUS_FROM:
        stars += 1
    elif reached <= PENALTY_UP_TO:
        stars -= 1
    return max(MIN_STARS, min(MAX_STARS, stars))


def _clean_checklist(checklist: dict) -> dict:
    """{key: (met, evidence)} → model field values; every checked item needs its evidence."""
    unknown = set(checklist) - set(CHECKLIST)
    if unknown:
        raise ValidationError(f"未知的“六有”项目：{'、'.join(sorted(unknown))}")
    values, errors = {}, []
    for key in CHECKLIST:
        met, evidence = checklist.get(key, (False, ""))
        evidence = (evidence or "").strip()
        label = checklist_label(key)
        if met and not evidence:
            errors.append(f"“{label}”已勾选，请填写佐证材料。")
        if len(evidence) > MAX_EVIDENCE:
            errors.append(f"“{label}”的佐证材料不能超过 {MAX_EVIDENCE} 字。")
        values[f"has_{key}"], values[f"{key}_evidence"] = bool(met), evidence
    if errors:
        raise ValidationError(errors)
    return values


def _check_allowed(actor: User | None, organisation: Organisation, year: int, today: datetime.date) -> None:
    if organisation.kind not in Organisation.BRANCH_KINDS:
        raise ValidationError("只有党支部、联合党支部参加评星晋级。")
    if organisation.is_archived:
        raise ValidationError("该党支部已撤销，不能评星。")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise ValidationError(f"评星年度应在 {FIRST_YEAR} 年至今年之间。")
    if actor is None:
        return
    if not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("该党支部不在您的管理范围内。")
    if not assessment_can_assess(user=actor, organisation=organisation):
        raise ValidationError("党支部不能给自己评星，须由上级党组织（党委、党总支）或组织部评定。")


FIELDS = [f"{prefix}{key}{suffix}" for key in CHECKLIST for prefix, suffix in (("has_", ""), ("", "_evidence"))]


@transaction.atomic
def branch_assess(
    *,
    actor: User | None,
    organisation: Organisation,
    year: int,
    checklist: dict[str, tuple[bool, str]],
    today: datetime.date | None = None,
) -> BranchAssessment:
    """Assesses a branch for a year: the 六有 checklist with evidence, the figures measured now and frozen, the
    stars by `stars_for`. Done by the level above the branch (党委/党总支 that manage it) or 组织部 — never by
    the branch itself. A second assessment of the same year updates the row (see the module's docstring)."""
    today = today or timezone.localdate()
    _check_allowed(actor, organisation, year, today)
    values = _clean_checklist(checklist)
    figures = branch_figures(organisation=organisation, year=year, today=today)
    count = sum(1 for key in CHECKLIST if values[f"has_{key}"])
    values.update(figures=figures, stars=stars_for(checklist_count=count, figures=figures), assessed_by=actor)
    summary = f"{organisation.name} {year} 年 {values['stars']} 星"
    existing = BranchAssessment.objects.select_for_update().filter(organisation=organisation, year=year).first()
    if existing is not None:
        before = snapshot(existing, [*FIELDS, "stars", "assessed_by"]) | {"figures": existing.figures}
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        after = snapshot(existing, [*FIELDS, "stars", "assessed_by"]) | {"figures": existing.figures}
        audit_record(
            actor=actor,
            action="assessment.update",
            target=existing,
            summary=summary,
            changes={key: [before[key], value] for key, value in after.items() if before[key] != value},
        )
        return existing
    try:
        with transaction.atomic():
            assessment = BranchAssessment.objects.create(organisation=organisation, year=year, **values)
    except IntegrityError as error:  # someone else assessed the same branch and year a moment ago
        raise ValidationError("该党支部本年度的评星刚刚已由他人提交，请刷新后再试。") from error
    audit_record(
        actor=actor,
        action="assessment.create",
        target=assessment,
        summary=summary,
        changes={"stars": values["stars"], "figures": figures},
    )
    return assessment
