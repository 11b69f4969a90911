"""Questionnaire forms: the staff builder's forms, and the answer sheet (public page and paper entry) which turns a
POST into the `answers` mapping `response_submit` checks. Forms validate and convert; they never persist."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from branches.selectors import organisation_choices_for_user
from evaluations.actions.questionnaires import (
    MARK_BLANK,
    MARK_SPOILED,
    MAX_OPTIONS,
    MAX_QUESTION_TEXT,
    MAX_TITLE,
    condition_text,
)
from evaluations.models import Option, Question
from portal.models import User


class QuestionnaireForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("发起党组织"), queryset=None)
    title = forms.CharField(label=_("问卷标题"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices_for_user(user=user)


class QuestionForm(forms.Form):
    """Add or edit a question. Options one per line; the 其他 option is a tick, always last."""

    kind = forms.ChoiceField(label=_("题型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("题目"), max_length=MAX_QUESTION_TEXT)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    options = forms.CharField(
        label=_("选项（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("填空题不填。"),
    )
    has_other = forms.BooleanField(label=_("增加“其他”选项（可填写）"), required=False)
    max_picks = forms.IntegerField(
        label=_("最多选几项"), required=False, min_value=1, max_value=MAX_OPTIONS, help_text=_("仅多选题；不填为不限。")
    )
    is_category_question = forms.BooleanField(label=_("用于区分答卷人类别（须为第 1 题、单选）"), required=False)
    shown_to = forms.ModelMultipleChoiceField(
        label=_("仅向以下类别显示"),
        queryset=Option.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选：向所有人显示。"),
    )

    def __init__(self, *args, category_options: Iterable[Option] = (), editing: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [o.pk for o in category_options]
        self.fields["shown_to"].queryset = Option.objects.filter(pk__in=ids).order_by("position")
        if not ids:
            del self.fields["shown_to"]
        if editing is not None:
            # The kind of an existing question stays: remove it and add another to change it.
            self.fields["kind"].disabled = True
            self.initial.update(
                kind=editing.kind,
                text=editing.text,
                required=editing.required,
                max_picks=editing.max_picks,
                is_category_question=editing.is_category_question,
                has_other=any(o.is_other for o in editing.options.all()),
                options="\n".join(o.text for o in editing.options.all() if not o.is_other),
                shown_to=[o.pk for o in editing.shown_to.all()],
            )

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def action_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("shown_to", [])
        data["shown_to"] = list(data["shown_to"] or [])
        return data


# The answer sheet ---------------------------------------------------------------------------------------------

FIELD_PREFIX = "q-"
OTHER_SUFFIX = "-other"
MARK_SUFFIX = "-mark"  # paper entry only: 未答 / 无效
PAPER_MARKS = [("", _("按所填内容")), (MARK_BLANK, _("未答")), (MARK_SPOILED, _("无效"))]


def answers_from_post(data: QueryDict, *, text_question_ids: Iterable[int]) -> dict[str, dict]:
    """Every `q-<id>` / `q-<id>-other` / `q-<id>-mark` field of the POST, as `response_submit` takes it. Ids are
    left as sent: a forged or unknown id reaches the action, which refuses it (rather than being dropped here)."""
    text_ids = {str(pk) for pk in text_question_ids}
    answers: dict[str, dict] = {}
    for key in data:
        if not key.startswith(FIELD_PREFIX):
            continue
        raw = key.removeprefix(FIELD_PREFIX)
        if raw.endswith(OTHER_SUFFIX):
            raw = raw.removesuffix(OTHER_SUFFIX)
            answers.setdefault(raw, {})["other"] = data.get(key, "")
        elif raw.endswith(MARK_SUFFIX):
            answers.setdefault(raw.removesuffix(MARK_SUFFIX), {})["mark"] = data.get(key, "")
        elif raw in text_ids:
            values = data.getlist(key)
            # one text box, one value: several are not something our page sends (the action refuses a list)
            answers.setdefault(raw, {})["text"] = values[0] if len(values) == 1 else values
        else:
            answers.setdefault(raw, {})["options"] = data.getlist(key)
    return answers


def refusal_errors(refusal: ValidationError) -> dict[str, list[str]]:
    """`response_submit`'s refusal as {question id: messages}, with "__all__" for what concerns the whole sheet."""
    if hasattr(refusal, "error_dict"):
        return refusal.message_dict
    return {NON_FIELD_ERRORS: refusal.messages}


@dataclass
class SheetOption:
    option: Option
    checked: bool


@dataclass
class SheetQuestion:
    question: Question
    options: list[SheetOption]
    other_text: str
    text: str
    shown_to: str  # space-separated category option ids, for static/js/questionnaire_form.js ("" = everyone)
    condition: str  # who answers it, in words ("" = everyone)
    input_type: str = field(default="radio")
    errors: list[str] = field(default_factory=list)
    mark: str = ""

    @property
    def name(self) -> str:
        return f"{FIELD_PREFIX}{self.question.pk}"

    @property
    def anchor(self) -> str:
        return f"question-{self.question.pk}"

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"

    @property
    def marks(self) -> list[tuple[str, str, bool]]:
        return [(value, label, value == self.mark) for value, label in PAPER_MARKS]


def answer_sheet(
    questions: list[Question], data: QueryDict | None = None, errors: dict[str, list[str]] | None = None
) -> list[SheetQuestion]:
    """The questions to render, with what was posted put back and each question's errors after a refusal."""
    data = data or QueryDict()
    errors = errors or {}
    sheet = []
    for question in questions:
        name = f"{FIELD_PREFIX}{question.pk}"
        picked = set(data.getlist(name))
        shown_to = list(question.shown_to.all())
        mark = data.get(name + MARK_SUFFIX, "")
        sheet.append(
            SheetQuestion(
                question=question,
                options=[SheetOption(o, str(o.pk) in picked) for o in question.options.all()],
                other_text=data.get(name + OTHER_SUFFIX, ""),
                text=data.get(name, "") if question.kind == Question.Kind.TEXT else "",
                shown_to=" ".join(str(o.pk) for o in shown_to),
                condition=condition_text(o.text for o in shown_to) if shown_to else "",
                input_type="checkbox" if question.kind == Question.Kind.MULTIPLE else "radio",
                errors=errors.get(str(question.pk), []),
                mark=mark if mark in dict(PAPER_MARKS) else "",
            )
        )
    return sheet
