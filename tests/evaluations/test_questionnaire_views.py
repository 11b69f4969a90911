"""Questionnaire staff pages: the builder through its forms, the read-only builder once answered, the share panel,
and the results arithmetic on a known set of answers (counts, percentages, 其他 texts, the category filter)."""

import pytest
from django.urls import reverse

from evaluations.actions import questionnaires as actions
from evaluations.models import Question, Questionnaire
from evaluations.selectors.questionnaires import questionnaire_code, results
from tests.evaluations.questionnaire_helpers import Survey, survey

pytestmark = pytest.mark.django_db

E = "evaluations:"


def _answer(s: Survey, n: int, who: str, single: str, multiple: list[str], other: str = "", text: str = "") -> None:
    for i in range(n):
        sheet = s.answers(
            who,
            single={"options": [s.opt(s.single, single).pk]},
            multiple={"options": [s.opt(s.multiple, m).pk for m in multiple], "other": other},
            text={"text": text},
        )
        actions.response_submit(
            questionnaire=s.q, answers=sheet, channel="online", device=f"{who}-{single}-{text}-{i}" * 2
        )


@pytest.fixture
def answered(cast) -> Survey:
    s = survey(cast.secretary, cast.branch_a)
    _answer(s, 3, "群众", "满意", ["助老"])
    _answer(s, 1, "群众", "一般", ["助老", "其他"], other="修路")
    _answer(s, 2, "党员", "满意", ["助学", "就业"], text="很好")
    _answer(s, 2, "干部", "不满意", ["其他"], other='=HYPERLINK("x")')
    return s


def test_build_through_the_pages(cast, login):
    client = login(cast.secretary)
    response = client.post(reverse(E + "questionnaire_create"), {"organisation": cast.branch_a.pk, "title": "新问卷"})
    q = Questionnaire.objects.get(title="新问卷")
    assert response["Location"] == q.get_absolute_url()
    add = reverse(E + "questionnaire_question_add", args=[q.pk])
    client.post(
        add, {"kind": "single", "text": "身份", "options": "群众\n党员", "is_category_question": "on", "required": "on"}
    )
    category = q.questions.get(is_category_question=True)
    member_option = category.options.get(text="党员")
    client.post(
        add,
        {
            "kind": "multiple",
            "text": "服务",
            "options": "甲\n乙\n丙",
            "has_other": "on",
            "max_picks": "2",
            "shown_to": [member_option.pk],
        },
    )
    question = q.questions.get(text="服务")
    assert (question.max_picks, question.options.count(), list(question.shown_to.all())) == (2, 4, [member_option])
    # a rule broken in the form: the message comes back on the builder, nothing is added
    response = client.post(add, {"kind": "multiple", "text": "错", "options": "甲\n乙", "max_picks": "5"}, follow=True)
    assert "1 到 2" in response.content.decode()
    assert q.questions.count() == 2
    # the builder lists the category options as "shown only to" choices
    assert f'value="{member_option.pk}"' in client.get(q.get_absolute_url()).content.decode()
    client.post(reverse(E + "questionnaire_publish", args=[q.pk]))
    q.refresh_from_db()
    assert q.state == Questionnaire.State.PUBLISHED


def test_detail_is_read_only_once_answered_with_a_new_version_button(cast, login, answered):
    client = login(cast.secretary)
    content = client.get(answered.q.get_absolute_url()).content.decode()
    assert 'data-testid="read-only"' in content and "创建新版本" in content
    assert reverse(E + "questionnaire_question_add", args=[answered.q.pk]) not in content
    assert reverse(E + "questionnaire_question_remove", args=[answered.q.pk, answered.text.pk]) not in content
    # the share panel: absolute short link and the QR code inline
    code = questionnaire_code(questionnaire=answered.q)
    assert f"http://testserver/q/{code}/" in content and "<svg" in content
    response = client.post(reverse(E + "questionnaire_new_version", args=[answered.q.pk]))
    new = Questionnaire.objects.get(previous=answered.q)
    assert response["Location"] == new.get_absolute_url()
    assert (
        reverse(E + "questionnaire_question_add", args=[new.pk]) in client.get(new.get_absolute_url()).content.decode()
    )


