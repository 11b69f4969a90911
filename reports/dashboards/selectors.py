"""Dashboards (工作看板): the figures of a year for a subtree (or the user's whole scope), each a `Figure` carrying the
link to the list page that shows exactly the rows it counts (`links`). The queries are in `figures` (a fixed number,
whatever the data), the charts' data in `charts`.

Who may see what: 组织部 and those holding a managing role (书记, 副书记, 委员), within their scope; an organisation
outside it does not exist (404); a member without a managing role is refused (403). For a branch (党支部) the
dashboard also lists the work to do now; above a branch it compares the direct children."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import HostUnit, Organisation, RuleSettings
from branches.selectors import mobile_member_list_for_user, mobile_overdue_q, organisation_get_for_user, scope_for
from evaluations.models import ReviewSheet
from evaluations.selectors.follow_ups import follow_up_list_for_user
from portal.models import User
from reports.dashboards import figures, links
from reports.dashboards.charts import chart_data
from reports.dashboards.figures import BY_MONTH, BY_PATH, Area, Period
from services.selectors.demands import demand_list_for_user
from services.selectors.demands import overdue_q as demand_overdue_q
from services.selectors.pairing import pairing_list_for_user, unvisited_this_month_q

ACTION_ROWS = 10  # the branch dashboard lists this many of each kind of work to do, and links to all of them


@dataclass(frozen=True)
class Figure:
    """A number and the page listing the rows it counts."""

    value: int | Decimal
    url: str


# Access -----------------------------------------------------------------------------------------------------


def dashboard_access_check(*, user: User) -> None:
    """Dashboards are for 组织部 and for those holding a managing role; a member without one is refused (403)."""
    if not scope_for(user).manages_anything:
        raise PermissionDenied("工作看板仅供组织部和党组织书记、副书记、委员使用。")


def dashboard_organisation_for_user(*, user: User, pk: str | int | None) -> Organisation | None:
    """The organisation asked for (?organisation=): one in the user's scope, else 404; none asked → None."""
    dashboard_access_check(user=user)
    if pk in (None, ""):
        return None
    try:
        return organisation_get_for_user(user=user, pk=int(pk))
    except (TypeError, ValueError):
        raise Http404("党组织不存在。") from None


def _area(user: User, organisation: Organisation | None) -> Area:
    scope = scope_for(user)
    if organisation is not None:
        if not scope.covers_path(organisation.path):
            raise Http404("党组织不存在。")
        return Area(organisation, (organisation.path,))
    if scope.everything:
        # The whole tree. With a single root the links filter by it: the same rows, and the pages that need an
        # organisation (the points table) get one.
        roots = list(Organisation.objects.get_root_nodes()[:2])
        return Area(roots[0] if len(roots) == 1 else None, None)
    if len(scope.paths) == 1:
        return Area(Organisation.objects.get(path=scope.paths[0]), scope.paths)
    return Area(None, scope.paths)


# The dashboard ----------------------------------------------------------------------------------------------


def dashboard_for_user(*, user: User, year: int, organisation: Organisation | None) -> dict:
    """Everything the dashboard shows for the year and the subtree (None: the user's whole scope). A fixed number of
    queries, whatever the number of rows or organisations.

    Above a branch the figures are kept for DASHBOARD_CACHE_SECONDS (the page says when they were counted): a
    district's year is millions of rows, seconds to count, and the same for everyone who looks at that subtree.
    A branch's dashboard (its to-do lists) is always counted afresh; it is small."""
    dashboard_access_check(user=user)
    area, today = _area(user, organisation), timezone.localdate()
    if area.organisation is not None and area.organisation.is_branch:
        return _dashboard(user, area, year, today)
    # What the figures depend on: the area (the user's scope only chooses it), the year and the day (overdue).
    key = "dashboard:" + hashlib.sha256(repr((area.paths, area.pk, year, today)).encode()).hexdigest()
    dashboard = cache.get(key)
    if dashboard is None:
        dashboard = _dashboard(user, area, year, today)
        cache.set(key, dashboard, settings.DASHBOARD_CACHE_SECONDS)
    return dashboard


