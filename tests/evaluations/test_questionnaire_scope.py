"""Every questionnaire page × every role of the cast: the expected status, written out as a table.

Questionnaires are a staff tool: outside the scope a questionnaire does not exist (404), and for a member who
manages nothing the pages do not exist at all (404). The anonymous public is sent to the login page — except on the
answering page and its thanks page, open to everyone. The table is the specification, written by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from evaluations.actions import questionnaires as actions
from evaluations.models import Option, Question, Questionnaire, Response
from evaluations.selectors.questionnaires import questionnaire_code
from evaluations.views.questionnaires import DEVICE_COOKIE
from tests.conftest import Cast
from tests.evaluations.questionnaire_helpers import Survey, post_data, survey
from tests.harness import DONE, FILE, LOGIN, REFUSED, SAVED, ScopeTable


@dataclass
class World:
    cast: Cast
    surveys: dict[str, Survey]

    def args(self, target: str | None) -> list:
        if target is None:
            return []
        if target.startswith("code:"):
            key = target.removeprefix("code:")
            return [questionnaire_code(questionnaire=self.surveys[key].q) if key in self.surveys else "1-aaaaaaaaaa"]
        if target.endswith(":q"):
            s = self.surveys[target.removesuffix(":q")]
            return [s.q.pk, s.text.pk]
        return [self.surveys[target].q.pk]


@pytest.fixture
def world(cast) -> World:
    a = survey(cast.secretary, cast.branch_a, title="甲支部问卷")
    actions.response_submit(questionnaire=a.q, answers=a.answers(), channel="online", device="seed-device-00001")
    draft = survey(cast.secretary, cast.branch_a, publish=False, title="甲支部草稿")
    b = survey(cast.outsider, cast.branch_b, title="乙支部问卷")
    return World(cast=cast, surveys={"a": a, "draft": draft, "b": b})


def _new(w: World) -> dict:
    return {"organisation": w.cast.branch_a.pk, "title": "新问卷"}


def _question(w: World) -> dict:
    return {"kind": "single", "text": "新题", "required": "on", "options": "甲\n乙"}


def _bad_question(w: World) -> dict:
    """Refused by the action (a single choice needs two options): the builder comes back with what was typed."""
    return {"kind": "single", "text": "新题", "required": "on", "options": "甲"}


def _edit(w: World) -> dict:
    return {"text": "改过的意见建议"}


def _down(w: World) -> dict:
    return {"direction": "up"}


def _sheet(w: World) -> dict:
    return post_data(w.surveys["a"].answers("干部"))


E = "evaluations:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (E + "questionnaire_list",            None,      "get",  None,      (LOGIN, 200, 200, 200, 404, 200)),
    (E + "questionnaire_create",          None,      "get",  None,      (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider may create, but only for B: branch A is not a choice (form error, nothing written)
    (E + "questionnaire_create",          None,      "post", _new,      (LOGIN, DONE, DONE, DONE, 404, 200)),
    (E + "questionnaire_detail",          "a",       "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "questionnaire_detail",          "b",       "get",  None,      (LOGIN, 200, 200, 404, 404, 200)),
    (E + "questionnaire_question_add",    "draft",   "post", _question, (LOGIN, DONE, DONE, DONE, 404, 404)),
    # answered: the structure is frozen (a new version is the way)
    (E + "questionnaire_question_add",    "a",       "post", _question, (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "questionnaire_question_add",    "draft",   "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_question_edit",   "draft:q", "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "questionnaire_question_edit",   "draft:q", "post", _edit,     (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_question_remove", "draft:q", "post", None,      (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_question_remove", "a:q",     "post", None,      (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "questionnaire_question_remove", "draft:q", "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_question_move",   "draft:q", "post", _down,     (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_question_move",   "draft:q", "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_publish",         "draft",   "post", None,      (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_publish",         "a",       "post", None,      (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "questionnaire_publish",         "draft",   "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_close",           "a",       "post", None,      (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_close",           "draft",   "post", None,      (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "questionnaire_close",           "a",       "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_new_version",     "a",       "post", None,      (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_new_version",     "draft",   "post", None,      (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (E + "questionnaire_new_version",     "a",       "get",  None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_question_add",    "draft",   "post", _bad_question, (LOGIN, 400, 400, 400, 404, 404)),
    (E + "questionnaire_preview",         "draft",   "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "questionnaire_preview",         "b",       "get",  None,      (LOGIN, 200, 200, 404, 404, 200)),
    (E + "questionnaire_preview",         "draft",   "post", None,      (LOGIN, 405, 405, 405, 405, 405)),
    (E + "questionnaire_qr",              "a",       "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "questionnaire_qr",              "b",       "get",  None,      (LOGIN, 200, 200, 404, 404, 200)),
    (E + "questionnaire_paper",           "a",       "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "questionnaire_paper",           "a",       "post", _sheet,    (LOGIN, DONE, DONE, DONE, 404, 404)),
    (E + "questionnaire_results",         "a",       "get",  None,      (LOGIN, 200, 200, 200, 404, 404)),
    (E + "questionnaire_results",         "b",       "get",  None,      (LOGIN, 200, 200, 404, 404, 200)),
    (E + "questionnaire_export",          "a",       "get",  None,      (LOGIN, FILE, FILE, FILE, 404, 404)),
    # the public pages: open to everyone, logged in or not
    (E + "questionnaire_answer",          "code:a",  "get",  None,      (200, 200, 200, 200, 200, 200)),
    (E + "questionnaire_answer",          "code:a",  "post", _sheet,    (SAVED, SAVED, SAVED, SAVED, SAVED, SAVED)),
    (E + "questionnaire_answer",          "code:x",  "get",  None,      (404, 404, 404, 404, 404, 404)),
    (E + "questionnaire_answer",          "code:draft", "get", None,    (403, 403, 403, 403, 403, 403)),
    (E + "questionnaire_answered",        "code:a",  "get",  None,      (200, 200, 200, 200, 200, 200)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(Questionnaire.objects.order_by("pk").values_list("pk", "state", "version")),
        list(Question.objects.order_by("pk").values_list("pk", "position", "text")),
        Option.objects.count(),
        Response.objects.count(),
    )


def _detail(w: World, name: str, target: str) -> str:
    """The staff page of the target's questionnaire (a refused step goes back there)."""
    return reverse(E + "questionnaire_detail", args=w.args(target.split(":")[0]))


def _device(client, role: str) -> None:
    client.cookies[DEVICE_COOKIE] = f"matrix-device-{role}"


TABLE = ScopeTable(MATRIX, state=_state, back=_detail, prepare=_device)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_a_question_of_another_questionnaire_is_404_and_writes_nothing(world, login):
    """B's secretary names a question of A's draft under B's own questionnaire: it is not there."""
    client = login(world.cast.outsider)
    b, draft = world.surveys["b"], world.surveys["draft"]
    before = TABLE.snapshot()
    for name in ("questionnaire_question_remove", "questionnaire_question_move", "questionnaire_question_edit"):
        response = client.post(reverse(E + name, args=[b.q.pk, draft.text.pk]), {"text": "x"})
        assert response.status_code == 404, name
    assert TABLE.snapshot() == before


def test_outsider_list_never_mentions_branch_a(world, login):
    content = login(world.cast.outsider).get(reverse(E + "questionnaire_list")).content.decode()
    assert "甲支部" not in content
    assert "乙支部问卷" in content  # …while B's own is there (so the check can fail)
