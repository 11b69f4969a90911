"""Demo data for questionnaires (filled in by its area's builder)."""

import datetime

from portal.models import User


def questionnaires_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo year; called once, inside seed_demo's transaction."""


def questionnaires_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    return ""
