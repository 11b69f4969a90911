"""Demo data for the branch assessment (评星晋级): every branch of the demo district assessed for the demo year by
组织部 through `branch_assess`, so the figures are measured from the demo's activities, ratings, demands and (when
the reviews demo made them) review rounds, and frozen.

The year: the latest yearly review round's year when the reviews demo made one (so "reviews completed" has a
round to count), otherwise the calendar year holding most of the demo's past twelve months. Without review rounds
the assessment still runs: that figure is then missing and simply reaches no threshold.

The 六有 checklists are a committee's judgement, not data: the builder picks, per branch, how many items are met
(the rest left unticked, in turn) so that the district shows the whole range of stars — from 2 to 5 — whatever the
measured figures turn out to be. Every ticked item gets a plausible evidence text.
"""

import datetime

from django.db.models import Count

from branches.demo.data import COMMITTEE_CODE
from branches.models import Organisation
from evaluations.actions.assessment import BASE_STARS, BONUS_FROM, PENALTY_UP_TO, branch_assess, thresholds_met
from evaluations.models import BranchAssessment, ReviewRound
from evaluations.selectors.assessment import CHECKLIST, branch_figures_many
from portal.models import User

# The spread of stars the district aims at (for 15 branches; longer districts repeat it), best first: handed out
# to the branches from the best measured down, since only figures can give the fifth star.
TARGETS = [5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 4]
# Items left unticked first, in turn (a premises or a service vehicle is what a small branch most often lacks).
UNMET_ORDER = ["carriers", "premises", "results", "backbone", "rules", "leadership"]
EVIDENCE = {
    "leadership": "支部委员会 {n} 人配齐，书记年度述职评议为“好”，换届按期完成",
    "backbone": "党员志愿服务骨干 {n} 人，牵头组建便民服务队、帮扶小组",
    "premises": "党群服务站（室）约 {m} 平方米，每周固定开放，挂牌上墙",
    "carriers": "“红色帮帮团”服务项目、民情联系卡、网格服务微信群",
    "rules": "“三会一课”、主题党日、承诺践诺、结对帮扶制度健全，台账完整",
    "results": "全年办结群众需求、开展便民服务活动，群众评价和回访满意",
}
STARS_WORDS = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星"}


def demo_year(today: datetime.date) -> int:
    latest = (
        ReviewRound.objects.filter(kind=ReviewRound.Kind.YEARLY, year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or (today - datetime.timedelta(days=182)).year


def _checked_count(target: int, reached: int) -> int:
    """How many 六有 items to tick so that the stars rule gives `target` (as near as it can) for these figures."""
    adjust = 1 if reached >= BONUS_FROM else -1 if reached <= PENALTY_UP_TO else 0
    for count in sorted(BASE_STARS, reverse=True):
        if BASE_STARS[count] + adjust <= target:
            return count
    return 0


def _checklist(index: int, count: int) -> dict:
    unmet = {UNMET_ORDER[(index + k) % len(UNMET_ORDER)] for k in range(len(CHECKLIST) - count)}
    return {
        key: (key not in unmet, "" if key in unmet else EVIDENCE[key].format(n=5 + index % 4, m=60 + 20 * (index % 5)))
        for key in CHECKLIST
    }


def assessment_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows; called once, inside seed_demo's transaction, after the reviews."""
    year = demo_year(today)
    if year > today.year:
        return
    branches = list(
        Organisation.objects.filter(
            path__startswith=Organisation.objects.get(code=COMMITTEE_CODE).path,
            kind__in=Organisation.BRANCH_KINDS,
            is_archived=False,
        ).order_by("path")
    )
    figures = branch_figures_many(organisations=branches, year=year, today=today)
    reached = {branch.pk: sum(thresholds_met(figures[branch.pk]).values()) for branch in branches}
    targets = sorted((TARGETS * (len(branches) // len(TARGETS) + 1))[: len(branches)], reverse=True)
    ranked = sorted(branches, key=lambda branch: -reached[branch.pk])  # stable: tree order among equals
    target_of = {branch.pk: target for branch, target in zip(ranked, targets, strict=True)}
    for index, branch in enumerate(branches):
        count = _checked_count(target_of[branch.pk], reached[branch.pk])
        branch_assess(actor=actor, organisation=branch, year=year, checklist=_checklist(index, count), today=today)


def assessment_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    year = BranchAssessment.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return ""
    counts = dict(BranchAssessment.objects.filter(year=year).values_list("stars").annotate(n=Count("pk")).order_by())
    spread = "、".join(f"{word} {counts[stars]}" for stars, word in STARS_WORDS.items() if counts.get(stars))
    return f"评星晋级（{year} 年度）{sum(counts.values())} 个党支部：{spread}"
