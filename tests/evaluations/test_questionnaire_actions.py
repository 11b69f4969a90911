"""Questionnaire actions: the builder's rules, publish checks, versioning, and response_submit's rules (each
refusal a Chinese message that writes nothing). The `survey` builder is shared with the other questionnaire tests."""

import pytest
from django.core.exceptions import ValidationError

from evaluations.actions import questionnaires as actions
from evaluations.models import Answer, Questionnaire, Response
from portal.models import AuditEvent
from tests.evaluations.questionnaire_helpers import HOSTILE_NAMES, K, Survey, _hostile, survey

pytestmark = pytest.mark.django_db


def _rows() -> tuple:
    return Response.objects.count(), Answer.objects.count(), AuditEvent.objects.count()


# Building ---------------------------------------------------------------------------------------------------


def test_create_outside_scope_is_refused(cast):
    with pytest.raises(ValidationError, match="管理范围"):
        actions.questionnaire_create(actor=cast.outsider, organisation=cast.branch_a, title="越权")
    assert not Questionnaire.objects.exists()


def test_builder_adds_orders_and_audits(cast):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    assert [q.position for q in s.q.questions.order_by("position")] == [1, 2, 3, 4, 5]
    assert list(s.multiple.options.order_by("position").values_list("text", "is_other")) == [
        ("助老", False),
        ("助学", False),
        ("就业", False),
        ("其他", True),
    ]
    assert list(s.members_only.shown_to.values_list("text", flat=True)) == ["党员"]
    assert AuditEvent.objects.filter(action="questionnaire.question_add", object_id=str(s.q.pk)).count() == 5
    actions.question_move(actor=cast.secretary, question=s.text, up=True)
    assert s.q.questions.get(pk=s.text.pk).position == 4
    assert s.q.questions.get(pk=s.members_only.pk).position == 5
    actions.question_remove(actor=cast.secretary, question=s.single)
    assert list(s.q.questions.order_by("position").values_list("text", flat=True)) == [
        "你的身份",
        "希望的服务",
        "意见建议",
        "参加过志愿服务吗",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": K.SINGLE, "options": ["只有一个"]}, "至少需要 2 个选项"),
        ({"kind": K.MULTIPLE, "options": ["甲", "乙"], "max_picks": 3}, "1 到 2"),
        ({"kind": K.MULTIPLE, "options": ["甲", "乙"], "max_picks": 0}, "1 到 2"),
        ({"kind": K.SINGLE, "options": ["甲", "乙"], "max_picks": 1}, "只有多选题"),
        ({"kind": K.TEXT, "options": ["甲"]}, "填空题不设选项"),
        ({"kind": K.MULTIPLE, "options": ["甲", "乙"], "is_category_question": True}, "必须是单选题"),
        ({"kind": K.SINGLE, "options": ["甲", "甲"]}, "不能重复"),
        ({"kind": "ranking", "options": ["甲", "乙"]}, "题型不正确"),
    ],
)
def test_question_rules(cast, kwargs, message):
    q = actions.questionnaire_create(actor=cast.secretary, organisation=cast.branch_a, title="规则")
    with pytest.raises(ValidationError, match=message):
        actions.question_add(actor=cast.secretary, questionnaire=q, text="题", **kwargs)
    assert not q.questions.exists()


def test_second_category_question_and_foreign_shown_to_are_refused(cast):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    with pytest.raises(ValidationError, match="只能有一道"):
        actions.question_add(
            actor=cast.secretary,
            questionnaire=s.q,
            kind=K.SINGLE,
            text="再问身份",
            is_category_question=True,
            options=["甲", "乙"],
        )
    other = survey(cast.secretary, cast.branch_a, publish=False, title="另一份")
    with pytest.raises(ValidationError, match="答卷人类别"):
        actions.question_add(
            actor=cast.secretary,
            questionnaire=s.q,
            kind=K.TEXT,
            text="条件题",
            shown_to=[other.category.options.first()],
        )
    with pytest.raises(ValidationError, match="答卷人类别"):  # an option of a non-category question
        actions.question_add(
            actor=cast.secretary, questionnaire=s.q, kind=K.TEXT, text="条件题", shown_to=[s.single.options.first()]
        )
    assert s.q.questions.count() == 5


def test_edit_keeps_option_identity_and_shown_to(cast):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    member_option = s.opt(s.category, "党员")
    actions.question_edit(
        actor=cast.secretary,
        question=s.category,
        text="您的身份",
        is_category_question=True,
        options=["普通群众", "党员", "干部", "其他人员"],
    )
    assert s.category.options.get(position=2).pk == member_option.pk
    assert list(s.category.options.order_by("position").values_list("text", flat=True)) == [
        "普通群众",
        "党员",
        "干部",
        "其他人员",
    ]
    assert list(s.members_only.shown_to.all()) == [member_option]


