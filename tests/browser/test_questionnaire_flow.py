"""The questionnaire answer page in a real browser (issue 13): typing after 其他 ticks 其他, the category hides the
questions it does not answer, a refused sheet marks every failing question with its message next to it and a summary
linking to them — all under the Content-Security-Policy, with no inline script."""

import pytest
from playwright.sync_api import expect

from evaluations.models import Answer, Response
from evaluations.selectors.questionnaires import questionnaire_code
from tests.browser.csp_helpers import Watched
from tests.evaluations.questionnaire_helpers import survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_page_ticks_other_and_shows_every_error(cast, live_server, phone_page):
    s = survey(cast.secretary, cast.branch_a, title="甲支部问卷")
    public = Watched(phone_page(), live_server.url)
    page = public.page
    public.visit(f"/q/{questionnaire_code(questionnaire=s.q)}/")
    members_only = page.locator(f"#question-{s.members_only.pk}")
    expect(members_only).to_be_hidden()  # no category picked yet
    page.get_by_label("党员", exact=True).check()
    expect(members_only).to_be_visible()
    expect(members_only).to_contain_text("仅限“党员”作答")
    page.get_by_label("群众", exact=True).check()
    expect(members_only).to_be_hidden()

    other_box = page.locator(f"#o{s.opt(s.multiple, '其他').pk}")
    expect(other_box).not_to_be_checked()
    page.get_by_label("第 3 题“其他”的具体内容").fill("修路")
    expect(other_box).to_be_checked()

    # 第 2 题 left out: refused (status 400), the question marked, the message beside it and in the summary
    page.locator(f"#question-{s.text.pk} textarea").fill("很好")
    page.get_by_role("button", name="提交问卷").click()
    summary = page.get_by_test_id("refusal")
    expect(summary).to_contain_text("答卷有 1 处需要修改")
    expect(summary.get_by_role("link", name="第 2 题为必答题，请选择。")).to_have_attribute(
        "href", f"#question-{s.single.pk}"
    )
    first = page.locator(f"#question-{s.single.pk} input").first
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(first).to_have_class("form-check-input is-invalid")
    expect(page.locator(f"#q-{s.single.pk}-error")).to_be_visible()
    expect(other_box).to_be_checked()  # what was picked is put back
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交问卷").click()
    expect(page.get_by_test_id("thanks").or_(page.get_by_text("感谢"))).to_be_visible()
    response = Response.objects.get(questionnaire=s.q)
    assert Answer.objects.get(response=response, option__is_other=True).text == "修路"
    problems = [p for p in public.problems if " 400 for " not in p]  # the refusal above is a 400 on purpose
    assert not problems, "\n".join(problems)
