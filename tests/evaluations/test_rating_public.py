"""The public rating page (/r/<code>/): no login, phone-friendly, five levels and a comment; the device cookie;
one rating per device; the per-address rate limit; and a clear Chinese page with a 4xx status — storing
nothing — for every refusal (unknown or forged link, window not open or closed, draft or cancelled activity,
repeated device, hostile input)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from evaluations.models import FollowUp, Rating
from evaluations.selectors.ratings import rating_code
from portal.lib import shortlinks
from services.models import Activity
from tests.evaluations.test_rating_actions import make_activity, stored

pytestmark = pytest.mark.django_db

COOKIE = "rating_device"


def url(activity) -> str:
    return reverse("evaluations:rate", args=[rating_code(activity)])


def opened(client, activity):
    """A phone that scanned the code: the GET gives it its device cookie."""
    response = client.get(url(activity))
    assert response.status_code == 200
    return response


def new_phone(client, activity):
    client.cookies.pop(COOKIE, None)
    return opened(client, activity)


def test_the_page_shows_the_activity_and_five_big_buttons_without_login_or_staff_navigation(cast, login):
    activity = make_activity(cast)
    for user in (None, cast.secretary):
        content = opened(login(user), activity).content.decode()
        assert activity.title in content and activity.place in content
        assert timezone.localtime(activity.starts_at).strftime("%Y年%-m月%-d日") in content
        for value, label in Rating.Level.choices:
            assert f'value="{value}"' in content and str(label) in content
        assert content.count('type="radio"') == 5 and "btn-lg" in content
        assert 'maxlength="200"' in content
        assert "<script" not in content and "退出登录" not in content and "服务活动" not in content


def test_the_get_sets_a_long_lived_httponly_device_cookie(cast, client):
    response = opened(client, make_activity(cast))
    cookie = response.cookies[COOKIE]
    assert len(cookie.value) >= 16
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    # a phone that has one keeps it
    assert COOKIE not in opened(client, make_activity(cast, title="另一活动")).cookies


def test_the_device_cookie_is_secure_over_https(cast, client):
    response = client.get(url(make_activity(cast)), secure=True)
    assert response.cookies[COOKIE]["secure"]


def test_happy_path_stores_the_rating_and_thanks(cast, client):
    activity = make_activity(cast)
    device = opened(client, activity).cookies[COOKIE].value
    response = client.post(url(activity), {"level": "4", "comment": "  志愿者很耐心  "})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:rate_thanks", args=[rating_code(activity)])
    rating = Rating.objects.get()
    assert (rating.activity, rating.level, rating.comment, rating.device) == (activity, 4, "志愿者很耐心", device)
    assert rating.address_hash and "127.0.0.1" not in rating.address_hash
    page = client.get(response["Location"])
    assert page.status_code == 200 and "感谢您的评价" in page.content.decode()


def test_a_bad_rating_from_the_page_opens_a_follow_up(cast, client):
    activity = make_activity(cast)
    opened(client, activity)
    client.post(url(activity), {"level": "1", "comment": "没人管"})
    assert FollowUp.objects.get().rating == Rating.objects.get()


def test_a_phone_that_rated_gets_the_thanks_instead_of_the_form(cast, client):
    """The form used to be shown again, and the refusal came only after filling it in."""
    activity = make_activity(cast)
    opened(client, activity)
    assert client.post(url(activity), {"level": "5"}).status_code == 302
    again = client.get(url(activity))
    content = again.content.decode()
    assert again.status_code == 200 and 'data-testid="already"' in content and activity.title in content
    assert 'type="radio"' not in content and "<form" not in content
    assert 'type="radio"' in new_phone(client, activity).content.decode()  # another phone still gets the form


def test_the_same_phone_cannot_rate_twice(cast, client):
    activity = make_activity(cast)
    opened(client, activity)
    assert client.post(url(activity), {"level": "5"}).status_code == 302
    response = client.post(url(activity), {"level": "1"})
    assert response.status_code == 409
    assert "您已评价过该活动" in response.content.decode()
    assert stored() == (1, 0) and Rating.objects.get().level == 5
    # reopening the page does not give a new device either
    opened(client, activity)
    assert client.post(url(activity), {"level": "1"}).status_code == 409
    assert stored() == (1, 0)


def test_a_post_without_the_device_cookie_is_refused_and_gets_one(cast, client):
    activity = make_activity(cast)
    response = client.post(url(activity), {"level": "5"})
    assert response.status_code == 400
    assert "请重新扫码打开评价页面" in response.content.decode()
    assert stored() == (0, 0)
    assert response.cookies[COOKIE].value  # the cookie is set now: the next try works
    assert client.post(url(activity), {"level": "5"}).status_code == 302


def test_a_tampered_device_cookie_counts_as_none(cast, client):
    activity = make_activity(cast)
    client.cookies[COOKIE] = "<script>"
    assert client.post(url(activity), {"level": "5"}).status_code == 400
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    "fields",
    [{"level": "9"}, {"level": "abc"}, {"level": "0"}, {"level": "-1"}, {"level": "4.5"}, {"level": ""}, {}],
    ids=["nine", "abc", "zero", "negative", "fraction", "empty", "missing"],
)
def test_hostile_or_missing_levels_are_refused(cast, client, fields):
    activity = make_activity(cast)
    opened(client, activity)
    response = client.post(url(activity), fields | {"comment": "x"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "请选择" in content
    assert stored() == (0, 0)


def test_an_oversized_comment_is_refused(cast, client):
    activity = make_activity(cast)
    opened(client, activity)
    response = client.post(url(activity), {"level": "5", "comment": "长" * 201})
    assert response.status_code == 400
    assert "不能超过 200 字" in response.content.decode()
    assert stored() == (0, 0)


def _codes(activity) -> dict[str, str]:
    genuine = rating_code(activity)
    number, signature = genuine.split("-")
    flipped = signature[:-1] + ("a" if signature[-1] != "a" else "b")
    return {
        "forged-signature": f"{number}-{flipped}",
        "other-number": f"{shortlinks._base36(activity.pk + 1)}-{signature}",
        "unknown-activity": shortlinks.make("rate", 999_999, settings.SHORTLINK_KEY),
        "questionnaire-kind": shortlinks.make("q", activity.pk, settings.SHORTLINK_KEY),
        "another-key": shortlinks.make("rate", activity.pk, "not-our-key"),
        "garbage": "garbage",
        "plain-number": str(activity.pk),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "forged-signature",
        "other-number",
        "unknown-activity",
        "questionnaire-kind",
        "another-key",
        "garbage",
        "plain-number",
    ],
)
def test_forged_unknown_and_garbage_links_are_a_chinese_404(cast, client, kind):
    activity = make_activity(cast)
    make_activity(cast, title="后一个活动")  # so that pk + 1 exists: a changed number must still be refused
    opened(client, activity)
    code = _codes(activity)[kind]
    for response in (
        client.get(reverse("evaluations:rate", args=[code])),
        client.post(reverse("evaluations:rate", args=[code]), {"level": "5"}),
        client.get(reverse("evaluations:rate_thanks", args=[code])),
    ):
        assert response.status_code == 404
        assert "评价链接无效" in response.content.decode()
    assert stored() == (0, 0)


def test_a_draft_activity_has_no_rating_page(cast, client):
    activity = make_activity(cast, state=Activity.State.DRAFT)
    assert client.get(url(activity)).status_code == 404
    assert client.post(url(activity), {"level": "5"}).status_code == 404
    assert stored() == (0, 0)


def test_a_cancelled_activity_says_so(cast, client):
    activity = make_activity(cast, state=Activity.State.CANCELLED)
    response = client.get(url(activity))
    assert response.status_code == 410
    assert "已取消" in response.content.decode()
    assert client.post(url(activity), {"level": "5"}).status_code == 410
    assert stored() == (0, 0)


def test_before_the_start_the_page_says_when_it_opens(cast, client):
    starts_at = timezone.now() + datetime.timedelta(days=2)
    activity = make_activity(cast, starts_at=starts_at)
    response = client.get(url(activity))
    content = response.content.decode()
    assert response.status_code == 403
    assert "评价尚未开始" in content and timezone.localtime(starts_at).strftime("%Y年%-m月%-d日 %H:%M") in content
    client.cookies[COOKIE] = "a-genuine-looking-device-id"
    assert client.post(url(activity), {"level": "5"}).status_code == 403
    assert stored() == (0, 0)


def test_after_seven_days_the_page_says_when_it_closed(cast, client):
    activity = make_activity(cast, starts_at=timezone.now() - datetime.timedelta(days=7, hours=3))
    closes_at = activity.ends_at + datetime.timedelta(days=7)
    response = client.get(url(activity))
    content = response.content.decode()
    assert response.status_code == 410
    assert "评价已截止" in content and timezone.localtime(closes_at).strftime("%Y年%-m月%-d日 %H:%M") in content
    client.cookies[COOKIE] = "a-genuine-looking-device-id"
    assert client.post(url(activity), {"level": "5"}).status_code == 410
    assert stored() == (0, 0)


def test_six_days_after_the_end_the_page_still_takes_ratings(cast, client):
    activity = make_activity(cast, starts_at=timezone.now() - datetime.timedelta(days=6, hours=3))
    opened(client, activity)
    assert client.post(url(activity), {"level": "3"}).status_code == 302
    assert stored() == (1, 0)


def test_the_address_limit_answers_429_and_stores_nothing(cast, client, settings):
    settings.RATING_RATE_LIMIT = "3/m"
    activity = make_activity(cast)
    for _ in range(3):  # three phones behind one address
        new_phone(client, activity)
        assert client.post(url(activity), {"level": "5"}).status_code == 302
    new_phone(client, activity)
    response = client.post(url(activity), {"level": "5"})
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert stored() == (3, 0)
    assert client.get(url(activity)).status_code == 200  # reading the page is not limited


def test_refused_posts_count_towards_the_address_limit(cast, client, settings):
    settings.RATING_RATE_LIMIT = "3/m"
    activity = make_activity(cast)
    for _ in range(3):
        client.post(url(activity), {"level": "9"})
    new_phone(client, activity)
    assert client.post(url(activity), {"level": "5"}).status_code == 429
    assert stored() == (0, 0)


def test_control_characters_in_a_comment_are_dropped_before_storing(cast, client):
    activity = make_activity(cast)
    opened(client, activity)
    assert client.post(url(activity), {"level": "4", "comment": "很好\x1b[0m\u202e，谢谢\x00"}).status_code == 302
    assert Rating.objects.get(activity=activity).comment == "很好[0m，谢谢"
