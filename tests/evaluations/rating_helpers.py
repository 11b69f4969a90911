"""Activities to rate, ratings submitted through the action, and the public rating page.

Shared by the test modules (no test module imports from another)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from evaluations.actions.ratings import rating_submit
from evaluations.models import FollowUp, Rating
from evaluations.selectors.ratings import rating_code
from services import actions as service_actions
from services.models import Activity, ActivityCategory

HOUR = datetime.timedelta(hours=1)


def make_activity(
    cast,
    *,
    starts_at: datetime.datetime | None = None,
    state: str = Activity.State.PUBLISHED,
    organisation=None,
    title: str = "甲支部便民服务",
) -> Activity:
    """An activity of branch A (by default) in the given state, through the services actions."""
    starts_at = starts_at or timezone.now() - HOUR
    activity = service_actions.activity_create(
        actor=None,
        title=title,
        category=ActivityCategory.objects.get(code="convenience"),
        place="社区广场",
        starts_at=starts_at,
        ends_at=starts_at + 2 * HOUR,
        organisation=organisation or cast.branch_a,
    )
    if state == Activity.State.DRAFT:
        return activity
    if state == Activity.State.CANCELLED:
        return service_actions.activity_cancel(actor=None, activity=activity, reason="天气原因")
    activity = service_actions.activity_publish(actor=None, activity=activity)
    if state in (Activity.State.ENDED, Activity.State.CLOSED):
        service_actions.participation_walk_in(actor=None, activity=activity, person=cast.person_a)
        activity = service_actions.activity_end(actor=None, activity=activity)
    if state == Activity.State.CLOSED:
        activity = service_actions.activity_close(actor=None, activity=activity, served_people=30)
    return Activity.objects.select_related("organisation").get(pk=activity.pk)


def submit(activity, *, level=5, comment="", device="device-0001", address="10.0.0.1") -> Rating:
    return rating_submit(activity=activity, level=level, comment=comment, device=device, address=address)


def stored() -> tuple[int, int]:
    return Rating.objects.count(), FollowUp.objects.count()


def url(activity) -> str:
    return reverse("evaluations:rate", args=[rating_code(activity)])


def opened(client, activity):
    """A phone that scanned the code: the GET gives it its device cookie."""
    response = client.get(url(activity))
    assert response.status_code == 200
    return response
