"""Questionnaires (问卷): building, publishing, versioning, answering, exporting. Validated, atomic, audited.

The structure (questions and options) may change only while a questionnaire has no responses; once answered, a
change goes through `questionnaire_new_version`, which copies it as a new draft and closes the old one, so the old
answers stay attached to exactly the questions they answered.

`response_submit` is the single validation path for an answer sheet, whether it comes from a phone (channel
online) or is keyed in from paper by a secretary: whatever the browser sends, the server enforces every rule, and
anything refused writes nothing. Hostile input (an option of another question, a question of another
questionnaire) is *refused with a message*, never silently dropped: a browser that follows our form never sends it,
so quietly ignoring it would only hide tampering or a stale page. A wrongly filled sheet is refused with every
question's problem at once. The one exception is an answer to a question that the chosen respondent category does
not answer: without JavaScript the page shows such questions to everyone (with their condition in words), so the
answer is not counted and the respondent is told so (see `_sheet_answers`).
"""

import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from branches.actions.common import scope_require
from branches.models import Organisation
from evaluations.models import Answer, Option, Question, Questionnaire, Response
from evaluations.selectors import questionnaires as selectors
from portal.audit import audit_record, snapshot
from portal.lib import xlsx
from portal.lib.text import printable
from portal.models import User

MAX_TITLE = 120
MAX_QUESTION_TEXT = 300
MAX_OPTION_TEXT = 120
MAX_OPTIONS = 30
MAX_QUESTIONS = 100
MAX_OTHER_TEXT = 200  # the 其他 option's free text
MAX_FREE_TEXT = 500  # a free-text question's answer (Answer.text's length)
MAX_DEVICE = 64
OTHER_TEXT = "其他"

Kind = Question.Kind
CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)


# Guards -----------------------------------------------------------------------------------------------------


def _locked(questionnaire: Questionnaire) -> Questionnaire:
    """The questionnaire row, locked: an edit and an answer arriving at once are serialised, so no answer can slip
    in between "has no responses" and the change."""
    return Questionnaire.objects.select_for_update().select_related("organisation").get(pk=questionnaire.pk)


def _require_editable(actor: User | None, questionnaire: Questionnaire) -> Questionnaire:
    questionnaire = _locked(questionnaire)
    scope_require(actor, questionnaire.organisation, "该问卷不在您的管理范围内。")
    if questionnaire.state == Questionnaire.State.CLOSED:
        raise ValidationError("已结束的问卷不能修改题目。")
    if questionnaire.responses.exists():
        raise ValidationError("该问卷已有答卷，不能直接修改题目，以免已收集的答案错乱；请先“创建新版本”再修改。")
    return questionnaire


def _clean_text(value: str, *, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 字。")
    return value


def _clean_option_texts(texts: Iterable[str]) -> list[str]:
    cleaned = [t.strip() for t in texts if t and t.strip()]
    for text in cleaned:
        if len(text) > MAX_OPTION_TEXT:
            raise ValidationError(f"选项“{text[:20]}…”超过 {MAX_OPTION_TEXT} 字。")
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError("选项不能重复。")
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError(f"每题最多 {MAX_OPTIONS} 个选项。")
    return cleaned


def _question_snapshot(question: Question) -> dict:
    data = snapshot(question, ["position", "text", "kind", "required", "max_picks", "is_category_question"])
    data["options"] = [o.text + ("（可填写）" if o.is_other else "") for o in question.options.order_by("position")]
    data["shown_to"] = sorted(question.shown_to.values_list("pk", flat=True))
    return data


# Building ---------------------------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(
    *, actor: User, organisation: Organisation, title: str, description: str = ""
) -> Questionnaire:
    scope_require(actor, organisation, "该问卷不在您的管理范围内。")
    if organisation.is_archived:
        raise ValidationError("该党组织已撤销，不能发起问卷。")
    questionnaire = Questionnaire.objects.create(
        organisation=organisation,
        title=_clean_text(title, label="问卷标题", limit=MAX_TITLE),
        description=(description or "").strip()[:2000],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="questionnaire.create",
        target=questionnaire,
        summary=f"新建问卷“{questionnaire.title}”",
        changes=snapshot(questionnaire, ["organisation", "title", "description"]),
    )
    return questionnaire


