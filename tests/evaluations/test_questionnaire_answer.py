"""The public answering page (no login) and the paper entry: hostile posts are refused with a Chinese message and
write nothing; one response per device cookie; forged codes, drafts and closed questionnaires get Chinese pages."""

import pytest
from django.urls import reverse

from evaluations.actions import questionnaires as actions
from evaluations.models import Answer, Response
from evaluations.selectors.questionnaires import questionnaire_code
from evaluations.views.questionnaires import DEVICE_COOKIE
from portal.models import AuditEvent
from tests.evaluations.test_questionnaire_actions import HOSTILE_NAMES, Survey, _hostile, survey

pytestmark = pytest.mark.django_db


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


def url(s: Survey) -> str:
    return reverse("evaluations:questionnaire_answer", args=[questionnaire_code(questionnaire=s.q)])


def _rows() -> tuple:
    return Response.objects.count(), Answer.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def s(cast) -> Survey:
    return survey(cast.secretary, cast.branch_a)


@pytest.fixture
def phone(client, s):
    """The anonymous public with the device cookie the page hands out on GET."""
    response = client.get(url(s))
    assert response.status_code == 200
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 365 * 24 * 3600
    return client


def test_get_shows_questions_with_condition_data_and_no_inline_script(phone, s):
    content = phone.get(url(s)).content.decode()
    assert "你的身份" in content and "参加过志愿服务吗" in content
    assert f'data-shown-to="{s.opt(s.category, "党员").pk}"' in content
    assert "js/questionnaire_form.js" in content
    assert "<script>" not in content  # every script is a file


def test_a_good_answer_redirects_to_thanks_and_a_second_is_refused(phone, s):
    response = phone.post(url(s), post_data(s.answers("党员", text={"text": "好"})))
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:questionnaire_answered", args=[url(s).split("/")[-2]])
    assert Response.objects.filter(questionnaire=s.q, channel="online").count() == 1
    assert "感谢" in phone.get(response["Location"]).content.decode()
    before = _rows()
    again = phone.post(url(s), post_data(s.answers()))
    assert again.status_code == 400
    assert "已经填写过" in again.content.decode()
    assert _rows() == before


def test_a_post_without_the_device_cookie_is_refused(client, s):
    response = client.post(url(s), post_data(s.answers()))
    assert response.status_code == 400
    assert "Cookie" in response.content.decode()
    assert not Response.objects.exists()


# Through the page a free-text field carries text: an option id posted there is just the text "5".
WEB_HOSTILE = [name for name in HOSTILE_NAMES if name != "options on a free-text question"]


@pytest.mark.parametrize("name", WEB_HOSTILE)
def test_hostile_posts_to_the_public_page(phone, cast, s, name):
    other = survey(cast.secretary, cast.branch_a, title="另一份")
    before = _rows()
    response = phone.post(url(s), post_data(_hostile(s, other)[name]))
    assert response.status_code == 400
    refusals = [message for _, message in response.context["error_summary"]]
    assert refusals and all(any("\u4e00" <= ch <= "\u9fff" for ch in refusal) for refusal in refusals)
    assert all(refusal in response.content.decode() for refusal in refusals)
    assert _rows() == before


@pytest.mark.parametrize("name", WEB_HOSTILE)
def test_hostile_posts_to_the_paper_entry(login, cast, s, name):
    other = survey(cast.secretary, cast.branch_a, title="另一份")
    client = login(cast.secretary)
    before = _rows()
    response = client.post(
        reverse("evaluations:questionnaire_paper", args=[s.q.pk]), post_data(_hostile(s, other)[name])
    )
    assert response.status_code == 400
    refusals = [message for _, message in response.context["error_summary"]]
    assert refusals and all(refusal in response.content.decode() for refusal in refusals)
    assert _rows() == before


def test_two_values_for_one_text_box_are_refused(phone, s):
    data = post_data(s.answers())
    data[f"q-{s.text.pk}"] = ["一", "二"]
    response = phone.post(url(s), data)
    assert response.status_code == 400 and "无效" in response.context["error_summary"][0][1]
    assert not Response.objects.exists()


def test_paper_entry_records_who_keyed_it_in(login, cast, s):
    client = login(cast.secretary)
    page = reverse("evaluations:questionnaire_paper", args=[s.q.pk])
    for _ in range(2):  # two paper forms, one per submit
        response = client.post(page, post_data(s.answers("干部")))
        assert response.status_code == 302 and response["Location"] == page
    assert (
        list(Response.objects.values_list("channel", "entered_by", "device")) == [("paper", cast.secretary.pk, "")] * 2
    )
    assert AuditEvent.objects.filter(action="questionnaire.paper_enter", actor=cast.secretary).count() == 2


def test_forged_and_unknown_codes_are_a_chinese_404(client, s):
    code = questionnaire_code(questionnaire=s.q)
    number, signature = code.split("-")
    forged = [
        f"{number}-{'a' * len(signature)}",
        f"{int(number, 36) + 1:x}-{signature}",
        "abc",
        "<script>",
    ]
    for bad in forged:
        for method in (client.get, client.post):
            response = method(reverse("evaluations:questionnaire_answer", args=[bad]))
            assert response.status_code == 404, bad
            assert "问卷不存在" in response.content.decode()
    assert not Response.objects.exists()


