"""No N+1 on the questionnaire pages: the same number of queries with few questions/responses and with many, under
a fixed ceiling. Each test warms the page once, measures, adds many more rows, and measures again."""

import pytest
from django.urls import reverse

from evaluations.actions import questionnaires as actions
from evaluations.models import Question
from tests.evaluations.questionnaire_helpers import Survey, survey
from tests.harness import page_queries

pytestmark = pytest.mark.django_db

CEILING = 20


def _responses(s: Survey, n: int, prefix: str) -> None:
    for i in range(n):
        who = ["群众", "党员", "干部"][i % 3]
        sheet = s.answers(
            who,
            multiple={"options": [s.opt(s.multiple, "其他").pk], "other": f"{prefix}{i}"},
            text={"text": f"意见{prefix}{i}"},
        )
        actions.response_submit(questionnaire=s.q, answers=sheet, channel="online", device=f"{prefix}-device-{i:06d}")
    # paper forms with a blank and a spoiled answer: counted apart, in the same queries
    for mark in ("blank", "spoiled"):
        sheet = s.answers(single={"mark": mark})
        actions.response_submit(questionnaire=s.q, answers=sheet, channel="paper", entered_by=s.q.created_by)


def _more_questions(cast, s: Survey, n: int) -> None:
    """Only on an unanswered questionnaire: more questions, each with options and a condition."""
    member = s.opt(s.category, "党员")
    for i in range(n):
        actions.question_add(
            actor=cast.secretary,
            questionnaire=s.q,
            kind=Question.Kind.MULTIPLE,
            text=f"追加题{i}",
            options=["甲", "乙", "丙", "丁"],
            has_other=True,
            max_picks=3,
            shown_to=[member],
            required=False,
        )


@pytest.mark.parametrize("role", ["secretary", "committee", "orgadmin"])
def test_questionnaire_list(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse("evaluations:questionnaire_list")
    _responses(survey(cast.secretary, cast.branch_a, title="少"), 2, "少")
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    for i in range(8):
        _responses(survey(cast.secretary, cast.branch_a, title=f"多{i}"), 3, f"多{i}")
    many = page_queries(client, url, CEILING)
    assert client.get(url).context["page"].paginator.count == 9
    assert many == few


@pytest.mark.parametrize("state", ["draft", "answered"])
def test_questionnaire_detail(cast, login, state):
    """A small questionnaire (few questions, few answers) against a big one (17 questions, many answers), both in
    the same state: the builder of a draft, or the read-only page with the share panel once answered."""
    client = login(cast.secretary)
    small = survey(cast.secretary, cast.branch_a, publish=False, title="少")
    big = survey(cast.secretary, cast.branch_a, publish=False, title="多")
    _more_questions(cast, big, 12)
    if state == "answered":
        for s, n in ((small, 2), (big, 40)):
            actions.questionnaire_publish(actor=cast.secretary, questionnaire=s.q)
            _responses(s, n, s.q.title)

    def measure(s: Survey) -> int:
        return page_queries(client, reverse("evaluations:questionnaire_detail", args=[s.q.pk]), CEILING)

    measure(small)
    few = measure(small)
    many = measure(big)
    assert many == few
    page = client.get(reverse("evaluations:questionnaire_detail", args=[big.q.pk]))
    assert len(page.context["questions"]) == 17
    assert page.context["editable"] is (state == "draft")


@pytest.mark.parametrize("params", [{}, {"category": "群众"}], ids=["all", "category"])
def test_questionnaire_results(cast, login, params):
    client = login(cast.secretary)
    few_survey = survey(cast.secretary, cast.branch_a, title="少")
    _responses(few_survey, 2, "少")
    many_survey = survey(cast.secretary, cast.branch_a, publish=False, title="多")
    _more_questions(cast, many_survey, 12)
    actions.questionnaire_publish(actor=cast.secretary, questionnaire=many_survey.q)
    _responses(many_survey, 60, "多")

    def measure(s: Survey) -> int:
        query = {"category": s.opt(s.category, "群众").pk} if params else {}
        url = reverse("evaluations:questionnaire_results", args=[s.q.pk])
        return page_queries(client, url, CEILING, query)

    measure(few_survey)
    few = measure(few_survey)
    many = measure(many_survey)
    assert many == few
    page = client.get(reverse("evaluations:questionnaire_results", args=[many_survey.q.pk]))
    assert len(page.context["results"]["questions"]) == 17 and page.context["results"]["total"] == 62


@pytest.mark.parametrize("name", ["questionnaire_preview", "questionnaire_paper"])
def test_answer_sheets(cast, login, name):
    """The preview and the paper entry render every question with its options and condition: no query per
    question."""
    client = login(cast.secretary)
    small = survey(cast.secretary, cast.branch_a, publish=False, title="少")
    big = survey(cast.secretary, cast.branch_a, publish=False, title="多")
    _more_questions(cast, big, 12)
    for s in (small, big):
        actions.questionnaire_publish(actor=cast.secretary, questionnaire=s.q)

    def measure(s: Survey) -> int:
        return page_queries(client, reverse(f"evaluations:{name}", args=[s.q.pk]), CEILING)

    measure(small)
    few = measure(small)
    many = measure(big)
    assert many == few
    assert len(client.get(reverse(f"evaluations:{name}", args=[big.q.pk])).context["sheet"]) == 17