def _check_kind_fields(*, kind: str, max_picks: int | None, is_category_question: bool, option_count: int) -> None:
    if kind not in Kind.values:
        raise ValidationError("题型不正确。")
    if kind in CHOICE_KINDS and option_count < 2:
        raise ValidationError("选择题至少需要 2 个选项（含“其他”）。")
    if kind == Kind.TEXT and option_count:
        raise ValidationError("填空题不设选项。")
    if kind == Kind.MULTIPLE and max_picks is not None and not 1 <= max_picks <= option_count:
        raise ValidationError(f"“最多选几项”应在 1 到 {option_count}（选项个数）之间。")
    if kind != Kind.MULTIPLE and max_picks is not None:
        raise ValidationError("只有多选题可以设置“最多选几项”。")
    if is_category_question and kind != Kind.SINGLE:
        raise ValidationError("区分答卷人类别的题目必须是单选题。")


def _check_shown_to(questionnaire: Questionnaire, question: Question | None, shown_to: Iterable[Option]) -> list:
    shown_to = list(shown_to)
    if not shown_to:
        return []
    if question is not None and question.is_category_question:
        raise ValidationError("区分答卷人类别的题目本身必须向所有人显示。")
    allowed = set(
        Option.objects.filter(question__questionnaire=questionnaire, question__is_category_question=True).values_list(
            "pk", flat=True
        )
    )
    if any(option.pk not in allowed for option in shown_to):
        raise ValidationError("“仅向以下类别显示”只能选择本问卷“答卷人类别”题的选项。")
    return shown_to


def _check_category_unique(questionnaire: Questionnaire, question: Question | None, is_category: bool) -> None:
    if not is_category:
        return
    others = questionnaire.questions.filter(is_category_question=True)
    if question is not None:
        others = others.exclude(pk=question.pk)
    if others.exists():
        raise ValidationError("每份问卷只能有一道区分答卷人类别的题目。")


@transaction.atomic
def question_add(
    *,
    actor: User,
    questionnaire: Questionnaire,
    kind: str,
    text: str,
    required: bool = True,
    max_picks: int | None = None,
    is_category_question: bool = False,
    options: Iterable[str] = (),
    has_other: bool = False,
    shown_to: Iterable[Option] = (),
) -> Question:
    """A question at the end, its options in the given order, then the 其他 option (free text) when asked for."""
    questionnaire = _require_editable(actor, questionnaire)
    option_texts = _clean_option_texts(options)
    if kind == Kind.TEXT and has_other:
        raise ValidationError("填空题不设“其他”选项。")
    if has_other and OTHER_TEXT in option_texts:
        raise ValidationError("已勾选“其他（可填写）”，选项中不必再写“其他”。")
    _check_kind_fields(
        kind=kind,
        max_picks=max_picks,
        is_category_question=is_category_question,
        option_count=len(option_texts) + (1 if has_other else 0),
    )
    _check_category_unique(questionnaire, None, is_category_question)
    if is_category_question and has_other:
        raise ValidationError("区分答卷人类别的题目不设“其他”选项。")
    shown_to = _check_shown_to(questionnaire, None, shown_to)
    count = questionnaire.questions.count()
    if count >= MAX_QUESTIONS:
        raise ValidationError(f"每份问卷最多 {MAX_QUESTIONS} 道题。")
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=count + 1,
        text=_clean_text(text, label="题目", limit=MAX_QUESTION_TEXT),
        kind=kind,
        required=required,
        max_picks=max_picks if kind == Kind.MULTIPLE else None,
        is_category_question=is_category_question,
    )
    Option.objects.bulk_create(
        [Option(question=question, position=i, text=t) for i, t in enumerate(option_texts, 1)]
        + (
            [Option(question=question, position=len(option_texts) + 1, text=OTHER_TEXT, is_other=True)]
            if has_other
            else []
        )
    )
    question.shown_to.set(shown_to)
    audit_record(
        actor=actor,
        action="questionnaire.question_add",
        target=questionnaire,
        summary=f"问卷“{questionnaire.title}”新增第 {question.position} 题",
        changes=_question_snapshot(question),
    )
    return question