def test_draft_and_closed_questionnaires_get_a_chinese_page(client, cast, s):
    draft = survey(cast.secretary, cast.branch_a, publish=False, title="草稿")
    response = client.get(url(draft))
    assert response.status_code == 403 and "尚未发布" in response.content.decode()
    client.get(url(s))
    actions.questionnaire_close(actor=cast.secretary, questionnaire=s.q)
    for method in (client.get, client.post):
        response = method(url(s), post_data(s.answers()))
        assert response.status_code == 410 and "已结束" in response.content.decode()
    assert not Response.objects.exists()


def test_the_public_page_is_rate_limited_per_address(phone, s):
    statuses = [phone.post(url(s), post_data(s.answers(single=None))).status_code for _ in range(61)]
    assert statuses[:60] == [400] * 60  # refused answers, still under the limit
    assert statuses[60] == 429


def test_a_phone_that_answered_gets_the_thanks_instead_of_the_questions(client, s):
    """The questions used to be shown again, and the refusal came only after answering them all."""
    first = client.get(url(s))
    assert first.status_code == 200 and "你的身份" in first.content.decode()
    assert client.post(url(s), post_data(s.answers())).status_code == 302
    again = client.get(url(s))
    content = again.content.decode()
    assert again.status_code == 200 and 'data-testid="already"' in content and "你的身份" not in content
    client.cookies.pop(DEVICE_COOKIE)
    assert "你的身份" in client.get(url(s)).content.decode()  # another phone still gets the questions


# Issue 13 ---------------------------------------------------------------------------------------------------


def test_every_error_is_shown_next_to_its_question_and_summarised(phone, s):
    data = post_data(s.answers(single=None, text={"text": "长" * 501}))
    data.pop(f"q-{s.single.pk}", None)
    response = phone.post(url(s), data)
    assert response.status_code == 400
    content = response.content.decode()
    summary = response.context["error_summary"]
    assert [anchor for anchor, _ in summary] == [f"question-{s.single.pk}", f"question-{s.text.pk}"]
    for question in (s.single, s.text):
        error_id = f"q-{question.pk}-error"
        assert f'href="#question-{question.pk}"' in content
        assert f'id="{error_id}"' in content
        inputs = len(question.options.all()) or 1  # each option, or the one text box
        assert content.count(f'aria-describedby="{error_id}"') == inputs
        assert f'aria-invalid="true" aria-describedby="{error_id}"' in content
    assert f'class="form-check-input is-invalid" type="radio" name="q-{s.single.pk}"' in content
    # a question without a problem is not marked
    assert f'aria-describedby="q-{s.category.pk}-error"' not in content
    # what was typed is put back
    assert "长" * 501 in content


def test_the_condition_is_stated_in_words_and_an_answer_outside_it_is_not_counted(phone, s):
    content = phone.get(url(s)).content.decode()
    assert "仅限“党员”作答（该类别必答）" in content
    data = post_data(s.answers("群众", members_only={"options": [s.opt(s.members_only, "否").pk]}))
    response = phone.post(url(s), data, follow=True)
    assert response.status_code == 200
    assert "第 4 题仅限“党员”作答，与所选的答卷人类别不符，该题的回答未计入。" in response.content.decode()
    assert not Answer.objects.filter(question=s.members_only).exists()
    assert Response.objects.count() == 1


def test_other_text_box_is_tied_to_its_box_and_counts_without_the_tick(phone, s):
    other = s.opt(s.multiple, "其他")
    assert f'data-other-for="o{other.pk}"' in phone.get(url(s)).content.decode()
    data = post_data(s.answers(multiple={"options": [], "other": "修路"}))
    assert phone.post(url(s), data).status_code == 302
    assert Answer.objects.get(question=s.multiple).option == other


def test_paper_entry_offers_blank_and_spoiled_per_question(login, cast, s):
    client = login(cast.secretary)
    page = reverse("evaluations:questionnaire_paper", args=[s.q.pk])
    content = client.get(page).content.decode()
    assert content.count('data-testid="paper-mark"') == 5
    assert f'name="q-{s.single.pk}-mark" id="m{s.single.pk}-2" value="blank"' in content
    data = post_data(s.answers(single=None))
    data[f"q-{s.single.pk}-mark"] = "spoiled"
    assert client.post(page, data).status_code == 302
    assert Answer.objects.get(question=s.single).spoiled
    # the public page has no such marks, and refuses one
    assert 'data-testid="paper-mark"' not in client.get(url(s)).content.decode()


def test_control_characters_in_a_typed_answer_are_dropped_before_storing(phone, s):
    response = phone.post(url(s), post_data(s.answers("党员", text={"text": "很\x1b[1m好\u202e"})))
    assert response.status_code == 302, response.context and response.context.get("error_summary")
    assert Answer.objects.get(question=s.text).text == "很[1m好"
