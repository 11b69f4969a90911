"""Demo data for member reviews (民主评议): last year's yearly round, finished, in the demo secretary's branch and two
more branches — self-evaluations, peer scores, organisation scores, closed with grades (at least one 优秀; one
不合格 with its 批评教育 in the second branch) — and this half year's mutual round open in the secretary's branch with
some peer scores still missing. Everything goes through the actions; the demo `member` sees a result on first login.

Runs after the points demo and reads whatever points exist (none is fine: the mass score then comes from the
ratings alone). Scores are picked so the grades come out as wanted whatever the ratings are: the 优秀 member is
the one with the best mass score and high scores elsewhere; the 不合格 one gets low scores (their total stays
under 60 even with a perfect mass score: 0.1 × 60 + 0.3 × 25 + 0.2 × 20 + 0.4 × 100 = 57.5).
"""

import datetime
import random

from django.utils import timezone

from branches.models import MEMBER_STATUSES, Organisation, Person, Role, RoleAssignment
from evaluations.actions.reviews import (
    half_of,
    mass_scores,
    peer_score_submit,
    review_follow_up_record,
    review_organisation_score,
    review_round_close,
    review_round_open,
    review_self_submit,
)
from evaluations.models import ReviewRound, ReviewSheet
from evaluations.selectors.reviews import review_period
from portal.models import User

SEED = 20250701
PEERS_EACH = 8  # each member scores the next few members (a big branch would otherwise mean hundreds of scores)
SELF_TEXTS = [
    "一年来认真学习党的理论，按时参加组织生活，积极参加社区志愿服务，但理论联系实际还不够。",
    "能够履行党员义务，带头参加便民服务活动，今后要在联系群众方面下更大功夫。",
    "坚持“三会一课”，主动认领服务岗位，结对帮扶困难群众，学习的系统性还需加强。",
    "工作中能发挥先锋模范作用，参加活动次数较多；不足是有时急于求成，方法还需改进。",
]
LOW_SELF_TEXT = "本年度参加组织生活和服务活动较少，对自己要求不严，今后一定认真改正。"
FOLLOW_UP_NOTE = "支部书记与本人谈心谈话，指出存在的问题；本人作出书面检查，支部明确半年整改期并安排党员帮带。"


def _secretary_branch() -> Organisation | None:
    """The branch of the demo `secretary` login: their person's current secretary role."""
    today = timezone.localdate()
    role = (
        RoleAssignment.objects.filter(person__user__username="secretary", role=Role.SECRETARY, start_date__lte=today)
        .exclude(end_date__lte=today)
        .select_related("organisation")
        .first()
    )
    return role.organisation if role else None


def _branch_writer(organisation: Organisation) -> User | None:
    """The branch secretary's login, who gives the organisation scores and closes the round (None: the system)."""
    today = timezone.localdate()
    role = (
        RoleAssignment.objects.filter(
            organisation=organisation, role=Role.SECRETARY, start_date__lte=today, person__user__isnull=False
        )
        .exclude(end_date__lte=today)
        .select_related("person__user")
        .first()
    )
    return role.person.user if role else None


def _branches() -> list[Organisation]:
    first = _secretary_branch()
    candidates = list(
        Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS, is_archived=False).order_by("path")
    )
    sizes = {
        org.pk: Person.objects.filter(
            organisation=org, is_active_member=True, political_status__in=MEMBER_STATUSES
        ).count()
        for org in candidates
    }
    others = [org for org in candidates if org != first and sizes[org.pk] >= 4][:2]
    return ([first] if first and sizes[first.pk] >= 3 else []) + others


def _clamp(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 1)


def _score_peers(rng: random.Random, round_: ReviewRound, sheets: list[ReviewSheet], base: dict, skip: set) -> None:
    n = len(sheets)
    for i, sheet in enumerate(sheets):
        if sheet.person_id in skip:
            continue
        for step in range(1, min(PEERS_EACH, n - 1) + 1):
            ratee = sheets[(i + step) % n]
            score = _clamp(base[ratee.person_id] + rng.uniform(-3, 3))
            peer_score_submit(actor=None, rater=sheet.person, round=round_, ratee=ratee.person, score=score)


