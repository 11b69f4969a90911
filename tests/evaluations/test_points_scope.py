"""Every points URL × every role of the cast: the expected status, written out as a table (the specification, by
hand, never derived from the code under test).

A member sees their own points, card, rules and their own branch's 红星榜; the branch tables, exports and
adjustments are staff tools (404 for a member, and for the outsider on branch A). 组织部 has no person record, so
"my points" does not exist for it. State changes are POST only (GET → 405); the anonymous public goes to login.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from evaluations.actions.points import points_adjustment_request
from evaluations.models import PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet
from tests.conftest import Cast
from tests.evaluations.points_helpers import YEAR, day, past_activity, settle
from tests.harness import AUDITED, DONE, LOGIN, REFUSED, ScopeTable

pytestmark = pytest.mark.django_db


@dataclass
class World:
    cast: Cast
    adjustment: PointsAdjustment
    entry: PointsEntry

    def url(self, name: str, target: str | None) -> str:
        """A page of the year ("year", "year:A", "year:B": of branch A, B), or a POST on a row (or on none)."""
        if target and target.startswith("year"):
            org = target.removeprefix("year").removeprefix(":")
            query = f"?year={YEAR}"
            if org:
                query += f"&organisation={(self.cast.branch_a if org == 'A' else self.cast.branch_b).pk}"
            return reverse(name) + query
        return reverse(name, args=[getattr(self, target).pk] if target else [])


@pytest.fixture
def world(cast) -> World:
    past_activity(cast, day(3), [cast.member_person])
    settle()
    adjustment = points_adjustment_request(actor=cast.secretary, person=cast.member_person, points=3, reason="值守")
    entry = PointsEntry.objects.get(person=cast.member_person, rule__code=PointsRule.Code.ATTENDED)
    return World(cast=cast, adjustment=adjustment, entry=entry)


def _request(w: World) -> dict:
    return {"person": w.cast.member_person.pk, "points": 2, "reason": "社区值守"}


def _approve(w: World) -> dict:
    return {"approve": "1"}


def _reason(w: World) -> dict:
    return {"reason": "重复登记"}


def _version(w: World) -> dict:
    data = {"year": YEAR, "note": "提高参与分"}
    for rule in PointsRuleSet.objects.get(year=YEAR, is_current=True).rules.all():
        data[f"points_{rule.code}"] = 4 if rule.code == "attended" else rule.points
        data[f"cap_{rule.code}"] = rule.monthly_cap or ""
    return data


def _year(w: World) -> dict:
    return {"year": YEAR}


E = "evaluations:"

# fmt: off
# (url name, target, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX = [
    (E + "my_points",                 "year",       "get",  None,     (LOGIN, 404, 200, 200, 200, 200)),
    (E + "points_card",               "year",       "get",  None,     (LOGIN, 404, 200, 200, 200, 200)),
    (E + "branch_points",             "year",       "get",  None,     (LOGIN, 200, 200, 200, 404, 200)),
    (E + "branch_points",             "year:A",     "get",  None,     (LOGIN, 200, 200, 200, 404, 404)),
    (E + "branch_points_export",      "year:A",     "get",  None,     (LOGIN, 200, 200, 200, 404, 404)),
    (E + "red_star_board",            "year",       "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    (E + "red_star_board",            "year:A",     "get",  None,     (LOGIN, 200, 200, 200, 200, 404)),
    (E + "red_star_board",            "year:B",     "get",  None,     (LOGIN, 200, 200, 404, 404, 200)),
    (E + "points_adjustments",        "year",       "get",  None,     (LOGIN, 200, 200, 200, 404, 200)),
    (E + "points_rules",              "year",       "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    (E + "points_adjustment_request", None,         "post", _request, (LOGIN, DONE, DONE, DONE, 404, REFUSED)),
    (E + "points_adjustment_request", None,         "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (E + "points_adjustment_decide",  "adjustment", "post", _approve, (LOGIN, DONE, DONE, REFUSED, 404, 404)),
    (E + "points_adjustment_decide",  "adjustment", "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (E + "points_entry_reverse",      "entry",      "post", _reason,  (LOGIN, DONE, DONE, REFUSED, 404, 404)),
    (E + "points_entry_reverse",      "entry",      "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (E + "points_rules_new_version",  None,         "post", _version, (LOGIN, DONE, 404, 404, 404, 404)),
    (E + "points_rules_new_version",  None,         "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    # settled already (the world settles): settling again adds no entries, only its audit event
    (E + "points_settle_now",         None,         "post", _year,    (LOGIN, AUDITED, 404, 404, 404, 404)),
    (E + "points_settle_now",         None,         "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
]
# fmt: on


def _state() -> tuple:
    return (
        PointsAdjustment.objects.count(),
        PointsAdjustment.objects.filter(state=PointsAdjustment.State.REQUESTED).count(),
        PointsEntry.objects.count(),
        PointsRuleSet.objects.count(),
    )


# The branch export logs what was read.
TABLE = ScopeTable(MATRIX, state=_state, reads_may_audit=True)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)
