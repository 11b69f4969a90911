"""党员民主评议 (yearly) and 相互评议打分 (half-yearly): open a round, collect the inputs, remind, close, record the
follow-up of a 不合格 grade. Every step is atomic and audited; a closed round is read-only.

The arithmetic, decided here once (DOMAIN §5) and shown on the round's page:

- **mutual** (互评分) = the plain average of the peer scores the member received (none received: no mutual part).
- **mass** (群众评价分) = 80 % ratings-based + 20 % points-based, where
  ratings-based = (average level of the public ratings of the activities the member attended in the round's
  period − 1) / 4 × 100 (every rating counts once; level 5 → 100, level 1 → 0), and
  points-based = min(100, the member's points in the period / the highest points of the round's members × 100)
  (negative totals count as 0). A member without any rating in the period gets the branch average of the
  ratings-based scores of the members who have one (the page says so). When one of the two parts cannot be had
  at all (no ratings in the whole branch; nobody has points) the other counts alone; with neither, there is no
  mass part.
- **total** = Σ part × weight / Σ weight over the parts that exist: a missing part (no peer scores, no mass data,
  no self or organisation score by the close) does not count as 0, its weight is shared out among the others in
  proportion (renormalised). Rounded half-up to 0.1; grades are decided on the rounded total.
- **grades**: 优秀 ≥ 90, but at most ⌊n / 3⌋ of the round's n members, taken by total, highest first. Ties at
  the cut-off: a group of equal totals that would not fit under the cap as a whole gets none of it (they, and
  everyone below them, are 合格 — never half of a tie); 合格 ≥ 70; 基本合格 ≥ 60; 不合格 < 60 (the secretary then
  records the 批评教育 follow-up). A member with no part at all gets no total and no grade.
- a **mutual** (half-yearly) round collects peer scores only: at close it computes the mutual part and grades
  nothing (the yearly round is the one with a grade).
"""

import datetime
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Sum
from django.urls import reverse

from branches.models import MEMBER_STATUSES, Organisation, Person
from branches.selectors import scope_for, secretary_users_for
from evaluations.models import PeerScore, PointsEntry, ReviewRound, ReviewSheet
from evaluations.selectors import reviews as selectors
from evaluations.selectors.reviews import review_period
from portal import audit
from portal.actions import notification_send
from portal.lib import xlsx
from portal.models import User
from services.models import Participation

WEIGHT_NAMES = ("self", "mutual", "mass", "organisation")
DEFAULT_WEIGHTS = {"self": 10, "mutual": 30, "mass": 40, "organisation": 20}
MASS_RATINGS_SHARE = Decimal("0.8")
MASS_POINTS_SHARE = Decimal("0.2")
EXCELLENT_FROM = Decimal(90)
QUALIFIED_FROM = Decimal(70)
BASIC_FROM = Decimal(60)
MAX_SELF_TEXT = 3000
MAX_NOTE = 500
TENTH = Decimal("0.1")

Grade = ReviewSheet.Grade


# Helpers -----------------------------------------------------------------------------------------------------


def _round1(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _score(value, *, label: str) -> Decimal:
    """A score 0–100 with at most one decimal."""
    if value is None or value == "":
        raise ValidationError(f"请填写{label}。")
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(f"{label}须为数字。") from error
    if not score.is_finite() or score < 0 or score > 100:
        raise ValidationError(f"{label}须在 0 到 100 之间。")
    if score != _round1(score):
        raise ValidationError(f"{label}最多保留一位小数。")
    return score


def _require_writer(actor: User | None, organisation: Organisation) -> None:
    # actor=None is the system (jobs, demo data); a person must manage the branch.
    if actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError("该党支部不在您的管理范围内。")


def _require_open(round_: ReviewRound) -> None:
    if round_.state != ReviewRound.State.OPEN:
        raise ValidationError("该评议已结束，结果不能再修改。")


def _require_yearly(round_: ReviewRound, doing: str) -> None:
    if round_.kind != ReviewRound.Kind.YEARLY:
        raise ValidationError(f"半年相互评议打分只进行党员互评，不需要{doing}。")


def _actor_person(actor: User | None) -> Person | None:
    if actor is None:
        return None
    return Person.objects.filter(user=actor).first()


def _locked_round(round_: ReviewRound) -> ReviewRound:
    return ReviewRound.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=round_.pk)


