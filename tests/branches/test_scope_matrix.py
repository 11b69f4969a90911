"""Every branches page × every role of the cast: the expected status, written out as a table.

Scope is a subtree: what lies outside it does not exist (404); inside it without the right to change it is
403; the anonymous public is sent to the login page. The table below is the specification — it is written by
hand, never derived from the code under test.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from branches import actions
from branches.models import (
    MembershipEvent,
    MobileMember,
    MobileReport,
    Organisation,
    Person,
    RoleAssignment,
    StatusStep,
)
from tests.conftest import Cast
from tests.factories import GridFactory, HostUnitFactory, PersonFactory, fake_id_number, member
from tests.harness import ADMIN_LOGIN, DONE, LOGIN, ScopeTable, user_of

# Expected outcomes besides plain status codes.


@dataclass
class World:
    cast: Cast
    applicant: Person  # a 群众 of branch A: a status step can be recorded for them
    mobile: MobileMember  # an open departure of a member of A
    today: datetime.date

    def url(self, name: str, target: str | None) -> str:
        """The imports' URLs take the importer's name, the others a row's id."""
        return reverse(name, args=[target if name.startswith("imports:") else self.pk(target)] if target else [])

    def pk(self, target: str) -> int:
        return {
            "branch_a": self.cast.branch_a.pk,
            "committee_org": self.cast.committee_org.pk,
            "person_a": self.cast.person_a.pk,
            "own": self.cast.member_person.pk,
            "applicant": self.applicant.pk,
            "mobile": self.mobile.pk,
        }[target]


@pytest.fixture
def world(cast) -> World:
    today = timezone.localdate()
    applicant = PersonFactory(organisation=cast.branch_a, name="甲群众")
    traveller = member(cast.branch_a, name="甲外出党员")
    mobile = actions.mobile_departure_record(
        actor=None, person=traveller, leave_date=today - datetime.timedelta(days=10), destination="深圳"
    )
    return World(cast=cast, applicant=applicant, mobile=mobile, today=today)


# POST bodies: valid input, so that a role with the right gets DONE and a role without it is refused before
# the form is even looked at.
def _status(w: World) -> dict:
    return {"status": "applicant", "date": w.today.isoformat()}


def _event(w: World) -> dict:
    return {"kind": "retire", "date": w.today.isoformat()}


def _role(w: World) -> dict:
    return {"organisation": w.cast.branch_a.pk, "role": "organiser", "start_date": w.today.isoformat()}


def _report(w: World) -> dict:
    return {"kind": "written", "date": w.today.isoformat(), "content": "在深圳参加组织生活"}


def _return(w: World) -> dict:
    return {"date": w.today.isoformat()}


def _person_new(w: World) -> dict:
    return {"name": "新来的人", "organisation": w.cast.branch_a.pk, "political_status": "masses"}


def _person_edit(w: World) -> dict:
    return {"name": "甲群众党员（改）", "organisation": w.cast.branch_a.pk, "phone": "13900000009"}


def _depart(w: World) -> dict:
    return {"destination": "杭州", "leave_date": w.today.isoformat()}


def _admin_person(w: World) -> dict:
    return {"name": "甲群众党员（后台改）", "organisation": w.cast.branch_a.pk, "_save": "保存"}


def _admin_org(w: World) -> dict:
    return {"name": "党支部A（改）", "kind": "branch", "parent": "", "_save": "保存"}


A = "admin:branches_"