def _yearly_round(rng: random.Random, organisation: Organisation, year: int, *, actor: User, with_failure: bool):
    writer = _branch_writer(organisation)
    round_ = review_round_open(
        actor=None,
        organisation=organisation,
        kind=ReviewRound.Kind.YEARLY,
        year=year,
        opens_on=datetime.date(year, 12, 1),
        closes_on=datetime.date(year, 12, 31),
    )
    sheets = list(round_.sheets.select_related("person").order_by("person__name", "pk"))
    mass = mass_scores(round=round_, person_ids=[s.person_id for s in sheets])
    by_mass = sorted(sheets, key=lambda s: (mass[s.person_id][0] or 0, -s.pk), reverse=True)
    best = by_mass[0]
    writer_person = Person.objects.filter(user=writer).values_list("pk", flat=True).first() if writer else None
    low = next((s for s in reversed(by_mass) if s != best and s.person_id != writer_person), None)
    low = low if with_failure else None
    base = {s.person_id: rng.uniform(72, 86) for s in sheets}
    base[best.person_id] = 97
    if low:
        base[low.person_id] = 22
    for index, sheet in enumerate(sheets):
        if sheet == low:
            review_self_submit(actor=None, sheet=sheet, text=LOW_SELF_TEXT, score=60)
        else:
            text = SELF_TEXTS[index % len(SELF_TEXTS)]
            review_self_submit(actor=None, sheet=sheet, text=text, score=_clamp(base[sheet.person_id] + 3))
    _score_peers(rng, round_, sheets, base, skip=set())
    for sheet in sheets:
        own = sheet.person_id == writer_person
        score = 20 if sheet == low else _clamp(base[sheet.person_id] + rng.uniform(-2, 2))
        review_organisation_score(actor=actor if own or writer is None else writer, sheet=sheet, score=score)
    review_round_close(actor=writer or actor, round=round_)
    if low:
        review_follow_up_record(actor=writer or actor, sheet=low, note=FOLLOW_UP_NOTE)
    return round_


def reviews_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows; called once, inside seed_demo's transaction, after the points."""
    rng = random.Random(SEED)
    branches = _branches()
    for index, organisation in enumerate(branches):
        _yearly_round(rng, organisation, today.year - 1, actor=actor, with_failure=index == 1)
    if not branches:
        return
    # This half year's mutual round in the secretary's branch, open, with some members not done yet.
    half = half_of(today)
    probe = ReviewRound(kind=ReviewRound.Kind.MUTUAL, year=today.year, half=half)
    start, end = review_period(probe)
    round_ = review_round_open(
        actor=None,
        organisation=branches[0],
        kind=ReviewRound.Kind.MUTUAL,
        year=today.year,
        half=half,
        opens_on=start,
        closes_on=max(end, today),
    )
    sheets = list(round_.sheets.select_related("person").order_by("person__name", "pk"))
    base = {s.person_id: rng.uniform(75, 95) for s in sheets}
    # the demo member and every third member have not scored yet (the secretary's page lists them)
    member = Person.objects.filter(user__username="member").values_list("pk", flat=True).first()
    skip = {s.person_id for i, s in enumerate(sheets) if i % 3 == 0 or s.person_id == member}
    _score_peers(rng, round_, sheets, base, skip=skip)


def reviews_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    closed = ReviewRound.objects.filter(kind=ReviewRound.Kind.YEARLY, state=ReviewRound.State.CLOSED).count()
    open_ = ReviewRound.objects.filter(state=ReviewRound.State.OPEN).count()
    if not closed and not open_:
        return ""
    excellent = ReviewSheet.objects.filter(grade=ReviewSheet.Grade.EXCELLENT).count()
    unqualified = ReviewSheet.objects.filter(grade=ReviewSheet.Grade.UNQUALIFIED).count()
    return (
        f"民主评议：已完成年度评议 {closed} 个支部（优秀 {excellent} 人、不合格 {unqualified} 人），"
        f"进行中的相互评议打分 {open_} 个"
    )
