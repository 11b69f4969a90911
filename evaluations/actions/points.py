"""党员积分: the yearly rule sets, settling the ledger from every source, manual adjustments and reversals.

Settling is idempotent by construction: every entry has a source key the database holds unique
(`PointsEntry.source_key`), and the rows go in with `bulk_create(ignore_conflicts=True)`. Settling twice, or
twice at the same moment, therefore pays each source once; the check against keys already booked only saves work
and makes the counts right in the ordinary (sequential) case.

What a settle books, for a year up to a date (DOMAIN §5; the codes are `PointsRule.Code`):

- base: 60 on 1 January to every active party member (probationary or full; today's status and roll);
- attended / hour / organised / high_satisfaction / no_show: from activities *closed* in the year (closed is
  when an activity counts), dated by the activity's local start date; hours are the participation's approved
  hours, whole hours only (1.5 h → 1 point);
- demand_on_time: a demand done (done_on ≤ deadline) → its assigned person, dated done_on;
- pairing_visit: the first visit of each pair in a month → the helper (one per pair and month);
- pledge_fulfilled: a member's pledge appraised 已践诺, dated by the appraisal;
- mobile_report: a written/oral report within interval + grace of the previous report (or the leave date);
- upheld_bad_rating: a follow-up found 属实 → each organiser of the rated activity, dated by the rectification;
- meeting_attended / meeting_absent: from held (or archived) meetings of 组织生活 (meetings app), 出席 and 缺席
  without approved leave (请假 earns and costs nothing), dated by the meeting's local date (DOMAIN §9).

A rule set made before a rule existed has no row for it and pays nothing for it; the next version adds it with
its default (rule_set_new_version fills every code).

Monthly caps count what is already booked for that member, rule and month, then take the candidates in a fixed
order (date, then source id), so a later settle after new participations still respects the cap. Exempt members
(retired; or away on an open mobile record older than LONG_TERM_MOBILE_MONTHS at the entry's date) get no
deductions at all. Each entry names the rule of the rule set current at settle time; entries already made are
never touched, so a new rule-set version never rewrites the past.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from branches.models import MEMBER_STATUSES, MobileMember, MobileReport, Person, RuleSettings
from branches.selectors import scope_for
from evaluations.models import FollowUp, PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet, Rating
from evaluations.selectors.points import (
    LONG_TERM_MOBILE_MONTHS,
    adjustment_can_decide,
    entry_can_reverse,
    points_exempt_q,
)
from meetings.models import MeetingAttendance
from meetings.selectors import meeting_attendance_for_points
from portal.audit import audit_record
from portal.lib.xlsx import workbook_bytes
from portal.models import User
from services.models import Activity, Demand, HoursEntry, PairingVisit, Participation, Pledge

Code = PointsRule.Code
Source = PointsEntry.Source
Status = MeetingAttendance.Status

# The default rule set (DOMAIN §5): code → (points, monthly cap or None). Manual adjustments carry their own
# points; the rule's 0 only names the rule.
DEFAULT_RULES: dict[str, tuple[int, int | None]] = {
    Code.BASE: (60, None),
    Code.ATTENDED: (2, 20),
    Code.HOUR: (1, 10),
    Code.ORGANISED: (3, None),
    Code.HIGH_SATISFACTION: (1, None),
    Code.DEMAND_ON_TIME: (3, None),
    Code.PAIRING_VISIT: (1, None),
    Code.PLEDGE_FULFILLED: (5, None),
    Code.MOBILE_REPORT: (1, None),
    Code.NO_SHOW: (-1, None),
    Code.UPHELD_BAD_RATING: (-2, None),
    Code.MEETING_ATTENDED: (1, 5),
    Code.MEETING_ABSENT: (-1, None),
    Code.MANUAL: (0, None),
}
# The rules that take points away: their points are never positive (and deductions spare exempt members).
DEDUCTIONS = (Code.NO_SHOW, Code.UPHELD_BAD_RATING, Code.MEETING_ABSENT)
# 满意率 达标: at least this share of ratings 基本满意 or better, out of at least this many ratings.
HIGH_SATISFACTION_RATE = Decimal("0.95")
HIGH_SATISFACTION_MIN_RATINGS = 10
MAX_ADJUSTMENT = 100  # one manual adjustment moves at most this many points either way
MAX_REASON = 300


# Rule sets --------------------------------------------------------------------------------------------------


def _rules_of(rule_set: PointsRuleSet) -> dict[str, PointsRule]:
    return {rule.code: rule for rule in rule_set.rules.all()}


@transaction.atomic
def rule_set_for_year(*, year: int) -> PointsRuleSet:
    """The year's current rule set, creating the default one (version 1) when the year has none yet. Two callers at
    the same moment: one creates it, the other meets the unique (year, version) constraint and reads it."""
    if not 2000 <= year <= 2100:
        raise ValidationError("年度不正确。")
    current = PointsRuleSet.objects.filter(year=year, is_current=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            rule_set = PointsRuleSet.objects.create(year=year, version=1, is_current=True, note="默认规则")
            PointsRule.objects.bulk_create(
                PointsRule(rule_set=rule_set, code=code, points=points, monthly_cap=cap)
                for code, (points, cap) in DEFAULT_RULES.items()
            )
    except IntegrityError:
        return PointsRuleSet.objects.get(year=year, is_current=True)
    audit_record(actor=None, action="points.rule_set.create", target=rule_set, summary=f"{year} 年默认积分规则")
    return rule_set


@transaction.atomic
def rule_set_new_version(
    *, actor: User, rule_set: PointsRuleSet, changes: dict[str, tuple[int, int | None]], note: str
) -> PointsRuleSet:
    """组织部 only: a copy of the current rules with `changes` applied, as version + 1, made current. Entries already
    booked keep pointing at the old rules (and their points); settles from now on use the new ones."""
    if not scope_for(actor).everything:
        raise ValidationError("只有组织部可以修订积分规则。")
    rule_set = PointsRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if not rule_set.is_current:
        raise ValidationError("只能在当前版本的基础上修订（规则已被他人修订，请刷新后重试）。")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写修订说明。")
    if len(note) > 200:
        raise ValidationError("修订说明不能超过 200 字。")
    old_rules = _rules_of(rule_set)
    unknown = set(changes) - set(Code.values)
    if unknown:
        raise ValidationError(f"未知的积分规则：{', '.join(sorted(unknown))}")
    new_values: dict[str, tuple[int, int | None]] = {}
    for code in Code.values:
        rule = old_rules.get(code)
        points, cap = changes.get(code, (rule.points, rule.monthly_cap) if rule else DEFAULT_RULES[code])
        label = Code(code).label
        if code == Code.MANUAL:
            points, cap = 0, None  # a manual adjustment carries its own points
        elif not -100 <= int(points) <= 100:
            raise ValidationError(f"“{label}”的分值应在 -100 至 100 之间。")
        elif code in DEDUCTIONS and points > 0:
            raise ValidationError(f"“{label}”是扣分项，分值不能为正。")
        elif code not in DEDUCTIONS and points < 0:
            raise ValidationError(f"“{label}”是加分项，分值不能为负。")
        if cap is not None and not 1 <= int(cap) <= 1000:
            raise ValidationError(f"“{label}”的每月上限应在 1 至 1000 之间（不设上限请留空）。")
        new_values[code] = (int(points), int(cap) if cap is not None else None)
    before = {code: [rule.points, rule.monthly_cap] for code, rule in old_rules.items()}
    after = {code: list(values) for code, values in new_values.items()}
    if before == after:
        raise ValidationError("规则没有变化，无需修订。")
    PointsRuleSet.objects.filter(pk=rule_set.pk).update(is_current=False, updated_at=timezone.now())
    new = PointsRuleSet.objects.create(
        year=rule_set.year, version=rule_set.version + 1, is_current=True, note=note, created_by=actor
    )
    PointsRule.objects.bulk_create(
        PointsRule(rule_set=new, code=code, points=points, monthly_cap=cap)
        for code, (points, cap) in new_values.items()
    )
    audit_record(
        actor=actor,
        action="points.rule_set.new_version",
        target=new,
        summary=f"{new} ：{note}",
        changes={code: [before.get(code), value] for code, value in after.items() if before.get(code) != value},
    )
    return new


# Settling ---------------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    code: str
    person_id: int
    date: datetime.date
    source_type: str
    source_id: int
    key: str
    units: int = 1  # the rule's points are multiplied by this (whole approved hours); 1 elsewhere
    note: str = ""


def _local_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[first 00:00, the day after last 00:00) in local time, for filtering datetimes by local date."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _participation_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    """attended, hour, organised, high_satisfaction and no_show from the closed activities of the period: three
    queries (participations with their approved hours, the satisfied activities)."""
    start, end = _local_bounds(first, last)
    closed = Q(activity__state=Activity.State.CLOSED, activity__starts_at__gte=start, activity__starts_at__lt=end)
    rows = (
        Participation.objects.filter(closed, state__in=(Participation.State.ATTENDED, Participation.State.NO_SHOW))
        .annotate(approved=Sum("hours_entries__hours", filter=HoursEntry.objects.approved_q("hours_entries__")))
        .values_list("pk", "person_id", "activity_id", "activity__starts_at", "role", "state", "approved")
    )
    satisfied = {
        pk
        for pk, n, good in Activity.objects.filter(state=Activity.State.CLOSED, starts_at__gte=start, starts_at__lt=end)
        .annotate(n=Count("ratings"), good=Count("ratings", filter=Q(ratings__level__gte=Rating.SATISFIED_FROM)))
        .filter(n__gte=HIGH_SATISFACTION_MIN_RATINGS)
        .values_list("pk", "n", "good")
        if Decimal(good) >= HIGH_SATISFACTION_RATE * n
    }
    out = []
    for pk, person_id, activity_id, starts_at, role, state, approved in rows:
        day = timezone.localtime(starts_at).date()

        def add(code: str, units: int = 1, pk=pk, person_id=person_id, day=day) -> None:
            out.append(_Candidate(code, person_id, day, Source.PARTICIPATION, pk, f"{code}:participation:{pk}", units))

        if state == Participation.State.NO_SHOW:
            add(Code.NO_SHOW)
            continue
        add(Code.ATTENDED)
        hours = math.floor(approved or 0)
        if hours > 0:
            add(Code.HOUR, hours)
        if role == Participation.Role.ORGANISER:
            add(Code.ORGANISED)
        if activity_id in satisfied:
            add(Code.HIGH_SATISFACTION)
    return out


def _demand_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    rows = Demand.objects.filter(
        state__in=(Demand.State.DONE, Demand.State.CALLED_BACK),
        assigned_person__isnull=False,
        done_on__gte=first,
        done_on__lte=last,
    ).filter(done_on__lte=F("deadline"))
    return [
        _Candidate(Code.DEMAND_ON_TIME, person_id, done_on, Source.DEMAND, pk, f"demand_on_time:demand:{pk}")
        for pk, person_id, done_on in rows.values_list("pk", "assigned_person_id", "done_on")
    ]


def _visit_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    """The first visit of each pair in each month (at most one point per pair and month)."""
    rows = (
        PairingVisit.objects.filter(date__gte=first, date__lte=last)
        .order_by("date", "pk")
        .values_list("pk", "pairing_id", "pairing__helper_id", "date")
    )
    out, seen = [], set()
    for pk, pairing_id, helper_id, day in rows:
        key = f"pairing_visit:{pairing_id}:{day:%Y-%m}"
        if key not in seen:
            seen.add(key)
            out.append(_Candidate(Code.PAIRING_VISIT, helper_id, day, Source.VISIT, pk, key))
    return out


def _pledge_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    rows = Pledge.objects.filter(
        person__isnull=False,
        is_withdrawn=False,
        result=Pledge.Result.FULFILLED,
        appraised_on__gte=first,
        appraised_on__lte=last,
    ).values_list("pk", "person_id", "appraised_on")
    return [
        _Candidate(Code.PLEDGE_FULFILLED, person_id, day, Source.PLEDGE, pk, f"pledge_fulfilled:pledge:{pk}")
        for pk, person_id, day in rows
    ]


def _mobile_report_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    """A written or oral report on time: within the interval and grace of the previous report (or of the leave
    date). The previous report may lie before the period, so each record's reports are read from its start."""
    rules = RuleSettings.current()
    records = MobileReport.objects.filter(kind__in=MobileReport.REPORT_KINDS, date__gte=first, date__lte=last).values(
        "mobile_member_id"
    )
    rows = (
        MobileReport.objects.filter(mobile_member_id__in=records, kind__in=MobileReport.REPORT_KINDS, date__lte=last)
        .order_by("mobile_member_id", "date", "pk")
        .values_list("pk", "mobile_member_id", "mobile_member__person_id", "mobile_member__leave_date", "date")
    )
    out, previous = [], {}
    for pk, record_id, person_id, leave_date, day in rows:
        since = previous.get(record_id, leave_date)
        previous[record_id] = day
        due = since + relativedelta(months=rules.mobile_report_interval_months)
        if day >= first and day <= due + datetime.timedelta(days=rules.mobile_report_grace_days):
            out.append(
                _Candidate(Code.MOBILE_REPORT, person_id, day, Source.MOBILE_REPORT, pk, f"mobile_report:report:{pk}")
            )
    return out