def _locked_sheet(sheet: ReviewSheet) -> ReviewSheet:
    return (
        ReviewSheet.objects.select_for_update(of=("self",))
        .select_related("round", "round__organisation", "person")
        .get(pk=sheet.pk)
    )


def half_of(day: datetime.date) -> int:
    return 1 if day.month <= 6 else 2


def _weights(weights: Mapping[str, int] | None) -> dict[str, int]:
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if set(weights) != set(WEIGHT_NAMES):
        raise ValidationError("请填写自评、互评、群众评价、组织评价四项权重。")
    for name, value in weights.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise ValidationError("每项权重须为 0 到 100 之间的整数。")
        weights[name] = value
    if sum(weights.values()) != 100:
        raise ValidationError(f"四项权重之和须为 100（现为 {sum(weights.values())}）。")
    return weights


# Opening -----------------------------------------------------------------------------------------------------


def _round_label(kind: str, year: int, half: int | None) -> str:
    if kind == ReviewRound.Kind.MUTUAL:
        return f"{year} 年{'上' if half == 1 else '下'}半年相互评议打分"
    return f"{year} 年度民主评议"


@transaction.atomic
def review_round_open(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    year: int,
    half: int | None = None,
    opens_on: datetime.date,
    closes_on: datetime.date,
    weights: Mapping[str, int] | None = None,
) -> ReviewRound:
    """Opens a round for a branch with one sheet per active party member (probationary and full). A branch has
    each round once: a second opening is refused with a message, never a second round."""
    _require_writer(actor, organisation)
    if not organisation.is_branch or organisation.is_archived:
        raise ValidationError("只能为在册的党支部开展民主评议。")
    if kind not in ReviewRound.Kind.values:
        raise ValidationError("请选择评议类型。")
    if kind == ReviewRound.Kind.YEARLY:
        half = None
    elif half not in (1, 2):
        raise ValidationError("半年相互评议打分须选择上半年或下半年。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("请填写正确的年度。")
    if opens_on is None or closes_on is None:
        raise ValidationError("请填写开始日期和截止日期。")
    if closes_on < opens_on:
        raise ValidationError("截止日期不能早于开始日期。")
    weights = _weights(weights)
    label = _round_label(kind, year, half)
    # The unique constraint does not catch a yearly round (half is NULL, and NULLs differ): check here too.
    if ReviewRound.objects.filter(organisation=organisation, kind=kind, year=year, half=half).exists():
        raise ValidationError(f"{organisation.name}的{label}已经开启，不能重复开启。")
    try:
        with transaction.atomic():
            round_ = ReviewRound.objects.create(
                organisation=organisation,
                kind=kind,
                year=year,
                half=half,
                opens_on=opens_on,
                closes_on=closes_on,
                weight_self=weights["self"],
                weight_mutual=weights["mutual"],
                weight_mass=weights["mass"],
                weight_organisation=weights["organisation"],
            )
    except IntegrityError as error:  # opened at the same moment by someone else
        raise ValidationError(f"{organisation.name}的{label}已经开启，不能重复开启。") from error
    members = Person.objects.filter(
        organisation=organisation, is_active_member=True, political_status__in=MEMBER_STATUSES
    ).order_by("name", "pk")
    sheets = ReviewSheet.objects.bulk_create(ReviewSheet(round=round_, person=person) for person in members)
    audit.audit_record(
        actor=actor,
        action="review_round.open",
        target=round_,
        summary=f"开启{organisation.name}{label}（{len(sheets)} 名党员）",
        changes={
            "kind": kind,
            "year": year,
            "half": half,
            "opens_on": str(opens_on),
            "closes_on": str(closes_on),
            "weights": weights,
            "sheets": len(sheets),
        },
    )
    return round_


@transaction.atomic
def review_rounds_open_all(*, kind: str, year: int, half: int | None, today: datetime.date) -> dict[str, int]:
    """Opens the round for every branch that has party members and does not have it yet (the job's action; a
    second run opens nothing). A half-yearly round runs to the end of its half year."""
    if kind == ReviewRound.Kind.YEARLY:
        half = None
    closes_on = review_period(ReviewRound(kind=kind, year=year, half=half))[1]
    closes_on = max(closes_on, today)
    having = ReviewRound.objects.filter(kind=kind, year=year, half=half).values("organisation_id")
    branches = (
        Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS, is_archived=False)
        .exclude(pk__in=having)
        .filter(people__is_active_member=True, people__political_status__in=MEMBER_STATUSES)
        .distinct()
        .order_by("path")
    )
    opened = 0
    for organisation in branches:
        review_round_open(
            actor=None,
            organisation=organisation,
            kind=kind,
            year=year,
            half=half,
            opens_on=today,
            closes_on=closes_on,
        )
        opened += 1
    return {"opened": opened}


