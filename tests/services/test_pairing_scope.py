"""Every pairing page × every role of the cast: the expected status, written out as a table.

A pairing belongs to its organisation's scope; the member of A sees only the pairings where they are the helper
(and records visits there), never changes the plan or ends it (403); outside the scope nothing exists (404);
registering households and pairings and exporting the register are staff tools (404 for a member). The anonymous
public is sent to the login page. The table is the specification, written by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from services.actions.pairing import visit_record
from services.models import Household, Pairing, PairingVisit, VisitPhoto
from tests.conftest import Cast
from tests.harness import DONE, FILE, LOGIN, ScopeTable
from tests.services.pairing_helpers import jpeg_bytes, make_household, make_pairing, today, upload


@dataclass
class World:
    cast: Cast
    targets: dict[str, int]

    def pk(self, target: str) -> int:
        return self.targets[target]


@pytest.fixture
def world(cast, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    mine = make_pairing(cast.member_person, make_household(cast.branch_a, head_name="张三丰"))
    other = make_pairing(cast.person_a, make_household(cast.branch_a, head_name="王五"))
    spare = make_household(cast.branch_a, head_name="赵六")
    photos = {}
    for key, pairing in (("mine", mine), ("other", other)):
        visit = visit_record(
            actor=None, pairing=pairing, date=today(), notes="上门", photos=[upload("a.jpg", jpeg_bytes())]
        )
        photos[f"photo_{key}"] = visit.photos.get().pk
    return World(cast=cast, targets={"mine": mine.pk, "other": other.pk, "spare": spare.pk, **photos})


def _household(w: World) -> dict:
    return {
        "organisation": w.cast.branch_a.pk,
        "head_name": "孙七",
        "address": "东湖路9号",
        "phone": "13900001111",
        "situation": Household.Situation.ILLNESS,
        "size": "2",
        "notes": "",
    }


def _pairing(w: World) -> dict:
    return {
        "helper": w.cast.secretary_person.pk,
        "household": w.targets["spare"],
        "started_on": today().isoformat(),
        "content": "陪同就医",
        "help_plan": "每月走访一次",
    }


def _visit(w: World) -> dict:
    return {"date": today().isoformat(), "notes": "送去米和油"}


def _plan(w: World) -> dict:
    return {"content": "新内容", "help_plan": "新计划"}


def _end(w: World) -> dict:
    return {"ended_on": today().isoformat(), "reason": "已脱困"}


S = "services:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (S + "pairing_list",            None,          "get",  None,       (LOGIN, 200, 200, 200, 200, 200)),
    (S + "household_create",        None,          "get",  None,       (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider may register households, but only in branch B: A is not a choice (form error, no write)
    (S + "household_create",        None,          "post", _household, (LOGIN, DONE, DONE, DONE, 404, 200)),
    (S + "pairing_create",          None,          "get",  None,       (LOGIN, 200, 200, 200, 404, 200)),
    (S + "pairing_create",          None,          "post", _pairing,   (LOGIN, DONE, DONE, DONE, 404, 200)),
    (S + "pairing_detail",          "mine",        "get",  None,       (LOGIN, 200, 200, 200, 200, 404)),
    # a member sees only the pairings they help in
    (S + "pairing_detail",          "other",       "get",  None,       (LOGIN, 200, 200, 200, 404, 404)),
    (S + "pairing_card",            "mine",        "get",  None,       (LOGIN, 200, 200, 200, 200, 404)),
    (S + "pairing_card",            "other",       "get",  None,       (LOGIN, 200, 200, 200, 404, 404)),
    # the helper records their own visits; managers may record for them
    (S + "visit_add",               "mine",        "post", _visit,     (LOGIN, DONE, DONE, DONE, DONE, 404)),
    (S + "visit_add",               "other",       "post", _visit,     (LOGIN, DONE, DONE, DONE, 404, 404)),
    (S + "visit_add",               "mine",        "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    # the helper sees the pairing but may not change its plan or end it: 403
    (S + "pairing_plan",            "mine",        "post", _plan,      (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "pairing_plan",            "mine",        "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (S + "pairing_end",             "mine",        "post", _end,       (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "pairing_end",             "mine",        "get",  None,       (LOGIN, 405, 405, 405, 405, 405)),
    (S + "visit_photo",             "photo_mine",  "get",  None,       (LOGIN, 200, 200, 200, 200, 404)),
    (S + "visit_photo",             "photo_other", "get",  None,       (LOGIN, 200, 200, 200, 404, 404)),
    (S + "visit_photo",             "photo_mine",  "post", None,       (LOGIN, 405, 405, 405, 405, 405)),
    # the register is a staff tool; the outsider exports branch B's (empty) register
    (S + "pairing_register_export", None,          "get",  None,       (LOGIN, FILE, FILE, FILE, 404, FILE)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(Household.objects.order_by("pk").values_list("pk", "head_name", "address")),
        list(Pairing.objects.order_by("pk").values_list("pk", "ended_on", "help_plan", "content")),
        PairingVisit.objects.count(),
        VisitPhoto.objects.count(),
    )


TABLE = ScopeTable(MATRIX, state=_state)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_pages_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    pages = {
        "list": client.get(reverse(S + "pairing_list")),
        "list (filtered by A)": client.get(reverse(S + "pairing_list"), {"organisation": world.cast.branch_a.pk}),
        "household form": client.get(reverse(S + "household_create")),
        "pairing form": client.get(reverse(S + "pairing_create")),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        assert "党支部A" not in content and "张" not in content and "甲党员" not in content, label
    # the secretary's list does show them (so the check above can fail)
    assert "甲党员" in login(world.cast.secretary).get(reverse(S + "pairing_list")).content.decode()


def test_member_list_shows_only_their_own_pairing(world, login):
    content = login(world.cast.member).get(reverse(S + "pairing_list")).content.decode()
    assert "张三丰" in content and "王五" not in content and "王**" not in content