def _upheld_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    """An upheld 差评 costs each organiser of the rated activity; dated by the rectification (when it was judged)."""
    follow_ups = list(
        FollowUp.objects.filter(upheld=True, rectified_on__gte=first, rectified_on__lte=last).values_list(
            "pk", "rating__activity_id", "rectified_on"
        )
    )
    organisers = defaultdict(list)
    for activity_id, person_id in (
        Participation.objects.filter(
            activity_id__in={activity_id for _, activity_id, _ in follow_ups},
            role=Participation.Role.ORGANISER,
        )
        .exclude(state=Participation.State.WITHDRAWN)
        .values_list("activity_id", "person_id")
    ):
        organisers[activity_id].append(person_id)
    return [
        _Candidate(
            Code.UPHELD_BAD_RATING,
            person_id,
            day,
            Source.FOLLOW_UP,
            pk,
            # several organisers share the follow-up: the person is part of what makes the entry unique
            f"upheld_bad_rating:follow_up:{pk}:{person_id}",
        )
        for pk, activity_id, day in follow_ups
        for person_id in organisers[activity_id]
    ]


def _meeting_candidates(first: datetime.date, last: datetime.date) -> list[_Candidate]:
    """meeting_attended / meeting_absent from the attendance of the period's held meetings: one query."""
    codes = {Status.PRESENT: Code.MEETING_ATTENDED, Status.ABSENT: Code.MEETING_ABSENT}
    return [
        _Candidate(codes[status], person_id, day, Source.MEETING, pk, f"{codes[status]}:attendance:{pk}")
        for pk, person_id, status, day in meeting_attendance_for_points(first=first, last=last)
        if status in codes
    ]