@transaction.atomic
def question_edit(
    *,
    actor: User,
    question: Question,
    text: str,
    required: bool = True,
    max_picks: int | None = None,
    is_category_question: bool = False,
    options: Iterable[str] = (),
    has_other: bool = False,
    shown_to: Iterable[Option] = (),
) -> Question:
    """Edits a question of an unanswered questionnaire. The kind stays (remove and add to change it). Options are
    matched by position: existing ones are renamed, extra ones added, surplus ones removed — so an option that a
    conditional question refers to keeps its identity when only its text changes."""
    questionnaire = _require_editable(actor, question.questionnaire)
    question = Question.objects.get(pk=question.pk)
    before = _question_snapshot(question)
    option_texts = _clean_option_texts(options)
    kind = question.kind
    if kind == Kind.TEXT and has_other:
        raise ValidationError("填空题不设“其他”选项。")
    if has_other and OTHER_TEXT in option_texts:
        raise ValidationError("已勾选“其他（可填写）”，选项中不必再写“其他”。")
    if is_category_question and has_other:
        raise ValidationError("区分答卷人类别的题目不设“其他”选项。")
    _check_kind_fields(
        kind=kind,
        max_picks=max_picks,
        is_category_question=is_category_question,
        option_count=len(option_texts) + (1 if has_other else 0),
    )
    _check_category_unique(questionnaire, question, is_category_question)
    if (
        question.is_category_question
        and not is_category_question
        and question.options.filter(conditional_questions__isnull=False).exists()
    ):
        raise ValidationError("其他题目按本题的类别显示，请先取消那些题目的“仅向以下类别显示”。")
    question.is_category_question = is_category_question
    shown_to = _check_shown_to(questionnaire, question, shown_to)
    question.text = _clean_text(text, label="题目", limit=MAX_QUESTION_TEXT)
    question.required = required
    question.max_picks = max_picks if kind == Kind.MULTIPLE else None
    question.save()
    wanted = [(t, False) for t in option_texts] + ([(OTHER_TEXT, True)] if has_other else [])
    existing = list(question.options.order_by("position"))
    for option in existing[len(wanted) :]:
        option.conditional_questions.clear()
        option.delete()  # an unanswered draft's option: nothing refers to it any more
    for position, (option_text, is_other) in enumerate(wanted, 1):
        if position <= len(existing):
            option = existing[position - 1]
            option.text, option.is_other = option_text, is_other
            option.save()
        else:
            Option.objects.create(question=question, position=position, text=option_text, is_other=is_other)
    question.shown_to.set(shown_to)
    audit_record(
        actor=actor,
        action="questionnaire.question_edit",
        target=questionnaire,
        summary=f"问卷“{questionnaire.title}”修改第 {question.position} 题",
        changes={"before": before, "after": _question_snapshot(question)},
    )
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    """Removes a question of an unanswered questionnaire (structure under construction, never an answer) and closes
    the gap in the numbering."""
    questionnaire = _require_editable(actor, question.questionnaire)
    question = Question.objects.get(pk=question.pk)
    if question.is_category_question and Question.shown_to.through.objects.filter(option__question=question).exists():
        raise ValidationError("其他题目按本题的类别显示，请先取消那些题目的“仅向以下类别显示”。")
    before = _question_snapshot(question)
    position = question.position
    question.shown_to.clear()
    question.options.all().delete()
    question.delete()
    for later in questionnaire.questions.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position", "updated_at"])
    audit_record(
        actor=actor,
        action="questionnaire.question_remove",
        target=questionnaire,
        summary=f"问卷“{questionnaire.title}”删除第 {position} 题",
        changes=before,
    )


@transaction.atomic
def question_move(*, actor: User, question: Question, up: bool) -> Question:
    """Swaps a question with its neighbour above (up) or below."""
    questionnaire = _require_editable(actor, question.questionnaire)
    question = Question.objects.get(pk=question.pk)
    target = question.position - 1 if up else question.position + 1
    neighbour = questionnaire.questions.filter(position=target).first()
    if neighbour is None:
        raise ValidationError("已经是第一题。" if up else "已经是最后一题。")
    old = question.position
    # (questionnaire, position) is unique: park the question at 0 while the neighbour takes its place.
    question.position = 0
    question.save(update_fields=["position", "updated_at"])
    neighbour.position = old
    neighbour.save(update_fields=["position", "updated_at"])
    question.position = target
    question.save(update_fields=["position", "updated_at"])
    audit_record(
        actor=actor,
        action="questionnaire.question_move",
        target=questionnaire,
        summary=f"问卷“{questionnaire.title}”第 {old} 题移到第 {target} 题",
        changes={"position": [old, target]},
    )
    return question


