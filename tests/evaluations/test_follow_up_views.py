"""Follow-up pages: the list (filters, order, the 逾期 N 天 badge), the page with the one form that fits the state,
each step's happy path (POST-redirect-GET with a message) and its refusals (a Chinese message, nothing written)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_call_back
from evaluations.models import FollowUp
from tests.evaluations.conftest import activity, bad_follow_up

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
E = "evaluations:"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_list_shows_overdue_first_with_the_days_and_filters(cast, login):
    subject = activity(cast, organisation=cast.branch_a, title="甲支部理发")
    fresh = bad_follow_up(subject, comment="刚收到的差评")
    old = bad_follow_up(subject, level=1, comment="很久以前的差评", at=timezone.now() - 40 * DAY)
    b = bad_follow_up(activity(cast, organisation=cast.branch_b, title="乙支部义诊"))
    client = login(cast.committee)
    url = reverse(E + "follow_up_list")

    response = client.get(url)
    content = response.content.decode()
    # overdue first; then the open ones by due date (the same day: in order of arrival)
    assert [f.pk for f in response.context["page"]] == [old.pk, fresh.pk, b.pk]
    assert content.index("很久以前的差评") < content.index("刚收到的差评")
    days = (timezone.localdate() - old.due_on).days
    assert f"逾期 {days} 天" in content and content.count('data-testid="overdue"') == 1
    assert "非常不满意" in content and "甲支部理发" in content

    assert [f.pk for f in client.get(url, {"overdue": "on"}).context["page"]] == [old.pk]
    assert {f.pk for f in client.get(url, {"organisation": cast.branch_b.pk}).context["page"]} == {b.pk}
    follow_up_call_back(actor=cast.secretary, follow_up=fresh, callback_on=timezone.localdate(), note="已联系")
    assert [f.pk for f in client.get(url, {"state": "called_back"}).context["page"]] == [fresh.pk]


def test_detail_shows_the_rating_the_activity_and_only_the_fitting_form(cast, login):
    subject = activity(cast, organisation=cast.branch_a, title="甲支部理发")
    follow_up = bad_follow_up(subject, comment="排队太久")
    client = login(cast.secretary)
    url = reverse(E + "follow_up_detail", args=[follow_up.pk])

    response = client.get(url)
    content = response.content.decode()
    assert "排队太久" in content and subject.get_absolute_url() in content and "不满意" in content
    assert "callback_form" in response.context and "rectify_form" not in response.context
    assert reverse(E + "follow_up_call_back", args=[follow_up.pk]) in content
    assert "剩余" in content  # working days left

    client.post(
        reverse(E + "follow_up_call_back", args=[follow_up.pk]),
        {"callback_on": timezone.localdate().isoformat(), "note": "已电话致歉"},
    )
    response = client.get(url)
    assert "rectify_form" in response.context and "callback_form" not in response.context
    assert "已电话致歉" in response.content.decode()  # on the timeline


def test_the_three_steps_through_the_pages(cast, login):
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    client = login(cast.secretary)
    today = timezone.localdate().isoformat()
    detail = reverse(E + "follow_up_detail", args=[follow_up.pk])
    steps = [
        ("follow_up_call_back", {"callback_on": today, "note": "已回访"}, "已登记回访", "called_back"),
        (
            "follow_up_rectify",
            {"rectification": "增加志愿者", "rectified_on": today, "upheld": "no"},
            "已登记整改",
            "rectified",
        ),
        ("follow_up_close", {"closing_note": "群众认可", "closed_on": today}, "已办结", "closed"),
    ]
    for name, body, message, state in steps:
        response = client.post(reverse(E + name, args=[follow_up.pk]), body)
        assert response.status_code == 302 and response["Location"] == detail
        assert any(message in m for m in _messages(response)), name
        follow_up.refresh_from_db()
        assert follow_up.state == state
    assert follow_up.upheld is False and follow_up.closing_note == "群众认可"
    response = client.get(detail)
    assert not {"callback_form", "rectify_form", "close_form"} & set(response.context.keys())
    assert "已办结" in response.content.decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"callback_on": "", "note": "已回访"}, "回访日期"),
        ({"callback_on": "2024-02-30", "note": "已回访"}, "回访日期"),
        ({"note": ""}, "回访情况"),
        ({"callback_on": "2999-01-01", "note": "已回访"}, "不能晚于今天"),
    ],
)
def test_bad_input_is_a_message_on_the_page_and_writes_nothing(cast, login, body, message):
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    client = login(cast.secretary)
    body = {"callback_on": timezone.localdate().isoformat()} | body
    response = client.post(reverse(E + "follow_up_call_back", args=[follow_up.pk]), body)
    assert response.status_code == 302
    assert any(message in m for m in _messages(response)), _messages(response)
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.OPEN and follow_up.callback_on is None


def test_closing_without_callback_is_refused_with_the_reason(cast, login):
    follow_up = bad_follow_up(activity(cast, organisation=cast.branch_a))
    client = login(cast.secretary)
    response = client.post(
        reverse(E + "follow_up_close", args=[follow_up.pk]),
        {"closing_note": "直接办结", "closed_on": timezone.localdate().isoformat()},
    )
    assert any("须先回访" in m for m in _messages(response))
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.OPEN


def test_nav_offers_the_evaluation_pages_to_staff_only(cast, login):
    content = login(cast.secretary).get(reverse("home")).content.decode()
    assert reverse(E + "follow_up_list") in content and reverse(E + "satisfaction") in content
    content = login(cast.member).get(reverse("home")).content.decode()
    assert reverse(E + "follow_up_list") not in content
