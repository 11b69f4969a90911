"""Demo data for ratings (filled in by its area's builder)."""

import datetime

from portal.models import User


def ratings_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo year; called once, inside seed_demo's transaction."""


def ratings_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    return ""
