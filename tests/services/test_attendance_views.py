"""The attendance sheet and walk-ins, through the pages (the other attendance/hours tests import the helpers)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from services import actions
from services.models import Activity, HoursEntry, Participation
from tests.factories import member
from tests.services.hours_helpers import running_activity, sign_up

pytestmark = pytest.mark.django_db


def sheet_url(activity: Activity) -> str:
    return reverse("services:attendance_sheet", args=[activity.pk])


def sheet_post(participations: list[Participation], marks: dict[int, tuple[str, str]], **extra) -> dict:
    """The POST body of the sheet: {participation id: ("1"/"0"/"", hours text)}."""
    body = dict(extra)
    for p in participations:
        attended, hours = marks.get(p.pk, ("", ""))
        body[f"attended_{p.pk}"] = attended
        body[f"hours_{p.pk}"] = hours
    return body


def db_state(activity: Activity) -> list:
    return [
        list(activity.participations.order_by("pk").values_list("pk", "state")),
        list(HoursEntry.objects.filter(participation__activity=activity).order_by("pk").values_list("hours", "state")),
    ]


@pytest.fixture
def sheet(cast):
    """A running activity of branch A with the member and person_a signed up."""
    activity = running_activity(cast.secretary, cast.branch_a)
    participations = sign_up(activity, cast.member_person, cast.person_a)
    return activity, participations


def test_sheet_shows_each_participant_with_the_activity_length(sheet, cast, login):
    activity, (mine, _other) = sheet
    response = login(cast.secretary).get(sheet_url(activity))
    assert response.status_code == 200
    content = response.content.decode()
    assert "甲党员" in content and "甲群众党员" in content
    assert f'name="hours_{mine.pk}"' in content and 'value="4.0"' in content
    assert "全部出勤" in content and "保存" in content
    assert 'class="btn-check"' in content  # the two-way toggle


def test_withdrawn_people_are_not_on_the_sheet(cast, login):
    activity = running_activity(cast.secretary, cast.branch_a, started_hours_ago=-24)  # starts tomorrow
    (p,) = sign_up(activity, cast.person_a)
    actions.participation_withdraw(actor=cast.secretary, participation=p)
    assert f"attended_{p.pk}" not in login(cast.secretary).get(sheet_url(activity)).content.decode()


def test_sheet_saves_attended_no_show_and_hours(sheet, cast, login):
    activity, (mine, other) = sheet
    client = login(cast.secretary)
    response = client.post(sheet_url(activity), sheet_post([mine, other], {mine.pk: ("1", "2.5"), other.pk: ("0", "")}))
    assert response.status_code == 302 and response["Location"] == sheet_url(activity)
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.state, other.state) == (Participation.State.ATTENDED, Participation.State.NO_SHOW)
    assert list(mine.hours_entries.values_list("hours", "state")) == [(Decimal("2.5"), HoursEntry.State.PENDING)]
    assert not other.hours_entries.exists()
    assert "出勤已保存" in client.get(response["Location"]).content.decode()


def test_blank_hours_default_to_the_activity_length(sheet, cast, login):
    activity, (mine, other) = sheet
    login(cast.secretary).post(sheet_url(activity), sheet_post([mine, other], {mine.pk: ("1", "")}))
    assert mine.hours_entries.get().hours == Decimal("4.0")
    other.refresh_from_db()
    assert other.state == Participation.State.SIGNED_UP  # a row left unmarked stays as it was


def test_all_attended_marks_everyone_with_the_typed_hours(sheet, cast, login):
    activity, (mine, other) = sheet
    body = sheet_post([mine, other], {mine.pk: ("0", "3"), other.pk: ("", "4.0")}, all_attended="1")
    assert login(cast.secretary).post(sheet_url(activity), body).status_code == 302
    assert set(activity.participations.values_list("state", flat=True)) == {Participation.State.ATTENDED}
    assert mine.hours_entries.get().hours == Decimal(3)
    assert other.hours_entries.get().hours == Decimal(4)


def test_pending_hours_may_be_changed_on_the_sheet_and_are_prefilled(sheet, cast, login):
    activity, (mine, _other) = sheet
    client = login(cast.secretary)
    client.post(sheet_url(activity), sheet_post([mine], {mine.pk: ("1", "2")}))
    assert 'value="2.0"' in client.get(sheet_url(activity)).content.decode()
    client.post(sheet_url(activity), sheet_post([mine], {mine.pk: ("1", "3.5")}))
    assert list(mine.hours_entries.values_list("hours", flat=True)) == [Decimal("3.5")]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "服务时长应大于 0 且不超过 24 小时。"),
        ("25", "服务时长应大于 0 且不超过 24 小时。"),
        ("-1", "服务时长应大于 0 且不超过 24 小时。"),
        ("abc", "请输入数字"),
        ("2.25", "最多保留一位小数。"),
    ],
)
def test_bad_hours_show_a_chinese_error_keep_the_input_and_save_nothing(sheet, cast, login, hours, message):
    activity, (mine, other) = sheet
    before = db_state(activity)
    body = sheet_post([mine, other], {mine.pk: ("1", "2"), other.pk: ("1", hours)})
    response = login(cast.secretary).post(sheet_url(activity), body)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "出勤未保存" in content
    assert f'value="{hours}"' in content  # the user's input is kept
    assert db_state(activity) == before  # not even the good row was saved


def test_an_approved_entry_cannot_be_changed_on_the_sheet(sheet, cast, login):
    activity, (mine, other) = sheet
    actions.attendance_record(actor=cast.secretary, activity=activity, marks={other.pk: (True, Decimal(3))})
    actions.hours_approve(actor=cast.secretary, entries=list(other.hours_entries.all()))
    before = db_state(activity)
    client = login(cast.secretary)
    page = client.get(sheet_url(activity)).content.decode()
    assert "时长已审核" in page and "readonly" in page
    entry = other.hours_entries.get()
    assert reverse("services:hours_correct", args=[entry.pk]) in page
    # a tampered POST (the field is read only) is refused by the action, with its message, and saves nothing
    body = sheet_post([mine, other], {mine.pk: ("1", "2"), other.pk: ("1", "5")})
    response = client.post(sheet_url(activity), body)
    assert response.status_code == 200
    assert "甲群众党员 的时长已审核，不能修改，请提交更正。" in response.content.decode()
    assert db_state(activity) == before
    # …and neither may it become a no-show
    response = client.post(sheet_url(activity), sheet_post([other], {other.pk: ("0", "3")}))
    assert "不能改为缺席" in response.content.decode()
    assert db_state(activity) == before
    # the unchanged approved row saves fine alongside others
    response = client.post(sheet_url(activity), sheet_post([mine, other], {mine.pk: ("1", "2"), other.pk: ("1", "3")}))
    assert response.status_code == 302
    assert entry.hours == Decimal(3) and HoursEntry.objects.get(pk=entry.pk).state == HoursEntry.State.APPROVED


def test_saving_a_sheet_with_nobody_marked_says_so_and_writes_nothing(sheet, cast, login):
    from portal.models import AuditEvent

    activity, (mine, other) = sheet
    audits = AuditEvent.objects.count()
    response = login(cast.secretary).post(sheet_url(activity), sheet_post([mine, other], {}))
    assert response.status_code == 200
    assert "请至少为一人选择“出勤”或“缺席”。" in response.content.decode()
    assert AuditEvent.objects.count() == audits and not HoursEntry.objects.exists()


def test_sheet_before_the_start_says_so_and_the_action_refuses(cast, login):
    activity = running_activity(cast.secretary, cast.branch_a, started_hours_ago=-24)
    (p,) = sign_up(activity, cast.person_a)
    client = login(cast.secretary)
    assert "只有已开始" in client.get(sheet_url(activity)).content.decode()
    response = client.post(sheet_url(activity), sheet_post([p], {p.pk: ("1", "2")}))
    assert response.status_code == 200 and "活动开始后才能登记出勤。" in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_sheet_ignores_participations_of_other_activities(sheet, cast, login):
    """Ids are field names built from the activity's own participations: another activity's id is not read."""
    activity, (mine, _other) = sheet
    elsewhere = running_activity(cast.secretary, cast.branch_a, title="别的活动")
    (foreign,) = sign_up(elsewhere, cast.member_person)
    body = sheet_post([mine], {mine.pk: ("1", "2")}) | {f"attended_{foreign.pk}": "1", f"hours_{foreign.pk}": "9"}
    assert login(cast.secretary).post(sheet_url(activity), body).status_code == 302
    foreign.refresh_from_db()
    assert foreign.state == Participation.State.SIGNED_UP and not foreign.hours_entries.exists()


# Walk-ins ---------------------------------------------------------------------------------------------------


def walk_in_url(activity: Activity) -> str:
    return reverse("services:attendance_walk_in", args=[activity.pk])


def test_walk_in_adds_an_attended_participant(sheet, cast, login):
    activity, _ = sheet
    newcomer = member(cast.branch_a, name="现场来的党员")
    client = login(cast.secretary)
    assert "现场来的党员" in client.get(sheet_url(activity)).content.decode()
    response = client.post(walk_in_url(activity), {"people": [newcomer.pk], "role": "volunteer"})
    assert response.status_code == 302 and response["Location"] == sheet_url(activity)
    p = activity.participations.get(person=newcomer)
    assert p.walk_in and p.state == Participation.State.ATTENDED
    assert p.hours_entries.get().hours == Decimal("4.0")
    assert "已添加 1 人，记为出勤。" in client.get(sheet_url(activity)).content.decode()


def test_walk_in_choices_are_scoped_and_searchable(sheet, cast, login):
    activity, _ = sheet
    member(cast.branch_a, name="甲新人")
    client = login(cast.secretary)
    page = client.get(sheet_url(activity)).content.decode()
    roster = page[page.index('id="roster"') :]
    assert "甲新人" in roster
    assert "乙党员" not in roster  # branch B is not the secretary's
    assert f'name="people" value="{cast.member_person.pk}"' not in roster  # already on the sheet
    found = client.get(sheet_url(activity), {"q": "新人"}).content.decode()
    found = found[found.index('id="roster"') :]
    assert "甲新人" in found and "甲书记" not in found


def test_walk_in_of_someone_outside_scope_is_refused(sheet, cast, login):
    activity, _ = sheet
    client = login(cast.secretary)
    before = db_state(activity)
    response = client.post(walk_in_url(activity), {"people": [cast.person_b.pk], "role": "volunteer"})
    assert response.status_code == 302
    assert db_state(activity) == before
    assert "请选择名单中的人员" in client.get(sheet_url(activity)).content.decode()


def test_walk_in_of_a_team_member_from_another_branch(cast, login):
    """For a team activity the team's active members may be added even when their branch is not the user's."""
    from volunteers import actions as vactions

    team = vactions.team_create(actor=cast.secretary, name="甲义诊队", level="brigade", organisation=cast.branch_a)
    vactions.membership_add(actor=None, team=team, person=cast.person_b, joined_on=datetime.date(2024, 1, 1))
    activity = running_activity(cast.secretary, cast.branch_a, team=team)
    response = login(cast.secretary).post(walk_in_url(activity), {"people": [cast.person_b.pk], "role": "volunteer"})
    assert response.status_code == 302
    assert activity.participations.get(person=cast.person_b).state == Participation.State.ATTENDED


@pytest.mark.parametrize("url_name", ["services:attendance_walk_in"])
def test_get_on_post_only_views_is_405(sheet, cast, login, url_name):
    activity, _ = sheet
    assert login(cast.secretary).get(reverse(url_name, args=[activity.pk])).status_code == 405


# Several from the roster at once ----------------------------------------------------------------------------


def test_roster_adds_several_people_at_once_with_the_hours_given(sheet, cast, login):
    activity, _ = sheet
    people = [member(cast.branch_a, name=f"名册{i}") for i in range(8)]
    client = login(cast.secretary)
    page = client.get(sheet_url(activity)).content.decode()
    assert page.count('name="people"') == 9  # the eight and the secretary; the two signed up are on the sheet
    assert 'data-select-all="people"' in page and 'data-filter-list="#roster"' in page
    body = {"people": [p.pk for p in people], "role": "volunteer", "hours": "1.5"}
    response = client.post(walk_in_url(activity), body)
    assert response.status_code == 302 and response["Location"] == sheet_url(activity)
    added = activity.participations.filter(person__in=people)
    assert added.count() == 8
    assert {(p.state, p.walk_in) for p in added} == {(Participation.State.ATTENDED, True)}
    hours = HoursEntry.objects.filter(participation__in=added)
    assert sorted(set(hours.values_list("hours", "state"))) == [(Decimal("1.5"), HoursEntry.State.PENDING)]
    assert "已添加 8 人，记为出勤。" in client.get(sheet_url(activity)).content.decode()
    # one POST, one attendance event in the trail
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="activity.attendance", object_id=str(activity.pk)).count() == 1


def test_roster_hours_default_to_the_activity_length(sheet, cast, login):
    activity, _ = sheet
    people = [member(cast.branch_a, name=f"名册{i}") for i in range(3)]
    login(cast.secretary).post(walk_in_url(activity), {"people": [p.pk for p in people], "role": "volunteer"})
    assert set(HoursEntry.objects.filter(participation__person__in=people).values_list("hours", flat=True)) == {
        Decimal("4.0")
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"people": []}, "请至少选择一人。"),
        ({"hours": "30"}, "服务时长应大于 0 且不超过 24 小时。"),
        ({"outsider": True}, "请选择名单中的人员。"),
    ],
    ids=["nobody", "bad-hours", "one-from-branch-b"],
)
def test_roster_refusal_adds_nobody(sheet, cast, login, body, message):
    activity, _ = sheet
    people = [member(cast.branch_a, name=f"名册{i}") for i in range(3)]
    data = {"people": [p.pk for p in people], "role": "volunteer"}
    if body.pop("outsider", False):
        data["people"].append(cast.person_b.pk)
    data |= body
    client = login(cast.secretary)
    before = db_state(activity)
    response = client.post(walk_in_url(activity), data)
    assert response.status_code == 302
    assert db_state(activity) == before
    assert message in client.get(sheet_url(activity)).content.decode()


def test_roster_post_outsider_is_404_and_get_is_405(sheet, cast, login):
    activity, _ = sheet
    newcomer = member(cast.branch_a, name="名册甲")
    before = db_state(activity)
    assert login(cast.outsider).post(walk_in_url(activity), {"people": [newcomer.pk]}).status_code == 404
    assert login(cast.secretary).get(walk_in_url(activity)).status_code == 405
    assert db_state(activity) == before


def test_walk_in_action_checks_everyone_before_writing(cast):
    from django.core.exceptions import ValidationError

    activity = running_activity(cast.secretary, cast.branch_a)
    sign_up(activity, cast.member_person)
    newcomer = member(cast.branch_a, name="名册乙")
    before = db_state(activity)
    with pytest.raises(ValidationError) as refused:
        actions.participations_walk_in(
            actor=cast.secretary, activity=activity, people=[newcomer, cast.member_person, cast.person_b]
        )
    assert refused.value.messages == ["甲党员 已在名单中。", "乙党员 不在您的管理范围内。"]
    assert db_state(activity) == before
