"""The staff rating page costs a fixed number of queries, however many ratings and comments the activity has."""

import pytest
from django.urls import reverse

from tests.evaluations.rating_helpers import make_activity, submit
from tests.harness import at_most, page_queries

pytestmark = pytest.mark.django_db

MAX_QUERIES = 16


def _queries(client, activity) -> int:
    return page_queries(client, reverse("evaluations:activity_rating", args=[activity.pk]), MAX_QUERIES)


def test_the_rating_page_does_not_grow_with_the_ratings(cast, login):
    few = make_activity(cast, title="评价少的活动")
    many = make_activity(cast, title="评价多的活动")
    for number in range(2):
        submit(few, level=5 - number, device=f"few-{number}", comment="好")
    for number in range(40):
        submit(many, level=number % 5 + 1, device=f"many-{number}", comment=f"意见{number}")
    client = login(cast.secretary)
    _queries(client, few)  # warm up (session, content types)
    with at_most(MAX_QUERIES):
        client.get(reverse("evaluations:activity_rating", args=[many.pk]))
    assert _queries(client, few) == _queries(client, many)


def test_the_public_page_is_cheap(cast, client):
    from evaluations.selectors.ratings import rating_code

    activity = make_activity(cast)
    url = reverse("evaluations:rate", args=[rating_code(activity)])
    client.get(url)
    with at_most(3):  # the activity and the rules; no session for the public
        assert client.get(url).status_code == 200
    with at_most(8):  # + the rules again in the action, the insert, its savepoints
        assert client.post(url, {"level": "5"}).status_code == 302