# Publishing and versions ------------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_publish(*, actor: User, questionnaire: Questionnaire) -> Questionnaire:
    questionnaire = _locked(questionnaire)
    scope_require(actor, questionnaire.organisation, "该问卷不在您的管理范围内。")
    if questionnaire.state != Questionnaire.State.DRAFT:
        raise ValidationError(f"该问卷当前为“{questionnaire.get_state_display()}”，不能发布。")
    problems = selectors.questionnaire_problems(
        questions=selectors.questionnaire_questions(questionnaire=questionnaire)
    )
    if problems:
        raise ValidationError("问卷还不能发布：" + "".join(problems))
    questionnaire.state = Questionnaire.State.PUBLISHED
    questionnaire.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="questionnaire.publish",
        target=questionnaire,
        summary=f"发布问卷“{questionnaire}”",
        changes={"state": [Questionnaire.State.DRAFT, Questionnaire.State.PUBLISHED]},
    )
    return questionnaire


@transaction.atomic
def questionnaire_close(*, actor: User, questionnaire: Questionnaire) -> Questionnaire:
    questionnaire = _locked(questionnaire)
    scope_require(actor, questionnaire.organisation, "该问卷不在您的管理范围内。")
    if questionnaire.state != Questionnaire.State.PUBLISHED:
        raise ValidationError(f"该问卷当前为“{questionnaire.get_state_display()}”，不能结束。")
    questionnaire.state = Questionnaire.State.CLOSED
    questionnaire.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="questionnaire.close",
        target=questionnaire,
        summary=f"结束问卷“{questionnaire}”（{questionnaire.responses.count()} 份答卷）",
        changes={"state": [Questionnaire.State.PUBLISHED, Questionnaire.State.CLOSED]},
    )
    return questionnaire


@transaction.atomic
def questionnaire_new_version(*, actor: User, questionnaire: Questionnaire) -> Questionnaire:
    """Copies a questionnaire that is answered (or closed) as version + 1, a draft to edit: its questions, options,
    and the shown-to conditions mapped onto the copied category options. The old one is closed and keeps its
    answers. Each version has at most one successor, so the history is a simple chain."""
    old = _locked(questionnaire)
    scope_require(actor, old.organisation, "该问卷不在您的管理范围内。")
    if old.state == Questionnaire.State.DRAFT:
        raise ValidationError("草稿问卷可以直接修改，不需要创建新版本。")
    if Questionnaire.objects.filter(previous=old).exists():
        raise ValidationError("该问卷已经有新版本，请修改新版本。")
    new = Questionnaire.objects.create(
        organisation=old.organisation,
        title=old.title,
        description=old.description,
        version=old.version + 1,
        previous=old,
        created_by=actor,
    )
    option_map: dict[int, Option] = {}
    questions = list(old.questions.prefetch_related("options", "shown_to").order_by("position"))
    for q in questions:
        copy = Question.objects.create(
            questionnaire=new,
            position=q.position,
            text=q.text,
            kind=q.kind,
            required=q.required,
            max_picks=q.max_picks,
            is_category_question=q.is_category_question,
        )
        for o in q.options.all():
            option_map[o.pk] = Option.objects.create(
                question=copy, position=o.position, text=o.text, is_other=o.is_other
            )
        q.copy = copy
    for q in questions:
        q.copy.shown_to.set([option_map[o.pk] for o in q.shown_to.all()])
    was = old.state
    if old.state == Questionnaire.State.PUBLISHED:
        old.state = Questionnaire.State.CLOSED
        old.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="questionnaire.new_version",
        target=new,
        summary=f"问卷“{old.title}”创建第 {new.version} 版（第 {old.version} 版已结束）",
        changes={"previous": old.pk, "previous_state": [was, old.state], "questions": len(questions)},
    )
    return new


# Answering --------------------------------------------------------------------------------------------------

