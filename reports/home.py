"""The home page's two parts. 待办: what the user's organisations have to do now, each a count that links to the list
of exactly those rows. The definitions are the ones the monthly briefing (evaluations.actions.reminders) and the
lists filter by — `open_overdue_q`, `mobile_due_q`, `unvisited_this_month_q`, the follow-ups' open states — and
the rows come from each list's own scoped selector, so a count never includes what the list would not show.
The member's part: their points, hours and star progress, and what they are asked to do.

A fixed number of queries (one count per item), whatever the number of rows. Imports previewed but not confirmed
are the user's own uploads waiting in the import store (portal.imports.storage), counted from their small files.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches import selectors as branch_selectors
from branches.models import Organisation
from branches.selectors import mobile_due_q, mobile_member_list_for_user, scope_for
from evaluations.models import ReviewRound
from evaluations.selectors.follow_ups import follow_up_list_for_user
from evaluations.selectors.follow_ups import overdue_q as follow_up_overdue_q
from evaluations.selectors.points import my_points
from evaluations.selectors.reviews import review_round_list_for_user
from portal.imports.storage import uploads_pending
from portal.models import User
from reports.dashboards import links
from services import selectors as service_selectors
from services.forms.activities import OPEN, ActivityFilter
from services.models import Demand
from services.selectors.demands import demand_list_for_user, open_overdue_q
from services.selectors.pairing import pairing_list_for_user, unvisited_this_month_q
from services.selectors.pledges import pledge_list_for_user, pledges_with_percent
from volunteers.selectors import led_team_ids


@dataclass(frozen=True)
class Todo:
    """One line of the 待办 list: what, how many, and the list of exactly those rows."""

    kind: str
    title: str
    count: int
    url: str


def todo_for_user(*, user: User, today: datetime.date) -> list[Todo]:
    """The work waiting in the user's scope. Empty for someone who manages nothing and leads no team."""
    scope = scope_for(user)
    items: list[tuple[str, str, object, str]] = []
    if scope.manages_anything:
        demands = demand_list_for_user(user=user)
        follow_ups = follow_up_list_for_user(user=user)
        items += [
            (
                "demands_overdue",
                _("逾期未办结的群众需求"),
                demands.filter(open_overdue_q(today)),
                links.demands(organisation=None, progress="open", overdue=True),
            ),
            (
                "demands_call_back",
                _("已办结待回访的群众需求"),
                demands.filter(state=Demand.State.DONE),
                links.list_url("services:demand_list", state=Demand.State.DONE),
            ),
            (
                "follow_ups_overdue",
                _("逾期的差评整改"),
                follow_ups.filter(follow_up_overdue_q(today)),
                links.follow_ups(organisation=None, overdue=True),
            ),
            (
                "follow_ups_open",
                _("未办结的差评整改（每条差评都要回访）"),
                follow_ups.open(),
                links.follow_ups(organisation=None, open_only=True),
            ),
        ]
    if scope.manages_anything or led_team_ids(user=user):
        items.append(
            (
                "hours",
                _("待审核的服务时长"),
                service_selectors.hours_pending_for_user(user=user),
                reverse("services:hours_pending"),
            )
        )
    if scope.manages_anything:
        items += [
            (
                "pairings",
                _("本月尚未走访的结对"),
                pairing_list_for_user(user=user).filter(unvisited_this_month_q(today)),
                links.pairings_unvisited(organisation=None),
            ),
            (
                "mobile",
                _("本月应汇报或已逾期的流动党员"),
                mobile_member_list_for_user(user=user, open_only=True).filter(mobile_due_q(today=today)),
                links.mobile(organisation=None, status="due"),
            ),
            (
                "reviews",
                _("进行中的民主评议（待评分）"),
                review_round_list_for_user(user=user).filter(
                    scope.organisation_q("organisation__"), state=ReviewRound.State.OPEN
                ),
                links.list_url("evaluations:review_round_list", state=ReviewRound.State.OPEN),
            ),
        ]
    todos = [Todo(kind, title, rows.count(), url) for kind, title, rows, url in items]
    if scope.manages_anything:
        pending = len(uploads_pending(user=user))
        todos.append(Todo("imports", _("已预览、待确认的导入"), pending, reverse("imports:index")))
    return todos


@dataclass(frozen=True)
class MemberHome:
    person_id: int
    points: object  # evaluations.selectors.points.MyPoints
    standing: object  # volunteers.selectors.StarStanding
    asked: list[Todo]
    pledge: object | None  # this year's own pledge (with `percent`), if any


def member_home(*, user: User, person_id: int, today: datetime.date) -> MemberHome:
    """A member's own year: points, approved hours and the next star, and what they are asked to do — activities
    open for sign-up, open reviews they are in, this year's pledge."""
    # the list's own filter over the list's own selector: the count is the rows the link shows
    sign_ups = ActivityFilter(
        {"state": OPEN},
        queryset=service_selectors.activity_list_for_user(user=user),
        user=user,
    )
    reviews = review_round_list_for_user(user=user).filter(state=ReviewRound.State.OPEN, sheets__person_id=person_id)
    pledge = next(
        iter(
            pledges_with_percent(
                pledge_list_for_user(user=user).filter(person_id=person_id, year=today.year, is_withdrawn=False)[:1]
            )
        ),
        None,
    )
    asked = [
        Todo(
            "sign_ups",
            _("可以报名的活动"),
            sign_ups.qs.count(),
            links.list_url("services:activity_list", state=OPEN),
        ),
        Todo(
            "reviews", _("待完成的评议"), reviews.count(), links.list_url("evaluations:review_round_list", state="open")
        ),
    ]
    return MemberHome(
        person_id=person_id,
        points=my_points(person_id=person_id, year=today.year),
        standing=service_selectors.my_standing(person_id=person_id),
        asked=asked,
        pledge=pledge,
    )


def home_for_user(*, user: User) -> dict:
    """The home page: for those who manage something (or lead a team) the 待办 list, for anyone with a person
    record their own standing and what they are asked to do (above); then the organisations they manage."""
    scope = branch_selectors.scope_for(user)
    today = timezone.localdate()
    context: dict = {"scope": scope, "todo": todo_for_user(user=user, today=today)}
    if scope.manages_anything:
        # The top two levels of the user's own subtrees: a branch secretary's branch lies deeper than depth 2.
        top = 1 if scope.everything else min(len(path) for path in scope.paths) // Organisation.steplen
        organisations = branch_selectors.organisation_list_for_user(user=user)
        context["organisations"] = organisations.filter(depth__lte=top + 1)[:20]
    if scope.person_id:
        context["me"] = member_home(user=user, person_id=scope.person_id, today=today)
    return context
