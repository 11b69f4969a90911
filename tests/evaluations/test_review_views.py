"""The review pages: what a member and a secretary see (peer scores anonymous to peers, visible to the secretary),
late and missing inputs, the forms posted from the round's page, closing and the follow-up of 不合格."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.actions.reviews import peer_score_submit, review_organisation_score, review_round_close
from evaluations.models import PeerScore, ReviewRound
from portal.lib.xlsx import XLSX_CONTENT_TYPE
from portal.models import AuditEvent
from tests.evaluations.review_helpers import open_round, sheet_of, this_year

pytestmark = pytest.mark.django_db


def _detail(round_) -> str:
    return reverse("evaluations:review_round_detail", args=[round_.pk])


def test_peer_scores_are_anonymous_to_the_member_and_visible_to_the_secretary(cast, login):
    round_ = open_round(cast)
    peer_score_submit(actor=None, rater=cast.person_a, round=round_, ratee=cast.member_person, score="77.3")
    peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score="64.5")

    member_page = login(cast.member).get(_detail(round_))
    content = member_page.content.decode()
    assert "77.3" not in content  # what a peer gave them
    assert 'data-testid="peer-details"' not in content and 'data-testid="branch-sheet"' not in content
    assert 'value="64.5"' in content  # the score they gave, editable while open
    assert "甲群众党员" in content and "甲书记" in content  # the peers to score

    secretary_page = login(cast.secretary).get(_detail(round_)).content.decode()
    assert 'data-testid="peer-details"' in secretary_page
    assert "77.3" in secretary_page and "64.5" in secretary_page
    assert [
        (p.rater.name, p.ratee.name) for p in login(cast.secretary).get(_detail(round_)).context["peer_scores"]
    ] == [
        ("甲群众党员", "甲党员"),
        ("甲党员", "甲群众党员"),
    ]


def test_member_sees_their_own_result_after_close_and_nobody_elses(cast, login):
    round_ = open_round(cast, weights={"self": 0, "mutual": 0, "mass": 0, "organisation": 100})
    review_organisation_score(actor=cast.committee, sheet=sheet_of(round_, cast.member_person), score=93)
    review_organisation_score(actor=cast.committee, sheet=sheet_of(round_, cast.person_a), score=71.5)
    review_round_close(actor=None, round=round_)
    content = login(cast.member).get(_detail(round_)).content.decode()
    assert 'data-testid="my-result"' in content and 'data-testid="my-total">93<' in content and "优秀" in content
    assert "71.5" not in content and "甲群众党员" not in content
    listed = login(cast.member).get(reverse("evaluations:review_round_list"))
    assert [(r.my_total, r.my_grade) for r in listed.context["page"]] == [(D("93.0"), "excellent")]


def test_secretary_sees_missing_and_late_inputs(cast, login):
    today = timezone.localdate()
    round_ = open_round(
        cast, opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score=90)
    response = login(cast.secretary).get(_detail(round_))
    missing = response.context["missing"]
    assert missing.late
    assert [(g.person.name, g.missing) for g in missing.peer_missing] == [
        ("甲书记", 2),
        ("甲党员", 1),
        ("甲群众党员", 2),
    ]
    content = response.content.decode()
    assert "已过截止日期" in content and "互评未完成" in content and "未交自我评价" in content


def test_self_and_peer_forms_post_through_the_actions(cast, login):
    round_ = open_round(cast)
    client = login(cast.member)
    response = client.post(reverse("evaluations:review_self_submit", args=[round_.pk]), {"text": "自评", "score": "88"})
    assert response.status_code == 302 and response["Location"] == _detail(round_)
    assert sheet_of(round_, cast.member_person).self_score == D(88)

    url = reverse("evaluations:review_peer_scores", args=[round_.pk])
    client.post(url, {f"peer_{cast.person_a.pk}": "80", f"peer_{cast.secretary_person.pk}": ""})
    client.post(url, {f"peer_{cast.person_a.pk}": "80", f"peer_{cast.secretary_person.pk}": "95"})
    assert set(PeerScore.objects.values_list("ratee__name", "score")) == {("甲群众党员", D(80)), ("甲书记", D(95))}
    assert AuditEvent.objects.filter(action="peer_score.submit").count() == 2  # unchanged scores are not resent


def test_bad_input_gets_a_message_and_changes_nothing(cast, login):
    round_ = open_round(cast)
    client = login(cast.member)
    response = client.post(
        reverse("evaluations:review_peer_scores", args=[round_.pk]), {f"peer_{cast.person_a.pk}": "150"}, follow=True
    )
    assert not PeerScore.objects.exists()
    assert any("100" in str(m) for m in response.context["messages"])


def test_open_form_refuses_weights_not_summing_to_100(cast, login):
    today = timezone.localdate()
    body = {
        "organisation": cast.branch_a.pk,
        "kind": "yearly",
        "year": today.year,
        "opens_on": today.isoformat(),
        "closes_on": today.isoformat(),
        "weight_self": 10,
        "weight_mutual": 30,
        "weight_mass": 40,
        "weight_organisation": 30,
    }
    response = login(cast.secretary).post(reverse("evaluations:review_round_open"), body)
    assert response.status_code == 200 and "四项权重之和须为 100" in response.content.decode()
    assert not ReviewRound.objects.exists()
    body["weight_organisation"] = 20
    response = login(cast.secretary).post(reverse("evaluations:review_round_open"), body)
    round_ = ReviewRound.objects.get()
    assert response["Location"] == _detail(round_) and round_.sheets.count() == 3


def test_close_then_follow_up_from_the_page(cast, login):
    round_ = open_round(cast, year=this_year() - 1, weights={"self": 0, "mutual": 0, "mass": 0, "organisation": 100})
    review_organisation_score(actor=cast.secretary, sheet=sheet_of(round_, cast.member_person), score=40)
    client = login(cast.secretary)
    client.post(reverse("evaluations:review_round_close", args=[round_.pk]))
    round_.refresh_from_db()
    sheet = sheet_of(round_, cast.member_person)
    assert (round_.state, sheet.grade) == (ReviewRound.State.CLOSED, "unqualified")
    content = client.get(_detail(round_)).content.decode()
    assert "待登记批评教育" in content
    client.post(reverse("evaluations:review_follow_up", args=[sheet.pk]), {"note": "谈心谈话"})
    assert sheet_of(round_, cast.member_person).follow_up_note == "谈心谈话"
    assert "待登记批评教育" not in client.get(_detail(round_)).content.decode()


def test_export_downloads_the_branch_sheet(cast, login):
    round_ = open_round(cast)
    response = login(cast.secretary).get(reverse("evaluations:review_round_export", args=[round_.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_nav_shows_the_review_link_to_members_and_secretaries(cast, login):
    url = reverse("evaluations:review_round_list")
    for user in (cast.member, cast.secretary):
        assert f'href="{url}"' in login(user).get(reverse("home")).content.decode()