def _base_candidates(year: int) -> list[_Candidate]:
    rows = Person.objects.filter(is_active_member=True, political_status__in=MEMBER_STATUSES).values_list(
        "pk", flat=True
    )
    day = datetime.date(year, 1, 1)
    return [_Candidate(Code.BASE, pk, day, Source.YEAR, year, f"base:{year}:{pk}") for pk in rows]


def _exemptions(person_ids: set[int], last: datetime.date) -> tuple[set[int], dict[int, list[tuple]]]:
    """Retired people, and each person's mobile records (leave date, return date) for the long-term test."""
    retired = set(Person.objects.filter(pk__in=person_ids, is_retired=True).values_list("pk", flat=True))
    mobile = defaultdict(list)
    for person_id, leave, returned in MobileMember.objects.filter(
        person_id__in=person_ids, leave_date__lte=last
    ).values_list("person_id", "leave_date", "returned_on"):
        mobile[person_id].append((leave, returned))
    return retired, mobile


def is_long_term_mobile(records: list[tuple], on: datetime.date) -> bool:
    limit = on - relativedelta(months=LONG_TERM_MOBILE_MONTHS)
    return any(leave <= limit and (returned is None or returned > on) for leave, returned in records)


@transaction.atomic
def points_settle(*, year: int, until: datetime.date | None = None) -> dict[str, int]:
    """Books every entry the rules give for `year` up to `until` (default today). Safe to run any number of times,
    at the same moment too: see the module's docstring. Returns the number of new entries per rule code."""
    today = timezone.localdate()
    until = until or today
    first, last = datetime.date(year, 1, 1), min(until, datetime.date(year, 12, 31))
    rule_set = rule_set_for_year(year=year)
    rules = _rules_of(rule_set)
    counts = {code: 0 for code in Code.values if code != Code.MANUAL}
    if last < first:
        return counts

    candidates = _base_candidates(year)
    for gather in (
        _participation_candidates,
        _demand_candidates,
        _visit_candidates,
        _pledge_candidates,
        _mobile_report_candidates,
        _upheld_candidates,
        _meeting_candidates,
    ):
        candidates += gather(first, last)
    candidates.sort(key=lambda c: (c.date, c.source_id, c.code, c.person_id))

    booked_keys = set(PointsEntry.objects.filter(date__gte=first, date__lte=last).values_list("source_key", flat=True))
    capped = {code for code, rule in rules.items() if rule.monthly_cap}
    used: dict[tuple[int, str, int], int] = defaultdict(int)  # (person, code, month) → points already booked
    for row in (
        PointsEntry.objects.filter(date__gte=first, date__lte=last, rule__code__in=capped)
        .annotate(month=ExtractMonth("date"))
        .values("person_id", "rule__code", "month")
        .annotate(total=Sum("points"))
    ):
        used[(row["person_id"], row["rule__code"], row["month"])] = row["total"]

    fresh = [c for c in candidates if c.key not in booked_keys]
    # 党员积分 is for party members on the roll: volunteers who are not members (群众) earn none.
    people = dict(
        Person.objects.filter(
            pk__in={c.person_id for c in fresh}, is_active_member=True, political_status__in=MEMBER_STATUSES
        ).values_list("pk", "organisation_id")
    )
    negative = {c.person_id for c in fresh if c.code in rules and rules[c.code].points < 0}
    retired, mobile = _exemptions(negative, last)

    entries = []
    for candidate in fresh:
        rule = rules.get(candidate.code)
        if rule is None:
            continue  # a rule set older than the rule (see the module's docstring)
        points = rule.points * candidate.units
        if points == 0 or candidate.person_id not in people:
            continue
        if points < 0 and (
            candidate.person_id in retired or is_long_term_mobile(mobile[candidate.person_id], candidate.date)
        ):
            continue  # exempt from deductions: nothing is booked
        if rule.monthly_cap:
            slot = (candidate.person_id, candidate.code, candidate.date.month)
            points = min(points, rule.monthly_cap - used[slot])
            if points <= 0:
                continue  # the month's cap is reached; a later settle looks again (and finds it still reached)
            used[slot] += points
        entries.append(
            PointsEntry(
                person_id=candidate.person_id,
                organisation_id=people[candidate.person_id],
                date=candidate.date,
                points=points,
                rule=rule,
                source_type=candidate.source_type,
                source_id=candidate.source_id,
                source_key=candidate.key,
                note=candidate.note,
            )
        )
        counts[candidate.code] += 1
    # The unique source key is the guarantee: a concurrent settle that got here first wins, this one skips.
    PointsEntry.objects.bulk_create(entries, batch_size=1000, ignore_conflicts=True)
    audit_record(
        actor=None,
        action="points.settle",
        target=rule_set,
        summary=f"{year} 年积分结算（截至 {last:%Y-%m-%d}）：新增 {len(entries)} 条",
        changes={"year": year, "until": str(last), "counts": counts},
    )
    return counts