MARK_BLANK = "blank"  # paper entry: the form left the question empty (未答)
MARK_SPOILED = "spoiled"  # paper entry: the answer on the form cannot be used (无效)
MARKS = {MARK_BLANK: "未答", MARK_SPOILED: "无效"}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return list(value)
    return [value]


def _int_id(raw: Any, message: str) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None
    if value <= 0:
        raise ValidationError(message)
    return value


def _picks(entry: Mapping) -> list:
    return [v for v in _as_list(entry.get("options")) if str(v).strip()]


def _answered(entry: Mapping) -> bool:
    return bool(_picks(entry)) or bool((entry.get("text") or "").strip() or (entry.get("other") or "").strip())


def _choice_answers(question: Question, entry: Mapping, label: str) -> list[Answer]:
    """The rows for a choice question's picks (the 其他 pick carries its text). Text typed after 其他 counts as
    choosing 其他: that is what the respondent meant, whether or not the box got ticked (the page ticks it as one
    types; a phone without JavaScript, or a paper form, may not)."""
    if (entry.get("text") or "").strip():
        raise ValidationError(f"{label}是选择题，不能填写文字答案。")
    options = {o.pk: o for o in question.options.all()}
    picks = [_int_id(v, f"{label}的选项无效。") for v in _picks(entry)]
    if any(pk not in options for pk in picks):
        raise ValidationError(f"{label}的选项无效（不属于这道题）。")
    if len(set(picks)) != len(picks):
        raise ValidationError(f"{label}的选项重复。")
    other = next((o for o in options.values() if o.is_other), None)
    other_text = printable(entry.get("other")).strip()
    if other_text:
        if other is None:
            raise ValidationError(f"{label}没有“其他”选项，不能填写其他内容。")
        if len(other_text) > MAX_OTHER_TEXT:
            raise ValidationError(f"{label}“其他”的内容不能超过 {MAX_OTHER_TEXT} 字。")
        if other.pk not in picks:
            if question.kind == Kind.SINGLE and picks:
                chosen = options[picks[0]].text
                raise ValidationError(f"{label}是单选题：已选“{chosen}”，又填写了“其他”的内容，请只选其中一项。")
            picks.append(other.pk)
    elif other is not None and other.pk in picks:
        raise ValidationError(f"{label}选择了“其他”，请在“其他”后面填写具体内容。")
    if question.kind == Kind.SINGLE and len(picks) != 1:
        raise ValidationError(f"{label}是单选题，只能选一项。")
    limit = question.max_picks or len(options)
    if question.kind == Kind.MULTIPLE and not 1 <= len(picks) <= limit:
        raise ValidationError(f"{label}最多选 {limit} 项。")
    return [
        Answer(question=question, option=options[pk], text=other_text if options[pk].is_other else "") for pk in picks
    ]


def _text_answer(question: Question, entry: Mapping, label: str) -> list[Answer]:
    if _picks(entry) or (entry.get("other") or "").strip():
        raise ValidationError(f"{label}是填空题，没有选项。")
    text = printable(entry.get("text")).strip()
    if len(text) > MAX_FREE_TEXT:
        raise ValidationError(f"{label}的回答不能超过 {MAX_FREE_TEXT} 字。")
    return [Answer(question=question, text=text)] if text else []


def _question_answers(question: Question, entry: Mapping, *, paper: bool) -> list[Answer]:
    """One applicable question's rows: its answer, a 无效 row, or none (未答 / an optional question left out)."""
    label = f"第 {question.position} 题"
    mark = entry.get("mark") or ""
    if mark:
        if _answered(entry):
            raise ValidationError(f"{label}标记为“{MARKS[mark]}”，又录入了答案：请只选其一。")
        return [Answer(question=question, spoiled=True)] if mark == MARK_SPOILED else []
    if not _answered(entry):
        if not (question.required or question.is_category_question):
            return []
        if paper:
            raise ValidationError(f"{label}为必答题：请录入答案，或标记为“未答”或“无效”。")
        raise ValidationError(f"{label}为必答题，请{'选择' if question.kind in CHOICE_KINDS else '作答'}。")
    if question.kind in CHOICE_KINDS:
        return _choice_answers(question, entry, label)
    return _text_answer(question, entry, label)


