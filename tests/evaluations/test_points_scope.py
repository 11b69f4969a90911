"""Every points URL × every role of the cast: the expected status, written out as a table (the specification, by
hand, never derived from the code under test).

A member sees their own points, card, rules and their own branch's 红星榜; the branch tables, exports and
adjustments are staff tools (404 for a member, and for the outsider on branch A). 组织部 has no person record, so
"my points" does not exist for it. State changes are POST only (GET → 405); the anonymous public goes to login.
"""

import pytest
from django.urls import reverse

from evaluations.actions.points import points_adjustment_request
from evaluations.models import PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet
from portal.models import AuditEvent
from tests.evaluations.test_points_rules import YEAR, day, past_activity, settle

pytestmark = pytest.mark.django_db

LOGIN = "login"
DONE = "done"  # 302 back, something written and audited
REFUSED = "refused"  # 302 back, nothing written
ROLES = ["anonymous", "orgadmin", "committee", "secretary", "member", "outsider"]


@pytest.fixture
def world(cast):
    past_activity(cast, day(3), [cast.member_person])
    settle()
    adjustment = points_adjustment_request(actor=cast.secretary, person=cast.member_person, points=3, reason="值守")
    entry = PointsEntry.objects.get(person=cast.member_person, rule__code=PointsRule.Code.ATTENDED)
    return {"cast": cast, "adjustment": adjustment, "entry": entry}


def _user(cast, role):
    return None if role == "anonymous" else getattr(cast, role)


#         name, query (A: branch A, B: branch B), expected per ROLES order
PAGES = [
    ("my_points", "", [LOGIN, 404, 200, 200, 200, 200]),
    ("points_card", "", [LOGIN, 404, 200, 200, 200, 200]),
    ("branch_points", "", [LOGIN, 200, 200, 200, 404, 200]),
    ("branch_points", "A", [LOGIN, 200, 200, 200, 404, 404]),
    ("branch_points_export", "A", [LOGIN, 200, 200, 200, 404, 404]),
    ("red_star_board", "", [LOGIN, 200, 200, 200, 200, 200]),
    ("red_star_board", "A", [LOGIN, 200, 200, 200, 200, 404]),
    ("red_star_board", "B", [LOGIN, 200, 200, 404, 404, 200]),
    ("points_adjustments", "", [LOGIN, 200, 200, 200, 404, 200]),
    ("points_rules", "", [LOGIN, 200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,org,expected", PAGES, ids=[f"{n}-{o or 'default'}" for n, o, _ in PAGES])
def test_pages(world, login, role, name, org, expected):
    cast = world["cast"]
    client = login(_user(cast, role))
    params = {"year": YEAR}
    if org:
        params["organisation"] = (cast.branch_a if org == "A" else cast.branch_b).pk
    response = client.get(reverse(f"evaluations:{name}"), params)
    want = expected[ROLES.index(role)]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want


POSTS = {
    # name: (args, data, expected per ROLES order, what was written)
    "points_adjustment_request": (
        None,
        "request",
        [LOGIN, DONE, DONE, DONE, 404, REFUSED],
    ),
    "points_adjustment_decide": ("adjustment", "approve", [LOGIN, DONE, DONE, REFUSED, 404, 404]),
    "points_entry_reverse": ("entry", "reason", [LOGIN, DONE, DONE, REFUSED, 404, 404]),
    "points_rules_new_version": (None, "version", [LOGIN, DONE, 404, 404, 404, 404]),
    "points_settle_now": (None, "year", [LOGIN, DONE, 404, 404, 404, 404]),
}


def _post_data(world, kind):
    cast = world["cast"]
    if kind == "request":
        return {"person": cast.member_person.pk, "points": 2, "reason": "社区值守"}
    if kind == "approve":
        return {"approve": "1"}
    if kind == "reason":
        return {"reason": "重复登记"}
    if kind == "version":
        data = {"year": YEAR, "note": "提高参与分"}
        for rule in PointsRuleSet.objects.get(year=YEAR, is_current=True).rules.all():
            data[f"points_{rule.code}"] = 4 if rule.code == "attended" else rule.points
            data[f"cap_{rule.code}"] = rule.monthly_cap or ""
        return data
    return {"year": YEAR}


def _state(world):
    return (
        PointsAdjustment.objects.count(),
        PointsAdjustment.objects.filter(state=PointsAdjustment.State.REQUESTED).count(),
        PointsEntry.objects.count(),
        PointsRuleSet.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(POSTS))
def test_posts(world, login, role, name):
    target, kind, expected = POSTS[name]
    client = login(_user(world["cast"], role))
    url = reverse(f"evaluations:{name}", args=[world[target].pk] if target else [])
    if role != "anonymous":
        assert client.get(url).status_code == 405
    before = _state(world)
    response = client.post(url, _post_data(world, kind))
    want = expected[ROLES.index(role)]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert _state(world) == before
    elif want == 404:
        assert response.status_code == 404 and _state(world) == before
    elif want == REFUSED:
        assert response.status_code == 302 and _state(world)[:4] == before[:4]
    else:
        after = _state(world)
        assert response.status_code == 302 and after != before and after[4] > before[4]
