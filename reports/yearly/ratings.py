"""Section 8 of the yearly report (群众评价): ratings, follow-ups (差评整改) and questionnaires.

Ratings count in the year they were given, for the organisation that owns the rated activity (as the satisfaction
pages and the branch assessment count them: 满意率 = ratings of 3 or more / all ratings).
"""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum

from evaluations.models import Answer, FollowUp, Option, Question, Rating, Response
from reports.yearly.base import (
    INT,
    PCT,
    TEXT,
    TOTAL_LABEL,
    Context,
    Figure,
    Section,
    Table,
    average,
    rate,
    unit_table,
)
from services.models import ActivityCategory

AVERAGE = "0.00"
LEVELS = [value for value, _ in Rating.Level.choices]  # 5 … 1, as on the rating form
RATING_HEADERS = ["评价数", *(str(label) for _, label in Rating.Level.choices), "满意率", "平均分"]
RATING_FORMATS = [INT, INT, INT, INT, INT, INT, PCT, AVERAGE]
RATING_FIELDS = ["n", "level_sum", *(f"l{level}" for level in LEVELS)]


def _rating_cells(row: dict) -> list:
    good = sum(row[f"l{level}"] for level in LEVELS if level >= Rating.SATISFIED_FROM)
    return [
        row["n"],
        *(row[f"l{level}"] for level in LEVELS),
        rate(good, row["n"]),
        average(row["level_sum"], row["n"]),
    ]


def ratings_section(ctx: Context) -> Section:
    ratings = list(
        Rating.objects.filter(ctx.scope("activity__organisation__"), ctx.moments("created_at"))
        .values("activity__organisation__path", "activity__category_id")
        .annotate(
            n=Count("pk"),
            level_sum=Sum("level"),
            **{f"l{level}": Count("pk", filter=Q(level=level)) for level in LEVELS},
        )
        .order_by()
    )
    total = dict.fromkeys(RATING_FIELDS, 0)
    per_category = defaultdict(lambda: dict.fromkeys(RATING_FIELDS, 0))
    for row in ratings:
        for name in RATING_FIELDS:
            total[name] += row[name]
            per_category[row["activity__category_id"]][name] += row[name]
    note = "按评价时间计入年度，按被评活动的组织单位统计；满意率 = 基本满意及以上 / 全部评价。"
    by_unit = unit_table(
        ctx,
        title="群众评价（按党组织）",
        headers=RATING_HEADERS,
        formats=RATING_FORMATS,
        totals=ctx.units.roll_up(ratings, "activity__organisation__path", RATING_FIELDS),
        cells=_rating_cells,
        total=_rating_cells(total),
        note=note,
    )
    by_category = Table("群众评价（按活动类别）", ["活动类别", *RATING_HEADERS], [TEXT, *RATING_FORMATS], note=note)
    for category in ActivityCategory.objects.values("pk", "name").order_by("order", "name", "pk"):
        if category["pk"] in per_category:
            by_category.add([category["name"], *_rating_cells(per_category[category["pk"]])], key=category["pk"])
    by_category.total = [TOTAL_LABEL, *_rating_cells(total)]

    follow_ups, follow_up_total = _follow_ups(ctx)
    questionnaires, options, responses = _questionnaires(ctx)
    cells = _rating_cells(total)
    return Section(
        8,
        "群众评价",
        figures=[
            Figure("群众评价", total["n"]),
            Figure("满意率", cells[6], PCT),
            Figure("平均分", cells[7], AVERAGE),
            Figure(
                "差评（不满意、非常不满意）", sum(total[f"l{level}"] for level in LEVELS if level <= Rating.BAD_UP_TO)
            ),
            Figure("差评整改", follow_up_total["n"]),
            Figure("其中已回访", follow_up_total["called"]),
            Figure("其中已办结", follow_up_total["closed"]),
            Figure("差评整改办结率", rate(follow_up_total["closed"], follow_up_total["n"]), PCT),
            Figure("整改逾期", follow_up_total["overdue"]),
            Figure("差评属实", follow_up_total["upheld"]),
            Figure("问卷（年内有答卷）", len(questionnaires.rows)),
            Figure("问卷答卷", responses),
        ],
        tables=[by_unit, by_category, follow_ups, questionnaires, options],
    )