# Manual adjustments and reversals ---------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写调整理由。")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"理由不能超过 {MAX_REASON} 字。")
    return reason


def _is_exempt(person: Person, on: datetime.date) -> bool:
    return Person.objects.filter(points_exempt_q(on), pk=person.pk).exists()


@transaction.atomic
def points_adjustment_request(*, actor: User, person: Person, points: int, reason: str) -> PointsAdjustment:
    """A manual adjustment asked for by someone who manages the member's branch; booked once the level above
    approves it."""
    person = Person.objects.select_related("organisation").get(pk=person.pk)
    if not scope_for(actor).covers_path(person.organisation.path):
        raise ValidationError("该党员不在您的管理范围内。")
    if not person.is_active_member or not person.is_party_member:
        raise ValidationError("只能为在册党员调整积分。")
    if points is None or points == 0:
        raise ValidationError("调整分值不能为 0。")
    if abs(points) > MAX_ADJUSTMENT:
        raise ValidationError(f"单次调整不能超过 {MAX_ADJUSTMENT} 分。")
    reason = _reason(reason)
    if points < 0 and _is_exempt(person, timezone.localdate()):
        raise ValidationError("退休党员和长期外出的流动党员免于扣分。")
    adjustment = PointsAdjustment.objects.create(person=person, points=points, reason=reason, requested_by=actor)
    audit_record(
        actor=actor,
        action="points.adjustment.request",
        target=adjustment,
        summary=f"{person.name} {points:+d}：{reason}"[:300],
    )
    return adjustment


