"""Branch assessment (评星晋级): the stars rule and the one writer, `branch_assess`.

Re-assessing a branch for a year it already has updates that row (one assessment per branch and year, as the
model's constraint says): a mistake in the checklist can be put right, the figures are measured and frozen again,
and the audit event keeps the before and after of every changed field — the earlier assessment stays readable
in the audit log rather than as a second, competing row.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from branches.models import Organisation
from branches.selectors import scope_for, secretary_users_for
from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import (
    CHECKLIST,
    assessment_can_assess,
    branch_figures,
    checklist_label,
)
from portal.actions import notification_send
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


# The yearly reminder job ------------------------------------------------------------------------------------


def assessment_remind(*, year: int, today: datetime.date) -> dict[str, int]:
    """评星晋级 of a year (the January job, for the year just ended). The job cannot make the assessments:
    `branch_assess` needs the 六有 checklist with its evidence, judged by the level above — a row made without it
    would freeze a one-star result. So for every branch not yet assessed for the year it reminds, once each:

    - the branch's own secretary, to prepare the 六有 evidence (`assessment-prepare:{branch}:{year}`);
    - the assessors — the secretaries of the nearest organisation above the branch that has one (党总支 or 党委),
      else 组织部 — one reminder each listing their branches (`assessment-due:{year}`).

    Each reminder commits on its own (see `notification_send`); nothing else is written."""
    branches = list(
        Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS, is_archived=False)
        .exclude(pk__in=BranchAssessment.objects.filter(year=year).values("organisation_id"))
        .order_by("path")
    )
    step = Organisation.steplen
    parents = {
        o.path: o for o in Organisation.objects.filter(path__in={b.path[:-step] for b in branches if b.depth > 1})
    }
    own = secretary_users_for(organisations=branches, on=today, inherit=False)
    above = secretary_users_for(organisations=parents.values(), on=today)
    org_department = list(User.objects.filter(is_org_department=True, is_active=True).order_by("pk"))
    list_url = f"{reverse('evaluations:assessment_list')}?{urlencode({'year': year})}"
    summary = {"year": year, "unassessed": len(branches), "reminded": 0, "no_account": 0}
    assessors: dict[int, tuple[User, list[Organisation]]] = {}
    for branch in branches:
        parent = parents.get(branch.path[:-step])
        for user in (above[parent.pk] if parent is not None else []) or org_department:
            assessors.setdefault(user.pk, (user, []))[1].append(branch)
        if not own[branch.pk]:
            summary["no_account"] += 1
        for secretary in own[branch.pk]:
            if notification_send(
                recipient=secretary,
                key=f"assessment-prepare:{branch.pk}:{year}",
                title=f"{year}年度评星晋级：请准备“六有”佐证材料",
                body=(
                    f"{branch.name}{year}年度评星晋级将由上级党组织评定。请整理“六有”（领导班子、骨干队伍、活动场所、"
                    "服务载体、制度机制、服务业绩）的佐证材料，报上级党组织。"
                ),
                url=list_url,
            ):
                summary["reminded"] += 1
    for user, rows in assessors.values():
        names = "、".join(branch.name for branch in rows)
        if notification_send(
            recipient=user,
            key=f"assessment-due:{year}",
            title=f"{year}年度评星晋级：{len(rows)} 个党支部待评定",
            body=f"以下党支部尚未评定{year}年度星级：{names}。请对照“六有”佐证材料和量化指标评定星级。",
            url=list_url,
        ):
            summary["reminded"] += 1
    return summary
