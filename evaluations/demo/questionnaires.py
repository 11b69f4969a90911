"""Demo data for questionnaires: the district's satisfaction survey, published with ~300 answers (mostly by phone, a
few keyed in from paper), and its closed first version with some answers, to show versioning. Everything goes
through the actions, answers through `response_submit` like any phone."""

import datetime
import random

from branches.demo.data import COMMITTEE_CODE, SEED
from branches.models import Organisation
from evaluations.actions import questionnaires as actions
from evaluations.models import Question, Questionnaire, Response
from portal.models import User

TITLE = "党员服务群众满意度调查"
CATEGORIES = ["普通群众", "无职务党员", '村(社区)"两委"干部']
ONLINE, PAPER, FIRST_VERSION = 290, 12, 40
SUGGESTIONS = [
    "希望多组织义诊活动",
    "小区路灯需要维修",
    "服务很及时，点赞",
    "建议周末也安排志愿服务",
    "停车难问题请关注",
]
OTHER_TEXTS = ["心理疏导", "家电维修", "法律援助", "儿童托管"]

K = Question.Kind


def _build(actor: User, organisation: Organisation) -> Questionnaire:
    q = actions.questionnaire_create(
        actor=actor,
        organisation=organisation,
        title=TITLE,
        description="请根据您的真实感受填写，问卷匿名，约需 2 分钟。",
    )
    actions.question_add(
        actor=actor, questionnaire=q, kind=K.SINGLE, text="你的身份", is_category_question=True, options=CATEGORIES
    )
    actions.question_add(
        actor=actor,
        questionnaire=q,
        kind=K.SINGLE,
        text="您对社区党员服务群众的总体评价",
        options=["非常满意", "满意", "基本满意", "不满意"],
    )
    actions.question_add(
        actor=actor,
        questionnaire=q,
        kind=K.MULTIPLE,
        text="您最希望党员提供哪些服务",
        options=["助老助残", "环境整治", "政策宣传", "文体活动", "邻里纠纷调解"],
        has_other=True,
        max_picks=3,
    )
    return q


def _finish(actor: User, q: Questionnaire, category: Question) -> None:
    actions.question_add(
        actor=actor,
        questionnaire=q,
        kind=K.SINGLE,
        text="过去一年您参加志愿服务的次数",
        options=["0 次", "1–5 次", "6 次以上"],
        shown_to=[category.options.get(text="无职务党员")],
    )
    actions.question_add(actor=actor, questionnaire=q, kind=K.TEXT, text="您的意见和建议", required=False)


def _answers(q: Questionnaire, rng: random.Random) -> dict:
    sheet = {}
    category_pk = None
    for question in q.questions.prefetch_related("options", "shown_to").order_by("position"):
        options = list(question.options.all())
        shown_to = {o.pk for o in question.shown_to.all()}
        if shown_to and category_pk not in shown_to:
            continue
        if question.kind == K.TEXT:
            if rng.random() < 0.3:
                sheet[question.pk] = {"text": rng.choice(SUGGESTIONS)}
            continue
        if question.is_category_question:
            picks = [rng.choices(options, weights=[6, 3, 1])[0]]
            category_pk = picks[0].pk
        elif question.kind == K.SINGLE:
            picks = [rng.choices(options, weights=[5, 4, 2, 1][: len(options)] + [1] * (len(options) - 4))[0]]
        else:
            picks = rng.sample(options, rng.randint(1, question.max_picks or len(options)))
        entry = {"options": [o.pk for o in picks]}
        if any(o.is_other for o in picks):
            entry["other"] = rng.choice(OTHER_TEXTS)
        sheet[question.pk] = entry
    return sheet


def questionnaires_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo year; called once, inside seed_demo's transaction."""
    root = Organisation.objects.filter(code=COMMITTEE_CODE).first()
    if root is None:
        return
    rng = random.Random(SEED)
    # Version 1: without the conditional question; answered, then superseded by version 2.
    first = _build(actor, root)
    actions.question_add(actor=actor, questionnaire=first, kind=K.TEXT, text="您的意见和建议", required=False)
    actions.questionnaire_publish(actor=actor, questionnaire=first)
    for i in range(FIRST_VERSION):
        actions.response_submit(
            questionnaire=first,
            answers=_answers(first, rng),
            channel=Response.Channel.ONLINE,
            device=f"demo-v1-{i:05d}",
        )
    second = actions.questionnaire_new_version(actor=actor, questionnaire=first)
    text_question = second.questions.get(kind=K.TEXT)
    actions.question_remove(actor=actor, question=text_question)
    _finish(actor, second, second.questions.get(is_category_question=True))
    actions.questionnaire_publish(actor=actor, questionnaire=second)
    for i in range(ONLINE):
        actions.response_submit(
            questionnaire=second, answers=_answers(second, rng), channel=Response.Channel.ONLINE, device=f"demo-{i:05d}"
        )
    for i in range(PAPER):
        sheet = _answers(second, rng)
        if i % 5 == 4:  # paper forms come back with a blank or a spoiled answer now and then
            last = max(pk for pk, entry in sheet.items() if "options" in entry)
            sheet[last] = {"mark": "blank" if i % 10 == 4 else "spoiled"}
        actions.response_submit(questionnaire=second, answers=sheet, channel=Response.Channel.PAPER, entered_by=actor)


def questionnaires_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    current = Questionnaire.objects.filter(title=TITLE, state=Questionnaire.State.PUBLISHED).first()
    if current is None:
        return ""
    return (
        f"问卷调查：“{current.title}”第 {current.version} 版收集中，{current.responses.count()} 份答卷（第 1 版已结束）"
    )
