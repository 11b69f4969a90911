"""Questionnaires: reads, scoped and shaped. Questionnaires are a staff tool: those who manage an organisation see
its subtree's questionnaires and may act on them; a user who manages nothing finds no such pages (404).

Results are computed in a constant number of queries whatever the number of questions, options and responses:
the questions with their options and conditions (three), the responses counted per category (one), tallies of
Answer grouped by question, option and 无效 (one), valid respondents per question (one), and the texts (one, capped
per question with a window function)."""

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from branches.selectors import check_write, scope_for
from evaluations.models import Answer, Option, Question, Questionnaire, Response
from portal.lib import shortlinks
from portal.models import User

SHORTLINK_KIND = "questionnaire"
TEXTS_PER_QUESTION = 50  # the results page lists the latest texts; the export has them all


def questionnaire_area_check(*, user: User) -> None:
    """Questionnaires are a staff tool: for a user who manages nothing the pages do not exist."""
    if not scope_for(user).manages_anything:
        raise Http404("页面不存在。")


def questionnaire_list_for_user(*, user: User) -> QuerySet[Questionnaire]:
    scope = scope_for(user)
    questionnaire_area_check(user=user)
    return (
        Questionnaire.objects.filter(scope.organisation_q("organisation__"))
        .select_related("organisation")
        .annotate(
            question_count=Count("questions", distinct=True),
            response_count=Count("responses", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def questionnaire_get_for_user(*, user: User, pk: int, write: bool = False) -> Questionnaire:
    """404 outside the scope (and for anyone who manages nothing). Everything visible is managed, hence writable;
    `write` is checked all the same so that a narrower rule later has one place to go."""
    questionnaire = questionnaire_list_for_user(user=user).filter(pk=pk).first()
    if questionnaire is None:
        raise Http404("问卷不存在。")
    if write:
        check_write(user, scope_for(user).covers_path(questionnaire.organisation.path))
    return questionnaire


def questionnaire_questions(*, questionnaire: Questionnaire) -> list[Question]:
    """The questions in order with their options and shown-to options (three queries)."""
    return list(questionnaire.questions.prefetch_related("options", "shown_to").order_by("position"))


def questionnaire_category_options(*, questions: list[Question]) -> list[Option]:
    category = next((q for q in questions if q.is_category_question), None)
    return list(category.options.all()) if category else []


def questionnaire_has_responses(*, questionnaire: Questionnaire) -> bool:
    count = getattr(questionnaire, "response_count", None)
    return bool(count) if count is not None else questionnaire.responses.exists()


def questionnaire_problems(*, questions: list[Question]) -> list[str]:
    """What stops a questionnaire from being published, in Chinese (empty: it may be published)."""
    problems = []
    if not questions:
        problems.append("问卷还没有题目。")
    category = [q for q in questions if q.is_category_question]
    if len(category) > 1:
        problems.append("每份问卷只能有一道区分答卷人类别的题目。")
    category_options = {o.pk for q in category for o in q.options.all()}
    if category and questions[0].pk != category[0].pk:
        problems.append("区分答卷人类别的题目必须是第 1 题。")
    for q in questions:
        n = len(q.options.all())
        if q.kind != Question.Kind.TEXT and n < 2:
            problems.append(f"第 {q.position} 题至少需要 2 个选项。")
        if q.kind == Question.Kind.MULTIPLE and q.max_picks is not None and not 1 <= q.max_picks <= n:
            problems.append(f"第 {q.position} 题“最多选几项”应在 1 到 {n} 之间。")
        if q.is_category_question and q.kind != Question.Kind.SINGLE:
            problems.append(f"第 {q.position} 题区分答卷人类别，必须是单选题。")
        if any(o.pk not in category_options for o in q.shown_to.all()) or (q.is_category_question and q.shown_to.all()):
            problems.append(f"第 {q.position} 题的显示条件只能引用本问卷第 1 题（答卷人类别）的选项。")
    return problems


def questionnaire_builder(*, questionnaire: Questionnaire) -> dict:
    """What the questionnaire page shows: the questions, whether the structure may still change, what stops
    publishing, and the neighbouring versions. A constant number of queries."""
    questions = questionnaire_questions(questionnaire=questionnaire)
    has_responses = questionnaire_has_responses(questionnaire=questionnaire)
    draft = questionnaire.state == Questionnaire.State.DRAFT
    return {
        "questionnaire": questionnaire,
        "questions": questions,
        "has_responses": has_responses,
        "editable": questionnaire.state != Questionnaire.State.CLOSED and not has_responses,
        "problems": questionnaire_problems(questions=questions) if draft else [],
        "category_options": questionnaire_category_options(questions=questions),
        "next_version": Questionnaire.objects.filter(previous=questionnaire).first(),
        "may_new_version": not draft,
    }


def questionnaire_code(*, questionnaire: Questionnaire) -> str:
    return shortlinks.make(SHORTLINK_KIND, questionnaire.pk, settings.SHORTLINK_KEY)


def questionnaire_public_get(*, code: str) -> Questionnaire | None:
    """The questionnaire a public code stands for (any state: the page explains a draft or a closed one); None for
    a forged, altered or unknown code."""
    pk = shortlinks.read(SHORTLINK_KIND, code, settings.SHORTLINK_KEY)
    if pk is None:
        return None
    return Questionnaire.objects.select_related("organisation").filter(pk=pk).first()


def questionnaire_answered_by_device(*, questionnaire: Questionnaire, device: str) -> bool:
    """Whether this phone (its device cookie) has answered the questionnaire already (see the rating page)."""
    return bool(device) and Response.objects.filter(questionnaire=questionnaire, device=device).exists()


def questionnaire_category_option(*, questionnaire: Questionnaire, raw: str | None) -> Option | None:
    """The ?category=<option id> filter: an option of this questionnaire's category question, else no filter."""
    if not raw or not str(raw).isdigit():
        return None
    return Option.objects.filter(
        pk=int(raw), question__questionnaire=questionnaire, question__is_category_question=True
    ).first()


def _percent(count: int, total: int) -> float:
    return round(count * 100 / total, 1) if total else 0.0


def _applicable(question: Question, by_category: dict[int | None, int], total: int) -> int:
    """How many of the responses the question applied to: all, or those of the categories it is shown to."""
    shown_to = question.shown_to.all()
    return sum(by_category.get(o.pk, 0) for o in shown_to) if shown_to else total


def results(*, questionnaire: Questionnaire, category_option: Option | None = None) -> dict:
    """Per question: `applicable` (responses it applied to), `answered` (valid answers), `spoiled` (无效, keyed in
    from paper) and `blank` (未答: applied, neither answered nor spoiled); each option's count and its percentage
    of the *valid* answers (a multiple-choice question's percentages may add up to more than 100); the 其他 texts
    and free-text answers (the latest TEXTS_PER_QUESTION of each; `text_total` says how many there are)."""
    questions = questionnaire_questions(questionnaire=questionnaire)
    responses = Response.objects.filter(questionnaire=questionnaire)
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    if category_option is not None:
        responses = responses.filter(category=category_option)
        answers = answers.filter(response__category=category_option)
    by_category = {
        row["category_id"]: row["n"] for row in responses.values("category_id").annotate(n=Count("pk")).order_by()
    }
    total = sum(by_category.values())
    tallies = {
        (row["question_id"], row["option_id"], row["spoiled"]): row["n"]
        for row in answers.values("question_id", "option_id", "spoiled").annotate(n=Count("pk")).order_by()
    }
    answered = {
        row["question_id"]: row["n"]
        for row in answers.filter(spoiled=False)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    }
    texts: dict[int, list[dict]] = defaultdict(list)
    latest = (
        answers.filter(~Q(text=""))
        .annotate(rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=[F("response_id").desc()]))
        .filter(rank__lte=TEXTS_PER_QUESTION)
        .values("question_id", "option_id", "text", "response_id")
        .order_by("question_id", "-response_id")
    )
    for row in latest:
        texts[row["question_id"]].append(row)
    items = []
    for question in questions:
        n = answered.get(question.pk, 0)
        spoiled = tallies.get((question.pk, None, True), 0)
        applicable = _applicable(question, by_category, total)
        options = [
            {
                "option": option,
                "text": option.text,
                "count": tallies.get((question.pk, option.pk, False), 0),
                "percent": _percent(tallies.get((question.pk, option.pk, False), 0), n),
            }
            for option in question.options.all()
        ]
        other = next((o for o in question.options.all() if o.is_other), None)
        text_total = tallies.get((question.pk, other.pk if other else None, False), 0)
        items.append(
            {
                "question": question,
                "applicable": applicable,
                "answered": n,
                "spoiled": spoiled,
                "blank": max(applicable - n - spoiled, 0),
                "options": options,
                "texts": texts.get(question.pk, []),
                "text_total": text_total,
                "chart": {"labels": [o["text"] for o in options], "counts": [o["count"] for o in options]},
            }
        )
    return {"total": total, "questions": items, "category": category_option}


def results_chart_data(*, items: list[dict]) -> list[dict]:
    """What static/js/questionnaire_results.js draws: a bar chart per choice question."""
    return [
        {"id": item["question"].pk, "title": f"{item['question'].position}. {item['question'].text}", **item["chart"]}
        for item in items
        if item["question"].kind != Question.Kind.TEXT
    ]


def response_rows(
    *, questionnaire: Questionnaire, questions: list[Question], category_option: Option | None = None
) -> list[list]:
    """One row per response (of the category, when given) for the raw sheet: number, time, channel, then one cell
    per question (picks joined with "；", 其他 as "其他：text"; 无效 and 未答 spelled out; empty where the question
    did not apply to the respondent's category). Two queries."""
    cells: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    responses = questionnaire.responses.all()
    if category_option is not None:
        answers = answers.filter(response__category=category_option)
        responses = responses.filter(category=category_option)
    for a in answers.values("response_id", "question_id", "option__text", "text", "spoiled").order_by(
        "response_id", "option__position", "pk"
    ):
        if a["spoiled"]:
            value = "无效"
        elif a["option__text"] is None:
            value = a["text"]
        elif a["text"]:
            value = f"{a['option__text']}：{a['text']}"
        else:
            value = a["option__text"]
        cells[a["response_id"]][a["question_id"]].append(value)
    shown_to = {q.pk: {o.pk for o in q.shown_to.all()} for q in questions}
    rows = []
    channels = dict(Response.Channel.choices)
    for r in responses.order_by("pk").values("pk", "created_at", "channel", "category_id"):
        per = cells.get(r["pk"], {})
        row = [r["pk"], r["created_at"], str(channels.get(r["channel"], r["channel"]))]
        for q in questions:
            applies = not shown_to[q.pk] or r["category_id"] in shown_to[q.pk]
            row.append("；".join(per[q.pk]) if q.pk in per else ("未答" if applies else ""))
        rows.append(row)
    return rows
