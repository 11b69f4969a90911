"""Review actions: who may do what, the refusals (a Chinese message, nothing written), one round per branch and
period, closed rounds read-only, the follow-up only for 不合格, reminders that list who is missing what."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from branches.models import PoliticalStatus
from evaluations.actions.reviews import (
    peer_score_submit,
    peer_scores_submit,
    review_follow_up_record,
    review_organisation_score,
    review_round_close,
    review_round_export,
    review_round_remind,
    review_self_submit,
)
from evaluations.models import PeerScore, ReviewRound, ReviewSheet
from portal.models import AuditEvent
from tests.evaluations.review_helpers import open_round, sheet_of
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _refused(call, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        call()
    assert message in " ".join(error.value.messages)


# Opening -----------------------------------------------------------------------------------------------------


def test_open_makes_one_sheet_per_active_party_member(cast):
    PersonFactory(organisation=cast.branch_a, name="群众甲")  # not a party member
    left = PersonFactory(organisation=cast.branch_a, name="转出党员", political_status=PoliticalStatus.FULL)
    left.is_active_member = False
    left.save()
    probationary = PersonFactory(
        organisation=cast.branch_a, name="预备党员", political_status=PoliticalStatus.PROBATIONARY
    )
    round_ = open_round(cast, actor=cast.secretary)
    names = set(round_.sheets.values_list("person__name", flat=True))
    assert names == {"甲书记", "甲党员", "甲群众党员", probationary.name}
    assert (round_.weight_self, round_.weight_mutual, round_.weight_mass, round_.weight_organisation) == (
        10,
        30,
        40,
        20,
    )
    assert AuditEvent.objects.filter(action="review_round.open", object_id=str(round_.pk)).exists()


@pytest.mark.parametrize(("kind", "half"), [("yearly", None), ("mutual", 2)])
def test_a_branch_has_each_round_once(cast, kind, half):
    open_round(cast, kind=kind, half=half)
    _refused(lambda: open_round(cast, kind=kind, half=half), "已经开启，不能重复开启")
    assert ReviewRound.objects.count() == 1
    open_round(cast, kind=kind, half=half, organisation=cast.branch_b)  # another branch is fine
    assert ReviewRound.objects.count() == 2


def test_open_refusals(cast):
    _refused(lambda: open_round(cast, actor=cast.outsider), "不在您的管理范围内")
    _refused(lambda: open_round(cast, actor=cast.member), "不在您的管理范围内")
    _refused(
        lambda: open_round(cast, weights={"self": 10, "mutual": 30, "mass": 40, "organisation": 30}),
        "四项权重之和须为 100",
    )
    _refused(lambda: open_round(cast, kind="mutual"), "上半年或下半年")
    _refused(lambda: open_round(cast, organisation=cast.general_branch), "党支部")
    today = datetime.date.today()
    _refused(lambda: open_round(cast, opens_on=today, closes_on=today - datetime.timedelta(days=1)), "截止日期")
    assert not ReviewRound.objects.exists()


# Inputs ------------------------------------------------------------------------------------------------------


def test_self_evaluation_only_by_the_member_themself(cast):
    round_ = open_round(cast)
    sheet = sheet_of(round_, cast.member_person)
    _refused(lambda: review_self_submit(actor=cast.secretary, sheet=sheet, text="代填", score=90), "党员本人")
    _refused(lambda: review_self_submit(actor=cast.member, sheet=sheet, text="自评", score=101), "0 到 100")
    _refused(lambda: review_self_submit(actor=cast.member, sheet=sheet, text="  ", score=90), "请填写自我评价")
    review_self_submit(actor=cast.member, sheet=sheet, text="认真学习，积极服务。", score=92)
    sheet.refresh_from_db()
    assert (sheet.self_text, sheet.self_score) == ("认真学习，积极服务。", D(92))


def test_peer_scores_once_per_pair_changed_while_open_and_audited(cast):
    round_ = open_round(cast)
    peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score=80)
    peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score="85.5")
    scores = list(PeerScore.objects.values_list("rater_id", "ratee_id", "score"))
    assert scores == [(cast.member_person.pk, cast.person_a.pk, D("85.5"))]
    changes = [e.changes["score"] for e in AuditEvent.objects.filter(action="peer_score.submit").order_by("pk")]
    assert changes == [[None, "80"], ["80.0", "85.5"]]


def test_peer_score_refusals(cast):
    round_ = open_round(cast)
    _refused(lambda: peer_score_submit(actor=cast.member, round=round_, ratee=cast.member_person, score=90), "自己")
    _refused(lambda: peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_b, score=90), "不是本次评议")
    _refused(
        lambda: peer_score_submit(actor=cast.outsider, round=round_, ratee=cast.person_a, score=90), "参加本次评议"
    )
    _refused(lambda: peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score=-1), "0 到 100")
    _refused(lambda: peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score="8.25"), "一位小数")
    assert not PeerScore.objects.exists()


def test_peer_scores_form_is_all_or_nothing(cast):
    round_ = open_round(cast)
    scores = {cast.person_a: 90, cast.member_person: 95}  # the second one is the member themself
    _refused(lambda: peer_scores_submit(actor=cast.member, round=round_, scores=scores), "自己")
    assert not PeerScore.objects.exists()


def test_organisation_score_by_a_writer_never_for_their_own_sheet(cast):
    round_ = open_round(cast)
    own = sheet_of(round_, cast.secretary_person)
    _refused(lambda: review_organisation_score(actor=cast.secretary, sheet=own, score=90), "不能为本人")
    _refused(
        lambda: review_organisation_score(actor=cast.member, sheet=sheet_of(round_, cast.person_a), score=90),
        "不在您的管理范围内",
    )
    review_organisation_score(actor=cast.committee, sheet=own, score=90)
    review_organisation_score(actor=cast.secretary, sheet=sheet_of(round_, cast.member_person), score="88.5")
    assert sheet_of(round_, cast.member_person).organisation_score == D("88.5")
    assert sheet_of(round_, cast.secretary_person).organisation_score == D(90)


def test_a_mutual_round_takes_peer_scores_only(cast):
    round_ = open_round(cast, kind="mutual", half=1)
    sheet = sheet_of(round_, cast.member_person)
    _refused(lambda: review_self_submit(actor=cast.member, sheet=sheet, text="自评", score=90), "只进行党员互评")
    _refused(lambda: review_organisation_score(actor=cast.secretary, sheet=sheet, score=90), "只进行党员互评")


def test_a_closed_round_is_read_only(cast):
    round_ = open_round(cast)
    sheet = sheet_of(round_, cast.member_person)
    review_round_close(actor=cast.secretary, round=round_)
    before = list(ReviewSheet.objects.values_list("pk", "self_score", "organisation_score", "total", "grade"))
    message = "该评议已结束"
    _refused(lambda: review_self_submit(actor=cast.member, sheet=sheet, text="迟交", score=90), message)
    _refused(lambda: peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score=90), message)
    _refused(lambda: review_organisation_score(actor=cast.secretary, sheet=sheet, score=90), message)
    _refused(lambda: review_round_close(actor=cast.secretary, round=round_), message)
    _refused(lambda: review_round_remind(actor=cast.secretary, round=round_), message)
    assert list(ReviewSheet.objects.values_list("pk", "self_score", "organisation_score", "total", "grade")) == before
    assert not PeerScore.objects.exists()


def test_close_refused_outside_the_scope(cast):
    round_ = open_round(cast)
    _refused(lambda: review_round_close(actor=cast.outsider, round=round_), "不在您的管理范围内")
    _refused(lambda: review_round_close(actor=cast.member, round=round_), "不在您的管理范围内")
    round_.refresh_from_db()
    assert round_.state == ReviewRound.State.OPEN


# Follow-up of 不合格 ------------------------------------------------------------------------------------------


def test_follow_up_only_for_unqualified(cast):
    round_ = open_round(cast, weights={"self": 0, "mutual": 0, "mass": 0, "organisation": 100})
    low, fine = sheet_of(round_, cast.member_person), sheet_of(round_, cast.person_a)
    _refused(lambda: review_follow_up_record(actor=cast.secretary, sheet=low, note="谈话"), "不合格")  # still open
    review_organisation_score(actor=cast.secretary, sheet=low, score=50)
    review_organisation_score(actor=cast.secretary, sheet=fine, score=80)
    review_round_close(actor=cast.secretary, round=round_)
    _refused(lambda: review_follow_up_record(actor=cast.secretary, sheet=fine, note="谈话"), "不合格")
    _refused(lambda: review_follow_up_record(actor=cast.secretary, sheet=low, note=" "), "请填写批评教育情况")
    _refused(lambda: review_follow_up_record(actor=cast.outsider, sheet=low, note="谈话"), "不在您的管理范围内")
    review_follow_up_record(actor=cast.secretary, sheet=low, note="支部书记谈心谈话，本人作出书面检查。")
    assert sheet_of(round_, cast.member_person).follow_up_note == "支部书记谈心谈话，本人作出书面检查。"
    assert sheet_of(round_, cast.person_a).follow_up_note == ""
    assert AuditEvent.objects.filter(action="review_sheet.follow_up", object_id=str(low.pk)).count() == 1


# Reminders ---------------------------------------------------------------------------------------------------


def test_remind_lists_who_is_missing_what_and_is_audited(cast):
    round_ = open_round(cast)
    review_self_submit(actor=cast.member, sheet=sheet_of(round_, cast.member_person), text="自评", score=90)
    peer_score_submit(actor=cast.member, round=round_, ratee=cast.person_a, score=90)
    peer_score_submit(actor=cast.member, round=round_, ratee=cast.secretary_person, score=90)
    peer_score_submit(actor=None, rater=cast.person_a, round=round_, ratee=cast.member_person, score=90)
    review_organisation_score(actor=cast.secretary, sheet=sheet_of(round_, cast.person_a), score=90)

    missing = review_round_remind(actor=cast.secretary, round=round_)

    assert [p.name for p in missing.self_missing] == ["甲书记", "甲群众党员"]
    assert [(g.person.name, g.missing) for g in missing.peer_missing] == [("甲书记", 2), ("甲群众党员", 1)]
    assert [p.name for p in missing.organisation_missing] == ["甲书记", "甲党员"]
    event = AuditEvent.objects.get(action="review_round.remind")
    assert event.changes["self"] == ["甲书记", "甲群众党员"]
    assert event.changes["peer"] == {"甲书记": 2, "甲群众党员": 1}


def test_remind_refused_for_a_member(cast):
    round_ = open_round(cast)
    _refused(lambda: review_round_remind(actor=cast.member, round=round_), "不在您的管理范围内")
    assert not AuditEvent.objects.filter(action="review_round.remind").exists()


# Export ------------------------------------------------------------------------------------------------------


def test_export_is_the_branch_sheet_as_text_cells_and_audited(cast):
    round_ = open_round(cast)
    review_self_submit(actor=cast.member, sheet=sheet_of(round_, cast.member_person), text="=1+1", score=90)
    content = review_round_export(actor=cast.secretary, round=round_)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    member_row = next(row for row in rows if row[0] == "甲党员")
    assert member_row[1] == 90 and member_row[-1] == "=1+1"
    assert sheet.cell(row=rows.index(member_row) + 1, column=len(member_row)).data_type == "s"
    assert len(rows) == 4
    assert AuditEvent.objects.filter(action="review_round.export", actor=cast.secretary).exists()
    _refused(lambda: review_round_export(actor=cast.member, round=round_), "不在您的管理范围内")
