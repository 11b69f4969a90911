"""Every attendance and hours page × every role of the cast: the expected outcome, written out as a table.

The table is the specification, written by hand. What the selectors decide:
- the sheet and walk-ins use activity_get_for_user(write=True): a branch-A activity the user cannot see is 404
  (outsider; a member for a draft); one they can see but not write is 403 (a member on a published one);
- the queue, approve and the checker exist only for those who manage an organisation or lead a team
  (hours_scope_check): 404 for a member; the outsider has their own (branch B) queue, so branch A's ids posted
  by them are ignored (302, nothing written);
- a correction's entry comes from hours_entries_for_user: outside it, 404.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from services import actions
from services.models import Activity, ActivityCategory, HoursEntry, Participation
from tests.conftest import Cast
from tests.factories import member
from tests.harness import DONE, LOGIN, REFUSED, ScopeTable
from tests.services.hours_helpers import running_activity, sign_up

NOTHING = REFUSED  # 302 to a page, nothing written (ids outside scope ignored)


@dataclass
class World:
    cast: Cast
    activity: Activity  # published, running, branch A
    draft: Activity  # a draft of branch A (members do not see drafts)
    signed_up: Participation  # the member, not yet marked
    pending: HoursEntry  # an attended person's pending entry
    approved: HoursEntry  # an attended person's approved entry
    walker: int  # a member of A not on the sheet

    def pk(self, target: str) -> int:
        return {
            "activity": self.activity.pk,
            "draft": self.draft.pk,
            "pending": self.pending.pk,
            "approved": self.approved.pk,
        }[target]


@pytest.fixture
def world(cast) -> World:
    activity = running_activity(cast.secretary, cast.branch_a)
    waiting = member(cast.branch_a, name="甲待审")
    signed_up, done, pending = sign_up(activity, cast.member_person, cast.person_a, waiting)
    actions.attendance_record(
        actor=cast.secretary, activity=activity, marks={done.pk: (True, Decimal(3)), pending.pk: (True, Decimal(2))}
    )
    actions.hours_approve(actor=cast.secretary, entries=list(done.hours_entries.all()))
    now = timezone.now()
    draft = actions.activity_create(
        actor=cast.secretary,
        title="草稿活动",
        category=ActivityCategory.objects.get(code="health"),
        place="社区",
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=1),
        organisation=cast.branch_a,
    )
    return World(
        cast=cast,
        activity=activity,
        draft=draft,
        signed_up=signed_up,
        pending=pending.hours_entries.get(),
        approved=done.hours_entries.get(),
        walker=member(cast.branch_a, name="甲路人").pk,
    )


def _sheet(w: World) -> dict:
    return {f"attended_{w.signed_up.pk}": "1", f"hours_{w.signed_up.pk}": "2"}


def _walk_in(w: World) -> dict:
    return {"people": [w.walker], "role": "volunteer"}


def _approve(w: World) -> dict:
    return {"entries": [w.pending.pk]}


def _correct(w: World) -> dict:
    return {"corrected_total": "5", "note": "漏记"}


# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    ("services:attendance_sheet",   "activity", "get",  None,     (LOGIN, 200,  200,  200,  403, 404)),
    ("services:attendance_sheet",   "activity", "post", _sheet,   (LOGIN, DONE, DONE, DONE, 403, 404)),
    ("services:attendance_sheet",   "draft",    "get",  None,     (LOGIN, 200,  200,  200,  404, 404)),
    ("services:attendance_walk_in", "activity", "post", _walk_in, (LOGIN, DONE, DONE, DONE, 403, 404)),
    ("services:attendance_walk_in", "activity", "get",  None,     (LOGIN, 405,  405,  405,  405, 405)),
    ("services:hours_pending",      None,       "get",  None,     (LOGIN, 200,  200,  200,  404, 200)),
    ("services:hours_approve",      None,       "post", _approve, (LOGIN, DONE, DONE, DONE, 404, NOTHING)),
    ("services:hours_approve",      None,       "get",  None,     (LOGIN, 405,  405,  405,  405, 405)),
    ("services:hours_correct",      "approved", "get",  None,     (LOGIN, 200,  200,  200,  404, 404)),
    ("services:hours_correct",      "approved", "post", _correct, (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("services:hours_correct",      "pending",  "get",  None,     (LOGIN, 200,  200,  200,  404, 404)),
    ("services:hours_checker",      None,       "get",  None,     (LOGIN, 200,  200,  200,  404, 200)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(Participation.objects.order_by("pk").values_list("pk", "state", "walk_in")),
        list(HoursEntry.objects.order_by("pk").values_list("pk", "hours", "state", "corrects_id")),
    )


TABLE = ScopeTable(MATRIX, state=_state)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_lists_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    for url in (reverse("services:hours_pending"), reverse("services:hours_checker")):
        content = client.get(url).content.decode()
        for name in ("义诊", "甲待审", "甲群众党员", "甲党员"):
            assert name not in content, (url, name)
    # while the secretary's queue has the pending entry (so the check above can fail)
    assert "甲待审" in login(world.cast.secretary).get(reverse("services:hours_pending")).content.decode()


def test_team_leader_without_a_branch_role_runs_their_teams_sheet_and_hours(world, login):
    """Write access through leading a team (not an organisation): the sheet, the queue and the approval."""
    from volunteers import actions as vactions
    from volunteers.models import TeamMembership

    cast = world.cast
    team = vactions.team_create(actor=cast.outsider, name="乙服务队", level="brigade", organisation=cast.branch_b)
    vactions.membership_add(
        actor=None, team=team, person=cast.member_person, joined_on=datetime.date(2024, 1, 1),
        role=TeamMembership.Role.LEADER,
    )  # fmt: skip
    activity = running_activity(cast.outsider, cast.branch_b, title="乙队活动", team=team)
    (p,) = sign_up(activity, cast.person_b)
    actions.attendance_record(actor=cast.outsider, activity=activity, marks={p.pk: (True, None)})
    client = login(cast.member)
    assert client.get(reverse("services:attendance_sheet", args=[activity.pk])).status_code == 200
    assert "乙党员" in client.get(reverse("services:hours_pending")).content.decode()
    client.post(reverse("services:hours_approve"), {"entries": [p.hours_entries.get().pk]})
    assert p.hours_entries.get().state == HoursEntry.State.APPROVED
    # …but still not branch A's sheet
    assert client.get(reverse("services:attendance_sheet", args=[world.activity.pk])).status_code == 403