def test_publish_checks(cast):
    empty = actions.questionnaire_create(actor=cast.secretary, organisation=cast.branch_a, title="空")
    with pytest.raises(ValidationError, match="还没有题目"):
        actions.questionnaire_publish(actor=cast.secretary, questionnaire=empty)
    late = actions.questionnaire_create(actor=cast.secretary, organisation=cast.branch_a, title="类别题靠后")
    actions.question_add(actor=cast.secretary, questionnaire=late, kind=K.TEXT, text="先问这个")
    actions.question_add(
        actor=cast.secretary,
        questionnaire=late,
        kind=K.SINGLE,
        text="身份",
        is_category_question=True,
        options=["甲", "乙"],
    )
    with pytest.raises(ValidationError, match="必须是第 1 题"):
        actions.questionnaire_publish(actor=cast.secretary, questionnaire=late)
    assert Questionnaire.objects.filter(state=Questionnaire.State.PUBLISHED).count() == 0
    s = survey(cast.secretary, cast.branch_a)
    assert s.q.state == Questionnaire.State.PUBLISHED
    assert AuditEvent.objects.filter(action="questionnaire.publish", object_id=str(s.q.pk)).exists()
    with pytest.raises(ValidationError, match="不能发布"):
        actions.questionnaire_publish(actor=cast.secretary, questionnaire=s.q)


def test_published_without_answers_may_still_change(cast):
    s = survey(cast.secretary, cast.branch_a)
    actions.question_add(actor=cast.secretary, questionnaire=s.q, kind=K.TEXT, text="补充一题", required=False)
    assert s.q.questions.count() == 6


# Versioning -------------------------------------------------------------------------------------------------


def test_a_change_after_answers_is_refused_and_a_new_version_copies(cast):
    s = survey(cast.secretary, cast.branch_a)
    response = actions.response_submit(questionnaire=s.q, answers=s.answers("党员"), channel="online", device="d" * 20)
    for change in (
        lambda: actions.question_add(actor=cast.secretary, questionnaire=s.q, kind=K.TEXT, text="新题"),
        lambda: actions.question_remove(actor=cast.secretary, question=s.single),
        lambda: actions.question_move(actor=cast.secretary, question=s.text, up=True),
        lambda: actions.question_edit(actor=cast.secretary, question=s.single, text="改", options=["甲", "乙"]),
    ):
        with pytest.raises(ValidationError, match="创建新版本"):
            change()
    assert s.q.questions.count() == 5

    new = actions.questionnaire_new_version(actor=cast.secretary, questionnaire=s.q)
    s.q.refresh_from_db()
    assert (new.version, new.previous_id, new.state) == (2, s.q.pk, Questionnaire.State.DRAFT)
    assert s.q.state == Questionnaire.State.CLOSED
    copied = {q.text: q for q in new.questions.all()}
    assert len(copied) == 5
    assert copied["希望的服务"].max_picks == 2 and copied["希望的服务"].options.filter(is_other=True).exists()
    # shown_to points at the *copied* category option, not the old one
    assert list(copied["参加过志愿服务吗"].shown_to.all()) == [copied["你的身份"].options.get(text="党员")]
    # the old answers stay with the old version
    assert response.questionnaire_id == s.q.pk
    assert set(Answer.objects.filter(response=response).values_list("question__questionnaire", flat=True)) == {s.q.pk}
    assert not Response.objects.filter(questionnaire=new).exists()
    # the new draft is editable; the old one has its successor
    actions.question_add(actor=cast.secretary, questionnaire=new, kind=K.TEXT, text="新题", required=False)
    with pytest.raises(ValidationError, match="已经有新版本"):
        actions.questionnaire_new_version(actor=cast.secretary, questionnaire=s.q)
    assert AuditEvent.objects.filter(action="questionnaire.new_version", object_id=str(new.pk)).exists()


def test_new_version_of_a_draft_is_refused(cast):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    with pytest.raises(ValidationError, match="草稿"):
        actions.questionnaire_new_version(actor=cast.secretary, questionnaire=s.q)
    assert Questionnaire.objects.count() == 1


# Answering --------------------------------------------------------------------------------------------------