def review_rounds_yearly_open(*, year: int, today: datetime.date) -> dict[str, int]:
    """年度民主评议 (the December job): opens the year's round for every branch with party members that lacks it
    (`review_rounds_open_all`, closing on 31 December; `review-rounds-close` then computes the results), and
    announces each open yearly round of the year once — to every member with an account (`review-round:{round}`:
    self-evaluation and peer scores) and to the branch secretary (`review-round-manage:{round}`: the organisation
    scores). A round a secretary opened by hand is announced too. A re-run opens and sends nothing."""
    opened = review_rounds_open_all(kind=ReviewRound.Kind.YEARLY, year=year, half=None, today=today)["opened"]
    rounds = list(
        ReviewRound.objects.filter(kind=ReviewRound.Kind.YEARLY, year=year, state=ReviewRound.State.OPEN)
        .select_related("organisation")
        .order_by("organisation__path")
    )
    sheets = ReviewSheet.objects.filter(round__in=rounds).select_related("person__user").order_by("round", "pk")
    secretaries = secretary_users_for(organisations={r.organisation for r in rounds}, on=today)
    summary = {"opened": opened, "reminded": 0, "no_account": 0}
    by_round = {r.pk: r for r in rounds}
    for sheet in sheets:
        round_ = by_round[sheet.round_id]
        if sheet.person.user is None:
            summary["no_account"] += 1
        elif notification_send(
            recipient=sheet.person.user,
            key=f"review-round:{round_.pk}",
            title=f"{year}年度民主评议已开始",
            body=(
                f"{round_.organisation.name}{year}年度民主评议已开始，截止 {round_.closes_on:%Y年%m月%d日}。"
                "请填写自我评价和自评分，并为本支部其他党员互评打分（互评对其他党员匿名）。"
            ),
            url=reverse("evaluations:review_round_detail", args=[round_.pk]),
        ):
            summary["reminded"] += 1
    for round_ in rounds:
        for secretary in secretaries[round_.organisation_id]:
            if notification_send(
                recipient=secretary,
                key=f"review-round-manage:{round_.pk}",
                title=f"{round_.organisation.name}{year}年度民主评议：请组织评议",
                body=(
                    f"{year}年度民主评议已开启，截止 {round_.closes_on:%Y年%m月%d日}。请督促党员完成自评和互评，"
                    "由支委会评定组织评价分；截止后系统自动计算综合得分和评定等次。"
                ),
                url=reverse("evaluations:review_round_detail", args=[round_.pk]),
            ):
                summary["reminded"] += 1
    return summary


# Inputs ------------------------------------------------------------------------------------------------------


@transaction.atomic
def review_self_submit(*, actor: User | None, sheet: ReviewSheet, text: str, score) -> ReviewSheet:
    """The member's own self-evaluation and score (actor=None: entered by the system, e.g. from paper)."""
    sheet = _locked_sheet(sheet)
    person = _actor_person(actor)
    if actor is not None and (person is None or person.pk != sheet.person_id):
        raise ValidationError("只能由党员本人填写自我评价。")
    _require_open(sheet.round)
    _require_yearly(sheet.round, "自我评价")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写自我评价。")
    if len(text) > MAX_SELF_TEXT:
        raise ValidationError(f"自我评价不能超过 {MAX_SELF_TEXT} 字。")
    score = _score(score, label="自评分")
    before = audit.snapshot(sheet, ["self_score"])
    sheet.self_text, sheet.self_score = text, score
    sheet.save(update_fields=["self_text", "self_score", "updated_at"])
    audit.audit_record(
        actor=actor,
        action="review_sheet.self_submit",
        target=sheet,
        summary=f"{sheet.person} 提交自我评价",
        changes=audit.diff(before, audit.snapshot(sheet, ["self_score"])),
    )
    return sheet


