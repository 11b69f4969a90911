"""Every activity page × every role of the cast: the expected status, written out as a table.

Outside the scope an activity does not exist (404); a member sees the published activities of their branch (and
those of the organisations above it) but not drafts; seeing without the right to change is 403 (the edit page
and every state change). The anonymous public is sent to the login page. The table is the specification —
written by hand, never derived from the code under test.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from services import actions
from services.models import Activity, ActivityCategory, HoursEntry, Participation
from tests.conftest import Cast
from tests.harness import DONE, LOGIN, REFUSED, ScopeTable

HOUR = datetime.timedelta(hours=1)


@dataclass
class World:
    cast: Cast
    activities: dict[str, Activity]

    def pk(self, target: str) -> int:
        return self.activities[target].pk


def _activity(cast: Cast, title: str, *, start_in: datetime.timedelta, organisation=None, publish=True) -> Activity:
    starts_at = timezone.now() + start_in
    activity = actions.activity_create(
        actor=None,
        title=title,
        category=ActivityCategory.objects.get(code="convenience"),
        place="社区广场",
        starts_at=starts_at,
        ends_at=starts_at + 3 * HOUR,
        organisation=organisation or cast.branch_a,
    )
    return actions.activity_publish(actor=None, activity=activity) if publish else activity


@pytest.fixture
def world(cast) -> World:
    day = datetime.timedelta(days=1)
    published = _activity(cast, "甲支部义诊", start_in=day)
    draft = _activity(cast, "甲支部草稿", start_in=day, publish=False)
    started = _activity(cast, "甲支部进行中", start_in=-HOUR)
    ended = _activity(cast, "甲支部已结束", start_in=-HOUR)
    actions.participation_walk_in(actor=None, activity=ended, person=cast.member_person)
    actions.activity_end(actor=None, activity=ended)
    signed = _activity(cast, "甲支部已报名", start_in=day)
    actions.participation_sign_up(actor=cast.member, activity=signed)
    actions.participation_sign_up(actor=cast.secretary, activity=signed)
    actions.participation_sign_up(actor=cast.committee, activity=signed)
    committee = _activity(cast, "区委活动", start_in=day, organisation=cast.committee_org)
    return World(
        cast=cast,
        activities={
            "published": published,
            "draft": draft,
            "started": started,
            "ended": ended,
            "signed": signed,
            "committee": committee,
        },
    )


def _new(w: World) -> dict:
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    return {
        "title": "新活动",
        "category": ActivityCategory.objects.get(code="repair").pk,
        "organisation": w.cast.branch_a.pk,
        "place": "活动室",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + 2 * HOUR).strftime("%Y-%m-%dT%H:%M"),
    }


def _edit(w: World) -> dict:
    return _new(w) | {"title": "改过的标题"}


def _reason(w: World) -> dict:
    return {"reason": "天气原因"}


def _figures(w: World) -> dict:
    return {"served_people": "25", "served_households": "10"}


S = "services:"

# fmt: off
# (url name, target activity, method, POST body)  →  anonymous, orgadmin, committee, secretary, member, outsider
MATRIX: list[tuple[str, str | None, str, Callable | None, tuple]] = [
    (S + "activity_list",           None,        "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    (S + "activity_month",          None,        "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    # creating is a staff (or team leader) tool: for a member it does not exist
    (S + "activity_create",         None,        "get",  None,     (LOGIN, 200, 200, 200, 404, 200)),
    # the outsider may create, but only for branch B: branch A's id is not a choice (form error, no write)
    (S + "activity_create",         None,        "post", _new,     (LOGIN, DONE, DONE, DONE, 404, 200)),
    (S + "activity_detail",         "published", "get",  None,     (LOGIN, 200, 200, 200, 200, 404)),
    # drafts are the organisers' own: invisible to members
    (S + "activity_detail",         "draft",     "get",  None,     (LOGIN, 200, 200, 200, 404, 404)),
    (S + "activity_detail",         "ended",     "get",  None,     (LOGIN, 200, 200, 200, 200, 404)),
    # an activity of the committee is open to everyone beneath it; only the committee may change it
    (S + "activity_detail",         "committee", "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    # the member sees the activity but may not change it: 403 (not 404) by activity_get_for_user(write=True)
    (S + "activity_update",         "published", "get",  None,     (LOGIN, 200, 200, 200, 403, 404)),
    (S + "activity_update",         "published", "post", _edit,    (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "activity_update",         "draft",     "get",  None,     (LOGIN, 200, 200, 200, 404, 404)),
    (S + "activity_update",         "committee", "get",  None,     (LOGIN, 200, 200, 403, 403, 403)),
    (S + "activity_publish",        "draft",     "post", None,     (LOGIN, DONE, DONE, DONE, 404, 404)),
    # publishing twice: the action refuses, the message goes back to the activity page
    (S + "activity_publish",        "published", "post", None,     (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (S + "activity_publish",        "committee", "post", None,     (LOGIN, REFUSED, REFUSED, 403, 403, 403)),
    (S + "activity_publish",        "draft",     "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "activity_cancel",         "published", "post", _reason,  (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "activity_cancel",         "draft",     "post", _reason,  (LOGIN, DONE, DONE, DONE, 404, 404)),
    (S + "activity_cancel",         "published", "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "activity_end",            "started",   "post", None,     (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "activity_end",            "published", "post", None,     (LOGIN, REFUSED, REFUSED, REFUSED, 403, 404)),
    (S + "activity_end",            "started",   "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    (S + "activity_close",          "ended",     "post", _figures, (LOGIN, DONE, DONE, DONE, 403, 404)),
    (S + "activity_close",          "ended",     "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    # orgadmin has no person record: refused with a message; everyone else with one signs up
    (S + "activity_sign_up",        "published", "post", None,     (LOGIN, REFUSED, DONE, DONE, DONE, 404)),
    (S + "activity_sign_up",        "committee", "post", None,     (LOGIN, REFUSED, DONE, DONE, DONE, DONE)),
    (S + "activity_sign_up",        "draft",     "post", None,     (LOGIN, REFUSED, REFUSED, REFUSED, 404, 404)),
    (S + "activity_sign_up",        "published", "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    # withdrawing one's own sign-up: without one there is nothing to withdraw (404)
    (S + "participation_withdraw",  "signed",    "post", None,     (LOGIN, 404, DONE, DONE, DONE, 404)),
    (S + "participation_withdraw",  "signed",    "get",  None,     (LOGIN, 405, 405, 405, 405, 405)),
    # own pages: orgadmin has no person record and gets the friendly page (200)
    (S + "my_activities",           None,        "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
    (S + "my_hours",                None,        "get",  None,     (LOGIN, 200, 200, 200, 200, 200)),
]
# fmt: on


def _state() -> tuple:
    """Everything an activity page could write, to show that a refused request wrote nothing."""
    return (
        list(Activity.objects.order_by("pk").values_list("pk", "title", "state", "cancel_reason", "served_people")),
        list(Participation.objects.order_by("pk").values_list("pk", "state")),
        HoursEntry.objects.count(),
    )


TABLE = ScopeTable(
    MATRIX, state=_state, back=lambda w, name, target: reverse(S + "activity_detail", args=[w.pk(target)])
)


@pytest.mark.parametrize("row", TABLE.params())
def test_scope_matrix(world, login, row):
    TABLE.check(world, login, row)


def test_outsider_post_on_every_state_changing_view_is_404_and_writes_nothing(world, login):
    client = login(world.cast.outsider)
    before = TABLE.snapshot()
    posts = [
        ("activity_update", "published", _edit),
        ("activity_publish", "draft", None),
        ("activity_cancel", "published", _reason),
        ("activity_end", "started", None),
        ("activity_close", "ended", _figures),
        ("activity_sign_up", "published", None),
        ("participation_withdraw", "signed", None),
    ]
    for name, target, body in posts:
        response = client.post(reverse(S + name, args=[world.pk(target)]), body(world) if body else {})
        assert response.status_code == 404, name
    assert TABLE.snapshot() == before


def test_outsider_lists_never_mention_branch_a(world, login):
    client = login(world.cast.outsider)
    start = timezone.localtime(world.activities["published"].starts_at)
    pages = {
        "list": client.get(reverse(S + "activity_list")),
        "list (filtered by A)": client.get(reverse(S + "activity_list"), {"organisation": world.cast.branch_a.pk}),
        "month": client.get(reverse(S + "activity_month"), {"year": start.year, "month": start.month}),
        "create": client.get(reverse(S + "activity_create")),
    }
    for label, response in pages.items():
        assert response.status_code == 200, label
        content = response.content.decode()
        assert "甲支部" not in content and "党支部A" not in content, label
    # …while the committee's activity, open to everyone beneath it, is there (so the check above can fail)
    assert "区委活动" in pages["list"].content.decode()


def test_member_lists_show_published_but_never_drafts(world, login):
    client = login(world.cast.member)
    start = timezone.localtime(world.activities["published"].starts_at)
    for response in (
        client.get(reverse(S + "activity_list")),
        client.get(reverse(S + "activity_month"), {"year": start.year, "month": start.month}),
    ):
        content = response.content.decode()
        assert "甲支部义诊" in content and "区委活动" in content
        assert "甲支部草稿" not in content
    assert "甲支部草稿" in login(world.cast.secretary).get(reverse(S + "activity_list")).content.decode()


def test_secretary_cannot_change_the_committee_activity_but_sees_it(world, login):
    client = login(world.cast.secretary)
    activity = world.activities["committee"]
    content = client.get(reverse(S + "activity_detail", args=[activity.pk])).content.decode()
    assert "区委活动" in content
    assert reverse(S + "activity_update", args=[activity.pk]) not in content
    assert "我要报名" in content
