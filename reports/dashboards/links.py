"""Where each dashboard figure leads: an existing list page with the query parameters that filter it to exactly the
rows the figure counts. One function per list page; `organisation` is a pk (None: no subtree filter, the user's
whole scope). The parameters are those of the pages' own filters (services/forms, evaluations/forms, branches/forms,
the branch points page and the host admin); the dashboard tests open every link and compare the counts."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from evaluations.models import FollowUp, ReviewRound

Day = datetime.date


def _url(name: str, **params) -> str:
    query = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in params.items()
        if value not in (None, "", False)
    }
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def list_url(name: str, **params) -> str:
    """Any list page with its filter parameters (the home page's 待办 links)."""
    return _url(name, **params)


def activities(*, organisation: int | None, start: Day, end: Day) -> str:
    """Activities held (ended or closed) that started between the two local dates."""
    return _url("services:activity_list", start=start, end=end, organisation=organisation, state="held")


def satisfaction(*, organisation: int | None, start: Day, end: Day) -> str:
    return _url("evaluations:satisfaction", start=start, end=end, organisation=organisation)


def demands(
    *,
    organisation: int | None,
    start: Day | None = None,
    end: Day | None = None,
    progress: str | None = None,
    overdue: bool = False,
) -> str:
    """Demands received between the dates; `progress` is the list's 办理情况 (open, open_in_time, on_time)."""
    return _url(
        "services:demand_list",
        received_from=start,
        received_to=end,
        organisation=organisation,
        progress=progress,
        overdue="on" if overdue else None,
    )


def follow_ups(
    *,
    organisation: int | None,
    start: Day | None = None,
    end: Day | None = None,
    closed: bool = False,
    open_only: bool = False,
    overdue: bool = False,
) -> str:
    """Follow-ups whose 差评 was given between the dates."""
    return _url(
        "evaluations:follow_up_list",
        opened_from=start,
        opened_to=end,
        organisation=organisation,
        state=FollowUp.State.CLOSED if closed else None,
        open="on" if open_only else None,
        overdue="on" if overdue else None,
    )


def points(*, organisation: int | None, year: int, minimum: int | None = None, maximum: int | None = None) -> str:
    return _url(
        "evaluations:branch_points", organisation=organisation, year=year, min_points=minimum, max_points=maximum
    )


def reviews(*, organisation: int | None, year: int, grade: str | None = None) -> str:
    """The year's closed yearly review rounds (with a grade: those with sheets of it, and how many)."""
    return _url(
        "evaluations:review_round_list",
        year=year,
        kind=ReviewRound.Kind.YEARLY,
        state=ReviewRound.State.CLOSED,
        organisation=organisation,
        grade=grade,
    )


def hosts(*, organisation: int | None, formation: str | None = None, covered: bool | None = None) -> str:
    """Host units in the admin (the only list of them): by subtree, formation mode, covered or not."""
    return _url(
        "admin:branches_hostunit_changelist",
        subtree=organisation,
        formation__exact=formation,
        covered={True: "1", False: "0"}.get(covered),
    )


def mobile(*, organisation: int | None, status: str) -> str:
    """Mobile members: away, on_time, overdue (see branches.forms.MobileMemberFilter)."""
    return _url("branches:mobile_list", organisation=organisation, status=status)


def pairings_unvisited(*, organisation: int | None) -> str:
    return _url("services:pairing_list", organisation=organisation, missed="this_month")
