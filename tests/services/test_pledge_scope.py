"""Every pledge and post page × every role of the cast: the expected status, written out as a table.

Outside the scope a pledge or post does not exist (404). A member sees their branch's pledges and posts read-only,
records progress on (and may withdraw) their own pledge, and is refused (403) everything else; nobody appraises their
own pledge. The public branch page needs no login. The table is the specification — written by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from services.actions.pledges import pledge_appraise, post_create
from services.models import Pledge, PledgeItem, PledgeProgress, Post
from tests.conftest import Cast
from tests.harness import DONE, LOGIN, REFUSED, ScopeTable
from tests.services.pledge_helpers import APPRAISAL, FIELDS, make_pledge


@dataclass
class World:
    cast: Cast
    rows: dict[str, Pledge | Post]

    def pk(self, target: str) -> int:
        return self.cast.branch_a.pk if target == "branch_a" else self.rows[target].pk


@pytest.fixture
def world(cast) -> World:
    appraised = make_pledge(cast, person=cast.person_a, year=timezone.localdate().year - 1, title="去年的承诺")
    pledge_appraise(actor=cast.orgadmin, pledge=appraised, **APPRAISAL)
    return World(
        cast=cast,
        rows={
            "own": make_pledge(cast, person=cast.member_person, title="甲党员的承诺"),
            "other": make_pledge(cast, person=cast.person_a, title="甲群众党员的承诺"),
            "sec": make_pledge(cast, person=cast.secretary_person, title="甲书记的承诺"),
            "appraised": appraised,
            "b": make_pledge(cast, person=cast.person_b, title="乙党员的承诺"),
            "post": post_create(actor=None, person=cast.person_a, **FIELDS),
            "post_b": post_create(actor=None, person=cast.person_b, **FIELDS),
        },
    )


def _new_pledge(w: World) -> dict:
    body = {
        "year": str(timezone.localdate().year),
        "organisation": w.cast.branch_a.pk,
        "person": "",
        "title": "支部承诺",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-0-content": "办实事",
        "items-0-target": "10",
        "items-0-unit": "件",
    }
    return body


def _progress(target: str) -> Callable:
    """Progress on the first item of the target pledge."""

    def body(w: World) -> dict:
        item = w.rows[target].items.first().pk
        return {"item": item, "date": timezone.localdate().isoformat(), "amount": "2", "note": "进展"}

    return body


def _item(w: World) -> dict:
    return {"content": "新增事项", "target": "3", "unit": "次"}


def _appraise(w: World) -> dict:
    return dict(APPRAISAL)


def _reason(w: World) -> dict:
    return {"reason": "重新填写"}


def _new_post(w: World) -> dict:
    return FIELDS | {"person": w.cast.person_a.pk}


def _edit_post(w: World) -> dict:
    return FIELDS | {"title": "改过的岗位"}


def _check(w: World) -> dict:
    return {"checked_on": timezone.localdate().isoformat(), "note": "落实到位"}


S = "services:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (S + "pledge_list",         None,        "get",  None,        (LOGIN, 200, 200, 200, 200, 200)),
    # a member gets the form for their own pledge; someone with neither scope nor person would get 404
    (S + "pledge_create",       None,        "get",  None,        (LOGIN, 200, 200, 200, 200, 200)),
    # the member already has this year's pledge (refused, form again); branch A is no choice for the outsider
    (S + "pledge_create",       None,        "post", _new_pledge, (LOGIN, DONE, DONE, DONE, 200, 200)),
    (S + "pledge_detail",       "own",       "get",  None,        (LOGIN, 200, 200, 200, 200, 404)),
    (S + "pledge_detail",       "other",     "get",  None,        (LOGIN, 200, 200, 200, 200, 404)),
    (S + "pledge_detail",       "b",         "get",  None,        (LOGIN, 200, 200, 404, 404, 200)),
    (S + "pledge_progress_add", "own",       "post", _progress("own"), (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "pledge_progress_add", "other",     "post", _progress("other"), (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "pledge_progress_add", "appraised", "post", _progress("appraised"), (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),  # noqa: E501
    (S + "pledge_progress_add", "own",       "get",  None,        (LOGIN, 405, 405, 405, 405, 405)),
    (S + "pledge_item_add",     "own",       "post", _item,       (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "pledge_item_add",     "other",     "post", _item,       (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "pledge_item_add",     "own",       "get",  None,        (LOGIN, 405, 405, 405, 405, 405)),
    (S + "pledge_appraise",     "own",       "post", _appraise,   (LOGIN, DONE, DONE, DONE, 403, 404)),
    # the secretary does not appraise their own pledge; the committee above does
    (S + "pledge_appraise",     "sec",       "post", _appraise,   (LOGIN, DONE, DONE, 403, 403, 404)),
    (S + "pledge_appraise",     "appraised", "post", _appraise,   (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (S + "pledge_appraise",     "own",       "get",  None,        (LOGIN, 405, 405, 405, 405, 405)),
    (S + "pledge_withdraw",     "own",       "post", _reason,     (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "pledge_withdraw",     "other",     "post", _reason,     (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "pledge_withdraw",     "appraised", "post", _reason,     (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (S + "pledge_withdraw",     "own",       "get",  None,        (LOGIN, 405, 405, 405, 405, 405)),
    (S + "post_list",           None,        "get",  None,        (LOGIN, 200, 200, 200, 200, 200)),
    # setting posts is a staff tool: for a member it does not exist
    (S + "post_create",         None,        "get",  None,        (LOGIN, 200, 200, 200, 404, 200)),
    (S + "post_create",         None,        "post", _new_post,   (LOGIN, DONE, DONE, DONE, 404, 200)),
    (S + "post_detail",         "post",      "get",  None,        (LOGIN, 200, 200, 200, 200, 404)),
    (S + "post_detail",         "post_b",    "get",  None,        (LOGIN, 200, 200, 404, 404, 200)),
    (S + "post_update",         "post",      "get",  None,        (LOGIN, 200, 200, 200, 403, 404)),
    (S + "post_update",         "post",      "post", _edit_post,  (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "post_check",          "post",      "post", _check,      (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "post_check",          "post",      "get",  None,        (LOGIN, 405, 405, 405, 405, 405)),
    (S + "post_end",            "post",      "post", None,        (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "post_end",            "post",      "get",  None,        (LOGIN, 405, 405, 405, 405, 405)),
    # the public page: no login, the same for everyone
    (S + "public_branch",       "branch_a",  "get",  None,        (200, 200, 200, 200, 200, 200)),
]
# fmt: on


def _state() -> tuple:
    """Everything these pages could write, to show that a refused request wrote nothing."""
    return (
        list(Pledge.objects.order_by("pk").values_list("pk", "is_withdrawn", "result")),
        PledgeItem.objects.count(),
        PledgeProgress.objects.count(),
        list(Post.objects.order_by("pk").values_list("pk", "title", "last_checked_on", "is_active")),
    )


TABLE = ScopeTable(MATRIX, state=_state, back=lambda w, name, target: reverse(S + "pledge_detail", args=[w.pk(target)]))


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_lists_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    pages = {
        "pledges": client.get(reverse(S + "pledge_list")),
        "pledges (all years)": client.get(reverse(S + "pledge_list"), {"year": ""}),
        "pledges (filtered by A)": client.get(reverse(S + "pledge_list"), {"organisation": world.cast.branch_a.pk}),
        "posts": client.get(reverse(S + "post_list")),
        "new pledge": client.get(reverse(S + "pledge_create")),
        "new post": client.get(reverse(S + "post_create")),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        assert "甲" not in content and "党支部A" not in content, label
    # …while branch B's own rows are there (so the check above can fail)
    assert "乙党员的承诺" in pages["pledges"].content.decode()
    assert "乙党员" in pages["posts"].content.decode()


def test_member_sees_the_branch_read_only_and_only_their_own_pledge_writable(world, login):
    client = login(world.cast.member)
    listing = client.get(reverse(S + "pledge_list")).content.decode()
    assert "甲党员的承诺" in listing and "甲群众党员的承诺" in listing and "乙党员的承诺" not in listing
    own = client.get(reverse(S + "pledge_detail", args=[world.pk("own")])).content.decode()
    other = client.get(reverse(S + "pledge_detail", args=[world.pk("other")])).content.decode()
    progress_url = reverse(S + "pledge_progress_add", args=[world.pk("own")])
    assert progress_url in own and reverse(S + "pledge_appraise", args=[world.pk("own")]) not in own
    assert reverse(S + "pledge_progress_add", args=[world.pk("other")]) not in other
    post = client.get(reverse(S + "post_detail", args=[world.pk("post")])).content.decode()
    assert reverse(S + "post_check", args=[world.pk("post")]) not in post