@transaction.atomic
def peer_score_submit(
    *, actor: User | None, round: ReviewRound, ratee: Person, score, rater: Person | None = None
) -> PeerScore:
    """A member scores a peer of the round. Once per pair: while the round is open a new score replaces the old
    one (audited with both). The rater is the actor's own person (`rater` only for actor=None: paper entry)."""
    round_ = _locked_round(round)
    _require_open(round_)
    if actor is not None:
        rater = _actor_person(actor)
    if rater is None:
        raise ValidationError("只有参加本次评议的党员可以互评打分。")
    in_round = set(
        ReviewSheet.objects.filter(round=round_, person_id__in=[rater.pk, ratee.pk]).values_list("person_id", flat=True)
    )
    if rater.pk not in in_round:
        raise ValidationError("只有参加本次评议的党员可以互评打分。")
    if ratee.pk not in in_round:
        raise ValidationError(f"{ratee.name}不是本次评议的党员。")
    if rater.pk == ratee.pk:
        raise ValidationError("不能给自己互评打分。")
    score = _score(score, label=f"给{ratee.name}的互评分")
    existing = PeerScore.objects.select_for_update().filter(round=round_, rater=rater, ratee=ratee).first()
    before = existing.score if existing else None
    if existing is None:
        peer = PeerScore.objects.create(round=round_, rater=rater, ratee=ratee, score=score)
    else:
        peer = existing
        if peer.score != score:
            peer.score = score
            peer.save(update_fields=["score", "updated_at"])
    audit.audit_record(
        actor=actor,
        action="peer_score.submit",
        target=peer,
        summary=f"{round_} 互评打分",
        changes={"score": [str(before) if before is not None else None, str(score)]},
    )
    return peer


@transaction.atomic
def peer_scores_submit(*, actor: User, round: ReviewRound, scores: Mapping[Person, object]) -> int:
    """The peer form of the round's page: several scores at once, all or nothing. Returns how many were given."""
    if not scores:
        raise ValidationError("请至少为一名党员打分。")
    for ratee, score in scores.items():
        peer_score_submit(actor=actor, round=round, ratee=ratee, score=score)
    return len(scores)


@transaction.atomic
def review_organisation_score(*, actor: User | None, sheet: ReviewSheet, score) -> ReviewSheet:
    """The branch committee's organisation score (组织评价) of a member; never for one's own sheet."""
    sheet = _locked_sheet(sheet)
    _require_writer(actor, sheet.round.organisation)
    person = _actor_person(actor)
    if person is not None and person.pk == sheet.person_id:
        raise ValidationError("不能为本人评定组织评价分。")
    _require_open(sheet.round)
    _require_yearly(sheet.round, "组织评价")
    score = _score(score, label="组织评价分")
    before = audit.snapshot(sheet, ["organisation_score"])
    sheet.organisation_score = score
    sheet.save(update_fields=["organisation_score", "updated_at"])
    audit.audit_record(
        actor=actor,
        action="review_sheet.organisation_score",
        target=sheet,
        summary=f"{sheet.person} 组织评价 {score}",
        changes=audit.diff(before, audit.snapshot(sheet, ["organisation_score"])),
    )
    return sheet


@transaction.atomic
def review_round_remind(*, round: ReviewRound, actor: User | None = None) -> selectors.MissingInputs:
    """Who still owes what (self-evaluation, peer scores, organisation scores). The in-portal inbox comes later:
    today the list is returned, recorded in the audit log and shown on the round's page."""
    round_ = _locked_round(round)
    _require_writer(actor, round_.organisation)
    _require_open(round_)
    missing = selectors.review_round_missing(round=round_)
    audit.audit_record(
        actor=actor,
        action="review_round.remind",
        target=round_,
        summary=(
            f"{round_} 催办：自评未交 {len(missing.self_missing)} 人，互评未完成 {len(missing.peer_missing)} 人，"
            f"组织评价未评 {len(missing.organisation_missing)} 人"
        ),
        changes={
            "self": [p.name for p in missing.self_missing],
            "peer": {row.person.name: row.missing for row in missing.peer_missing},
            "organisation": [p.name for p in missing.organisation_missing],
        },
    )
    return missing


