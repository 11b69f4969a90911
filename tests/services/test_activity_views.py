"""Activity pages through the web: happy paths, bad input (Chinese message, nothing written), lifecycle rules,
GET → 405 on every state change, the member's sign-up and own pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from services import actions, selectors
from services.models import Activity, HoursEntry, Participation
from tests.factories import ActivityCategoryFactory, UserFactory, member
from tests.services.activity_helpers import HOUR, attend, category, form_data, local_input, make_activity, messages_of

pytestmark = pytest.mark.django_db


def _writes() -> tuple:
    return (
        list(Activity.objects.order_by("pk").values_list("pk", "title", "state", "capacity", "starts_at", "ends_at")),
        list(Participation.objects.order_by("pk").values_list("pk", "state")),
        HoursEntry.objects.count(),
        AuditEvent.objects.count(),
    )


# Create and edit --------------------------------------------------------------------------------------------


def test_create_form_has_phone_friendly_defaults(cast, login):
    response = login(cast.secretary).get(reverse("services:activity_create"))
    assert response.status_code == 200
    form = response.context["form"]
    starts, ends = form.initial["starts_at"], form.initial["ends_at"]
    assert starts > timezone.now() and starts - timezone.now() <= HOUR
    assert timezone.localtime(starts).minute == 0
    assert ends - starts == 2 * HOUR
    assert form.initial["organisation"] == cast.branch_a.pk  # the secretary's only organisation, preselected
    content = response.content.decode()
    assert 'type="datetime-local"' in content
    assert "党支部B" not in content


def test_secretary_creates_an_activity(cast, login):
    response = login(cast.secretary).post(reverse("services:activity_create"), form_data(cast))
    activity = Activity.objects.get(title="理发进社区")
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.state == Activity.State.DRAFT
    assert activity.organisation == cast.branch_a and activity.capacity == 10
    assert activity.created_by == cast.secretary
    assert timezone.localtime(activity.ends_at) - timezone.localtime(activity.starts_at) == 2 * HOUR
    assert AuditEvent.objects.filter(action="activity.create", object_id=str(activity.pk)).exists()
    assert "已创建活动" in " ".join(messages_of(response))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ("ends_before_starts", "结束时间必须晚于开始时间"),
        ({"capacity": "0"}, "名额至少为 1"),
        ("branch_b", "选择一个有效的选项"),
        ({"category": "99999"}, "选择一个有效的选项"),
        ({"organisation": "", "team": ""}, "请选择组织单位或服务队"),
        ({"title": ""}, "这个字段是必填项"),
        ({"starts_at": "明天上午"}, "输入一个有效的日期/时间"),
        ("too_long", "不能超过 7 天"),
    ],
    ids=[
        "ends-before-starts",
        "capacity-0",
        "other-branch",
        "unknown-category",
        "no-organiser",
        "no-title",
        "bad-date",
        "8-days",
    ],
)
def test_create_bad_input_is_refused_in_chinese_and_writes_nothing(cast, login, overrides, message):
    starts = timezone.now() + datetime.timedelta(days=2)
    special = {
        "ends_before_starts": {"starts_at": local_input(starts), "ends_at": local_input(starts - HOUR)},
        "branch_b": {"organisation": cast.branch_b.pk},
        "too_long": {"starts_at": local_input(starts), "ends_at": local_input(starts + datetime.timedelta(days=8))},
    }
    data = form_data(cast, **(special[overrides] if isinstance(overrides, str) else overrides))
    before = _writes()
    response = login(cast.secretary).post(reverse("services:activity_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _writes() == before


def test_inactive_category_is_not_offered(cast, login):
    retired = ActivityCategoryFactory(code="retired", name="停用类别", is_active=False)
    client = login(cast.secretary)
    assert "停用类别" not in client.get(reverse("services:activity_create")).content.decode()
    before = _writes()
    response = client.post(reverse("services:activity_create"), form_data(cast, category=retired.pk))
    assert "选择一个有效的选项" in response.content.decode()
    assert _writes() == before


def test_member_cannot_open_the_create_page(cast, login):
    assert login(cast.member).get(reverse("services:activity_create")).status_code == 404
    before = _writes()
    assert login(cast.member).post(reverse("services:activity_create"), form_data(cast)).status_code == 404
    assert _writes() == before


def test_team_leader_creates_an_activity_for_their_team(cast, login):
    from volunteers import actions as vactions
    from volunteers.models import TeamMembership

    team = vactions.team_create(actor=None, name="红色理发队", level="brigade", organisation=cast.branch_a)
    leader = member(cast.branch_a, name="队长甲")
    leader_user = UserFactory(username="leader")
    leader.user = leader_user
    leader.save(update_fields=["user"])
    vactions.membership_add(
        actor=None, team=team, person=leader, joined_on=datetime.date(2024, 1, 1), role=TeamMembership.Role.LEADER
    )
    client = login(leader_user)
    page = client.get(reverse("services:activity_create")).content.decode()
    assert "红色理发队" in page
    response = client.post(reverse("services:activity_create"), form_data(cast, organisation="", team=team.pk))
    assert response.status_code == 302
    activity = Activity.objects.get(title="理发进社区")
    assert activity.team == team and activity.organisation == cast.branch_a


def test_secretary_edits_an_activity(cast, login):
    activity = make_activity(cast)
    client = login(cast.secretary)
    page = client.get(reverse("services:activity_update", args=[activity.pk]))
    assert page.status_code == 200
    data = form_data(cast, title="社区义诊（改期）", capacity="")
    del data["organisation"], data["team"]
    response = client.post(reverse("services:activity_update", args=[activity.pk]), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "社区义诊（改期）" and activity.capacity is None
    event = AuditEvent.objects.get(action="activity.update", object_id=str(activity.pk))
    assert event.changes["title"] == ["社区义诊", "社区义诊（改期）"]


def test_edit_bad_input_and_capacity_below_sign_ups_write_nothing(cast, login):
    activity = make_activity(cast, capacity=5)
    actions.participation_sign_up(actor=cast.secretary, activity=activity, person=cast.person_a)
    actions.participation_sign_up(actor=cast.member, activity=activity)
    client = login(cast.secretary)
    url = reverse("services:activity_update", args=[activity.pk])
    before = _writes()
    starts = timezone.now() + datetime.timedelta(days=2)
    for overrides, message in (
        ({"capacity": "1"}, "名额不能少于已报名人数（2 人）"),
        ({"capacity": "0"}, "名额至少为 1"),
        ({"starts_at": local_input(starts), "ends_at": local_input(starts)}, "结束时间必须晚于开始时间"),
    ):
        response = client.post(url, form_data(cast, **overrides))
        assert response.status_code == 200
        assert message in response.content.decode()
    assert _writes() == before


def test_ended_activity_cannot_be_edited(cast, login):
    activity = make_activity(cast, start_in=-HOUR)
    actions.activity_end(actor=None, activity=activity)
    before = _writes()
    response = login(cast.secretary).post(
        reverse("services:activity_update", args=[activity.pk]), form_data(cast, title="改不了")
    )
    assert "活动已结束，不能再修改" in response.content.decode()
    assert _writes() == before


# State changes ----------------------------------------------------------------------------------------------


def _post(client, name: str, activity: Activity, data: dict | None = None):
    return client.post(reverse(f"services:{name}", args=[activity.pk]), data or {})


def test_lifecycle_through_the_web(cast, login):
    client = login(cast.secretary)
    activity = make_activity(cast, start_in=-HOUR, hours=3, publish=False)

    response = _post(client, "activity_publish", activity)
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    activity.refresh_from_db()
    assert activity.state == Activity.State.PUBLISHED

    attend(cast, activity, [cast.member_person])

    assert _post(client, "activity_end", activity).status_code == 302
    activity.refresh_from_db()
    assert activity.state == Activity.State.ENDED

    figures = {"served_people": "40", "served_households": "12", "money_donated": "500.50", "goods": "药品一箱"}
    response = _post(client, "activity_close", activity, figures)
    activity.refresh_from_db()
    assert activity.state == Activity.State.CLOSED, messages_of(response)
    assert (activity.served_people, activity.served_households) == (40, 12)
    assert activity.money_donated == Decimal("500.50") and activity.money_raised is None
    actions_logged = set(
        AuditEvent.objects.filter(object_type="services.Activity", object_id=str(activity.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"activity.create", "activity.published", "activity.ended", "activity.closed"} <= actions_logged

    page = client.get(activity.get_absolute_url()).content.decode()
    for text in ("已关闭", "40", "药品一箱", "甲党员", "关闭", "发布"):
        assert text in page


def test_cancel_needs_a_reason(cast, login):
    client = login(cast.secretary)
    activity = make_activity(cast)
    before = _writes()
    response = _post(client, "activity_cancel", activity, {"reason": ""})
    assert response.status_code == 302
    assert any("取消原因" in m for m in messages_of(response))
    assert _writes() == before
    _post(client, "activity_cancel", activity, {"reason": "暴雨预警"})
    activity.refresh_from_db()
    assert activity.state == Activity.State.CANCELLED and activity.cancel_reason == "暴雨预警"
    assert "暴雨预警" in client.get(activity.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("setup", "view", "data", "message"),
    [
        ("published", "activity_publish", None, "“已发布”状态的活动不能执行此操作"),
        ("ended_no_attendance", "activity_close", {"served_people": "3"}, "没有出勤记录的活动不能关闭"),
        ("published_future", "activity_end", None, "活动尚未开始，不能结束"),
        ("published_past", "activity_close", {"served_people": "3"}, "只有已结束（或已过结束时间）的活动可以关闭"),
        ("ended_unmarked", "activity_close", {"served_people": "3"}, "还有 1 人未登记出勤"),
        ("ended_attended", "activity_close", {"served_people": "-1"}, "服务群众（人次）"),
        ("ended_attended", "activity_cancel", {"reason": "不办了"}, "已登记出勤的活动不能取消"),
    ],
    ids=["publish-twice", "close-no-attendance", "end-before-start", "close-not-ended", "close-unmarked",
         "close-negative", "cancel-after-attendance"],
)  # fmt: skip
def test_lifecycle_rules_refused_with_a_message_and_state_unchanged(cast, login, setup, view, data, message):
    future = setup == "published_future"
    activity = make_activity(cast, start_in=HOUR if future else -HOUR, hours=3)
    if setup == "ended_unmarked":
        actions.participation_sign_up(actor=cast.member, activity=activity)
    if setup == "ended_attended":
        attend(cast, activity, [cast.member_person], approve=False)
    if setup.startswith("ended"):
        actions.activity_end(actor=None, activity=activity)
    before = _writes()
    response = _post(login(cast.secretary), view, activity, data)
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    shown = " ".join(messages_of(response))
    assert message in shown, shown
    assert _writes() == before


@pytest.mark.parametrize(
    "name",
    [
        "activity_publish",
        "activity_cancel",
        "activity_end",
        "activity_close",
        "activity_sign_up",
        "participation_withdraw",
    ],
)
def test_state_changes_refuse_get(cast, login, name):
    activity = make_activity(cast)
    for role in ("secretary", "member"):
        assert login(getattr(cast, role)).get(reverse(f"services:{name}", args=[activity.pk])).status_code == 405


# Sign-up ----------------------------------------------------------------------------------------------------


def test_member_signs_up_and_withdraws(cast, login):
    activity = make_activity(cast, capacity=3)
    client = login(cast.member)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "我要报名" in page
    response = _post(client, "activity_sign_up", activity)
    assert response.status_code == 302
    assert "报名成功" in " ".join(messages_of(response))
    participation = Participation.objects.get(activity=activity, person=cast.member_person)
    assert participation.state == Participation.State.SIGNED_UP
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "我的报名：已报名" in page and "取消报名" in page

    response = _post(client, "activity_sign_up", activity)  # twice: refused, nothing changes
    assert "已报名。" in " ".join(messages_of(response))
    assert Participation.objects.filter(activity=activity).count() == 1

    _post(client, "participation_withdraw", activity)
    participation.refresh_from_db()
    assert participation.state == Participation.State.WITHDRAWN
    assert "我要报名" in client.get(activity.get_absolute_url()).content.decode()


def test_full_activity_says_so(cast, login):
    activity = make_activity(cast, capacity=1)
    actions.participation_sign_up(actor=cast.secretary, activity=activity, person=cast.person_a)
    client = login(cast.member)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "名额已满" in page and "我要报名" not in page
    before = _writes()
    response = _post(client, "activity_sign_up", activity)
    assert "名额已满" in " ".join(messages_of(response))
    assert _writes() == before


def test_withdraw_without_a_sign_up_is_404_and_after_start_is_refused(cast, login):
    activity = make_activity(cast)
    client = login(cast.member)
    assert _post(client, "participation_withdraw", activity).status_code == 404
    started = make_activity(cast, title="已开始", start_in=-HOUR, hours=3)
    actions.participation_sign_up(actor=cast.member, activity=started)
    before = _writes()
    response = _post(client, "participation_withdraw", started)
    assert "活动已开始，不能取消报名" in " ".join(messages_of(response))
    assert _writes() == before


def test_draft_cannot_be_signed_up_for_by_the_secretary_either(cast, login):
    activity = make_activity(cast, publish=False)
    before = _writes()
    response = _post(login(cast.secretary), "activity_sign_up", activity)
    assert "只有已发布的活动可以报名" in " ".join(messages_of(response))
    assert _writes() == before


# Detail, list, month ----------------------------------------------------------------------------------------


def test_detail_shows_facts_participants_totals_and_history_to_writers(cast, login):
    activity = make_activity(cast, start_in=-HOUR, hours=3, capacity=8, target_group="独居老人")
    attend(cast, activity, [cast.member_person, cast.person_a], hours=Decimal("2.5"))
    page = login(cast.secretary).get(activity.get_absolute_url())
    content = page.content.decode()
    assert page.context["totals"] == {
        "person_times": 2,
        "people": 2,
        "approved_hours": Decimal("5.0"),
        "pending_hours": Decimal("0"),
    }
    for text in ("社区义诊", "独居老人", "社区服务中心", "党支部A", "义诊", "2 / 8", "甲党员", "甲群众党员", "2.5"):
        assert text in content, text
    assert "进行中" in content  # published and between start and end: derived
    assert "操作记录" in content and "发布" in content and "登记出勤" in content
    assert f"/services/activities/{activity.pk}/attendance/" in content
    assert reverse("services:activity_update", args=[activity.pk]) in content


def test_member_sees_the_activity_but_no_staff_controls(cast, login):
    activity = make_activity(cast)
    actions.participation_sign_up(actor=cast.secretary, activity=activity, person=cast.person_a)
    content = login(cast.member).get(activity.get_absolute_url()).content.decode()
    assert "社区义诊" in content
    assert reverse("services:activity_update", args=[activity.pk]) not in content
    assert reverse("services:activity_publish", args=[activity.pk]) not in content
    assert "操作记录" not in content and "甲群众党员" not in content  # other people's names and hours are staff data
    assert "/attendance/" not in content


def test_attendance_link_only_when_published_or_ended(cast, login):
    client = login(cast.secretary)
    draft = make_activity(cast, publish=False)
    assert "/attendance/" not in client.get(draft.get_absolute_url()).content.decode()
    ended = make_activity(cast, start_in=-HOUR)
    actions.activity_end(actor=None, activity=ended)
    assert f"/services/activities/{ended.pk}/attendance/" in client.get(ended.get_absolute_url()).content.decode()


def test_list_shows_rows_filters_and_the_create_button(cast, login):
    make_activity(cast, title="明天的义诊", capacity=20)
    running = make_activity(cast, title="正在进行", start_in=-HOUR, hours=3)
    make_activity(cast, title="草稿活动", publish=False)
    make_activity(cast, title="乙支部活动", organisation=cast.branch_b)
    actions.participation_sign_up(actor=cast.member, activity=running)

    client = login(cast.secretary)
    content = client.get(reverse("services:activity_list")).content.decode()
    for text in ("明天的义诊", "正在进行", "草稿活动", "0 / 20", "进行中", "草稿", "新建活动"):
        assert text in content, text
    assert "乙支部活动" not in content

    def titles(**params) -> set[str]:
        response = client.get(reverse("services:activity_list"), params)
        assert response.status_code == 200
        return {a.title for a in response.context["page"]}

    assert titles(state="running") == {"正在进行"}
    assert titles(state="published") == {"明天的义诊"}
    assert titles(state="draft") == {"草稿活动"}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "明天的义诊" in titles(start=tomorrow, end=tomorrow)
    assert "正在进行" not in titles(start=tomorrow)
    assert titles(category=category("legal").pk) == set()
    assert titles(organisation=cast.branch_a.pk) == {"明天的义诊", "正在进行", "草稿活动"}
    # another branch's id is not a choice: the filter is ignored as invalid, and nothing of B leaks
    assert "乙支部活动" not in titles(organisation=cast.branch_b.pk)
    assert titles(start="不是日期") is not None


def test_member_list_has_no_create_button_and_no_drafts(cast, login):
    make_activity(cast, title="已发布活动")
    make_activity(cast, title="草稿活动", publish=False)
    content = login(cast.member).get(reverse("services:activity_list")).content.decode()
    assert "已发布活动" in content
    assert "草稿活动" not in content and "新建活动" not in content


@pytest.mark.parametrize(
    "params",
    [{}, {"year": "abc", "month": "1"}, {"year": "2025", "month": "13"}, {"year": "99999", "month": "1"},
     {"year": "2025", "month": "0"}, {"year": "-1", "month": "-1"}, {"month": "x"}],
)  # fmt: skip
def test_month_bad_values_fall_back_to_the_current_month(cast, login, params):
    response = login(cast.secretary).get(reverse("services:activity_month"), params)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["first"] == today.replace(day=1)


def test_month_shows_the_month_and_links_around(cast, login):
    activity = make_activity(cast, title="月历里的活动")
    start = timezone.localtime(activity.starts_at)
    response = login(cast.member).get(reverse("services:activity_month"), {"year": start.year, "month": start.month})
    content = response.content.decode()
    assert "月历里的活动" in content
    assert f"{start.year}年{start.month}月活动" in content
    previous = (start.date().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert f"?year={previous.year}&amp;month={previous.month}" in content
    other = start.date().replace(day=1) + datetime.timedelta(days=40)
    other_page = login(cast.member).get(reverse("services:activity_month"), {"year": other.year, "month": other.month})
    assert "月历里的活动" not in other_page.content.decode()


def test_month_december_links_to_january(cast, login):
    response = login(cast.member).get(reverse("services:activity_month"), {"year": "2025", "month": "12"})
    assert response.context["next"] == datetime.date(2026, 1, 1)
    assert response.context["previous"] == datetime.date(2025, 11, 1)


# Member pages -----------------------------------------------------------------------------------------------


def test_my_activities_lists_own_participations_with_hours(cast, login):
    done = make_activity(cast, title="已参加的活动", start_in=-HOUR, hours=3)
    attend(cast, done, [cast.member_person], hours=Decimal("2.5"))
    coming = make_activity(cast, title="将来的活动")
    actions.participation_sign_up(actor=cast.member, activity=coming)
    withdrawn = make_activity(cast, title="取消报名的活动")
    p = actions.participation_sign_up(actor=cast.member, activity=withdrawn)
    actions.participation_withdraw(actor=cast.member, participation=p)
    other = make_activity(cast, title="别人的活动")
    actions.participation_sign_up(actor=cast.secretary, activity=other, person=cast.person_a)

    content = login(cast.member).get(reverse("services:my_activities")).content.decode()
    assert "已参加的活动" in content and "2.5 小时" in content and "已参加" in content
    assert "将来的活动" in content and "已报名" in content
    assert "取消报名的活动" not in content and "别人的活动" not in content


def test_my_activities_shows_pending_hours_as_pending_not_as_zero(cast, login):
    """「0.0 小时」 for hours still waiting for approval: 「待审核 2 小时」 instead, the approved figure apart."""
    waiting = make_activity(cast, title="待审核的活动", start_in=-HOUR, hours=3)
    attend(cast, waiting, [cast.member_person], hours=Decimal(2), approve=False)
    done = make_activity(cast, title="已审核的活动", start_in=-2 * HOUR, hours=3)
    attend(cast, done, [cast.member_person], hours=Decimal("1.5"))

    response = login(cast.member).get(reverse("services:my_activities"))
    rows = {p.activity.title: p for p in response.context["page"]}
    assert (rows["待审核的活动"].approved_hours, rows["待审核的活动"].pending_hours) == (0, 2)
    content = response.content.decode()
    assert '<div class="small text-secondary" data-testid="pending-hours">待审核 2 小时</div>' in content
    assert '<div class="small" data-testid="approved-hours">1.5 小时</div>' in content
    assert "0.0 小时" not in content and "0 小时" not in content


def test_my_hours_shows_total_stars_progress_and_months(cast, login):
    activity = make_activity(cast, start_in=-HOUR, hours=3)
    attend(cast, activity, [cast.member_person], hours=Decimal(3))
    # enough earlier approved hours for one star: 100 h in total, 3 h this month
    long_ago = make_activity(cast, title="去年的活动", start_in=-datetime.timedelta(days=400), hours=3)
    attend(cast, long_ago, [cast.member_person], hours=Decimal(24))
    for i in range(3):
        older = make_activity(cast, title=f"更早{i}", start_in=-datetime.timedelta(days=500 + i), hours=3)
        attend(cast, older, [cast.member_person], hours=Decimal(24))
    pending = make_activity(cast, title="待审核", start_in=-2 * HOUR, hours=1)
    attend(cast, pending, [cast.member_person], hours=Decimal(1), approve=False)

    response = login(cast.member).get(reverse("services:my_hours"))
    content = response.content.decode()
    standing = response.context["standing"]
    assert standing.hours == Decimal("99.0") and standing.stars == 0
    assert "99.0 小时" in content and "再服务 1.0 小时可达 1 星" in content
    assert "progress-bar" in content and "99%" in content
    assert response.context["stars"] == "☆☆☆☆☆"
    this_month = timezone.localdate().month
    assert dict(response.context["months"])[this_month] == Decimal(3)
    assert response.context["year_total"] == Decimal(3)

    extra = make_activity(cast, title="再来一次", start_in=-3 * HOUR, hours=1)
    attend(cast, extra, [cast.member_person], hours=Decimal(1))
    response = login(cast.member).get(reverse("services:my_hours"))
    assert response.context["stars"] == "★☆☆☆☆"
    assert "1 星级志愿者" in response.content.decode()
    assert "再服务 200.0 小时可达 2 星" in response.content.decode()


def test_member_pages_without_a_person_record_are_friendly(cast, login):
    loner = UserFactory(username="loner")
    for name in ("services:my_activities", "services:my_hours"):
        response = login(loner).get(reverse(name))
        assert response.status_code == 200
        assert "还没有关联人员档案" in response.content.decode()
    activity = make_activity(cast)
    assert selectors.activity_list_for_user(user=loner).count() == 0
    assert login(loner).get(activity.get_absolute_url()).status_code == 404


def test_anonymous_is_sent_to_login(cast, client):
    response = client.get(reverse("services:my_hours"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# Logged afterwards: closing a published activity past its end ends it first -----------------------------------


def test_published_activity_past_its_end_closes_in_one_step(cast, login):
    activity = make_activity(cast, start_in=-3 * 24 * HOUR, hours=2)  # three days ago, never ended
    attend(cast, activity, [cast.member_person, cast.person_a], approve=False)
    client = login(cast.secretary)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert reverse("services:activity_close", args=[activity.pk]) in page
    assert "关闭时将先结束活动" in page
    response = _post(client, "activity_close", activity, {"served_people": "12", "served_households": "5"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.state == Activity.State.CLOSED and activity.served_people == 12
    trail = list(
        AuditEvent.objects.filter(object_id=str(activity.pk), action__startswith="activity.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert trail[-2:] == ["activity.ended", "activity.closed"]
    assert "活动已关闭" in " ".join(messages_of(response))


def test_one_step_close_keeps_the_close_rules_and_undoes_the_end_on_refusal(cast, login):
    activity = make_activity(cast, start_in=-3 * 24 * HOUR, hours=2)
    client = login(cast.secretary)
    before = _writes()
    response = _post(client, "activity_close", activity, {"served_people": "3"})
    assert "没有出勤记录的活动不能关闭" in " ".join(messages_of(response))
    assert _writes() == before  # not even ended
    # a running activity (end not yet passed) still needs 结束活动 first; no close form is offered
    running = make_activity(cast, title="进行中", start_in=-HOUR, hours=3)
    assert (
        reverse("services:activity_close", args=[running.pk])
        not in client.get(running.get_absolute_url()).content.decode()
    )


def test_one_step_close_outsider_is_404(cast, login):
    activity = make_activity(cast, start_in=-3 * 24 * HOUR, hours=2)
    attend(cast, activity, [cast.member_person], approve=False)
    before = _writes()
    assert _post(login(cast.outsider), "activity_close", activity, {"served_people": "3"}).status_code == 404
    assert _writes() == before
