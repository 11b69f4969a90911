"""Pledges and pioneer posts built through the actions, and the form data they take.

Shared by the test modules (no test module imports from another)."""

from decimal import Decimal

from django.utils import timezone

from services.actions.pledges import (
    pledge_create,
)
from services.models import Post

ITEMS = [{"content": "走访困难户", "target": Decimal(12), "unit": "次"}]


APPRAISAL = {"leader_comment": "完成较好。", "mutual_rating": "good", "mass_rating": "fair", "result": "fulfilled"}


def this_year() -> int:
    return timezone.localdate().year


def make_pledge(cast, *, person=None, organisation=None, year=None, items=None, title="我的承诺", actor=None):
    """A pledge through the action (by the orgadmin unless said otherwise); organisation defaults to the person's."""
    organisation = organisation or (person.organisation if person else cast.branch_a)
    return pledge_create(
        actor=actor or cast.orgadmin,
        year=year or this_year(),
        organisation=organisation,
        person=person,
        title=title,
        items=ITEMS if items is None else items,
    )


FIELDS = {
    "kind": Post.Kind.PIONEER,
    "title": "便民服务先锋岗",
    "duties": "带头做好窗口服务。",
    "service_content": "政策咨询、代办帮办。",
    "contact": "0571-88886666",
    "supervision_phone": "12388",
}