@transaction.atomic
def points_adjustment_decide(*, actor: User, adjustment: PointsAdjustment, approve: bool) -> PointsAdjustment:
    """Approve or reject, by the level above the requester (组织部, or someone managing a higher organisation) —
    never the requester, never the same branch's secretary. Approval books the entry (source key manual:<id>)."""
    adjustment = (
        PointsAdjustment.objects.select_for_update()
        .select_related("person__organisation", "requested_by")
        .get(pk=adjustment.pk)
    )
    if adjustment.state != PointsAdjustment.State.REQUESTED:
        raise ValidationError("该调整已审批过。")
    if actor.pk == adjustment.requested_by_id:
        raise ValidationError("不能审批本人提出的调整。")
    if not adjustment_can_decide(user=actor, adjustment=adjustment):
        raise ValidationError("积分调整须由上级党组织或组织部审批。")
    today = timezone.localdate()
    if approve:
        if adjustment.points < 0 and _is_exempt(adjustment.person, today):
            raise ValidationError("退休党员和长期外出的流动党员免于扣分。")
        rule = _rules_of(rule_set_for_year(year=today.year))[Code.MANUAL]
        adjustment.entry = PointsEntry.objects.create(
            person=adjustment.person,
            organisation=adjustment.person.organisation,
            date=today,
            points=adjustment.points,
            rule=rule,
            source_type=Source.MANUAL,
            source_id=adjustment.pk,
            source_key=f"manual:{adjustment.pk}",
            note=adjustment.reason[:200],
            created_by=actor,
        )
    adjustment.state = PointsAdjustment.State.APPROVED if approve else PointsAdjustment.State.REJECTED
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.save(update_fields=["state", "decided_by", "decided_at", "entry", "updated_at"])
    audit_record(
        actor=actor,
        action=f"points.adjustment.{'approve' if approve else 'reject'}",
        target=adjustment,
        summary=f"{adjustment.person.name} {adjustment.points:+d}",
        changes={"state": [PointsAdjustment.State.REQUESTED, adjustment.state]},
    )
    return adjustment


