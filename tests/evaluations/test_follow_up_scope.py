"""Every new evaluation staff page × every role of the cast: the expected status, written out as a table.

Follow-ups and satisfaction are staff tools: for a member who manages nothing they do not exist (404), as a
follow-up outside the scope does not. The anonymous public is sent to the login page. State changes are POST only
(GET → 405). The table is the specification, written by hand, never derived from the code under test.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_call_back, follow_up_rectify
from evaluations.models import FollowUp
from tests.conftest import Cast
from tests.evaluations.conftest import activity, bad_follow_up
from tests.harness import DONE, LOGIN, REFUSED, ScopeTable


@dataclass
class World:
    cast: Cast
    follow_ups: dict[str, FollowUp]

    def args(self, target: str | None) -> list:
        if target is None:
            return []
        if target == "missing":
            return [999_999]
        return [self.follow_ups[target].pk]


@pytest.fixture
def world(cast) -> World:
    in_a = activity(cast, organisation=cast.branch_a, title="甲支部理发")
    today = timezone.localdate()
    open_ = bad_follow_up(in_a, comment="甲支部待回访")
    called = follow_up_call_back(
        actor=None, follow_up=bad_follow_up(in_a, comment="甲支部已回访"), callback_on=today, note="已联系"
    )
    rectified = follow_up_rectify(
        actor=None,
        follow_up=follow_up_call_back(
            actor=None, follow_up=bad_follow_up(in_a, comment="甲支部已整改"), callback_on=today, note="已联系"
        ),
        rectification="已整改",
        rectified_on=today,
        upheld=True,
    )
    b = bad_follow_up(activity(cast, organisation=cast.branch_b, title="乙支部义诊"), comment="乙支部差评")
    return World(cast=cast, follow_ups={"open": open_, "called": called, "rectified": rectified, "b": b})


def _callback(w: World) -> dict:
    return {"callback_on": timezone.localdate().isoformat(), "note": "电话回访"}


def _rectify(w: World) -> dict:
    return {"rectification": "调整流程", "rectified_on": timezone.localdate().isoformat(), "upheld": "yes"}


def _close(w: World) -> dict:
    return {"closing_note": "群众认可", "closed_on": timezone.localdate().isoformat()}


E = "evaluations:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (E + "follow_up_list",      None,        "get",  None,      (LOGIN, 200, 200, 200, 404, 200)),
    (E + "follow_up_detail",    "open",      "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "follow_up_detail",    "b",         "get",  None,      (LOGIN, 200, 200, 404, 404, 200)),
    (E + "follow_up_detail",    "missing",   "get",  None,      (LOGIN, 404, 404, 404, 404, 404)),
    (E + "follow_up_call_back", "open",      "post", _callback, (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "follow_up_call_back", "called",    "post", _callback, (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "follow_up_call_back", "b",         "post", _callback, (LOGIN, DONE, DONE, 404, 404, DONE)),
    (E + "follow_up_call_back", "open",      "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "follow_up_rectify",   "called",    "post", _rectify,  (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "follow_up_rectify",   "open",      "post", _rectify,  (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "follow_up_rectify",   "called",    "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "follow_up_close",     "rectified", "post", _close,    (LOGIN, DONE, DONE, DONE, 404, 404)),
    # every 差评 gets its callback before it is closed
    (E + "follow_up_close",     "open",      "post", _close,    (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "follow_up_close",     "called",    "post", _close,    (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "follow_up_close",     "rectified", "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "satisfaction",        None,        "get",  None,      (LOGIN, 200, 200, 200, 404, 200)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(FollowUp.objects.order_by("pk").values_list("pk", "state", "callback_on", "rectified_on", "closed_on")),
    )


TABLE = ScopeTable(
    MATRIX,
    state=_state,
    back=lambda w, name, target: reverse(E + "follow_up_detail", args=w.args(target)),
    done_back=True,
)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_pages_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    pages = {
        "list": client.get(reverse(E + "follow_up_list")),
        "list (filtered by A)": client.get(reverse(E + "follow_up_list"), {"organisation": world.cast.branch_a.pk}),
        "satisfaction by activity": client.get(reverse(E + "satisfaction"), {"by": "activity"}),
        "satisfaction by organisation": client.get(reverse(E + "satisfaction"), {"by": "organisation"}),
        "satisfaction for A": client.get(reverse(E + "satisfaction"), {"organisation": world.cast.branch_a.pk}),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        assert "甲支部" not in content and "党支部A" not in content, label
    # …while B's own rows are there (so the check can fail)
    assert "乙支部义诊" in pages["list"].content.decode()
    assert "乙支部义诊" in pages["satisfaction by activity"].content.decode()
    assert "党支部B" in pages["satisfaction by organisation"].content.decode()
