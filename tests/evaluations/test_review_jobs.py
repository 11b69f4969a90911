"""The review jobs, each run twice: the second run changes nothing. Opening: this half year's mutual round for every
branch with party members; closing: the open rounds past their closing date, results computed once."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluations.actions.reviews import peer_score_submit, review_organisation_score
from evaluations.models import ReviewRound, ReviewSheet
from evaluations.tasks import review_rounds_close_due_task, review_rounds_open_task
from portal.models import AuditEvent
from tests.evaluations.review_helpers import open_round, sheet_of
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _rounds() -> list[tuple]:
    return list(ReviewRound.objects.order_by("pk").values_list("organisation__name", "kind", "year", "half", "state"))


def test_open_twice_gives_one_round_per_branch(cast):
    OrganisationFactory(name="空支部", parent=cast.general_branch)  # no members: nothing to review
    assert review_rounds_open_task(today="2025-07-01") == {"opened": 2}
    assert review_rounds_open_task(today="2025-07-01") == {"opened": 0}
    assert _rounds() == [
        ("党支部A", "mutual", 2025, 2, "open"),
        ("党支部B", "mutual", 2025, 2, "open"),
    ]
    round_a = ReviewRound.objects.get(organisation=cast.branch_a)
    assert (round_a.opens_on, round_a.closes_on) == (datetime.date(2025, 7, 1), datetime.date(2025, 12, 31))
    assert round_a.sheets.count() == 3
    # January opens the first half of the year
    assert review_rounds_open_task(today="2026-01-01") == {"opened": 2}
    assert ReviewRound.objects.filter(year=2026, half=1).count() == 2


def test_open_skips_a_branch_that_already_has_its_round(cast):
    open_round(cast, kind="mutual", year=2025, half=1, organisation=cast.branch_b)
    assert review_rounds_open_task(today="2025-01-01") == {"opened": 1}
    assert ReviewRound.objects.filter(year=2025, half=1).count() == 2


def test_close_twice_changes_nothing_the_second_time(cast):
    today = timezone.localdate()
    due = open_round(cast, opens_on=today - datetime.timedelta(days=30), closes_on=today - datetime.timedelta(days=1))
    not_due = open_round(cast, organisation=cast.branch_b, closes_on=today)
    review_organisation_score(actor=None, sheet=sheet_of(due, cast.member_person), score=95)
    peer_score_submit(actor=None, rater=cast.person_a, round=due, ratee=cast.member_person, score=80)

    assert review_rounds_close_due_task() == {"closed": 1}
    sheets = list(ReviewSheet.objects.order_by("pk").values_list("pk", "mutual_score", "total", "grade", "updated_at"))
    events = AuditEvent.objects.count()
    assert review_rounds_close_due_task() == {"closed": 0}

    assert (
        list(ReviewSheet.objects.order_by("pk").values_list("pk", "mutual_score", "total", "grade", "updated_at"))
        == sheets
    )
    assert AuditEvent.objects.count() == events
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert (due.state, not_due.state) == (ReviewRound.State.CLOSED, ReviewRound.State.OPEN)
    # 95×20 + 80×30 over 50 = 86
    assert sheet_of(due, cast.member_person).total == D("86.0")


def test_run_job_review_rounds_open(cast, capsys):
    call_command("run_job", "review-rounds-open")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"opened": 2}
    call_command("run_job", "review-rounds-open")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"opened": 0}
    today = timezone.localdate()
    assert ReviewRound.objects.filter(kind="mutual", year=today.year, half=1 if today.month <= 6 else 2).count() == 2


def test_run_job_review_rounds_close(cast, capsys):
    today = timezone.localdate()
    open_round(cast, opens_on=today - datetime.timedelta(days=9), closes_on=today - datetime.timedelta(days=2))
    call_command("run_job", "review-rounds-close")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"closed": 1}
    call_command("run_job", "review-rounds-close")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"closed": 0}
