"""Every staff rating page × every role of the cast: the expected status, written out as a table.

Whoever may see the activity (activity_get_for_user) may see its ratings, QR code and poster — readers
included (a member sees the published activities of their branch). Outside the scope the pages do not exist
(404); the anonymous public is sent to the login page. The public page needs no login at all.
"""

import pytest
from django.urls import reverse

from evaluations.selectors.ratings import rating_code
from services.models import Activity
from tests.evaluations.test_rating_actions import make_activity

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ["anonymous", "orgadmin", "committee", "secretary", "member", "outsider"]
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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", list(EXPECTED))
def test_scope_matrix(cast, login, activities, role, target):
    client = login(None if role == "anonymous" else getattr(cast, role))
    for name, expected in zip(PAGES, EXPECTED[target][role], strict=True):
        response = client.get(reverse(f"evaluations:{name}", args=[activities[target].pk]))
        if expected == LOGIN:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        else:
            assert response.status_code == expected, (name, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_the_public_page_needs_no_login_and_is_the_same_for_everyone(cast, login, activities, role):
    client = login(None if role == "anonymous" else getattr(cast, role))
    for target in ("published_a", "published_b"):
        response = client.get(reverse("evaluations:rate", args=[rating_code(activities[target])]))
        assert response.status_code == 200
