"""Every review URL × every role of the cast: the expected status, written out as a table.

A round exists for those who manage its branch (writers: the secretary, the committee above, 组织部) and for its
members (their own sheet only). For anyone else it does not exist (404). A member asking for a writer's step gets
403. The anonymous public is sent to the login page. State changes are POST only (GET → 405). The table is the
specification, written by hand, never derived from the code under test.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.actions.reviews import review_organisation_score, review_round_close
from evaluations.models import PeerScore, ReviewRound, ReviewSheet
from tests.conftest import Cast
from tests.evaluations.review_helpers import open_round, sheet_of, this_year
from tests.harness import AUDITED, DONE, FILE, LOGIN, REFUSED, ScopeTable


@dataclass
class World:
    cast: Cast
    rounds: dict[str, ReviewRound]
    sheets: dict[str, ReviewSheet]

    def args(self, target: str | None) -> list:
        if target is None:
            return []
        if target == "missing":
            return [999_999]
        if target in self.rounds:
            return [self.rounds[target].pk]
        return [self.sheets[target].pk]

    def round_of(self, target: str) -> ReviewRound | None:
        if target in self.rounds:
            return self.rounds[target]
        return self.sheets[target].round if target in self.sheets else None


@pytest.fixture
def world(cast) -> World:
    a = open_round(cast)
    b = open_round(cast, organisation=cast.branch_b)
    closed = open_round(cast, year=this_year() - 1, weights={"self": 0, "mutual": 0, "mass": 0, "organisation": 100})
    for person, score in ((cast.member_person, 50), (cast.secretary_person, 80), (cast.person_a, 85)):
        review_organisation_score(actor=cast.committee, sheet=sheet_of(closed, person), score=score)
    review_round_close(actor=None, round=closed)
    return World(
        cast=cast,
        rounds={"a": a, "b": b, "closed": closed},
        sheets={
            "sheet_m": sheet_of(a, cast.member_person),
            "sheet_b": sheet_of(b, cast.person_b),
            "unqualified": sheet_of(closed, cast.member_person),
            "qualified": sheet_of(closed, cast.person_a),
        },
    )


def _open_body(w: World) -> dict:
    today = timezone.localdate()
    return {
        "organisation": w.cast.branch_a.pk,
        "kind": "mutual",
        "year": today.year,
        "half": 1 if today.month <= 6 else 2,
        "opens_on": today.isoformat(),
        "closes_on": today.isoformat(),
        "weight_self": 10,
        "weight_mutual": 30,
        "weight_mass": 40,
        "weight_organisation": 20,
    }


def _self(w: World) -> dict:
    return {"text": "认真履行党员义务", "score": "91"}


def _peers(w: World) -> dict:
    return {f"peer_{w.cast.person_a.pk}": "88"}


def _score(w: World) -> dict:
    return {"score": "86.5"}


def _note(w: World) -> dict:
    return {"note": "谈心谈话，限期改正"}


E = "evaluations:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (E + "review_round_list",         None,          "get",  None,       (LOGIN, 200, 200, 200, 200, 200)),
    (E + "review_round_open",         None,          "get",  None,       (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider's form refuses branch A (not among the choices): the form again, nothing written
    (E + "review_round_open",         None,          "post", _open_body, (LOGIN, DONE, DONE, DONE, 404, 200)),
    (E + "review_round_detail",       "a",           "get",  None,       (LOGIN, 200, 200, 200, 200, 404)),
    (E + "review_round_detail",       "closed",      "get",  None,       (LOGIN, 200, 200, 200, 200, 404)),
    (E + "review_round_detail",       "b",           "get",  None,       (LOGIN, 200, 200, 404, 404, 200)),
    (E + "review_round_detail",       "missing",     "get",  None,       (LOGIN, 404, 404, 404, 404, 404)),
    # only members of the round have a sheet of their own (orgadmin and committee are not members of A)
    (E + "review_self_submit",        "a",           "post", _self,      (LOGIN, 403, 403, DONE, DONE, 404)),
    (E + "review_self_submit",        "closed",      "post", _self,      (LOGIN, 403, 403, REFUSED, REFUSED, 404)),
    (E + "review_self_submit",        "a",           "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (E + "review_peer_scores",        "a",           "post", _peers,     (LOGIN, 403, 403, DONE, DONE, 404)),
    (E + "review_peer_scores",        "a",           "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (E + "review_organisation_score", "sheet_m",     "post", _score,     (LOGIN, DONE, DONE, DONE, 403, 404)),
    (E + "review_organisation_score", "sheet_b",     "post", _score,     (LOGIN, DONE, DONE, 404, 404, DONE)),
    (E + "review_organisation_score", "unqualified", "post", _score,     (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (E + "review_organisation_score", "sheet_m",     "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (E + "review_follow_up",          "unqualified", "post", _note,      (LOGIN, DONE, DONE, DONE, 403, 404)),
    # not 不合格: refused; and a member never sees another member's sheet
    (E + "review_follow_up",          "qualified",   "post", _note,      (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "review_follow_up",          "unqualified", "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (E + "review_round_remind",       "a",           "post", None,       (LOGIN, AUDITED, AUDITED, AUDITED, 403, 404)),
    (E + "review_round_remind",       "closed",      "post", None,       (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (E + "review_round_remind",       "a",           "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (E + "review_round_close",        "a",           "post", None,       (LOGIN, DONE, DONE, DONE, 403, 404)),
    (E + "review_round_close",        "b",           "post", None,       (LOGIN, DONE, DONE, 404, 404, DONE)),
    (E + "review_round_close",        "closed",      "post", None,       (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (E + "review_round_close",        "a",           "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (E + "review_round_export",       "a",           "get",  None,       (LOGIN, FILE, FILE, FILE, 403, 404)),
    (E + "review_round_export",       "b",           "get",  None,       (LOGIN, FILE, FILE, 404, 404, FILE)),
    (E + "review_round_export",       "a",           "post", None,       (LOGIN, 405, 405, 405, 405, 405)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(ReviewRound.objects.order_by("pk").values_list("pk", "state")),
        list(
            ReviewSheet.objects.order_by("pk").values_list(
                "pk", "self_score", "organisation_score", "total", "grade", "follow_up_note"
            )
        ),
        list(PeerScore.objects.order_by("pk").values_list("pk", "score")),
    )


def _round_page(w: World, name: str, target: str | None) -> str:
    """Where a step on a round or sheet goes back to: the round's page (a new round's own page)."""
    round_ = w.round_of(target) if target else ReviewRound.objects.order_by("-pk").first()
    return reverse(E + "review_round_detail", args=[round_.pk])


TABLE = ScopeTable(MATRIX, state=_state, back=_round_page, done_back=True)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_pages_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    content = client.get(reverse(E + "review_round_list")).content.decode()
    assert "党支部A" not in content
    assert "党支部B" in content  # their own branch's round is there (so the check can fail)
    form = client.get(reverse(E + "review_round_open")).content.decode()
    assert "党支部A" not in form and "党支部B" in form


def test_member_sees_only_rounds_they_are_in(world, login):
    page = login(world.cast.member).get(reverse(E + "review_round_list"))
    assert {r.pk for r in page.context["page"]} == {world.rounds["a"].pk, world.rounds["closed"].pk}