@transaction.atomic
def points_entry_reverse(*, actor: User, entry: PointsEntry, reason: str) -> PointsEntry:
    """A reversal (冲销) is a new entry with the opposite points, on the same date, rule and source, so every total
    nets out; the original stays. Once per entry (the database holds `reverses` unique), by 组织部 or the level
    above the entry's organisation."""
    entry = PointsEntry.objects.select_related("organisation", "rule", "person").get(pk=entry.pk)
    if not entry_can_reverse(user=actor, entry=entry):
        raise ValidationError("冲销积分须由上级党组织或组织部办理。")
    reason = _reason(reason)
    if entry.reverses_id is not None:
        raise ValidationError("冲销记录本身不能再冲销。")
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("该积分已冲销过。")
    try:
        with transaction.atomic():
            reversal = PointsEntry.objects.create(
                person=entry.person,
                organisation=entry.organisation,
                date=entry.date,
                points=-entry.points,
                rule=entry.rule,
                source_type=entry.source_type,
                source_id=entry.source_id,
                source_key=f"reversal:{entry.pk}",
                note=f"冲销：{reason}"[:200],
                reverses=entry,
                created_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError("该积分已冲销过。") from error
    audit_record(
        actor=actor,
        action="points.entry.reverse",
        target=reversal,
        summary=f"{entry.person.name} 冲销 {entry.points:+d}：{reason}"[:300],
        changes={"reverses": entry.pk},
    )
    return reversal


# Export -----------------------------------------------------------------------------------------------------


def points_branch_export(*, actor: User, organisation, year: int, people) -> bytes:
    """The branch's points table as a workbook (text cells, never formulas), audited. `people` comes from the
    branch_points_table selector (the access check is there)."""
    codes = [code for code in Code.values]
    headers = ["姓名", "党组织", *[str(Code(code).label) for code in codes], "合计（原始）", "年度积分"]
    rows = (
        [
            person.name,
            person.organisation.name,
            *[getattr(person, f"rule_{code}") for code in codes],
            person.total,
            person.shown_total,
        ]
        for person in people
    )
    data = workbook_bytes(title=f"{year}年党员积分", headers=headers, rows=rows, bold_header=True, freeze_header=True)
    audit_record(
        actor=actor,
        action="points.export",
        target=organisation,
        summary=f"导出 {organisation.name} {year} 年党员积分表",
    )
    return data
