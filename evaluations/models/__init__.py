"""Evaluations: public ratings and follow-ups, questionnaires (ratings.py); the points ledger (points.py); member
reviews and the branch assessment (reviews.py)."""

from evaluations.models.points import PointsAdjustment, PointsEntry, PointsRule, PointsRuleSet
from evaluations.models.ratings import (
    Answer,
    EvaluationRules,
    FollowUp,
    Option,
    Question,
    Questionnaire,
    Rating,
    Response,
)
from evaluations.models.reviews import BranchAssessment, PeerScore, ReviewRound, ReviewSheet

__all__ = [
    "Answer",
    "BranchAssessment",
    "EvaluationRules",
    "FollowUp",
    "Option",
    "PeerScore",
    "PointsAdjustment",
    "PointsEntry",
    "PointsRule",
    "PointsRuleSet",
    "Question",
    "Questionnaire",
    "Rating",
    "Response",
    "ReviewRound",
    "ReviewSheet",
]