def test_a_valid_online_response(cast):
    s = survey(cast.secretary, cast.branch_a)
    before = AuditEvent.objects.count()
    sheet = s.answers(
        "党员",
        multiple={"options": [s.opt(s.multiple, "助学").pk, s.opt(s.multiple, "其他").pk], "other": "  修路  "},
        text={"text": "很好"},
    )
    response = actions.response_submit(questionnaire=s.q, answers=sheet, channel="online", device="phone-1234567890")
    assert response.category == s.opt(s.category, "党员")
    got = sorted((a.question.text, a.option.text if a.option else None, a.text) for a in response.answers.all())
    assert got == sorted(
        [
            ("你的身份", "党员", ""),
            ("总体满意吗", "满意", ""),
            ("希望的服务", "助学", ""),
            ("希望的服务", "其他", "修路"),
            ("参加过志愿服务吗", "是", ""),
            ("意见建议", None, "很好"),
        ]
    )
    assert AuditEvent.objects.count() == before  # public responses are not audited one by one


def test_paper_entry_is_audited_with_who_keyed_it_in(cast):
    s = survey(cast.secretary, cast.branch_a)
    response = actions.response_submit(
        questionnaire=s.q, answers=s.answers(), channel="paper", entered_by=cast.secretary
    )
    assert (response.channel, response.device, response.entered_by) == ("paper", "", cast.secretary)
    event = AuditEvent.objects.get(action="questionnaire.paper_enter")
    assert event.actor == cast.secretary and event.object_id == str(response.pk)
    with pytest.raises(ValidationError, match="管理范围"):
        actions.response_submit(questionnaire=s.q, answers=s.answers(), channel="paper", entered_by=cast.outsider)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("channel", ["online", "paper"])
def test_hostile_sheets_are_refused_in_chinese_and_write_nothing(cast, name, channel):
    s = survey(cast.secretary, cast.branch_a)
    other = survey(cast.secretary, cast.branch_a, title="另一份")
    sheet = _hostile(s, other)[name]
    before = _rows()
    extra = {"device": "hostile-device-0001"} if channel == "online" else {"entered_by": cast.secretary}
    with pytest.raises(ValidationError) as refused:
        actions.response_submit(questionnaire=s.q, answers=sheet, channel=channel, **extra)
    message = " ".join(refused.value.messages)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert _rows() == before


def test_one_response_per_device_and_states(cast):
    s = survey(cast.secretary, cast.branch_a)
    actions.response_submit(questionnaire=s.q, answers=s.answers(), channel="online", device="same-phone-000001")
    before = _rows()
    with pytest.raises(ValidationError, match="已经填写过"):
        actions.response_submit(questionnaire=s.q, answers=s.answers(), channel="online", device="same-phone-000001")
    with pytest.raises(ValidationError, match="设备"):
        actions.response_submit(questionnaire=s.q, answers=s.answers(), channel="online", device="")
    draft = survey(cast.secretary, cast.branch_a, publish=False, title="草稿")
    with pytest.raises(ValidationError, match="未发布或已结束"):
        actions.response_submit(questionnaire=draft.q, answers=draft.answers(), channel="online", device="x" * 20)
    actions.questionnaire_close(actor=cast.secretary, questionnaire=s.q)
    with pytest.raises(ValidationError, match="未发布或已结束"):
        actions.response_submit(questionnaire=s.q, answers=s.answers(), channel="online", device="y" * 20)
    assert _rows()[:2] == before[:2]


def test_optional_and_unanswered_conditional_questions_may_be_left_out(cast):
    s = survey(cast.secretary, cast.branch_a)
    # 群众 skips the members-only question; the free text is optional and may come blank
    response = actions.response_submit(
        questionnaire=s.q, answers=s.answers("群众", text={"text": "  "}), channel="online", device="z" * 20
    )
    assert set(response.answers.values_list("question__text", flat=True)) == {"你的身份", "总体满意吗", "希望的服务"}


# Issue 13 ---------------------------------------------------------------------------------------------------


def _submit(s: Survey, sheet: dict, channel: str = "online", **extra) -> Response:
    if channel == "online":
        extra.setdefault("device", f"issue13-device-{Response.objects.count():06d}")
    return actions.response_submit(questionnaire=s.q, answers=sheet, channel=channel, **extra)


def _got(response: Response) -> set:
    return {(a.question.text, a.option.text if a.option else None, a.text, a.spoiled) for a in response.answers.all()}


