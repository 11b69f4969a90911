"""Activities built through the actions, the activity form's data and what a page said.

Shared by the test modules (no test module imports from another)."""

import datetime
from decimal import Decimal

from django.contrib.messages import get_messages
from django.utils import timezone

from services import actions
from services.models import Activity, ActivityCategory, HoursEntry

HOUR = datetime.timedelta(hours=1)


def category(code: str = "health") -> ActivityCategory:
    return ActivityCategory.objects.get(code=code)


def make_activity(
    cast,
    *,
    title: str = "社区义诊",
    start_in: datetime.timedelta = datetime.timedelta(days=1),
    hours: int = 2,
    publish: bool = True,
    organisation=None,
    **fields,
) -> Activity:
    """An activity of branch A (by default), made and published through the actions."""
    starts_at = timezone.now() + start_in
    activity = actions.activity_create(
        actor=None,
        title=title,
        category=category(),
        place="社区服务中心",
        starts_at=starts_at,
        ends_at=starts_at + hours * HOUR,
        organisation=organisation or cast.branch_a,
        **fields,
    )
    if publish:
        activity = actions.activity_publish(actor=None, activity=activity)
    return activity


def attend(cast, activity: Activity, people, hours: Decimal | None = None, approve: bool = True) -> None:
    """Adds people as attended (walk-ins work for past activities too) and (optionally) approves their hours — all
    through the actions."""
    for person in people:
        actions.participation_walk_in(actor=None, activity=activity, person=person, hours=hours)
    if approve:
        entries = list(HoursEntry.objects.filter(participation__activity=activity, state=HoursEntry.State.PENDING))
        actions.hours_approve(actor=cast.orgadmin, entries=entries)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(cast, **overrides) -> dict:
    starts = timezone.now() + datetime.timedelta(days=2)
    data = {
        "title": "理发进社区",
        "category": category("convenience").pk,
        "organisation": cast.branch_a.pk,
        "team": "",
        "target_group": "社区老人",
        "place": "幸福小区",
        "starts_at": local_input(starts),
        "ends_at": local_input(starts + 2 * HOUR),
        "capacity": "10",
        "description": "义务理发",
    }
    return data | overrides
