"""The demo year's evaluations: public ratings with their follow-ups, and a questionnaire with answers."""

import datetime

from django.utils import timezone

from evaluations.demo.follow_ups import follow_ups_demo_build, follow_ups_demo_summary
from evaluations.demo.questionnaires import questionnaires_demo_build, questionnaires_demo_summary
from evaluations.demo.ratings import ratings_demo_build, ratings_demo_summary
from evaluations.models import Questionnaire, Rating
from portal.models import User


def evaluations_demo_exists() -> bool:
    return Rating.objects.exists() or Questionnaire.objects.exists()


def evaluations_demo_build(*, actor: User, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    ratings_demo_build(actor=actor, today=today)
    follow_ups_demo_build(actor=actor, today=today)  # moves the ratings' follow-ups forward
    questionnaires_demo_build(actor=actor, today=today)


def evaluations_demo_summary() -> list[str]:
    return [line for line in (ratings_demo_summary(), follow_ups_demo_summary(), questionnaires_demo_summary()) if line]
