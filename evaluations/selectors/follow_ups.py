"""Follow-ups (差评整改): reads, shaped and scoped. Overdue is derived here, in SQL, so the list can filter and
sort on it; nothing of the kind is stored.

Who sees what: those who manage an organisation see the follow-ups of its subtree and may act on them (the branch
secretary, the assignee, is one of them). For anyone else the follow-ups do not exist (404)."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from branches.selectors import check_write, scope_for, working_calendar
from evaluations.models import FollowUp
from portal.lib.workdays import working_days_between
from portal.models import User


def overdue_q(today: datetime.date) -> Q:
    """Still open (not yet closed) and past its due date."""
    return Q(state__in=FollowUp.OPEN_STATES, due_on__lt=today)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def follow_up_list_check(*, user: User) -> None:
    """The follow-up pages are a staff tool: for a user who manages nothing they do not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def follow_up_list_for_user(*, user: User) -> QuerySet[FollowUp]:
    """The user's follow-ups: overdue first, then the other open ones by due date, then the closed ones (latest
    closed first)."""
    scope = scope_for(user)
    today = timezone.localdate()
    return (
        FollowUp.objects.filter(scope.organisation_q("organisation__"))
        .select_related("organisation", "assignee", "rating", "rating__activity")
        .annotate(
            is_overdue=_flag(overdue_q(today)),
            is_open=_flag(Q(state__in=FollowUp.OPEN_STATES)),
            # open ones by due date; closed ones have none here and follow by closing date, latest first
            open_due=Case(When(state__in=FollowUp.OPEN_STATES, then=F("due_on"))),
        )
        .order_by(
            "-is_overdue",
            "-is_open",
            F("open_due").asc(nulls_last=True),
            F("closed_on").desc(nulls_last=True),
            # a weekend makes two ratings share a due date: the one received first comes first
            "rating__created_at",
            "pk",
        )
    )


def follow_up_get_for_user(*, user: User, pk: int, write: bool = False) -> FollowUp:
    """404 outside the scope; PermissionDenied when seen but not writable and `write` (kept for symmetry: today
    everything a user sees lies in a subtree they manage)."""
    follow_up = (
        follow_up_list_for_user(user=user)
        .select_related("rating__activity__organisation", "rating__activity__team", "rating__activity__category")
        .filter(pk=pk)
        .first()
    )
    if follow_up is None:
        raise Http404("差评整改不存在。")
    if write:
        check_write(user, follow_up_can_write(user=user, follow_up=follow_up))
    return follow_up


def follow_up_can_write(*, user: User, follow_up: FollowUp) -> bool:
    return scope_for(user).covers_path(follow_up.organisation.path)


def follow_up_mark_days_overdue(follow_ups, today: datetime.date | None = None) -> None:
    """Sets `days_overdue` (calendar days past the due date) on each overdue follow-up of a page, for the badge."""
    today = today or timezone.localdate()
    for follow_up in follow_ups:
        follow_up.days_overdue = (today - follow_up.due_on).days if follow_up.is_overdue else None


@dataclass(frozen=True)
class DeadlineStatus:
    working_days_left: int | None  # open and not late: working days until the due date (0 = due today)
    days_overdue: int | None  # late: calendar days past the due date (until today, or until closed)


def follow_up_deadline_status(*, follow_up: FollowUp, today: datetime.date | None = None) -> DeadlineStatus:
    """For the follow-up page: working days left, or days overdue (one query for the calendar)."""
    today = today or timezone.localdate()
    if follow_up.state in FollowUp.OPEN_STATES:
        if today > follow_up.due_on:
            return DeadlineStatus(None, (today - follow_up.due_on).days)
        holidays, workdays = working_calendar()
        return DeadlineStatus(working_days_between(today, follow_up.due_on, holidays, workdays), None)
    if follow_up.closed_on and follow_up.closed_on > follow_up.due_on:
        return DeadlineStatus(None, (follow_up.closed_on - follow_up.due_on).days)
    return DeadlineStatus(None, None)


def follow_up_open_count(*, user: User) -> int:
    return follow_up_list_for_user(user=user).open().count()
