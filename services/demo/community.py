"""The demo district's community registers: demands, pledges and posts, pairing help (one builder per area)."""

import datetime

from django.utils import timezone

from portal.models import User
from services.demo.demands import demands_demo_build, demands_demo_summary
from services.demo.pairing import pairing_demo_build, pairing_demo_summary
from services.demo.pledges import pledges_demo_build, pledges_demo_summary
from services.models import Demand, Pairing, Pledge

BUILDERS = (demands_demo_build, pledges_demo_build, pairing_demo_build)
SUMMARIES = (demands_demo_summary, pledges_demo_summary, pairing_demo_summary)


def community_demo_exists() -> bool:
    return Demand.objects.exists() or Pledge.objects.exists() or Pairing.objects.exists()


def community_demo_build(*, actor: User, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    for build in BUILDERS:
        build(actor=actor, today=today)


def community_demo_summary() -> list[str]:
    return [line for line in (summary() for summary in SUMMARIES) if line]
