"""The staff side of public ratings: the activity's rating page (short link, inline QR code, summary, comments),
the QR code as an SVG file and the printable poster."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import resolve, reverse

from evaluations.selectors.ratings import activity_for_rating_code, rating_code
from services.models import Activity
from tests.evaluations.rating_helpers import make_activity, submit

pytestmark = pytest.mark.django_db


def page_url(activity, name="activity_rating") -> str:
    return reverse(f"evaluations:{name}", args=[activity.pk])


def test_the_rating_page_shows_the_short_link_the_qr_code_and_the_summary(cast, login):
    activity = make_activity(cast)
    for number, level in enumerate([5, 5, 4, 2]):
        submit(activity, level=level, device=f"phone-{number}", comment="很好" if level > 2 else "太慢了")
    response = login(cast.secretary).get(page_url(activity))
    assert response.status_code == 200
    content = response.content.decode()
    short_url = response.context["short_url"]
    assert short_url == f"http://testserver/r/{rating_code(activity)}/" and short_url in content
    assert "<svg" in content and 'href="{}"'.format(page_url(activity, "activity_poster")) in content
    summary = response.context["summary"]
    assert summary["count"] == 4 and summary["satisfaction"] == 75 and summary["average"] == 4
    assert [level["count"] for level in summary["levels"]] == [2, 1, 0, 1, 0]
    assert "75.0%" in content and "4.00" in content
    assert "太慢了" in content and "<script>" not in content  # no inline script


def test_the_short_link_resolves_back_to_the_activity(cast, login):
    activity = make_activity(cast)
    short_url = login(cast.secretary).get(page_url(activity)).context["short_url"]
    match = resolve(short_url.removeprefix("http://testserver"))
    assert match.view_name == "evaluations:rate"
    assert activity_for_rating_code(match.kwargs["code"]) == activity
    login(None)
    assert activity.title in login(None).get(short_url).content.decode()


def test_the_qr_code_is_a_valid_svg(cast, login):
    activity = make_activity(cast)
    response = login(cast.secretary).get(page_url(activity, "activity_qr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.startswith("<?xml") or body.startswith("<svg")
    assert ET.fromstring(response.content).tag.endswith("svg")


def test_the_poster_is_printable_with_a_big_qr_code_and_the_five_levels(cast, login):
    activity = make_activity(cast)
    response = login(cast.secretary).get(page_url(activity, "activity_poster"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "扫码评价本次服务" in content and activity.title in content and activity.place in content
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in content
    assert "<svg" in content and "css/poster.css" in content and "<script" not in content
    assert rating_code(activity) in content


@pytest.mark.parametrize("state", [Activity.State.DRAFT, Activity.State.CANCELLED])
def test_draft_and_cancelled_activities_have_no_qr_code(cast, login, state):
    activity = make_activity(cast, state=state)
    client = login(cast.secretary)
    response = client.get(page_url(activity))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" not in content and "只有已发布、已结束或已关闭的活动才有评价二维码" in content
    assert rating_code(activity) not in content
    assert client.get(page_url(activity, "activity_qr")).status_code == 404
    poster = client.get(page_url(activity, "activity_poster"))
    assert poster.status_code == 302 and poster["Location"] == page_url(activity)


@pytest.mark.parametrize("name", ["activity_rating", "activity_qr", "activity_poster"])
def test_the_staff_pages_only_read(cast, login, name):
    assert login(cast.secretary).post(page_url(make_activity(cast), name)).status_code == 405


def test_comments_are_paginated_and_ratings_without_a_comment_are_left_out(cast, login):
    activity = make_activity(cast)
    for number in range(25):
        submit(activity, device=f"phone-{number}", comment=f"意见{number:02d}")
    submit(activity, device="silent", comment="")
    client = login(cast.secretary)
    first = client.get(page_url(activity))
    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].object_list[0].comment == "意见24"  # newest first
    second = client.get(page_url(activity) + "?page=2")
    assert [r.comment for r in second.context["page"].object_list] == [f"意见{n:02d}" for n in range(4, -1, -1)]
    assert first.context["summary"]["count"] == 26


def test_the_activity_page_links_to_the_rating_page_once_published(cast, login):
    client = login(cast.secretary)
    published = make_activity(cast)
    draft = make_activity(cast, state=Activity.State.DRAFT, title="草稿活动")
    assert page_url(published) in client.get(published.get_absolute_url()).content.decode()
    assert page_url(draft) not in client.get(draft.get_absolute_url()).content.decode()