def condition_text(names: Iterable[str]) -> str:
    """How a conditional question states who answers it: 仅限“党员”“干部”作答."""
    return "仅限" + "".join(f"“{name}”" for name in names) + "作答"


def _sheet_answers(
    questionnaire: Questionnaire, answers: Mapping, *, paper: bool
) -> tuple[Option | None, list[Answer], list[str]]:
    """Checks one answer sheet against every rule; returns the category picked, the unsaved Answer rows, and notes
    on answers that were not counted.

    A sheet that is not ours (unknown question ids, a malformed entry, a paper mark sent online) is refused at
    once. Otherwise every question is checked and *all* their problems are raised together as a ValidationError
    keyed by question id, so the page can put each next to its question. Answers to a question whose condition
    does not match the chosen category are not stored and are reported in the notes: the page shows conditional
    questions to everyone without JavaScript, and a radio button once ticked cannot be unticked, so refusing them
    would trap a respondent."""
    questions = {q.pk: q for q in questionnaire.questions.prefetch_related("options", "shown_to")}
    entries: dict[int, Mapping] = {}
    for raw, entry in answers.items():
        pk = _int_id(raw, "答卷内容无效：题目编号不正确。")
        if pk not in questions:
            raise ValidationError("答卷内容无效：包含不属于本问卷的题目。")
        if not isinstance(entry, Mapping) or not all(
            isinstance(entry.get(key) or "", str) for key in ("text", "other", "mark")
        ):
            raise ValidationError("答卷内容无效。")
        if any("\x00" in (entry.get(key) or "") for key in ("text", "other")):
            # PostgreSQL cannot store a NUL character in text: refused here rather than failing at the insert.
            raise ValidationError("答卷内容包含无效的字符，请删除后重新提交。")
        mark = entry.get("mark") or ""
        if mark and (mark not in MARKS or not paper):
            raise ValidationError("答卷内容无效：只有录入纸质问卷时才能标记“未答”或“无效”。")
        entries[pk] = entry
    # The category question first: its answer decides which of the other questions apply.
    ordered = sorted(questions.values(), key=lambda q: (not q.is_category_question, q.position))
    category: Option | None = None
    category_refused = False
    rows: list[Answer] = []
    notes: list[str] = []
    errors: dict[str, list[str]] = {}
    for question in ordered:
        entry = entries.get(question.pk, {})
        shown_to = list(question.shown_to.all())
        if shown_to and (category is None or category not in shown_to):
            if _answered(entry) and not category_refused:
                names = condition_text(o.text for o in shown_to)
                notes.append(f"第 {question.position} 题{names}，与所选的答卷人类别不符，该题的回答未计入。")
            continue
        try:
            found = _question_answers(question, entry, paper=paper)
        except ValidationError as refusal:
            errors[str(question.pk)] = refusal.messages
            category_refused = category_refused or question.is_category_question
            continue
        if question.is_category_question:
            category = next((a.option for a in found if a.option is not None), None)
        rows += found
    if errors:
        raise ValidationError(errors)
    return category, rows, notes


