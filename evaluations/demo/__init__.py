"""The demo year's evaluations: public ratings with their follow-ups and a questionnaire with answers; then the
points settled from the whole year, a finished review round and the branch assessment (they read everything
before them, so they come last)."""

import datetime

from django.utils import timezone

from evaluations.demo.assessment import assessment_demo_build, assessment_demo_summary
from evaluations.demo.follow_ups import follow_ups_demo_build, follow_ups_demo_summary
from evaluations.demo.points import points_demo_build, points_demo_summary
from evaluations.demo.questionnaires import questionnaires_demo_build, questionnaires_demo_summary
from evaluations.demo.ratings import ratings_demo_build, ratings_demo_summary
from evaluations.demo.reviews import reviews_demo_build, reviews_demo_summary
from evaluations.models import PointsEntry, Questionnaire, Rating
from portal.models import User


def _ratings_exist() -> bool:
    return Rating.objects.exists() or Questionnaire.objects.exists()


def evaluations_demo_exists() -> bool:
    return _ratings_exist() and PointsEntry.objects.exists()


def evaluations_demo_build(*, actor: User, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if not _ratings_exist():
        ratings_demo_build(actor=actor, today=today)
        follow_ups_demo_build(actor=actor, today=today)  # moves the ratings' follow-ups forward
        questionnaires_demo_build(actor=actor, today=today)
    if not PointsEntry.objects.exists():
        points_demo_build(actor=actor, today=today)
        reviews_demo_build(actor=actor, today=today)
        assessment_demo_build(actor=actor, today=today)


def evaluations_demo_summary() -> list[str]:
    summaries = (
        ratings_demo_summary,
        follow_ups_demo_summary,
        questionnaires_demo_summary,
        points_demo_summary,
        reviews_demo_summary,
        assessment_demo_summary,
    )
    return [line for line in (summary() for summary in summaries) if line]
