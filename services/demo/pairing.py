"""Demo data for pairing (filled in by its area's builder)."""

import datetime

from portal.models import User


def pairing_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo district; called once, inside seed_demo's transaction."""


def pairing_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    return ""