def test_text_typed_after_other_counts_as_choosing_other(cast):
    s = survey(cast.secretary, cast.branch_a)
    helped = s.opt(s.multiple, "助老")
    alongside = _submit(s, s.answers(multiple={"options": [helped.pk], "other": " 修路 "}))
    assert {row for row in _got(alongside) if row[0] == "希望的服务"} == {
        ("希望的服务", "助老", "", False),
        ("希望的服务", "其他", "修路", False),
    }
    alone = _submit(s, s.answers(multiple={"other": "修路"}))
    assert {row for row in _got(alone) if row[0] == "希望的服务"} == {("希望的服务", "其他", "修路", False)}


def test_other_ticked_without_text_is_refused_with_a_clear_message(cast):
    s = survey(cast.secretary, cast.branch_a)
    with pytest.raises(ValidationError) as refused:
        _submit(s, s.answers(multiple={"options": [s.opt(s.multiple, "其他").pk], "other": " "}))
    assert refused.value.message_dict == {str(s.multiple.pk): ["第 3 题选择了“其他”，请在“其他”后面填写具体内容。"]}
    assert not Response.objects.exists()


def test_other_text_on_a_single_choice_is_the_one_pick(cast):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    single = actions.question_add(
        actor=cast.secretary,
        questionnaire=s.q,
        kind=K.SINGLE,
        text="从哪知道",
        options=["广播", "海报"],
        has_other=True,
    )
    actions.questionnaire_publish(actor=cast.secretary, questionnaire=s.q)
    response = _submit(s, s.answers(**{}) | {single.pk: {"other": "邻居说的"}})
    assert ("从哪知道", "其他", "邻居说的", False) in _got(response)
    with pytest.raises(ValidationError, match="又填写了“其他”的内容，请只选其中一项"):
        _submit(s, s.answers() | {single.pk: {"options": [single.options.get(text="广播").pk], "other": "邻居"}})
    assert Response.objects.count() == 1


def test_every_problem_of_a_sheet_is_reported_at_once_by_question(cast):
    s = survey(cast.secretary, cast.branch_a)
    o = s.opt
    sheet = s.answers(
        "党员",
        single=None,
        multiple={"options": [o(s.multiple, "助老").pk, o(s.multiple, "助学").pk, o(s.multiple, "就业").pk]},
        members_only=None,
        text={"text": "长" * 501},
    )
    with pytest.raises(ValidationError) as refused:
        _submit(s, sheet)
    errors = refused.value.message_dict
    assert set(errors) == {str(q.pk) for q in (s.single, s.multiple, s.members_only, s.text)}
    assert errors[str(s.single.pk)] == ["第 2 题为必答题，请选择。"]
    assert errors[str(s.multiple.pk)] == ["第 3 题最多选 2 项。"]
    assert not Response.objects.exists()


def test_a_conditional_question_answered_by_another_category_is_not_counted_and_said_so(cast):
    s = survey(cast.secretary, cast.branch_a)
    sheet = s.answers("群众", members_only={"options": [s.opt(s.members_only, "否").pk]})
    response = _submit(s, sheet)
    assert "参加过志愿服务吗" not in {row[0] for row in _got(response)}
    assert response.notes == ["第 4 题仅限“党员”作答，与所选的答卷人类别不符，该题的回答未计入。"]
    # required only for its category: 群众 may leave it, 党员 may not
    assert _submit(s, s.answers("群众")).notes == []
    with pytest.raises(ValidationError, match="第 4 题为必答题"):
        _submit(s, s.answers("党员", members_only=None))


def test_paper_marks_blank_and_spoiled(cast):
    s = survey(cast.secretary, cast.branch_a)
    paper = {"channel": "paper", "entered_by": cast.secretary}
    blank = _submit(s, s.answers(single={"mark": "blank"}, multiple={"mark": "spoiled"}), **paper)
    rows = _got(blank)
    assert not any(row[0] == "总体满意吗" for row in rows)
    assert ("希望的服务", None, "", True) in rows
    assert AuditEvent.objects.filter(action="questionnaire.paper_enter").get().changes["spoiled"] == 1
    # a required question left without an answer or a mark: the message names both ways out
    with pytest.raises(ValidationError, match="请录入答案，或标记为“未答”或“无效”"):
        _submit(s, s.answers(single=None), **paper)
    with pytest.raises(ValidationError, match="标记为“无效”，又录入了答案"):
        _submit(s, s.answers(single={"mark": "spoiled", "options": [s.opt(s.single, "满意").pk]}), **paper)
    for bad in ({"mark": "blank"}, {"mark": "lost"}):  # a mark sent online, a mark that is not one
        channel = {} if bad["mark"] == "blank" else paper
        with pytest.raises(ValidationError, match="答卷内容无效"):
            _submit(s, s.answers(single=bad), **channel)
    assert Response.objects.count() == 1
