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
from django.db import transaction
from django.urls import reverse

from evaluations.actions.assessment import branch_assess
from evaluations.models import BranchAssessment
from evaluations.selectors.assessment import CHECKLIST
from portal.models import AuditEvent
from tests.conftest import Cast
from tests.evaluations.test_assessment_figures import Y

LOGIN = "login"  # 302 to the login page
DONE = "done"  # accepted: 302 to the new assessment's page, something written and audited
REFUSED = "refused"  # allowed to ask, but refused: the form again (200) with its errors, nothing written

ROLES = ["anonymous", "orgadmin", "committee", "secretary", "member", "outsider"]
E = "evaluations:"


@dataclass
class World:
    cast: Cast
    assessments: dict[str, BranchAssessment]

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self.cast, role)

    def args(self, target: str | None) -> list:
        if target is None:
            return []
        if target == "missing":
            return [999_999]
        return [self.assessments[target].pk]

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
# (url name, target pk, query, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple] = [
    (E + "assessment_list",    None,      {},                    "get",  None,
        (LOGIN, 200, 200, 200, 404, 200)),
    (E + "assessment_list",    None,      {"year": "abc"},       "get",  None,
        (LOGIN, 200, 200, 200, 404, 200)),
    (E + "assessment_detail",  "a",       {},                    "get",  None,
        (LOGIN, 200, 200, 200, 404, 404)),
    (E + "assessment_detail",  "b",       {},                    "get",  None,
        (LOGIN, 200, 200, 404, 404, 200)),
    (E + "assessment_detail",  "missing", {},                    "get",  None,
        (LOGIN, 404, 404, 404, 404, 404)),
    (E + "assessment_form",    None,      {},                    "get",  None,
        (LOGIN, 200, 200, 403, 404, 403)),
    (E + "assessment_form",    None,      {"organisation": "a"}, "get",  None,
        (LOGIN, 200, 200, 403, 404, 404)),
    (E + "assessment_form",    None,      {"organisation": "b"}, "get",  None,
        (LOGIN, 200, 200, 404, 404, 403)),
    (E + "assessment_form",    None,      {"organisation": "committee"}, "get", None,  # not a branch
        (LOGIN, 404, 404, 404, 404, 404)),
    (E + "assessment_form",    None,      {"organisation": "x1"}, "get", None,
        (LOGIN, 404, 404, 404, 404, 404)),
    (E + "assessment_form",    None,      {"organisation": "a"}, "post", _body("支委会记录"),
        (LOGIN, DONE, DONE, 403, 404, 404)),
    (E + "assessment_form",    None,      {"organisation": "a"}, "post", _body(""),  # ticked without evidence
        (LOGIN, REFUSED, REFUSED, 403, 404, 404)),
    (E + "assessment_form",    None,      {"organisation": "a"}, "put",  None,
        (LOGIN, 405, 405, 405, 405, 405)),
    (E + "assessment_compare", None,      {},                    "get",  None,
        (LOGIN, 200, 200, 200, 404, 200)),
    (E + "assessment_compare", None,      {"parent": "a"},       "get",  None,
        (LOGIN, 200, 200, 200, 404, 404)),
    (E + "assessment_compare", None,      {"parent": "committee"}, "get", None,
        (LOGIN, 200, 200, 404, 404, 404)),
]
# fmt: on


def _state() -> tuple:
    return (
        list(BranchAssessment.objects.order_by("pk").values_list("pk", "year", "stars", "updated_at")),
        AuditEvent.objects.count(),
    )


def _query(world: World, query: dict) -> dict:
    keys = {"organisation", "parent"}
    return {k: (world.org(v) if k in keys and v in ("a", "b", "committee") else v) for k, v in query.items()}


def _check(world: World, login, name, target, query, method, body, role: str, expected) -> str | None:
    url = reverse(name, args=world.args(target))
    query = _query(world, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    client = login(world.user(role))
    before = _state()
    response = getattr(client, method)(url, body(world) if body else {})
    status, location = response.status_code, response.get("Location", "")
    got = f"{status} {location}".strip()
    if expected == LOGIN:
        ok = status == 302 and location.startswith(reverse("account_login"))
    elif expected == DONE:
        created = BranchAssessment.objects.filter(organisation_id=world.org("a"), year=Y - 1).first()
        ok = created is not None and status == 302 and location == reverse(E + "assessment_detail", args=[created.pk])
        if ok and _state()[1] <= before[1]:
            return f"{role}: expected {expected}, got {got} but nothing was audited"
    elif expected == REFUSED:
        ok = status == 200 and response.context["form"].errors
    else:
        ok = status == expected
    if not ok:
        return f"{role}: expected {expected}, got {got}"
    if expected != DONE and _state() != before:
        return f"{role}: {got} as expected, but something was written"
    return None


@pytest.mark.parametrize(
    ("name", "target", "query", "method", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1] or '-'}-{row[2] or ''}-{row[3]}") for row in MATRIX],
)
def test_scope_matrix(world, login, name, target, query, method, body, expected):
    """One row of the table; each role's request runs in a savepoint rolled back afterwards."""
    wrong = []
    for role, outcome in zip(ROLES, expected, strict=True):
        with transaction.atomic():
            problem = _check(world, login, name, target, query, method, body, role, outcome)
            transaction.set_rollback(True)
        if problem:
            wrong.append(problem)
    assert not wrong, "\n".join(wrong)


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