# fmt: off
# (url name, target object, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    ("home",                          None,            "get",  None,          (LOGIN, 200, 200, 200, 200, 200)),
    ("branches:organisation_tree",    None,            "get",  None,          (LOGIN, 200, 200, 200, 200, 200)),
    ("branches:organisation_detail",  "branch_a",      "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    ("branches:organisation_detail",  "committee_org", "get",  None,          (LOGIN, 200, 200, 404, 404, 404)),
    ("branches:person_list",          None,            "get",  None,          (LOGIN, 200, 200, 200, 200, 200)),
    # adding people is a staff tool: for a member, who manages nothing, it does not exist (as the roster pages)
    ("branches:person_create",        None,            "get",  None,          (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider may add people, but only to branch B: branch A's id is not a choice (form error, no write)
    ("branches:person_create",        None,            "post", _person_new,   (LOGIN, DONE, DONE, DONE, 404, 200)),
    ("branches:person_detail",        "person_a",      "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    ("branches:person_detail",        "own",           "get",  None,          (LOGIN, 200, 200, 200, 200, 404)),
    ("branches:person_update",        "person_a",      "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    ("branches:person_update",        "person_a",      "post", _person_edit,  (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:person_update",        "own",           "get",  None,          (LOGIN, 200, 200, 200, 403, 404)),
    ("branches:person_update",        "own",           "post", _person_edit,  (LOGIN, DONE, DONE, DONE, 403, 404)),
    ("branches:person_status_add",    "applicant",     "post", _status,       (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:person_status_add",    "applicant",     "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    ("branches:person_event_add",     "person_a",      "post", _event,        (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:person_event_add",     "person_a",      "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    ("branches:person_role_add",      "person_a",      "post", _role,         (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:person_role_add",      "own",           "post", _role,         (LOGIN, DONE, DONE, DONE, 403, 404)),
    ("branches:person_role_add",      "person_a",      "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    ("branches:mobile_depart",        "person_a",      "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    ("branches:mobile_depart",        "person_a",      "post", _depart,       (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:mobile_depart",        "own",           "get",  None,          (LOGIN, 200, 200, 200, 403, 404)),
    ("branches:mobile_list",          None,            "get",  None,          (LOGIN, 200, 200, 200, 200, 200)),
    ("branches:mobile_detail",        "mobile",        "get",  None,          (LOGIN, 200, 200, 200, 404, 404)),
    ("branches:mobile_report_add",    "mobile",        "post", _report,       (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:mobile_report_add",    "mobile",        "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    ("branches:mobile_return",        "mobile",        "post", _return,       (LOGIN, DONE, DONE, DONE, 404, 404)),
    ("branches:mobile_return",        "mobile",        "get",  None,          (LOGIN, 405, 405, 405, 405, 405)),
    # the admin (A = "admin:branches_"): members have no staff account; the outsider's admin does not know
    # branch A's rows either
    (A + "person_changelist",         None,            "get",  None,          (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
    (A + "organisation_changelist",   None,            "get",  None,          (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 200)),  # noqa: E501
    (A + "person_change",             "person_a",      "get",  None,          (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (A + "person_change",             "person_a",      "post", _admin_person, (ADMIN_LOGIN, DONE, DONE, DONE, ADMIN_LOGIN, 404)),  # noqa: E501
    (A + "person_history",            "person_a",      "get",  None,          (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (A + "organisation_change",       "branch_a",      "get",  None,          (ADMIN_LOGIN, 200, 200, 200, ADMIN_LOGIN, 404)),  # noqa: E501
    (A + "organisation_change",       "branch_a",      "post", _admin_org,    (ADMIN_LOGIN, DONE, DONE, DONE, ADMIN_LOGIN, 404)),  # noqa: E501
]
# fmt: on


def _roster_upload(w: World) -> dict:
    """A one-row CSV roster for branch A (the import previews it and writes nothing until confirmed)."""
    csv = f"姓名,身份证号\n名册新人,{fake_id_number()}\n"
    return {"file": SimpleUploadedFile("名册.csv", csv.encode("utf-8-sig")), "organisation": w.cast.branch_a.pk}


# The roster import/export pages (added alongside these tests) join the table when their URLs exist. Rosters
# are staff tools: for a member, who manages nothing, they do not exist. Uploading only previews (200, no
# write); the outsider's upload into branch A is a form error (branch A is not a choice).
ROSTER_MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    ("imports:template",               "people", "get",  None,           (LOGIN, 200, 200, 200, 404, 200)),
    ("imports:upload",                 "people", "get",  None,           (LOGIN, 200, 200, 200, 404, 200)),
    ("imports:upload",                 "people", "post", _roster_upload, (LOGIN, 200, 200, 200, 404, 200)),
    ("imports:confirm",                "people", "get",  None,           (LOGIN, 405, 405, 405, 405, 405)),
    ("branches:person_export",         None, "get",  None,           (LOGIN, 200, 200, 200, 404, 200)),
]  # fmt: skip


def _state() -> tuple:
    """Everything a branches page could write, to show that a refused request wrote nothing."""
    return (
        list(Person.objects.order_by("pk").values_list("pk", "name", "organisation_id", "phone", "political_status")),
        list(Person.objects.order_by("pk").values_list("is_active_member", "is_retired")),
        list(Organisation.objects.order_by("pk").values_list("pk", "name", "path")),
        StatusStep.objects.count(),
        MembershipEvent.objects.count(),
        RoleAssignment.objects.count(),
        list(MobileMember.objects.order_by("pk").values_list("pk", "returned_on")),
        MobileReport.objects.count(),
    )


# Reads may be audited (the roster export is).
TABLE = ScopeTable(MATRIX + ROSTER_MATRIX, state=_state, reads_may_audit=True)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


# Content: a 200 is not enough — the page must show what it is about, and lists must not leak.


@pytest.mark.parametrize("role", ["orgadmin", "committee", "secretary"])
def test_managers_see_branch_a_on_its_pages(world, login, role):
    client = login(user_of(world.cast, role))
    assert "甲群众党员" in client.get(reverse("branches:person_detail", args=[world.cast.person_a.pk])).content.decode()
    assert (
        "党支部A" in client.get(reverse("branches:organisation_detail", args=[world.cast.branch_a.pk])).content.decode()
    )
    assert "甲群众党员" in client.get(reverse("branches:person_list")).content.decode()
    assert "甲外出党员" in client.get(reverse("branches:mobile_list")).content.decode()
    assert "党支部A" in client.get(reverse("branches:organisation_tree")).content.decode()
    assert "甲群众党员" in client.get(reverse("admin:branches_person_changelist")).content.decode()
    # Home lists the top of the user's own subtree: the committee for 组织部 and the committee secretary, the
    # branch itself for its secretary (whose "我的档案" card alone would not link to the branch page).
    top = world.cast.branch_a if role == "secretary" else world.cast.committee_org
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("branches:organisation_detail", args=[top.pk])}"' in home


def test_outsider_lists_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    pages = {
        "people": client.get(reverse("branches:person_list")),
        "people (searched)": client.get(reverse("branches:person_list"), {"q": "甲"}),
        "tree": client.get(reverse("branches:organisation_tree")),
        "mobile": client.get(reverse("branches:mobile_list")),
        "home": client.get(reverse("home")),
        "admin people": client.get(reverse("admin:branches_person_changelist")),
        "admin people (searched)": client.get(reverse("admin:branches_person_changelist"), {"q": "甲"}),
        "admin organisations": client.get(reverse("admin:branches_organisation_changelist")),
        "admin mobile": client.get(reverse("admin:branches_mobilemember_changelist")),
        "person form": client.get(reverse("branches:person_create")),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        for name in ("党支部A", "甲群众党员", "甲党员", "甲书记", "甲外出党员", "甲群众"):
            assert name not in content, f"{label} shows {name}"
    # …while they do show the outsider's own branch.
    assert "乙党员" in pages["people"].content.decode()
    assert "党支部B" in pages["tree"].content.decode()


def test_member_sees_only_themselves(world, login):
    client = login(world.cast.member)
    people = client.get(reverse("branches:person_list")).content.decode()
    assert "甲党员" in people
    assert "甲群众党员" not in people and "甲书记" not in people
    tree = client.get(reverse("branches:organisation_tree")).content.decode()
    assert "党支部A" not in tree and "党支部B" not in tree
    assert "甲外出党员" not in client.get(reverse("branches:mobile_list")).content.decode()
    own = client.get(reverse("branches:person_detail", args=[world.cast.member_person.pk])).content.decode()
    assert "甲党员" in own
    # read only: no edit link and no step/event/role forms on their own page
    assert reverse("branches:person_update", args=[world.cast.member_person.pk]) not in own
    assert reverse("branches:person_status_add", args=[world.cast.member_person.pk]) not in own


def test_outsider_post_on_every_state_changing_view_is_404_and_writes_nothing(world, login):
    """The same rule as in the table, in one place: every POST endpoint on a branch-A object."""
    client = login(world.cast.outsider)
    before = TABLE.snapshot()
    posts = [
        ("branches:person_update", "person_a", _person_edit),
        ("branches:person_status_add", "applicant", _status),
        ("branches:person_event_add", "person_a", _event),
        ("branches:person_role_add", "person_a", _role),
        ("branches:mobile_depart", "person_a", _depart),
        ("branches:mobile_report_add", "mobile", _report),
        ("branches:mobile_return", "mobile", _return),
        ("admin:branches_person_change", "person_a", _admin_person),
        ("admin:branches_organisation_change", "branch_a", _admin_org),
    ]
    for name, target, body in posts:
        response = client.post(reverse(name, args=[world.pk(target)]), body(world))
        assert response.status_code == 404, name
    assert TABLE.snapshot() == before


def _export_names(response) -> set[str]:
    """The first column (姓名) of an exported workbook."""
    import openpyxl

    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_roster_export_by_outsider_has_no_branch_a_people(world, login):
    url = reverse("branches:person_export")
    outsider = login(world.cast.outsider).get(url)
    assert outsider.status_code == 200
    assert _export_names(outsider) == {"乙书记", "乙党员"}
    # not even when asked for branch A by id, or searched for by name
    for params in ({"organisation": world.cast.branch_a.pk}, {"q": "甲"}):
        response = login(world.cast.outsider).get(url, params)
        assert response.status_code == 200
        assert not _export_names(response) & {"甲书记", "甲党员", "甲群众党员", "甲外出党员", "甲群众"}
    # while the secretary's export has branch A's people (so the check above can fail)
    assert {"甲群众党员", "甲外出党员"} <= _export_names(login(world.cast.secretary).get(url))


def test_outsider_admin_person_form_offers_no_branch_a_grids_or_hosts(world, login):
    GridFactory(organisation=world.cast.branch_a, name="甲网格")
    HostUnitFactory(organisation=world.cast.branch_a, name="甲单位")
    GridFactory(organisation=world.cast.branch_b, name="乙网格")
    HostUnitFactory(organisation=world.cast.branch_b, name="乙单位")
    for role, shown, hidden in (("outsider", "乙", "甲"), ("secretary", "甲", "乙")):
        client = login(user_of(world.cast, role))
        pages = [
            client.get(reverse("admin:branches_person_add")),
            client.get(reverse("branches:person_create")),
        ]
        for response in pages:
            assert response.status_code == 200
            content = response.content.decode()
            assert f"{shown}网格" in content and f"{shown}单位" in content
            assert f"{hidden}网格" not in content and f"{hidden}单位" not in content, (role, response.request)