def test_qr_code_is_an_svg_of_the_short_link(cast, login, answered):
    response = login(cast.secretary).get(reverse(E + "questionnaire_qr", args=[answered.q.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content


def test_results_arithmetic(answered):
    data = results(questionnaire=answered.q)
    assert data["total"] == 8
    by_text = {item["question"].text: item for item in data["questions"]}
    single = {o["text"]: (o["count"], o["percent"]) for o in by_text["总体满意吗"]["options"]}
    assert single == {"满意": (5, 62.5), "一般": (1, 12.5), "不满意": (2, 25.0)}
    multiple = by_text["希望的服务"]
    assert multiple["answered"] == 8
    assert {o["text"]: (o["count"], o["percent"]) for o in multiple["options"]} == {
        "助老": (4, 50.0),
        "助学": (2, 25.0),
        "就业": (2, 25.0),
        "其他": (3, 37.5),
    }
    assert sorted(t["text"] for t in multiple["texts"]) == ['=HYPERLINK("x")', '=HYPERLINK("x")', "修路"]
    assert multiple["text_total"] == 3
    # the members-only question: percentages of those who answered it (the two 党员)
    members = by_text["参加过志愿服务吗"]
    assert members["answered"] == 2 and members["options"][0]["percent"] == 100.0
    assert by_text["意见建议"]["answered"] == 2 and [t["text"] for t in by_text["意见建议"]["texts"]] == ["很好"] * 2


def test_results_filtered_by_category(cast, login, answered):
    crowd = answered.opt(answered.category, "群众")
    data = results(questionnaire=answered.q, category_option=crowd)
    assert data["total"] == 4
    single = {o["text"]: (o["count"], o["percent"]) for o in data["questions"][1]["options"]}
    assert single == {"满意": (3, 75.0), "一般": (1, 25.0), "不满意": (0, 0.0)}
    page = login(cast.secretary).get(reverse(E + "questionnaire_results", args=[answered.q.pk]), {"category": crowd.pk})
    assert page.context["results"]["total"] == 4
    content = page.content.decode()
    assert 'id="questionnaire-charts"' in content and "vendor/echarts/echarts.min.js" in content
    assert "<script>" not in content
    # a junk or foreign filter is no filter
    other = survey(cast.secretary, cast.branch_a, title="另一份")
    for junk in ("abc", str(other.opt(other.category, "群众").pk), str(answered.opt(answered.single, "满意").pk)):
        page = login(cast.secretary).get(reverse(E + "questionnaire_results", args=[answered.q.pk]), {"category": junk})
        assert page.context["results"]["total"] == 8, junk


def test_kind_of_an_existing_question_cannot_be_changed_through_the_edit_form(cast, login):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    client = login(cast.secretary)
    url = reverse(E + "questionnaire_question_edit", args=[s.q.pk, s.single.pk])
    client.post(url, {"kind": "text", "text": "改名了", "options": "满意\n不满意", "required": "on"})
    question = Question.objects.get(pk=s.single.pk)
    assert (question.kind, question.text, question.options.count()) == ("single", "改名了", 2)


def test_results_count_blank_and_spoiled_apart_and_percent_of_valid_answers(cast, login, answered):
    """Issue 13: paper 未答 and 无效 are counted per question and left out of the percentages."""
    paper = {"channel": "paper", "entered_by": cast.secretary}
    actions.response_submit(questionnaire=answered.q, answers=answered.answers(single={"mark": "blank"}), **paper)
    actions.response_submit(questionnaire=answered.q, answers=answered.answers(single={"mark": "spoiled"}), **paper)
    data = results(questionnaire=answered.q)
    by_text = {item["question"].text: item for item in data["questions"]}
    single = by_text["总体满意吗"]
    assert (data["total"], single["answered"], single["blank"], single["spoiled"]) == (10, 8, 1, 1)
    assert {o["text"]: o["percent"] for o in single["options"]} == {"满意": 62.5, "一般": 12.5, "不满意": 25.0}
    # an optional question left out online is 未答; a conditional one counts only the category it applies to
    assert (by_text["意见建议"]["answered"], by_text["意见建议"]["blank"]) == (2, 8)
    members = by_text["参加过志愿服务吗"]
    assert (members["applicable"], members["answered"], members["blank"]) == (2, 2, 0)
    content = login(cast.secretary).get(reverse(E + "questionnaire_results", args=[answered.q.pk])).content.decode()
    assert "有效作答 8 人 · 未答 1 · 无效 1" in content
    assert "占比 = 选该项的人数 ÷ 该题有效作答人数（不含未答和无效）" in content


def test_a_refused_question_keeps_what_was_typed(cast, login):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    client = login(cast.secretary)
    typed = {
        "kind": "multiple",
        "text": "您最需要哪些服务",
        "options": "理发\n义诊",
        "max_picks": "5",
        "has_other": "on",
    }
    response = client.post(reverse(E + "questionnaire_question_add", args=[s.q.pk]), typed)
    assert response.status_code == 400
    form = response.context["question_form"]
    assert form.is_bound and form.data["text"] == "您最需要哪些服务"
    content = response.content.decode()
    assert "1 到 3" in content  # the action's message, on the page
    assert 'value="您最需要哪些服务"' in content and "理发\n义诊</textarea>" in content
    assert s.q.questions.count() == 5


def test_preview_renders_the_answer_sheet_without_a_way_to_submit(cast, login):
    s = survey(cast.secretary, cast.branch_a, publish=False)
    client = login(cast.secretary)
    assert reverse(E + "questionnaire_preview", args=[s.q.pk]) in client.get(s.q.get_absolute_url()).content.decode()
    response = client.get(reverse(E + "questionnaire_preview", args=[s.q.pk]))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["evaluations/questionnaire_answer.html", "public_base.html"]
    content = response.content.decode()
    assert 'data-testid="preview"' in content and "你的身份" in content and "仅限“党员”作答" in content
    assert 'method="post"' not in content and "csrfmiddlewaretoken" not in content
    assert 'type="submit"' not in content and "disabled>" in content
    assert client.post(reverse(E + "questionnaire_preview", args=[s.q.pk])).status_code == 405
