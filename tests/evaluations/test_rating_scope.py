"""Every staff rating page × every role of the cast: the expected status, written out as a table.

Whoever may see the activity (activity_get_for_user) may see its ratings, QR code and poster — readers
included (a member sees the published activities of their branch). Outside the scope the pages do not exist
(404); the anonymous public is sent to the login page. The public page needs no login at all.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from evaluations.selectors.ratings import rating_code
from services.models import Activity
from tests.conftest import Cast
from tests.evaluations.rating_helpers import make_activity
from tests.harness import LOGIN, ROLES, ScopeTable, user_of

pytestmark = pytest.mark.django_db

PAGES = ["activity_rating", "activity_qr", "activity_poster"]

# activity → role → status of the rating page, the QR code and the poster
EXPECTED = {
    "published_a": {
        "anonymous": (LOGIN, LOGIN, LOGIN),
        "orgadmin": (200, 200, 200),
        "committee": (200, 200, 200),
        "secretary": (200, 200, 200),
        "member": (200, 200, 200),
        "outsider": (404, 404, 404),
    },
    "draft_a": {
        "anonymous": (LOGIN, LOGIN, LOGIN),
        "orgadmin": (200, 404, 302),
        "committee": (200, 404, 302),
        "secretary": (200, 404, 302),
        "member": (404, 404, 404),  # members do not see drafts
        "outsider": (404, 404, 404),
    },
    "published_b": {
        "anonymous": (LOGIN, LOGIN, LOGIN),
        "orgadmin": (200, 200, 200),
        "committee": (200, 200, 200),
        "secretary": (404, 404, 404),
        "member": (404, 404, 404),
        "outsider": (200, 200, 200),
    },
}


@pytest.fixture
def activities(cast) -> dict[str, Activity]:
    return {
        "published_a": make_activity(cast),
        "draft_a": make_activity(cast, state=Activity.State.DRAFT, title="甲支部草稿"),
        "published_b": make_activity(cast, organisation=cast.branch_b, title="乙支部义诊"),
    }


# the table above, one row per activity and page
MATRIX = [
    (f"evaluations:{page}", target, "get", None, tuple(EXPECTED[target][role][i] for role in ROLES))
    for target in EXPECTED
    for i, page in enumerate(PAGES)
]


@dataclass
class World:
    cast: Cast
    activities: dict[str, Activity]

    def pk(self, target: str) -> int:
        return self.activities[target].pk


@pytest.fixture
def world(cast, activities) -> World:
    return World(cast=cast, activities=activities)


def _state() -> tuple:
    return (list(Activity.objects.order_by("pk").values_list("pk", "state")),)


TABLE = ScopeTable(MATRIX, state=_state)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


@pytest.mark.parametrize("role", ROLES)
def test_the_public_page_needs_no_login_and_is_the_same_for_everyone(cast, login, activities, role):
    client = login(user_of(cast, role))
    for target in ("published_a", "published_b"):
        response = client.get(reverse("evaluations:rate", args=[rating_code(activities[target])]))
        assert response.status_code == 200
