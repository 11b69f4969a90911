"""Every branch assessment page × every role of the cast: the expected status, written out as a table.

The assessment pages are a staff tool: for a member who manages nothing they do not exist (404). A branch
secretary sees their own branch's assessment, read-only: the form for it is refused (403, inside the scope without
the right — a branch does not rate itself); the outsider (B's secretary) gets 404 for anything of A's. The
committee and 组织部 see and assess both. The anonymous public is sent to the login page. The form page takes GET
and POST only. The table is the specification, written by hand, never derived from the code under test.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from evaluations.actions.assessment import branch_assess
from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import CHECKLIST
from tests.conftest import Cast
from tests.evaluations.assessment_helpers import Y
from tests.harness import DONE, INVALID, LOGIN, ScopeTable

E = "evaluations:"


@dataclass
class World:
    cast: Cast
    assessments: dict[str, BranchAssessment]

    def args(self, target: str | None) -> list:
        if target is None:
            return []
        if target == "missing":
            return [999_999]
        return [self.assessments[target].pk]

    def url(self, name: str, target: str | dict | None) -> str:
        """A target is an assessment, or the query (organisation/parent a, b, committee: their ids)."""
        if not isinstance(target, dict):
            return reverse(name, args=self.args(target))
        keys = {"organisation", "parent"}
        query = {k: (self.org(v) if k in keys and v in ("a", "b", "committee") else v) for k, v in target.items()}
        return reverse(name) + "?" + "&".join(f"{k}={v}" for k, v in query.items())

    def org(self, key: str) -> int:
        return {"a": self.cast.branch_a, "b": self.cast.branch_b, "committee": self.cast.committee_org}[key].pk


def _checklist(evidence: str = "有据可查") -> dict:
    return {key: (True, evidence) for key in CHECKLIST}


@pytest.fixture
def world(cast) -> World:
    return World(
        cast=cast,
        assessments={
            key: branch_assess(actor=cast.orgadmin, organisation=organisation, year=Y, checklist=_checklist())
            for key, organisation in (("a", cast.branch_a), ("b", cast.branch_b))
        },
    )


def _body(evidence: str) -> Callable:
    def body(w: World) -> dict:
        data = {"organisation": w.org("a"), "year": Y - 1}
        for key in CHECKLIST:
            data[f"has_{key}"] = "on"
            data[f"{key}_evidence"] = evidence
        return data

    return body


# fmt: off
# (url name, target pk or query, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple] = [
    (E + "assessment_list",    None,                           "get",  None,
        (LOGIN, 200, 200, 200, 404, 200)),
    (E + "assessment_list",    {"year": "abc"},                "get",  None,
        (LOGIN, 200, 200, 200, 404, 200)),
    (E + "assessment_detail",  "a",                            "get",  None,
        (LOGIN, 200, 200, 200, 404, 404)),
    (E + "assessment_detail",  "b",                            "get",  None,
        (LOGIN, 200, 200, 404, 404, 200)),
    (E + "assessment_detail",  "missing",                      "get",  None,
        (LOGIN, 404, 404, 404, 404, 404)),
    (E + "assessment_form",    None,                           "get",  None,
        (LOGIN, 200, 200, 403, 404, 403)),
    (E + "assessment_form",    {"organisation": "a"},          "get",  None,
        (LOGIN, 200, 200, 403, 404, 404)),
    (E + "assessment_form",    {"organisation": "b"},          "get",  None,
        (LOGIN, 200, 200, 404, 404, 403)),
    (E + "assessment_form",    {"organisation": "committee"},  "get",  None,  # not a branch
        (LOGIN, 404, 404, 404, 404, 404)),
    (E + "assessment_form",    {"organisation": "x1"},         "get",  None,
        (LOGIN, 404, 404, 404, 404, 404)),
    (E + "assessment_form",    {"organisation": "a"},          "post", _body("支委会记录"),
        (LOGIN, DONE, DONE, 403, 404, 404)),
    (E + "assessment_form",    {"organisation": "a"},          "post", _body(""),  # ticked without evidence
        (LOGIN, INVALID, INVALID, 403, 404, 404)),
    (E + "assessment_form",    {"organisation": "a"},          "put",  None,
        (LOGIN, 405, 405, 405, 405, 405)),
    (E + "assessment_compare", None,                           "get",  None,
        (LOGIN, 200, 200, 200, 404, 200)),
    (E + "assessment_compare", {"parent": "a"},                "get",  None,
        (LOGIN, 200, 200, 200, 404, 404)),
    (E + "assessment_compare", {"parent": "committee"},        "get",  None,
        (LOGIN, 200, 200, 404, 404, 404)),
]
# fmt: on


def _state() -> tuple:
    return (list(BranchAssessment.objects.order_by("pk").values_list("pk", "year", "stars", "updated_at")),)


def _created(w: World, name: str, target) -> str:
    """An assessment is made for branch A, the year before: DONE goes to its page."""
    created = BranchAssessment.objects.filter(organisation_id=w.org("a"), year=Y - 1).first()
    return reverse(E + "assessment_detail", args=[created.pk]) if created else "(none made)"


TABLE = ScopeTable(MATRIX, state=_state, back=_created, done_back=True)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_pages_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    pages = {
        "list": client.get(reverse(E + "assessment_list")),
        "list of the year": client.get(reverse(E + "assessment_list"), {"year": Y}),
        "compare": client.get(reverse(E + "assessment_compare"), {"year": Y}),
        "detail of B": client.get(reverse(E + "assessment_detail", args=[world.assessments["b"].pk])),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        assert "党支部A" not in response.content.decode(), label
    # …while B's own rows are there (so the check can fail)
    assert "党支部B" in pages["list"].content.decode()
    assert "党支部B" in pages["compare"].content.decode()


def test_secretary_sees_own_branch_read_only(world, login):
    client = login(world.cast.secretary)
    response = client.get(reverse(E + "assessment_detail", args=[world.assessments["a"].pk]))
    content = response.content.decode()
    assert "党支部A" in content
    assert "重新评定" not in content and reverse(E + "assessment_form") not in content
    listing = client.get(reverse(E + "assessment_list")).content.decode()
    assert "评定党支部" not in listing and "党支部B" not in listing
    # the committee gets the button (so the check above can fail)
    committee = login(world.cast.committee).get(reverse(E + "assessment_detail", args=[world.assessments["a"].pk]))
    assert "重新评定" in committee.content.decode()
