"""Scheduled notices that draw on several apps: the quarterly 红星榜 and the monthly briefing (月度工作提示).

They live here because evaluations is the app that may read all of them (branches ← services ← evaluations).
Like every reminder job, they write nothing but notifications, each once (`notification_send` keeps the
(recipient, key) pair unique), and not inside one transaction around the run: each reminder commits on its own, so
a failure halfway keeps what was sent and a re-run sends only the rest.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode

from branches.models import Organisation, Person
from branches.selectors import mobile_records_due, secretary_users_for
from evaluations.models import FollowUp
from evaluations.selectors.points import red_star_board
from portal.actions import notification_send
from services.models import Demand
from services.selectors.demands import open_overdue_q
from services.selectors.pairing import pairings_without_visit


def quarter_just_ended(today: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the calendar quarter before the one `today` is in."""
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def _branches() -> list[Organisation]:
    return list(Organisation.objects.filter(kind__in=Organisation.BRANCH_KINDS, is_archived=False).order_by("path"))


# 红星榜 -----------------------------------------------------------------------------------------------------


def red_stars_publish(*, year: int, quarter: int, today: datetime.date) -> dict:
    """每季度 红星榜: for each branch whose board of the quarter has anyone on it, its secretary and every member on
    the board are told it is out, once (`red-stars:{branch}:{YYYY}Q{n}`), with a link to the board page.

    No snapshot is stored. The board is `red_star_board`, a sum over the points ledger, which is append-only: an
    entry is never edited, a correction is a reversal entry. The ledger is therefore the record, and a second,
    stored copy of the board could only come to disagree with it. A late correction dated in the quarter (an
    activity closed late, a reversal) does move the quarter's board — that is the ledger being right, and the board
    page shows it; what was announced when stays in the notifications themselves. Run after the quarter's points
    settle (the 1st, 01:30), so the announced board already holds the quarter's last month."""
    label = f"{year}年第{quarter}季度"
    boards = [(branch, red_star_board(organisation=branch, year=year, quarter=quarter)) for branch in _branches()]
    boards = [(branch, rows) for branch, rows in boards if rows]
    secretaries = secretary_users_for(organisations=[branch for branch, _ in boards], on=today)
    people = Person.objects.filter(pk__in={row["person_id"] for _, rows in boards for row in rows})
    accounts = {person.pk: person.user for person in people.select_related("user")}
    summary = {"quarter": f"{year}Q{quarter}", "boards": len(boards), "reminded": 0, "no_account": 0}
    for branch, rows in boards:
        key = f"red-stars:{branch.pk}:{year}Q{quarter}"
        first = rows[0]
        for secretary in secretaries[branch.pk]:
            if notification_send(
                recipient=secretary,
                key=key,
                title=f"{label}红星榜已发布",
                body=(
                    f"{branch.name}{label}红星榜共 {len(rows)} 名党员上榜，"
                    f"第一名 {first['person__name']}（{first['points']} 分）。"
                ),
                url=_board_url(year, quarter, organisation=branch),
            ):
                summary["reminded"] += 1
        for row in rows:
            user = accounts.get(row["person_id"])
            if user is None:
                summary["no_account"] += 1
            elif notification_send(
                recipient=user,
                key=key,  # a secretary on the board hears of it once
                title=f"{label}红星榜已发布",
                body=f"祝贺！您以 {row['points']} 分位列{branch.name}{label}红星榜第 {row['rank']} 名。",
                # a member's board page is their own organisation's (no organisation in the address)
                url=_board_url(year, quarter),
            ):
                summary["reminded"] += 1
    return summary


def _board_url(year: int, quarter: int, organisation: Organisation | None = None) -> str:
    query = {"year": year, "quarter": quarter} | ({"organisation": organisation.pk} if organisation else {})
    return f"{reverse('evaluations:red_star_board')}?{urlencode(query)}"


# 月度工作提示 ---------------------------------------------------------------------------------------------------


def _per_branch(counts: Iterable[tuple[str, int]], branches: list[Organisation]) -> dict[int, int]:
    """(organisation path, count) pairs summed into the branch whose subtree holds each path (a party group's
    items count for its branch); paths outside every branch count nowhere."""
    by_path = {branch.path: branch.pk for branch in branches}
    step = Organisation.steplen
    totals = {branch.pk: 0 for branch in branches}
    for path, n in counts:
        branch_id = next(
            (by_path[p] for p in (path[:end] for end in range(step, len(path) + 1, step)) if p in by_path), None
        )
        if branch_id is not None:
            totals[branch_id] += n
    return totals


def _by_path(queryset) -> list[tuple[str, int]]:
    return list(queryset.values("organisation__path").annotate(n=Count("pk")).values_list("organisation__path", "n"))


def monthly_briefing_send(*, today: datetime.date) -> dict:
    """月度工作提示 (the 1st of each month): each branch secretary gets one notice summarising the branch's open
    items — demands open past their deadline, follow-ups (整改) not yet closed, pairings without a visit last
    month, mobile members whose report is due this month or overdue — linking to the list with the most pressing
    of them. Once per branch and month (`briefing:{branch}:{YYYY-MM}`); a branch with nothing open gets none."""
    branches = _branches()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    figures = {
        "demands": _per_branch(_by_path(Demand.objects.filter(open_overdue_q(today))), branches),
        "follow_ups": _per_branch(_by_path(FollowUp.objects.open()), branches),
        "pairings": _per_branch(_by_path(pairings_without_visit(month=last_month).order_by()), branches),
        "mobile": _per_branch(
            (
                (path, 1)
                for path in mobile_records_due(today=today).values_list("person__organisation__path", flat=True)
            ),
            branches,
        ),
    }
    lines = {
        "demands": ("逾期未办结的群众需求 {n} 件", "services:demand_list", {"overdue": "on"}),
        "follow_ups": ("未办结的差评整改 {n} 件", "evaluations:follow_up_list", {}),
        "pairings": (f"{last_month.month}月未走访的结对 {{n}} 对", "services:pairing_list", {"missed": "missed"}),
        "mobile": ("本月应汇报或已逾期的流动党员 {n} 人", "branches:mobile_list", None),
    }
    with_items = [b for b in branches if any(figures[name][b.pk] for name in figures)]
    secretaries = secretary_users_for(organisations=with_items, on=today)
    summary = {"month": f"{today:%Y-%m}", "branches": len(with_items), "reminded": 0, "no_account": 0}
    for branch in with_items:
        parts = [(name, figures[name][branch.pk]) for name in lines if figures[name][branch.pk]]
        name, _ = parts[0]  # the list of the first open kind, in the order above (overdue demands first)
        view, query = lines[name][1], lines[name][2]
        url = reverse(view)
        if query is not None:  # the mobile list needs none: it opens on the user's scope, overdue first
            url = f"{url}?{urlencode(query | {'organisation': branch.pk})}"
        body = "\n".join(f"· {lines[kind][0].format(n=n)}" for kind, n in parts)
        if not secretaries[branch.pk]:
            summary["no_account"] += 1
        for secretary in secretaries[branch.pk]:
            if notification_send(
                recipient=secretary,
                key=f"briefing:{branch.pk}:{today:%Y-%m}",
                title=f"{today.year}年{today.month}月工作提示：{branch.name}",
                body=f"{branch.name}截至 {today:%Y年%m月%d日} 的待办事项：\n{body}",
                url=url,
            ):
                summary["reminded"] += 1
    return summary
