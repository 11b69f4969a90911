import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from services import actions, selectors
from services.models import Activity, ActivityCategory, Participation
from volunteers import actions as vactions
from volunteers.selectors import star_standing


@pytest.mark.django_db
def test_flow(cast):
    cat = ActivityCategory.objects.get(code="health")
    now = timezone.now()
    a = actions.activity_create(
        actor=cast.secretary,
        title="义诊",
        category=cat,
        place="社区",
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now + datetime.timedelta(hours=1),
        organisation=cast.branch_a,
        capacity=2,
    )
    actions.activity_publish(actor=cast.secretary, activity=a)
    p = actions.participation_sign_up(actor=cast.member, activity=a)
    w = actions.participation_walk_in(actor=cast.secretary, activity=a, person=cast.person_a)
    counts = actions.attendance_record(actor=cast.secretary, activity=a, marks={p.pk: (True, None)})
    assert counts["attended"] == 1
    actions.activity_end(actor=cast.secretary, activity=a)
    assert (
        actions.hours_approve(actor=cast.secretary, entries=list(selectors.hours_pending_for_user(user=cast.secretary)))
        == 2
    )
    actions.activity_close(actor=cast.secretary, activity=a, served_people=30)
    assert selectors.person_hours(person_id=cast.member_person.pk) == Decimal("4.0")
    assert list(selectors.activity_list_for_user(user=cast.member)) == [a]
    assert list(selectors.activity_list_for_user(user=cast.outsider)) == []
    team = vactions.team_create(actor=cast.secretary, name="红色义诊队", level="brigade", organisation=cast.branch_a)
    vactions.membership_add(
        actor=cast.secretary, team=team, person=cast.member_person, joined_on=datetime.date(2024, 1, 1)
    )
    r = vactions.team_review_propose(team=team, year=2026, hours_last_12_months={})
    assert r == {"proposed": 1}
    assert vactions.team_review_propose(team=team, year=2026, hours_last_12_months={}) == {"proposed": 0}
    assert star_standing(hours=Decimal(150)).stars == 1
    s = selectors.suspicious_hours_for_user(user=cast.secretary)
    assert s["overlaps"] == [] and s["late_entries"] == []