# Closing -----------------------------------------------------------------------------------------------------


def ratings_score(average_level: Decimal) -> Decimal:
    """A 1–5 average rating level as 0–100."""
    return (Decimal(average_level) - 1) / 4 * 100


def mass_scores(*, round: ReviewRound, person_ids: list[int]) -> dict[int, tuple[Decimal | None, bool]]:
    """person id → (mass score, from the branch average?) — see the module's docstring. Two queries."""
    start, end = review_period(round)
    rated = (
        Participation.objects.attended()
        .filter(
            person_id__in=person_ids,
            activity__starts_at__date__gte=start,
            activity__starts_at__date__lte=end,
            activity__ratings__isnull=False,
        )
        .values("person_id")
        .annotate(level_sum=Sum("activity__ratings__level"), level_count=Count("activity__ratings"))
    )
    ratings = {
        row["person_id"]: ratings_score(Decimal(row["level_sum"]) / Decimal(row["level_count"])) for row in rated
    }
    branch_average = sum(ratings.values()) / len(ratings) if ratings else None
    points = dict(
        PointsEntry.objects.filter(person_id__in=person_ids, date__gte=start, date__lte=end)
        .values("person_id")
        .annotate(total=Sum("points"))
        .values_list("person_id", "total")
    )
    highest = max((max(total, 0) for total in points.values()), default=0)
    result = {}
    for person_id in person_ids:
        from_average = person_id not in ratings
        rating_part = branch_average if from_average else ratings[person_id]
        points_part = (
            min(Decimal(100), Decimal(max(points.get(person_id, 0), 0)) / Decimal(highest) * 100) if highest else None
        )
        parts = [(rating_part, MASS_RATINGS_SHARE), (points_part, MASS_POINTS_SHARE)]
        parts = [(value, share) for value, share in parts if value is not None]
        mass = sum(value * share for value, share in parts) / sum(share for _, share in parts) if parts else None
        result[person_id] = (_round1(mass) if mass is not None else None, from_average and rating_part is not None)
    return result


def weighted_total(parts: list[tuple[Decimal | None, int]]) -> Decimal | None:
    """Σ score × weight / Σ weight over the parts that exist (a missing part's weight is shared out)."""
    present = [(Decimal(score), weight) for score, weight in parts if score is not None and weight > 0]
    weight = sum(w for _, w in present)
    if not weight:
        return None
    return _round1(sum(score * w for score, w in present) / weight)


def grades_for(totals: Mapping[int, Decimal | None], *, members: int) -> dict[int, str]:
    """Sheet id → grade. 优秀 only for the best ⌊members / 3⌋ with ≥ 90, whole tie groups or nobody of them."""
    grades: dict[int, str] = {}
    for key, total in totals.items():
        if total is None:
            grades[key] = ""
        elif total >= QUALIFIED_FROM:
            grades[key] = Grade.QUALIFIED
        elif total >= BASIC_FROM:
            grades[key] = Grade.BASIC
        else:
            grades[key] = Grade.UNQUALIFIED
    cap = members // 3
    candidates = sorted((t for t in totals.values() if t is not None and t >= EXCELLENT_FROM), reverse=True)
    given = 0
    for total in dict.fromkeys(candidates):  # each distinct total once, highest first
        tied = [key for key, value in totals.items() if value == total]
        if given + len(tied) > cap:
            break  # the tie group does not fit as a whole: none of it, nor anyone below, is 优秀
        for key in tied:
            grades[key] = Grade.EXCELLENT
        given += len(tied)
    return grades