def _follow_ups(ctx: Context) -> tuple[Table, dict]:
    """整改 of the year's 差评, as they stood at the year's end (closed = 办结 by then)."""
    closed = Q(closed_on__isnull=False, closed_on__lte=ctx.as_of)
    figures = {
        "n": Count("pk"),
        "called": Count("pk", filter=Q(callback_on__isnull=False, callback_on__lte=ctx.as_of)),
        "rectified": Count("pk", filter=Q(rectified_on__isnull=False, rectified_on__lte=ctx.as_of)),
        "closed": Count("pk", filter=closed),
        "on_time": Count("pk", filter=closed & Q(closed_on__lte=F("due_on"))),
        "overdue": Count("pk", filter=(closed & Q(closed_on__gt=F("due_on"))) | (~closed & Q(due_on__lt=ctx.as_of))),
        "upheld": Count("pk", filter=Q(upheld=True)),
    }
    rows = list(
        FollowUp.objects.filter(ctx.scope("organisation__"), ctx.moments("rating__created_at"))
        .values("organisation__path")
        .annotate(**figures)
        .order_by()
    )
    total = dict.fromkeys(figures, 0)
    for row in rows:
        for name in figures:
            total[name] += row[name]

    def cells(row: dict) -> list:
        return [
            row["n"],
            row["called"],
            row["rectified"],
            row["closed"],
            row["on_time"],
            row["overdue"],
            row["upheld"],
            rate(row["closed"], row["n"]),
        ]

    table = unit_table(
        ctx,
        title="差评整改（按责任党组织）",
        headers=["差评整改", "已回访", "已整改", "已办结", "按期办结", "逾期", "差评属实", "办结率"],
        formats=[INT, INT, INT, INT, INT, INT, INT, PCT],
        totals=ctx.units.roll_up(rows, "organisation__path", figures),
        cells=cells,
        total=cells(total),
        note="年内差评的整改，按年末（本年度为今天）的办理情况统计；逾期 = 逾期办结或到期未办结。",
    )
    return table, total


def _questionnaires(ctx: Context) -> tuple[Table, Table, int]:
    """Questionnaires with answers given in the year: their responses, and the tally of every option (as the
    results page counts it: a share of the respondents who answered the question). Five queries in all."""
    responses = Response.objects.filter(ctx.scope("questionnaire__organisation__"), ctx.moments("created_at"))
    per = defaultdict(lambda: defaultdict(int))
    info = {}
    for row in (
        responses.values(
            "questionnaire_id",
            "questionnaire__title",
            "questionnaire__version",
            "questionnaire__organisation__name",
            "channel",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        per[row["questionnaire_id"]][row["channel"]] += row["n"]
        info[row["questionnaire_id"]] = row
    ids = responses.values("questionnaire_id")
    questions = list(
        Question.objects.filter(questionnaire_id__in=ids)
        .values("pk", "questionnaire_id", "position", "text", "kind")
        .order_by("questionnaire_id", "position")
    )
    options = defaultdict(list)
    for row in (
        Option.objects.filter(question__questionnaire_id__in=ids)
        .values("pk", "question_id", "text")
        .order_by("question_id", "position")
    ):
        options[row["question_id"]].append(row)
    answers = Answer.objects.filter(
        ctx.scope("response__questionnaire__organisation__"),
        ctx.moments("response__created_at"),
        spoiled=False,  # 无效 paper answers are not answers: shares are of the valid ones, as on the results page
    )
    tallies = {
        (row["question_id"], row["option_id"]): row["n"]
        for row in answers.values("question_id", "option_id").annotate(n=Count("pk")).order_by()
    }
    answered = dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True)).order_by())

    def title(row: dict) -> str:
        version = row["questionnaire__version"]
        return f"{row['questionnaire__title']}（第 {version} 版）" if version > 1 else row["questionnaire__title"]

    order = sorted(info, key=lambda pk: (info[pk]["questionnaire__title"], info[pk]["questionnaire__version"], pk))
    listing = Table(
        "问卷调查", ["问卷", "发起党组织", "年内答卷", "扫码/链接", "纸质录入"], [TEXT, TEXT, INT, INT, INT]
    )
    for pk in order:
        counts = per[pk]
        listing.add(
            [
                title(info[pk]),
                info[pk]["questionnaire__organisation__name"],
                sum(counts.values()),
                counts[Response.Channel.ONLINE],
                counts[Response.Channel.PAPER],
            ],
            key=pk,
        )
    tally = Table(
        "问卷选项统计",
        ["问卷", "题目", "选项", "选择人数", "占答题人数"],
        [TEXT, TEXT, TEXT, INT, PCT],
        note="多选题各选项的比例之和可能超过 100%；填空题只计答题人数。",
    )
    by_questionnaire = defaultdict(list)
    for question in questions:
        by_questionnaire[question["questionnaire_id"]].append(question)
    for pk in order:
        for question in by_questionnaire[pk]:
            label = f"{question['position']}. {question['text']}"
            n = answered.get(question["pk"], 0)
            if question["kind"] == Question.Kind.TEXT:
                tally.add([title(info[pk]), label, "（填空）", n, None], key=question["pk"])
                continue
            for option in options[question["pk"]]:
                picked = tallies.get((question["pk"], option["pk"]), 0)
                tally.add([title(info[pk]), label, option["text"], picked, rate(picked, n)], key=option["pk"])
    return listing, tally, sum(sum(counts.values()) for counts in per.values())