@transaction.atomic
def response_submit(
    *,
    questionnaire: Questionnaire,
    answers: Mapping,
    channel: str,
    device: str = "",
    entered_by: User | None = None,
) -> Response:
    """One answer sheet. `answers`: {question id: {"options": [option ids], "other": 其他 text, "text": free text,
    "mark": "blank" (未答) or "spoiled" (无效), paper only}} (ids as ints or strings: they are checked here).
    Online: one per device (`device` required). Paper: keyed in by `entered_by`, who must manage the
    questionnaire's organisation; audited. Refused: nothing written, and a ValidationError — keyed by question id
    (every question's problem at once) when the sheet is ours but wrongly filled. Accepted: the response, with
    `notes` listing answers that were not counted (a conditional question the category does not answer)."""
    questionnaire = _locked(questionnaire)
    if questionnaire.state != Questionnaire.State.PUBLISHED:
        raise ValidationError("该问卷未发布或已结束，不能提交答卷。")
    if channel == Response.Channel.ONLINE:
        device = (device or "").strip()
        if not device or len(device) > MAX_DEVICE:
            raise ValidationError("无法识别您的设备，请允许浏览器保存 Cookie 后重试。")
        if questionnaire.responses.filter(device=device).exists():
            raise ValidationError("您已经填写过这份问卷，感谢参与！")
    elif channel == Response.Channel.PAPER:
        if entered_by is None:
            raise ValidationError("纸质问卷须由工作人员录入。")
        scope_require(entered_by, questionnaire.organisation, "该问卷不在您的管理范围内。")
        device = ""
    else:
        raise ValidationError("答卷方式不正确。")
    category, rows, notes = _sheet_answers(questionnaire, answers, paper=channel == Response.Channel.PAPER)
    try:
        with transaction.atomic():  # a savepoint: the same phone submitting twice at once meets the constraint
            response = Response.objects.create(
                questionnaire=questionnaire, channel=channel, category=category, device=device, entered_by=entered_by
            )
    except IntegrityError:
        raise ValidationError("您已经填写过这份问卷，感谢参与！") from None
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    if channel == Response.Channel.PAPER:
        audit_record(
            actor=entered_by,
            action="questionnaire.paper_enter",
            target=response,
            summary=f"录入纸质问卷“{questionnaire}”1 份",
            changes={
                "questionnaire": questionnaire.pk,
                "answers": len(rows),
                "spoiled": sum(1 for row in rows if row.spoiled),
                "not_counted": notes,
            },
        )
    response.notes = notes
    return response


# Export -----------------------------------------------------------------------------------------------------

SUMMARY_HEADERS = ["题号", "题目", "作答人数", "未答", "无效", "选项", "人数", "占比（%，占有效作答）"]


def questionnaire_export(*, actor: User, questionnaire: Questionnaire, category_option: Option | None = None) -> bytes:
    """Two sheets, for all responses or those of one respondent category (the results page's filter):
    汇总 — what was exported (the filter, the number of responses), then per question its 作答人数 (valid answers),
    未答 and 无效 on its first line, and each option's count and percentage of the valid answers; 原始答卷 — one
    row per response, its answers as text. Every string is a text cell, so an answer such as "=HYPERLINK(…)" stays
    text. Audited with the filter and the response count."""
    scope_require(actor, questionnaire.organisation, "该问卷不在您的管理范围内。")
    if (
        category_option is not None
        and not Option.objects.filter(
            pk=category_option.pk, question__questionnaire=questionnaire, question__is_category_question=True
        ).exists()
    ):
        raise ValidationError("答卷人类别不属于本问卷。")
    summary_data = selectors.results(questionnaire=questionnaire, category_option=category_option)
    questions = [item["question"] for item in summary_data["questions"]]
    rows = selectors.response_rows(questionnaire=questionnaire, questions=questions, category_option=category_option)
    category_name = category_option.text if category_option else "全部答卷人"
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("汇总")
    summary.freeze_panes = "A6"  # below the four lines saying what was exported, and the headers
    for line in (("问卷", str(questionnaire)), ("答卷人类别", category_name), ("答卷份数", len(rows)), ()):
        summary.append([xlsx.value_cell(summary, v) for v in line])
    summary.append([xlsx.text_cell(summary, h) for h in SUMMARY_HEADERS])
    for item in summary_data["questions"]:
        q = item["question"]
        counts = (item["answered"], item["blank"], item["spoiled"])
        lines = [(o["text"], o["count"], o["percent"]) for o in item["options"]]
        if q.kind == Kind.TEXT:
            lines = [("（填空题）", None, None)]
        for i, (option_text, count, percent) in enumerate(lines):
            firsts = counts if i == 0 else (None, None, None)
            values = (q.position, q.text, *firsts, option_text, count, percent)
            summary.append([xlsx.value_cell(summary, v) for v in values])
    raw = workbook.create_sheet("原始答卷")
    raw.freeze_panes = "A2"
    headers = ["答卷编号", "提交时间", "方式", *(f"{q.position}. {q.text}" for q in questions)]
    raw.append([xlsx.text_cell(raw, h) for h in headers])
    for row in rows:
        raw.append([xlsx.value_cell(raw, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(
        actor=actor,
        action="questionnaire.export",
        target=questionnaire,
        summary=f"导出问卷“{questionnaire}”结果（{category_name}，{len(rows)} 份答卷）",
        changes={"responses": len(rows), "category": category_option.pk if category_option else None},
    )
    return buffer.getvalue()
