"""The shortcuts that took a secretary's month under 250 taps (issue 13, tests/browser/test_secretary_month.py):
「保存并发布」 on a new activity, 「复制为新活动」 from an ended or closed one, and the close form on the attendance
sheet once everyone is marked. Each keeps the rules of the step it shortens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from services import actions
from services.models import Activity, Participation
from tests.factories import member
from tests.services.activity_helpers import (
    HOUR,
    attend,
    category,
    form_data,
    local_input,
    make_activity,
    messages_of,
)

pytestmark = pytest.mark.django_db

DAYS_AGO = datetime.timedelta(days=4)


# 保存并发布 ---------------------------------------------------------------------------------------------------


def test_save_and_publish_creates_a_published_activity(cast, login):
    starts = timezone.now() - DAYS_AGO  # logged afterwards
    data = form_data(cast, starts_at=local_input(starts), ends_at=local_input(starts + 2 * HOUR), publish="1")
    response = login(cast.secretary).post(reverse("services:activity_create"), data)
    activity = Activity.objects.get(title="理发进社区")
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.state == Activity.State.PUBLISHED
    events = AuditEvent.objects.filter(object_type="services.Activity", object_id=str(activity.pk)).order_by("pk")
    trail = list(events.values_list("action", flat=True))
    assert trail == ["activity.create", "activity.published"]
    assert "已创建并发布活动" in " ".join(messages_of(response))


def test_plain_save_still_makes_a_draft_and_only_the_create_form_offers_publishing(cast, login):
    client = login(cast.secretary)
    assert "保存并发布" in client.get(reverse("services:activity_create")).content.decode()
    client.post(reverse("services:activity_create"), form_data(cast))
    activity = Activity.objects.get(title="理发进社区")
    assert activity.state == Activity.State.DRAFT
    assert "保存并发布" not in client.get(reverse("services:activity_update", args=[activity.pk])).content.decode()


def test_save_and_publish_with_bad_input_writes_nothing(cast, login):
    before = (Activity.objects.count(), AuditEvent.objects.count())
    data = form_data(cast, organisation=cast.branch_b.pk, publish="1")
    response = login(cast.secretary).post(reverse("services:activity_create"), data)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before


def test_create_with_publish_refused_leaves_no_draft(cast):
    """The action: an organiser outside the actor's scope is refused before anything is written, publish or not."""
    starts = timezone.now() - DAYS_AGO
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        actions.activity_create(
            actor=cast.secretary,
            title="越权",
            category=category(),
            place="某地",
            starts_at=starts,
            ends_at=starts + HOUR,
            organisation=cast.branch_b,
            publish=True,
        )
    assert not Activity.objects.filter(title="越权").exists()


# 复制为新活动 -------------------------------------------------------------------------------------------------


def _closed(cast, **fields) -> Activity:
    activity = make_activity(cast, start_in=-DAYS_AGO, hours=3, **fields)
    attend(cast, activity, [cast.person_a], approve=False)
    return actions.activity_close(actor=cast.secretary, activity=activity, served_people=5)


def test_copy_prefills_what_a_series_shares(cast, login):
    source = _closed(cast, target_group="独居老人", capacity=12)
    client = login(cast.secretary)
    page = client.get(source.get_absolute_url()).content.decode()
    copy_url = f"{reverse('services:activity_create')}?copy={source.pk}"
    assert copy_url in page and "复制为新活动" in page
    form = client.get(copy_url).context["form"]
    assert form.initial["place"] == "社区服务中心" and form.initial["target_group"] == "独居老人"
    assert form.initial["category"] == source.category_id and form.initial["organisation"] == cast.branch_a.pk
    assert form.initial["capacity"] == 12
    assert form.initial["ends_at"] - form.initial["starts_at"] == 3 * HOUR  # the source's length
    assert form.initial["starts_at"] > timezone.now()  # the usual default start, not the source's
    assert "title" not in form.initial


def test_copy_is_offered_only_once_held_and_only_to_who_may_create(cast, login):
    draft = make_activity(cast, publish=False)
    assert "复制为新活动" not in login(cast.secretary).get(draft.get_absolute_url()).content.decode()
    closed = _closed(cast)
    assert "复制为新活动" not in login(cast.member).get(closed.get_absolute_url()).content.decode()


def test_copy_of_an_activity_outside_scope_is_404(cast, login):
    source = _closed(cast)
    url = f"{reverse('services:activity_create')}?copy={source.pk}"
    assert login(cast.outsider).get(url).status_code == 404


def test_copy_with_a_mangled_id_is_the_plain_form(cast, login):
    response = login(cast.secretary).get(f"{reverse('services:activity_create')}?copy=１２x")
    assert response.status_code == 200
    assert "place" not in response.context["form"].initial


# The close form on the attendance sheet ---------------------------------------------------------------------


def _sheet(client, activity: Activity) -> str:
    return client.get(reverse("services:attendance_sheet", args=[activity.pk])).content.decode()


def test_sheet_offers_closing_once_everyone_is_marked(cast, login):
    activity = make_activity(cast, start_in=-DAYS_AGO, hours=2)
    client = login(cast.secretary)
    close_url = reverse("services:activity_close", args=[activity.pk])
    assert close_url not in _sheet(client, activity)  # nobody attended yet

    client.post(
        reverse("services:attendance_walk_in", args=[activity.pk]),
        {"people": [cast.person_a.pk, cast.member_person.pk], "role": Participation.Role.VOLUNTEER},
    )
    page = _sheet(client, activity)
    assert close_url in page and "关闭活动，登记服务成效" in page
    assert 'name="served_households"' in page and 'name="goods"' in page  # folded, not left out

    response = client.post(close_url, {"served_people": "30", "served_households": "12"})
    activity.refresh_from_db()
    assert response.status_code == 302 and activity.state == Activity.State.CLOSED
    assert (activity.served_people, activity.served_households) == (30, 12)


def test_sheet_withholds_closing_while_a_sign_up_is_unmarked(cast, login):
    activity = make_activity(cast, start_in=-HOUR, hours=3)  # running: sign-ups are still open
    actions.participation_sign_up(actor=cast.secretary, activity=activity, person=member(cast.branch_a, name="未到者"))
    attend(cast, activity, [cast.person_a], approve=False)
    activity = actions.activity_end(actor=cast.secretary, activity=activity)
    client = login(cast.secretary)
    assert reverse("services:activity_close", args=[activity.pk]) not in _sheet(client, activity)
    assert actions.activity_close_problem(activity) == "还有 1 人未登记出勤，不能关闭。"


def test_sheet_withholds_closing_before_the_activity_may_close(cast, login):
    running = make_activity(cast, start_in=-HOUR, hours=3)  # started, not yet over: 结束活动 first
    attend(cast, running, [cast.person_a], approve=False)
    assert reverse("services:activity_close", args=[running.pk]) not in _sheet(login(cast.secretary), running)
    assert actions.activity_close_problem(running) == "只有已结束（或已过结束时间）的活动可以关闭。"


def test_close_problem_names_each_rule(cast):
    activity = make_activity(cast, start_in=-DAYS_AGO, hours=2)
    assert actions.activity_close_problem(activity) == "没有出勤记录的活动不能关闭。"
    attend(cast, activity, [cast.person_a], approve=False)
    assert actions.activity_close_problem(activity) is None