@transaction.atomic
def review_round_close(*, actor: User | None, round: ReviewRound) -> ReviewRound:
    """Closes the round and computes every sheet's mutual, mass, total and grade (a mutual round: the mutual part
    only). After this the round is read-only."""
    round_ = _locked_round(round)
    _require_writer(actor, round_.organisation)
    _require_open(round_)
    sheets = list(round_.sheets.select_related("person").order_by("pk"))
    received = dict(
        PeerScore.objects.filter(round=round_)
        .values("ratee_id")
        .annotate(average=Avg("score"))
        .values_list("ratee_id", "average")
    )
    yearly = round_.kind == ReviewRound.Kind.YEARLY
    mass = mass_scores(round=round_, person_ids=[s.person_id for s in sheets]) if yearly else {}
    for sheet in sheets:
        average = received.get(sheet.person_id)
        sheet.mutual_score = _round1(Decimal(average)) if average is not None else None
        if yearly:
            sheet.mass_score = mass[sheet.person_id][0]
            sheet.total = weighted_total(
                [
                    (sheet.self_score, round_.weight_self),
                    (sheet.mutual_score, round_.weight_mutual),
                    (sheet.mass_score, round_.weight_mass),
                    (sheet.organisation_score, round_.weight_organisation),
                ]
            )
    grades = grades_for({s.pk: s.total for s in sheets}, members=len(sheets)) if yearly else {}
    for sheet in sheets:
        sheet.grade = grades.get(sheet.pk, "")
    ReviewSheet.objects.bulk_update(sheets, ["mutual_score", "mass_score", "total", "grade", "updated_at"])
    round_.state = ReviewRound.State.CLOSED
    round_.save(update_fields=["state", "updated_at"])
    counts = {str(label): sum(1 for s in sheets if s.grade == value) for value, label in Grade.choices}
    audit.audit_record(
        actor=actor,
        action="review_round.close",
        target=round_,
        summary=f"{round_} 结束" + ("：" + "，".join(f"{k} {v} 人" for k, v in counts.items()) if yearly else ""),
        changes={"state": [ReviewRound.State.OPEN, ReviewRound.State.CLOSED], "grades": counts if yearly else {}},
    )
    return round_


@transaction.atomic
def review_rounds_close_due(*, today: datetime.date) -> dict[str, int]:
    """Closes every open round whose closing date has passed (the job's action; a second run closes nothing)."""
    due = ReviewRound.objects.filter(state=ReviewRound.State.OPEN, closes_on__lt=today).order_by("pk")
    closed = 0
    for round_ in due:
        review_round_close(actor=None, round=round_)
        closed += 1
    return {"closed": closed}


@transaction.atomic
def review_follow_up_record(*, actor: User | None, sheet: ReviewSheet, note: str) -> ReviewSheet:
    """批评教育 of a member graded 不合格: what was done, recorded on the sheet (a correction is audited too)."""
    sheet = _locked_sheet(sheet)
    _require_writer(actor, sheet.round.organisation)
    if sheet.round.state != ReviewRound.State.CLOSED or sheet.grade != Grade.UNQUALIFIED:
        raise ValidationError("只有评定为“不合格”的党员需要登记批评教育。")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写批评教育情况。")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"批评教育情况不能超过 {MAX_NOTE} 字。")
    before = audit.snapshot(sheet, ["follow_up_note"])
    sheet.follow_up_note = note
    sheet.save(update_fields=["follow_up_note", "updated_at"])
    audit.audit_record(
        actor=actor,
        action="review_sheet.follow_up",
        target=sheet,
        summary=f"{sheet.person} 批评教育：{note}"[:100],
        changes=audit.diff(before, audit.snapshot(sheet, ["follow_up_note"])),
    )
    return sheet


# Export ------------------------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "姓名",
    "自评分",
    "互评分",
    "群众评价分",
    "组织评价分",
    "综合得分",
    "评定等次",
    "收到互评（份）",
    "给出互评（份）",
    "群众评价采用支部平均",
    "批评教育记录",
    "自我评价",
]


def review_round_export(*, actor: User, round: ReviewRound) -> bytes:
    """The branch sheet as a workbook (every text a text cell, never a formula). Audited."""
    _require_writer(actor, round.organisation)
    rows = selectors.review_sheet_rows(round=round)
    data = [
        [
            row.person.name,
            row.self_score,
            row.mutual_score,
            row.mass_score,
            row.organisation_score,
            row.total,
            row.get_grade_display() if row.grade else "",
            row.received_count,
            row.given_count,
            row.mass_from_average,
            row.follow_up_note,
            row.self_text,
        ]
        for row in rows
    ]
    content = xlsx.workbook_bytes(
        title="评议结果", headers=EXPORT_HEADERS, rows=data, bold_header=True, freeze_header=True
    )
    audit.audit_record(
        actor=actor,
        action="review_round.export",
        target=round,
        summary=f"导出{round}评议表（{len(data)} 人）",
        changes={"rows": len(data)},
    )
    return content
