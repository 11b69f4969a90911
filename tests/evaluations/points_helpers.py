"""The points tests' year, days in it, activities a member attended and the settling of the ledger.

Shared by the test modules (no test module imports from another)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from evaluations.actions.follow_ups import follow_up_call_back, follow_up_rectify
from evaluations.actions.points import points_settle
from evaluations.models import FollowUp, PointsEntry
from services import actions as service_actions
from services.models import (
    Activity,
    ActivityCategory,
)
from tests.evaluations.conftest import local, rate

YEAR = timezone.localdate().year - 1


END = datetime.date(YEAR, 12, 31)


_titles = iter(range(1, 1_000_000))


def day(month: int, d: int = 10) -> datetime.date:
    return datetime.date(YEAR, month, d)


def past_activity(
    cast,
    on: datetime.date,
    people,
    *,
    hours: Decimal | None = Decimal(2),
    close: bool = True,
    approve: bool = True,
    organisation=None,
) -> Activity:
    """A past activity registered through the register action: `people` is a list of persons or
    (person, role, attended) tuples; attended people get `hours` (approved unless approve=False)."""
    participants = []
    for entry in people:
        person, role, attended = entry if isinstance(entry, tuple) else (entry, "volunteer", True)
        person.organisation  # the register needs it loaded  # noqa: B018
        participants.append(service_actions.ParticipantRecord(person=person, role=role, attended=attended, hours=hours))
    record = service_actions.ActivityRecord(
        title=f"积分测试活动{next(_titles)}",
        category=ActivityCategory.objects.get(code="convenience"),
        place="社区活动室",
        starts_at=local(on, 9),
        ends_at=local(on, 13),
        organisation=organisation or cast.branch_a,
        participants=participants,
        close=close,
        approve=approve,
    )
    service_actions.activities_register_bulk(actor=None, activities=[record])
    return Activity.objects.order_by("-pk").first()


def settle(until: datetime.date = END) -> dict[str, int]:
    return points_settle(year=YEAR, until=until)


def points_of(person, code: str | None = None) -> int:
    entries = PointsEntry.objects.filter(person=person, date__year=YEAR)
    if code:
        entries = entries.filter(rule__code=code)
    return sum(entries.values_list("points", flat=True))


def _upheld(activity: Activity, on: datetime.date, upheld: bool = True) -> FollowUp:
    follow_up = FollowUp.objects.get(rating=rate(activity, 1, at=local(on, 15)))
    follow_up = follow_up_call_back(actor=None, follow_up=follow_up, callback_on=on, note="已联系")
    return follow_up_rectify(actor=None, follow_up=follow_up, rectification="已整改", rectified_on=on, upheld=upheld)
