"""rating_submit and ratings_register_bulk: the window (edges to the minute), the rateable states, the input
checks, one rating per device, and the follow-up every 差评 opens. Every refusal is a Chinese ValidationError and
stores nothing."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import CalendarDay
from evaluations.actions.ratings import RatingRecord, rating_validate, ratings_register_bulk
from evaluations.models import FollowUp, Rating
from portal.models import AuditEvent
from services.models import Activity
from tests.evaluations.rating_helpers import HOUR, make_activity, stored, submit
from tests.services.demand_helpers import calendar_day

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
WEEK = datetime.timedelta(days=7)


def at(moment: datetime.datetime):
    """Runs the code inside at `moment` (timezone.now is read through the module, so patching it is enough)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def refused(code: str, message: str, **kwargs):
    before = stored()
    with pytest.raises(ValidationError) as error:
        submit(**kwargs)
    assert error.value.code == code
    assert message in " ".join(error.value.messages)
    assert stored() == before


# The window -------------------------------------------------------------------------------------------------


def test_window_edges_to_the_minute(cast):
    starts_at = timezone.now() + datetime.timedelta(days=1)
    activity = make_activity(cast, starts_at=starts_at)
    ends_at = activity.ends_at
    with at(starts_at - MINUTE):
        refused("not_yet", "评价尚未开始", activity=activity, device="before-start")
    with at(starts_at):
        submit(activity, device="at-start")
    with at(ends_at + WEEK - MINUTE):
        submit(activity, device="last-minute")
    with at(ends_at + WEEK):
        refused("closed", "评价已截止", activity=activity, device="at-close")
    with at(ends_at + WEEK + MINUTE):
        refused("closed", "评价已截止", activity=activity, device="after-close")
    assert sorted(Rating.objects.values_list("device", flat=True)) == ["at-start", "last-minute"]


def test_the_refusal_says_when_the_window_opens_and_closed(cast):
    starts_at = timezone.make_aware(datetime.datetime(2030, 5, 4, 9, 30))
    activity = make_activity(cast, starts_at=starts_at)
    with at(starts_at - HOUR):
        refused("not_yet", "2030年5月4日 09:30", activity=activity)
    with at(starts_at + 30 * WEEK):
        refused("closed", "2030年5月11日 11:30", activity=activity)  # ends 11:30, + 7 days


@pytest.mark.parametrize("state", [Activity.State.DRAFT, Activity.State.CANCELLED])
def test_draft_and_cancelled_activities_are_refused(cast, state):
    activity = make_activity(cast, state=state)
    refused("state", "不能评价", activity=activity)


@pytest.mark.parametrize("state", [Activity.State.PUBLISHED, Activity.State.ENDED, Activity.State.CLOSED])
def test_published_ended_and_closed_activities_take_ratings(cast, state):
    activity = make_activity(cast, state=state)
    rating = submit(activity, level=4, comment="  很好  ")
    assert (rating.activity, rating.level, rating.comment) == (activity, 4, "很好")
    assert Rating.objects.get() == rating


# Input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 6, 9, -1, "5", "abc", None, True, 4.0])
def test_levels_outside_one_to_five_are_refused(cast, level):
    refused("input", "请选择五个评价等级之一", activity=make_activity(cast), level=level)


def test_comment_of_200_characters_is_accepted_and_201_refused(cast):
    activity = make_activity(cast)
    refused("input", "不能超过 200 字", activity=activity, comment="长" * 201, device="too-long")
    rating = submit(activity, comment="  " + "长" * 200 + "\n", device="just-right")
    assert rating.comment == "长" * 200


@pytest.mark.parametrize("device", ["", "   ", None, "x" * 65])
def test_a_rating_needs_a_device(cast, device):
    refused("input", "重新扫码", activity=make_activity(cast), device=device)


def test_the_address_is_kept_only_as_a_keyed_hash(cast):
    rating = submit(make_activity(cast), address="203.0.113.9")
    assert len(rating.address_hash) == 64 and "203.0.113.9" not in rating.address_hash
    other = submit(make_activity(cast, title="另一活动"), address="203.0.113.9")
    assert other.address_hash == rating.address_hash  # the same address can still be recognised


# One per device ---------------------------------------------------------------------------------------------


def test_one_rating_per_activity_and_device(cast):
    activity = make_activity(cast)
    submit(activity, level=5)
    refused("repeat", "您已评价过该活动", activity=activity, level=1)
    assert Rating.objects.get().level == 5
    submit(activity, device="another-phone")  # another phone: fine
    submit(make_activity(cast, title="另一活动"))  # the same phone, another activity: fine
    assert Rating.objects.count() == 3


def test_a_repeat_inside_an_outer_transaction_leaves_it_usable(cast):
    activity = make_activity(cast)
    with transaction.atomic():
        submit(activity)
        with pytest.raises(ValidationError):
            submit(activity, level=1)
        assert Rating.objects.count() == 1  # the savepoint rolled back alone: queries still work
    assert stored() == (1, 0)


# Follow-ups -------------------------------------------------------------------------------------------------


