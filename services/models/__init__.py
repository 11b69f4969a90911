"""Service work: activities and hours (activities.py); demands, pledges, pairing help and posts (community.py)."""

from services.models.activities import Activity, ActivityCategory, HoursEntry, Participation
from services.models.community import (
    Demand,
    DemandCategory,
    Household,
    Pairing,
    PairingVisit,
    Pledge,
    PledgeItem,
    PledgeProgress,
    Post,
    VisitPhoto,
)

__all__ = [
    "Activity",
    "ActivityCategory",
    "Demand",
    "DemandCategory",
    "HoursEntry",
    "Household",
    "Pairing",
    "PairingVisit",
    "Participation",
    "Pledge",
    "PledgeItem",
    "PledgeProgress",
    "Post",
    "VisitPhoto",
]
