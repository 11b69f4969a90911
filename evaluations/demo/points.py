"""Demo data for points (filled in by its area's builder)."""

import datetime

from portal.models import User


def points_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows; called once, inside seed_demo's transaction, after the ratings."""


def points_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    return ""