def test_a_bad_rating_opens_one_follow_up_due_in_15_working_days_for_the_secretary(cast):
    # National Day 2024: 1–7 October off, Sunday 29 September worked instead.
    for offset in range(7):
        calendar_day(
            datetime.date(2024, 10, 1) + offset * datetime.timedelta(days=1), CalendarDay.Kind.HOLIDAY, "国庆节"
        )
    calendar_day(datetime.date(2024, 9, 29), CalendarDay.Kind.WORKDAY, "国庆调休")
    friday = timezone.make_aware(datetime.datetime(2024, 9, 27, 9, 0))
    activity = make_activity(cast, starts_at=friday)
    with at(friday + 3 * HOUR):
        rating = submit(activity, level=2, comment="说好的没来")
    follow_up = FollowUp.objects.get()
    assert follow_up.rating == rating and follow_up.state == FollowUp.State.OPEN
    assert follow_up.organisation == cast.branch_a
    assert follow_up.assignee == cast.secretary
    # Sun 29 Sep (make-up) 1, Mon 30 2, [1–7 Oct off], 8–11 Oct 3–6, 14–18 Oct 7–11, 21–24 Oct 12–15
    assert follow_up.due_on == datetime.date(2024, 10, 24)  # without the holidays it would be 18 October


@pytest.mark.parametrize(("level", "follow_ups"), [(1, 1), (2, 1), (3, 0), (4, 0), (5, 0)])
def test_only_ratings_of_two_or_less_open_a_follow_up(cast, level, follow_ups):
    submit(make_activity(cast), level=level)
    assert FollowUp.objects.count() == follow_ups


def test_a_refused_bad_rating_opens_no_follow_up(cast):
    activity = make_activity(cast)
    submit(activity, level=1)
    refused("repeat", "您已评价过该活动", activity=activity, level=1)
    assert FollowUp.objects.count() == 1


# The one statement of a rating's rules ------------------------------------------------------------------------


def test_rating_validate_checks_a_given_moment_and_never_one_to_come(cast):
    """The live page checks now, the bulk registration each row's own moment: the same function decides both."""
    activity = make_activity(cast, starts_at=timezone.now() - 10 * WEEK)
    with pytest.raises(ValidationError, match="评价已截止") as error:
        rating_validate(activity=activity, level=5, comment="", device="d1")
    assert error.value.code == "closed"
    rating = rating_validate(activity=activity, level=5, comment=" 很好 ", device="d1", at=activity.ends_at)
    assert (rating.pk, rating.activity, rating.comment, rating.device) == (None, activity, "很好", "d1")
    running = make_activity(cast, title="进行中的活动")
    with pytest.raises(ValidationError, match="不能晚于现在") as error:
        rating_validate(activity=running, level=5, comment="", device="d1", at=timezone.now() + MINUTE)
    assert error.value.code == "not_yet"
    assert stored() == (0, 0)


# Bulk registration (the demo year) ---------------------------------------------------------------------------


def test_bulk_registration_keeps_the_times_and_opens_follow_ups_from_the_rating_date(cast):
    starts_at = timezone.now() - datetime.timedelta(days=60)
    activity = make_activity(cast, starts_at=starts_at)
    rated_at = activity.ends_at + HOUR
    audits = AuditEvent.objects.count()
    summary = ratings_register_bulk(
        actor=cast.orgadmin,
        rows=[
            RatingRecord(activity=activity, level=5, device="d1", rated_at=rated_at, comment="很好"),
            RatingRecord(activity=activity, level=1, device="d2", rated_at=rated_at + HOUR),
        ],
    )
    assert summary == {"ratings": 2, "follow_ups": 1}
    assert dict(Rating.objects.values_list("device", "created_at")) == {"d1": rated_at, "d2": rated_at + HOUR}
    follow_up = FollowUp.objects.get()
    assert follow_up.rating.device == "d2"
    assert follow_up.due_on < timezone.localdate()  # 15 working days after a rating two months ago
    # one event for the registration, one for the follow-up it opened
    assert set(AuditEvent.objects.order_by("pk")[audits:].values_list("action", flat=True)) == {
        "rating.register_bulk",
        "follow_up.open",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rated_at_offset": -3 * HOUR}, "评价期"),
        ({"rated_at_offset": 9 * WEEK}, "评价期"),
        ({"level": 7}, "五个评价等级"),
        ({"device": "d1"}, "两次"),
        ({"comment": "长" * 201}, "200"),
    ],
    ids=["before-start", "future", "level", "duplicate", "comment"],
)
def test_bulk_registration_is_all_or_nothing(cast, change, message):
    activity = make_activity(cast, starts_at=timezone.now() - datetime.timedelta(days=60))
    good = RatingRecord(activity=activity, level=5, device="d1", rated_at=activity.ends_at)
    bad = RatingRecord(
        activity=activity,
        level=change.get("level", 1),
        device=change.get("device", "d2"),
        rated_at=activity.ends_at + change.get("rated_at_offset", datetime.timedelta(0)),
        comment=change.get("comment", ""),
    )
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        ratings_register_bulk(actor=None, rows=[good, bad])
    assert message in " ".join(error.value.messages)
    assert stored() == (0, 0) and AuditEvent.objects.count() == audits


def test_bulk_registration_refuses_a_device_that_already_rated(cast):
    activity = make_activity(cast)
    submit(activity, device="d1")
    with pytest.raises(ValidationError, match="已评价过"):
        ratings_register_bulk(
            actor=None, rows=[RatingRecord(activity=activity, level=5, device="d1", rated_at=timezone.now())]
        )
    assert Rating.objects.count() == 1