def _dashboard(user: User, area: Area, year: int, today: datetime.date) -> dict:
    period = Period(year)
    rules = RuleSettings.current()
    org = area.pk
    activity = figures.activity_rows(area, period)
    activity_months = figures.by_month(activity, figures.ACTIVITY_KEYS)
    demand_months = {row["month"]: row for row in figures.demand_rows(area, period, today, BY_MONTH)}
    rating_months = figures.satisfaction_by_month(user, area, period)
    ratings = figures.rating_rows(user, area, period)
    follow_ups = figures.follow_up_rows(area, period, today)
    hosts = figures.host_rows(area)
    mobile = figures.mobile_rows(area, today, rules)

    months = [
        _month(month, period, org, activity_months.get(month, {}), demand_months.get(month, {}), rating_months)
        for month in range(1, 13)
    ]
    year_span = {"organisation": org, "start": period.first, "end": period.last}
    activity_url = links.activities(**year_span)
    satisfaction = figures.satisfaction_of(figures.total(ratings, figures.RATING_KEYS))
    dashboard = {
        "year": year,
        "organisation": area.organisation,
        "whole_tree": area.paths is None,
        "is_branch": bool(area.organisation and area.organisation.is_branch),
        "months": months,
        "activities": {
            key: Figure(sum((m[key].value for m in months), start=0), activity_url) for key in figures.ACTIVITY_KEYS
        },
        "satisfaction": {
            "ratings": Figure(satisfaction.count, links.satisfaction(**year_span)),
            "rate": satisfaction.rate,
            "average": satisfaction.average,
        },
        "demands": _demands(figures.total(demand_months.values(), figures.DEMAND_KEYS), **year_span),
        "follow_ups": _follow_ups(figures.total(follow_ups, figures.FOLLOW_UP_KEYS), **year_span),
        "points_bands": _points_bands(figures.points_bands(area, period), org, year),
        "review_grades": _grades(figures.review_grades(area, period), org, year),
        "coverage": _coverage(hosts, area),
        "mobile": _mobile(figures.total(mobile, figures.MOBILE_KEYS), org),
        "children": [],
        "actions": [],
        "counted_at": timezone.now(),
        "kept_minutes": max(settings.DASHBOARD_CACHE_SECONDS // 60, 1),
    }
    if dashboard["is_branch"]:
        dashboard["actions"] = _branch_actions(user, area.organisation, today, rules)
    else:
        dashboard["children"] = _children(
            figures.children_of(area),
            period,
            activities=activity,
            demands=figures.demand_rows(area, period, today, BY_PATH),
            ratings=ratings,
            follow_ups=follow_ups,
            hosts=hosts,
            mobile=mobile,
        )
    dashboard["chart"] = chart_data(dashboard)
    return dashboard


def _month(month: int, period: Period, org: int | None, activity: dict, demand: dict, rated: dict) -> dict:
    first, last = period.month(month)
    activity_url = links.activities(organisation=org, start=first, end=last)
    satisfaction = rated.get(month)
    return {
        "month": month,
        "label": _("%(month)d月") % {"month": month},
        **{key: Figure(activity.get(key, 0), activity_url) for key in figures.ACTIVITY_KEYS},
        "ratings": Figure(
            satisfaction.count if satisfaction else 0, links.satisfaction(organisation=org, start=first, end=last)
        ),
        "satisfaction_rate": satisfaction.rate if satisfaction else None,
        "satisfaction_average": satisfaction.average if satisfaction else None,
        **_demands(demand, organisation=org, start=first, end=last),
    }


def _demands(counts: dict, **span) -> dict[str, Figure]:
    open_, open_overdue = counts.get("open", 0), counts.get("open_overdue", 0)
    return {
        "received": Figure(counts.get("received", 0), links.demands(**span)),
        "on_time": Figure(counts.get("on_time", 0), links.demands(**span, progress="on_time")),
        "overdue": Figure(counts.get("overdue", 0), links.demands(**span, overdue=True)),
        "open": Figure(open_, links.demands(**span, progress="open")),
        "in_progress": Figure(open_ - open_overdue, links.demands(**span, progress="open_in_time")),
    }


def _follow_ups(counts: dict, **span) -> dict[str, Figure]:
    return {
        "opened": Figure(counts.get("opened", 0), links.follow_ups(**span)),
        "closed": Figure(counts.get("closed", 0), links.follow_ups(**span, closed=True)),
        "overdue": Figure(counts.get("overdue", 0), links.follow_ups(**span, overdue=True)),
        "open": Figure(counts.get("open", 0), links.follow_ups(**span, open_only=True)),
    }


def _points_bands(counts: list[int], org: int | None, year: int) -> list[dict]:
    return [
        {
            "label": f"{low}–{high}" if high is not None else f"{low}+",
            "figure": Figure(count, links.points(organisation=org, year=year, minimum=low, maximum=high)),
        }
        for (low, high), count in zip(figures.POINTS_BANDS, counts, strict=True)
    ]


def _grades(counts: dict[str, int], org: int | None, year: int) -> list[dict]:
    return [
        {
            "grade": grade,
            "label": label,
            "figure": Figure(counts.get(grade, 0), links.reviews(organisation=org, year=year, grade=grade)),
        }
        for grade, label in ReviewSheet.Grade.choices
    ]


def _coverage(rows: list[dict], area: Area) -> dict:
    org = None if area.paths is None else area.pk  # the whole tree: hosts without an organisation count too
    by_mode: dict[str, int] = {}
    for row in rows:
        by_mode[row["formation"]] = by_mode.get(row["formation"], 0) + row["n"]
    hosts = sum(by_mode.values())
    covered = hosts - by_mode.get(HostUnit.Formation.NONE, 0)
    return {
        "hosts": Figure(hosts, links.hosts(organisation=org)),
        "covered": Figure(covered, links.hosts(organisation=org, covered=True)),
        "rate": (Decimal(covered) * 100 / hosts).quantize(Decimal("0.1")) if hosts else None,
        "modes": [
            {
                "mode": mode,
                "label": label,
                "figure": Figure(by_mode.get(mode, 0), links.hosts(organisation=org, formation=mode)),
            }
            for mode, label in HostUnit.Formation.choices
        ],
    }


def _mobile(counts: dict, org: int | None) -> dict[str, Figure]:
    away, overdue = counts.get("away", 0), counts.get("overdue", 0)
    return {
        "away": Figure(away, links.mobile(organisation=org, status="away")),
        "on_time": Figure(away - overdue, links.mobile(organisation=org, status="on_time")),
        "overdue": Figure(overdue, links.mobile(organisation=org, status="overdue")),
    }


def _children(children: list[Organisation], period: Period, **rows: list[dict]) -> list[dict]:
    """The comparison table: each direct child's figures, each a link filtered to that child."""
    activities = figures.roll_up(rows["activities"], children, figures.ACTIVITY_KEYS)
    demands = figures.roll_up(rows["demands"], children, figures.DEMAND_KEYS)
    ratings = figures.roll_up(rows["ratings"], children, figures.RATING_KEYS)
    follow_ups = figures.roll_up(rows["follow_ups"], children, figures.FOLLOW_UP_KEYS)
    mobile = figures.roll_up(rows["mobile"], children, figures.MOBILE_KEYS)
    by_path = {child.path: child.pk for child in children}
    hosts: dict[int, list[dict]] = {child.pk: [] for child in children}
    for row in rows["hosts"]:
        pk = figures.child_of(row["path"], by_path)
        if pk is not None:
            hosts[pk].append(row)
    result = []
    for child in children:
        span = {"organisation": child.pk, "start": period.first, "end": period.last}
        activity_url = links.activities(**span)
        result.append(
            {
                "organisation": child,
                **{key: Figure(activities[child.pk][key], activity_url) for key in figures.ACTIVITY_KEYS},
                "ratings": Figure(ratings[child.pk]["count"], links.satisfaction(**span)),
                "satisfaction_rate": figures.satisfaction_of(ratings[child.pk]).rate,
                "demands": _demands(demands[child.pk], **span),
                "follow_ups": _follow_ups(follow_ups[child.pk], **span),
                "mobile": _mobile(mobile[child.pk], child.pk),
                "coverage": _coverage(hosts[child.pk], Area(child, (child.path,))),
            }
        )
    return result


# The branch's work to do now --------------------------------------------------------------------------------


def _branch_actions(user: User, branch: Organisation, today: datetime.date, rules: RuleSettings) -> list[dict]:
    """What needs doing now in the branch (whatever the year): overdue open demands, open follow-ups, pairs without
    a visit this month, mobile members overdue with their report. Each: its first rows, how many, the list's link.
    The rows come from the lists' own selectors, filtered as the linked lists filter them."""
    subtree = Q(organisation__path__startswith=branch.path)
    lists = [
        (
            "demands",
            _("逾期未办结的群众需求"),
            demand_list_for_user(user=user).open().filter(subtree).filter(demand_overdue_q(today)),
            links.demands(organisation=branch.pk, progress="open", overdue=True),
        ),
        (
            "follow_ups",
            _("未办结的差评整改"),
            follow_up_list_for_user(user=user).open().filter(subtree),
            links.follow_ups(organisation=branch.pk, open_only=True),
        ),
        (
            "pairings",
            _("本月尚未走访的结对"),
            pairing_list_for_user(user=user).filter(subtree).filter(unvisited_this_month_q(today)),
            links.pairings_unvisited(organisation=branch.pk),
        ),
        (
            "mobile",
            _("逾期未汇报的流动党员"),
            mobile_member_list_for_user(user=user, open_only=True)
            .filter(person__organisation__path__startswith=branch.path)
            .filter(mobile_overdue_q(today=today, rules=rules)),
            links.mobile(organisation=branch.pk, status="overdue"),
        ),
    ]
    return [
        {"kind": kind, "title": title, "rows": list(rows[:ACTION_ROWS]), "figure": Figure(rows.count(), url)}
        for kind, title, rows, url in lists
    ]
