"""Questionnaires built through the actions, and the answers a respondent posts.

Shared by the test modules (no test module imports from another)."""

from dataclasses import dataclass

from evaluations.actions import questionnaires as actions
from evaluations.models import Option, Question, Questionnaire

K = Question.Kind


@dataclass
class Survey:
    q: Questionnaire
    category: Question  # 1. 你的身份: 群众 / 党员 / 干部
    single: Question  # 2. 满意度 (single)
    multiple: Question  # 3. 希望的服务 (multiple, at most 2, with 其他)
    members_only: Question  # 4. shown only to 党员
    text: Question  # 5. 意见建议 (free text, optional)

    def opt(self, question: Question, text: str) -> Option:
        return question.options.get(text=text)

    def answers(self, who: str = "群众", **overrides) -> dict:
        """A valid sheet for a respondent of category `who`; keyword overrides replace a question's entry."""
        sheet = {
            self.category.pk: {"options": [self.opt(self.category, who).pk]},
            self.single.pk: {"options": [self.opt(self.single, "满意").pk]},
            self.multiple.pk: {"options": [self.opt(self.multiple, "助老").pk]},
        }
        if who == "党员":
            sheet[self.members_only.pk] = {"options": [self.opt(self.members_only, "是").pk]}
        for name, entry in overrides.items():
            question = getattr(self, name)
            if entry is None:
                sheet.pop(question.pk, None)
            else:
                sheet[question.pk] = entry
        return sheet


def survey(actor, organisation, *, publish: bool = True, title: str = "满意度调查") -> Survey:
    q = actions.questionnaire_create(actor=actor, organisation=organisation, title=title)
    category = actions.question_add(
        actor=actor,
        questionnaire=q,
        kind=K.SINGLE,
        text="你的身份",
        is_category_question=True,
        options=["群众", "党员", "干部"],
    )
    single = actions.question_add(
        actor=actor, questionnaire=q, kind=K.SINGLE, text="总体满意吗", options=["满意", "一般", "不满意"]
    )
    multiple = actions.question_add(
        actor=actor,
        questionnaire=q,
        kind=K.MULTIPLE,
        text="希望的服务",
        options=["助老", "助学", "就业"],
        has_other=True,
        max_picks=2,
    )
    members_only = actions.question_add(
        actor=actor,
        questionnaire=q,
        kind=K.SINGLE,
        text="参加过志愿服务吗",
        options=["是", "否"],
        shown_to=[category.options.get(text="党员")],
    )
    text = actions.question_add(actor=actor, questionnaire=q, kind=K.TEXT, text="意见建议", required=False)
    if publish:
        q = actions.questionnaire_publish(actor=actor, questionnaire=q)
    return Survey(q, category, single, multiple, members_only, text)


def _hostile(s: Survey, other: Survey) -> dict:
    o = s.opt
    return {
        "too many picks": s.answers(
            multiple={"options": [o(s.multiple, "助老").pk, o(s.multiple, "助学").pk, o(s.multiple, "就业").pk]}
        ),
        "two options on a single-choice": s.answers(
            single={"options": [o(s.single, "满意").pk, o(s.single, "一般").pk]}
        ),
        "an option of another question": s.answers(single={"options": [o(s.multiple, "助老").pk]}),
        "an option of another questionnaire": s.answers(single={"options": [other.opt(other.single, "满意").pk]}),
        "a non-integer option id": s.answers(single={"options": ["1 OR 1=1"]}),
        "a duplicate pick": s.answers(multiple={"options": [o(s.multiple, "助老").pk, o(s.multiple, "助老").pk]}),
        "a required question missing": s.answers(single=None),
        "the category question missing": s.answers(category=None),
        "其他 without text": s.answers(multiple={"options": [o(s.multiple, "其他").pk], "other": "  "}),
        "其他 text on a question without 其他": s.answers(
            single={"options": [o(s.single, "满意").pk], "other": "修路"}
        ),
        "other text making too many picks": s.answers(
            multiple={"options": [o(s.multiple, "助老").pk, o(s.multiple, "助学").pk], "other": "修路"}
        ),
        "其他 text too long": s.answers(multiple={"options": [o(s.multiple, "其他").pk], "other": "长" * 201}),
        "free text too long": s.answers(text={"text": "长" * 501}),
        "options on a free-text question": s.answers(text={"options": [o(s.single, "满意").pk]}),
        "an unknown question id": {**s.answers(), 999_999: {"text": "x"}},
        "a non-integer question id": {**s.answers(), "abc": {"text": "x"}},
        "a question of another questionnaire": {**s.answers(), other.text.pk: {"text": "x"}},
        "a conditional question skipped by its category (required)": s.answers("党员", members_only=None),
    }


HOSTILE_NAMES = [
    "too many picks",
    "two options on a single-choice",
    "an option of another question",
    "an option of another questionnaire",
    "a non-integer option id",
    "a duplicate pick",
    "a required question missing",
    "the category question missing",
    "其他 without text",
    "其他 text on a question without 其他",
    "other text making too many picks",
    "其他 text too long",
    "free text too long",
    "options on a free-text question",
    "an unknown question id",
    "a non-integer question id",
    "a question of another questionnaire",
    "a conditional question skipped by its category (required)",
]


def post_data(sheet: dict) -> dict:
    """A sheet as the browser posts it: q-<id> (options or text) and q-<id>-other."""
    data: dict = {}
    for pk, entry in sheet.items():
        if "options" in entry:
            data[f"q-{pk}"] = [str(v) for v in entry["options"]]
        if "text" in entry:
            data[f"q-{pk}"] = entry["text"]
        if "other" in entry:
            data[f"q-{pk}-other"] = entry["other"]
    return data
