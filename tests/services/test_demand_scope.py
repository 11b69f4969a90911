"""Every demand page × every role of the cast: the expected status, written out as a table.

Outside the scope a demand does not exist (404); a member who manages nothing sees only the demands assigned to
them (to their person or to a team they are active in), read-only: acting on one is 403. The anonymous public is
sent to the login page — except on the public form, which is open to everyone. The table is the specification,
written by hand, never derived from the code under test.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from services.actions.demands import demand_assign, demand_complete, demand_receive
from services.forms.demands import public_form_stamp
from services.models import Demand
from services.views.demands import DONE_SALT
from tests.conftest import Cast
from tests.harness import DONE, LOGIN, REFUSED, ScopeTable
from tests.services.demand_helpers import category, team_of_a
from volunteers.models import Team


@dataclass
class World:
    cast: Cast
    demands: dict[str, Demand]
    team: Team

    def args(self, target: str | None) -> list:
        if target is None:
            return []
        if target.startswith("org:"):
            key = target.removeprefix("org:")
            return [{"a": self.cast.branch_a, "b": self.cast.branch_b}[key].pk if key in "ab" else 999_999]
        if target.startswith("done:"):
            demand = self.demands[target.removeprefix("done:")]
            return [demand.organisation_id, signing.dumps(demand.pk, salt=DONE_SALT)]
        return [self.demands[target].pk]


def _receive(cast: Cast, organisation, content: str) -> Demand:
    return demand_receive(
        actor=None, organisation=organisation, channel="online", category=category("environment"), content=content
    )


@pytest.fixture
def world(cast) -> World:
    received = _receive(cast, cast.branch_a, "甲支部未交办")
    assigned = demand_assign(
        actor=None, demand=_receive(cast, cast.branch_a, "甲支部已交办"), person=cast.member_person
    )
    done = demand_assign(actor=None, demand=_receive(cast, cast.branch_a, "甲支部已办结"), person=cast.member_person)
    done = demand_complete(actor=None, demand=done, result="已处理", done_on=timezone.localdate())
    team = team_of_a(cast)
    by_team = demand_assign(actor=None, demand=_receive(cast, cast.branch_a, "甲支部交服务队"), team=team)
    other = demand_assign(actor=None, demand=_receive(cast, cast.branch_a, "甲支部交他人"), person=cast.person_a)
    b = _receive(cast, cast.branch_b, "乙支部需求")
    return World(
        cast=cast,
        demands={
            "received": received,
            "assigned": assigned,
            "done": done,
            "team": by_team,
            "other": other,
            "b": b,
        },
        team=team,
    )


def _new(w: World) -> dict:
    return {
        "organisation": w.cast.branch_a.pk,
        "channel": "hotline",
        "category": category("utilities").pk,
        "content": "水管漏水",
        "received_on": timezone.localdate().isoformat(),
    }


def _to_person_a(w: World) -> dict:
    return {"person": w.cast.person_a.pk}


def _result(w: World) -> dict:
    return {"result": "已修复", "done_on": timezone.localdate().isoformat()}


def _callback(w: World) -> dict:
    return {"callback_on": timezone.localdate().isoformat(), "satisfaction": "satisfied", "note": "满意"}


def _public(w: World) -> dict:
    # a form rendered ten seconds ago, for branch A
    return {
        "category": category("other").pk,
        "content": "小区路灯坏了",
        "stamp": public_form_stamp(w.cast.branch_a.pk, at=time.time() - 10),
    }


S = "services:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (S + "demand_list",       None,       "get",  None,          (LOGIN, 200, 200, 200, 200, 200)),
    # entering demands is a staff tool: for a member it does not exist
    (S + "demand_create",     None,       "get",  None,          (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider may enter demands, but only for B: branch A is not a choice (form error, nothing written)
    (S + "demand_create",     None,       "post", _new,          (LOGIN, DONE, DONE, DONE, 404, 200)),
    (S + "demand_detail",     "received", "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    # the member sees what is assigned to them, or to a team they are in — never anyone else's
    (S + "demand_detail",     "assigned", "get",  None,          (LOGIN, 200, 200, 200, 200, 404)),
    (S + "demand_detail",     "team",     "get",  None,          (LOGIN, 200, 200, 200, 200, 404)),
    (S + "demand_detail",     "other",    "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    (S + "demand_detail",     "b",        "get",  None,          (LOGIN, 200, 200, 404, 404, 200)),
    (S + "demand_assign",     "received", "post", _to_person_a,  (LOGIN, DONE, DONE, DONE, 404, 404)),
    # seen but not theirs to change: 403
    (S + "demand_assign",     "assigned", "post", _to_person_a,  (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "demand_assign",     "done",     "post", _to_person_a,  (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (S + "demand_assign",     "received", "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    (S + "demand_complete",   "assigned", "post", _result,       (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "demand_complete",   "received", "post", _result,       (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (S + "demand_complete",   "assigned", "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    (S + "demand_call_back",  "done",     "post", _callback,     (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "demand_call_back",  "assigned", "post", _callback,     (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (S + "demand_call_back",  "done",     "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    # the public form: open to everyone, logged in or not
    (S + "public_demand",     "org:a",    "get",  None,          (200, 200, 200, 200, 200, 200)),
    (S + "public_demand",     "org:a",    "post", _public,       (DONE, DONE, DONE, DONE, DONE, DONE)),
    (S + "public_demand",     "org:x",    "get",  None,          (404, 404, 404, 404, 404, 404)),
    (S + "public_demand_done", "done:b",  "get",  None,          (200, 200, 200, 200, 200, 200)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(Demand.objects.order_by("pk").values_list("pk", "state", "assigned_person", "result", "satisfaction")),
    )


TABLE = ScopeTable(MATRIX, state=_state, back=lambda w, name, target: reverse(S + "demand_detail", args=w.args(target)))


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_post_on_every_state_changing_view_is_404_and_writes_nothing(world, login):
    client = login(world.cast.outsider)
    before = TABLE.snapshot()
    posts = [
        ("demand_assign", "received", _to_person_a),
        ("demand_complete", "assigned", _result),
        ("demand_call_back", "done", _callback),
    ]
    for name, target, body in posts:
        response = client.post(reverse(S + name, args=world.args(target)), body(world))
        assert response.status_code == 404, name
    assert TABLE.snapshot() == before


def test_outsider_list_never_mentions_branch_a(world, login):
    client = login(world.cast.outsider)
    pages = {
        "list": client.get(reverse(S + "demand_list")),
        "list (filtered by A)": client.get(reverse(S + "demand_list"), {"organisation": world.cast.branch_a.pk}),
        "create": client.get(reverse(S + "demand_create")),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        assert "甲支部" not in content and "党支部A" not in content, label
    assert "乙支部需求" in pages["list"].content.decode()  # …while B's own demand is there (so the check can fail)


def test_member_list_shows_only_what_is_assigned_to_them(world, login):
    content = login(world.cast.member).get(reverse(S + "demand_list")).content.decode()
    assert "甲支部已交办" in content and "甲支部交服务队" in content and "甲支部已办结" in content
    assert "甲支部未交办" not in content and "甲支部交他人" not in content and "乙支部需求" not in content
    assert reverse(S + "demand_create") not in content


def test_a_member_who_left_the_team_no_longer_sees_its_demand(world, login):
    from volunteers import actions as team_actions
    from volunteers.models import TeamMembership

    membership = TeamMembership.objects.get(team=world.team, person=world.cast.member_person)
    team_actions.membership_leave(
        actor=None, membership=membership, left_on=timezone.localdate(), reason=TeamMembership.LeaveReason.OWN_REQUEST
    )
    client = login(world.cast.member)
    assert client.get(reverse(S + "demand_detail", args=[world.demands["team"].pk])).status_code == 404
