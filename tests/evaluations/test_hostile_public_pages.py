"""The public rating page (/r/<code>/) and the public questionnaire page (/q/<code>/) under hostile posts
(property-based): whatever is posted — random keys and values, oversize text, invalid choices, ids of other
objects, forged links, odd device cookies, NUL characters — the answer is never a server error; a refused post
stores nothing and says why in Chinese; an accepted one stores exactly one rating or answer sheet, for the page's
own activity or questionnaire, as it was posted."""

import datetime
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from evaluations.actions import questionnaires as questionnaire_actions
from evaluations.actions.ratings import COMMENT_MAX, rating_submit
from evaluations.models import Answer, FollowUp, Rating, Response
from evaluations.selectors.questionnaires import questionnaire_code
from evaluations.selectors.ratings import rating_code
from evaluations.views.questionnaires import DEVICE_COOKIE as QUESTIONNAIRE_COOKIE
from evaluations.views.ratings import DEVICE_COOKIE as RATING_COOKIE
from portal.lib import shortlinks
from portal.models import AuditEvent
from services.models import Activity
from tests.evaluations.questionnaire_helpers import Survey, survey
from tests.evaluations.rating_helpers import make_activity
from tests.hostile import HOSTILE, any_text, assert_chinese, form_keys, form_values, outcome, post_form

pytestmark = pytest.mark.django_db

LEVELS = ["1", "2", "3", "4", "5"]
USED_DEVICE = "hypothesis-used-device-0001"
NUL_TEXTS = ["\x00", "希望\x00多组织活动", "很好\x00"]
# Where an example's hostility is: mostly in the form (the link and the phone's cookie are genuine), else in the
# link (forged, garbage, another object's) or in the cookie (none, already used, garbage).
WHERE = ["form", "form", "form", "link", "cookie"]
DEVICES = ["none", "used", "hostile"]


def fresh_device() -> str:
    """A device id as the page hands out, never used before (not drawn: a repeat would be refused, rightly)."""
    return secrets.token_urlsafe(24)


# A hostile cookie as a server sees it: HTTP headers are bytes, and WSGI hands them over as latin-1 text.
hostile_cookies = any_text.map(lambda text: text.encode("utf-8").decode("latin-1"))


def path_for(prefix: str, code: str) -> str:
    """/r/<code>/ or /q/<code>/ for any text, quoted as a browser would send it."""
    return f"/{prefix}/{quote(code, safe='')}/"


def refusal_messages(response) -> list[str]:
    """What a refusal page tells the person: the form's errors, the refusal message, or the page's own notice."""
    context = response.context
    if context is None:
        return []
    messages: list[str] = []
    form = context.get("form")
    if form is not None and form.is_bound:
        messages += [message for errors in form.errors.values() for message in errors]
    for key in ("message", "error"):
        if context.get(key):
            messages.append(str(context[key]))
    messages += [message for _, message in context.get("error_summary") or []]  # an answer sheet's problems
    notices = {
        "evaluations/rate_missing.html": "评价链接无效",
        "evaluations/rate_closed.html": "评价",
        "evaluations/questionnaire_missing.html": "问卷不存在",
        "evaluations/questionnaire_unavailable.html": "问卷",
        "404.html": "页面不存在",
        "portal/rate_limited.html": "提交过于频繁",
    }
    messages += [notice for name, notice in notices.items() if name in {t.name for t in response.templates}]
    return messages


def assert_refused_in_chinese(response, user_texts: list[str]) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    messages = refusal_messages(response)
    assert messages, f"a refusal must say why ({response.status_code}, {[t.name for t in response.templates]})"
    assert_chinese(messages, user_texts=user_texts)
    page = response.content.decode()
    assert all(escape(message) in page for message in messages)


# The rating page ----------------------------------------------------------------------------------------------


@dataclass
class Activities:
    open: Activity
    draft: Activity
    cancelled: Activity
    not_yet: Activity
    closed: Activity

    def ids(self) -> list[int]:
        return [a.pk for a in (self.open, self.draft, self.cancelled, self.not_yet, self.closed)]


@pytest.fixture
def activities(cast) -> Activities:
    now = timezone.now()
    found = Activities(
        open=make_activity(cast),
        draft=make_activity(cast, state=Activity.State.DRAFT, title="草稿活动"),
        cancelled=make_activity(cast, state=Activity.State.CANCELLED, title="取消的活动"),
        not_yet=make_activity(cast, starts_at=now + datetime.timedelta(days=2), title="后天的活动"),
        closed=make_activity(cast, starts_at=now - datetime.timedelta(days=9), title="上周的活动"),
    )
    rating_submit(activity=found.open, level=5, comment="", device=USED_DEVICE, address="10.0.0.1")
    return found


def rating_rows() -> tuple[int, int, int]:
    return Rating.objects.count(), FollowUp.objects.count(), AuditEvent.objects.count()


@HOSTILE
@given(data=st.data())
def test_any_post_to_the_rating_page_stores_one_rating_as_sent_or_is_refused_in_chinese(cast, client, activities, data):
    cache.clear()  # the per-address limit
    where = data.draw(st.sampled_from(WHERE), label="where")
    links = ["upper", "draft", "cancelled", "not_yet", "closed", "garbage"]
    target = data.draw(st.sampled_from(links), label="link") if where == "link" else "open"
    codes = {
        name: rating_code(getattr(activities, name)) for name in ("open", "draft", "cancelled", "not_yet", "closed")
    }
    codes["upper"] = codes["open"].upper()  # typed from a poster
    code = codes[target] if target in codes else data.draw(any_text, label="garbage code")
    device_kind = data.draw(st.sampled_from(DEVICES), label="cookie") if where == "cookie" else "fresh"
    device = {"fresh": fresh_device(), "none": None, "used": USED_DEVICE}.get(device_kind) or data.draw(hostile_cookies)
    client.cookies.pop(RATING_COOKIE, None)
    if device is not None:
        client.cookies[RATING_COOKIE] = device

    levels = st.one_of(st.sampled_from(LEVELS).map(lambda level: [level]), st.lists(form_values, max_size=3))
    pairs = [("level", v) for v in data.draw(levels, label="level")]
    friendly = ["很好", " 志愿者很耐心 ", "长" * COMMENT_MAX, "长" * (COMMENT_MAX + 1), "长" * (COMMENT_MAX + 1) + " "]
    comments = st.one_of(
        st.sampled_from(friendly).map(lambda c: [c]),
        st.sampled_from(friendly).map(lambda c: [c]),
        st.lists(form_values, max_size=2),
    )
    pairs += [("comment", v) for v in data.draw(comments, label="comment")]
    ids = st.sampled_from(activities.ids()).map(str)
    pairs += data.draw(
        st.lists(st.tuples(form_keys.filter(lambda k: k not in ("level", "comment")), form_values | ids), max_size=3)
    )
    pairs = data.draw(st.permutations(pairs))
    posted = QueryDict(urlencode(pairs))
    comment = posted.get("comment", "")
    acceptable = posted.get("level") in LEVELS and "\x00" not in comment and len(comment.strip()) <= COMMENT_MAX
    genuine = target in ("open", "upper")
    before = rating_rows()

    response = post_form(client, path_for("r", code), pairs)

    assert response.status_code < 500
    if not pairs and response.status_code == 200:
        # An empty POST (no field at all: not something the page's form sends) is answered as a GET.
        assert response.status_code == 200 and not response.context["form"].is_bound
        assert rating_rows() == before
        return
    if response.status_code == 302:
        outcome("stored")
        assert genuine and acceptable and device_kind in ("fresh", "hostile"), (target, device_kind, pairs)
        rating = Rating.objects.order_by("-pk").first()
        bad = int(posted["level"]) <= 2
        assert rating_rows() == (before[0] + 1, before[1] + bad, before[2] + bad)  # a 差评 opens an audited follow-up
        assert rating.activity_id == activities.open.pk  # the link's activity, whatever ids were posted
        assert (rating.level, rating.comment) == (int(posted["level"]), comment.strip())
        assert rating.device == response.wsgi_request.COOKIES[RATING_COOKIE]
        return
    outcome(f"refused {response.status_code}")
    assert not (genuine and acceptable and device_kind == "fresh"), f"a valid rating was refused: {pairs}"
    assert rating_rows() == before, "a refused rating wrote to the database"
    assert_refused_in_chinese(response, user_texts=[code, *(value for _, value in pairs)])


# The questionnaire page ---------------------------------------------------------------------------------------


@dataclass
class Surveys:
    open: Survey
    other: Survey  # another published questionnaire: its ids are not the open one's
    draft: Survey
    closed: Survey


@pytest.fixture
def surveys(cast) -> Surveys:
    found = Surveys(
        open=survey(cast.secretary, cast.branch_a),
        other=survey(cast.secretary, cast.branch_a, title="另一份"),
        draft=survey(cast.secretary, cast.branch_a, publish=False, title="草稿问卷"),
        closed=survey(cast.secretary, cast.branch_a, title="已结束"),
    )
    questionnaire_actions.questionnaire_close(actor=cast.secretary, questionnaire=found.closed.q)
    questionnaire_actions.response_submit(
        questionnaire=found.open.q, answers=found.open.answers(), channel="online", device=USED_DEVICE
    )
    return found


@dataclass(frozen=True)
class SheetChange:
    """A change to a valid answer sheet: the key, the values sent (none: left out), and whether the page must
    refuse it whatever else was sent — unless another change touches a key it depends on."""

    key: str
    values: tuple[str, ...]
    refused: bool
    depends_on: tuple[str, ...] = ()


def sheet_pairs(s: Survey, who: str, text: str) -> dict[str, tuple[str, ...]]:
    pairs = {f"q-{pk}": tuple(str(v) for v in entry["options"]) for pk, entry in s.answers(who).items()}
    pairs[f"q-{s.text.pk}"] = (text,)
    return pairs


@st.composite
def sheet_changes(draw, s: Survey, other: Survey, who: str) -> SheetChange:
    option_ids = [str(o.pk) for q in (s.category, s.single, s.multiple, s.members_only) for o in q.options.all()]
    option_ids += [str(o.pk) for o in other.single.options.all()]
    values = form_values | st.sampled_from(option_ids)
    kind = draw(st.sampled_from(["refused", "question", "other text", "free text", "free text", "q-key", "missing"]))
    required = [s.category, s.single, s.multiple] + ([s.members_only] if who == "党员" else [])
    if kind == "refused":
        return draw(
            st.sampled_from(
                [
                    SheetChange(f"q-{s.single.pk}", (str(other.single.options.first().pk),), True),
                    SheetChange(f"q-{s.single.pk}", tuple(str(o.pk) for o in s.single.options.all()[:2]), True),
                    SheetChange(f"q-{s.multiple.pk}", tuple(str(o.pk) for o in s.multiple.options.all()), True),
                    SheetChange(f"q-{s.text.pk}", ("长" * (questionnaire_actions.MAX_FREE_TEXT + 1),), True),
                    SheetChange(f"q-{s.text.pk}", ("一", "二"), True),
                    SheetChange(f"q-{other.text.pk}", ("别的问卷",), True),
                    SheetChange("q-abc", ("x",), True),
                    SheetChange("q--1", ("x",), True),
                    SheetChange("q-", ("x",), True),
                    SheetChange("q-999999999", ("x",), True),
                    SheetChange(f"q-{s.single.pk}", ("1 OR 1=1",), True),
                ]
            )
        )
    if kind == "question":
        question = draw(st.sampled_from([s.category, s.single, s.multiple, s.members_only]))
        return SheetChange(f"q-{question.pk}", tuple(draw(st.lists(values, max_size=3))), False)
    if kind in ("other text", "free text"):
        # Half of them with a NUL character: PostgreSQL cannot store one in text.
        text = draw(st.sampled_from(NUL_TEXTS)) if draw(st.booleans()) else draw(form_values)
        key = f"q-{s.multiple.pk}-other" if kind == "other text" else f"q-{s.text.pk}"
        return SheetChange(key, (text,), "\x00" in text)
    if kind == "q-key":
        return SheetChange(f"q-{draw(form_values)}", (draw(values),), False)
    question = draw(st.sampled_from([s.category, s.single, s.multiple, s.members_only, s.text]))
    # Whether the members-only question is required depends on the category answered.
    return SheetChange(f"q-{question.pk}", (), question in required, (f"q-{s.category.pk}",))


def answer_rows() -> tuple[int, int, int]:
    return Response.objects.count(), Answer.objects.count(), AuditEvent.objects.count()


@HOSTILE
@given(data=st.data())
def test_any_post_to_the_questionnaire_page_stores_one_sheet_as_sent_or_is_refused_in_chinese(
    cast, client, surveys, data
):
    cache.clear()  # the per-address limit
    s, other = surveys.open, surveys.other
    where = data.draw(st.sampled_from(WHERE), label="where")
    links = ["upper", "other", "draft", "closed", "rating", "garbage"]
    target = data.draw(st.sampled_from(links), label="link") if where == "link" else "open"
    codes = {
        name: questionnaire_code(questionnaire=getattr(surveys, name).q)
        for name in ("open", "other", "draft", "closed")
    }
    codes["upper"] = codes["open"].upper()
    codes["rating"] = shortlinks.make("rate", s.q.pk, settings.SHORTLINK_KEY)  # another kind of link, same number
    code = codes[target] if target in codes else data.draw(any_text, label="garbage code")
    device_kind = data.draw(st.sampled_from(DEVICES), label="cookie") if where == "cookie" else "fresh"
    device = {"fresh": fresh_device(), "none": None, "used": USED_DEVICE}.get(device_kind) or data.draw(hostile_cookies)
    client.cookies.pop(QUESTIONNAIRE_COOKIE, None)
    if device is not None:
        client.cookies[QUESTIONNAIRE_COOKIE] = device

    who = data.draw(st.sampled_from(["群众", "党员", "干部"]), label="who")
    text = data.draw(st.sampled_from(["", "希望多组织活动", " 很好 "]), label="text")
    fields = sheet_pairs(s, who, text)
    changes = data.draw(st.lists(sheet_changes(s, other, who), max_size=2, unique_by=lambda c: c.key), label="changes")
    for change in changes:
        fields[change.key] = change.values
    pairs = [(key, value) for key, values in fields.items() for value in values]
    pairs += data.draw(st.lists(st.tuples(form_keys.filter(lambda k: not k.startswith("q-")), form_values), max_size=3))
    pairs = data.draw(st.permutations(pairs))
    genuine = target in ("open", "upper")
    touched = {change.key for change in changes}
    must_refuse = [c for c in changes if c.refused and not (touched - {c.key}) & set(c.depends_on)]
    before = answer_rows()

    response = post_form(client, path_for("q", code), pairs)

    assert response.status_code < 500
    if response.status_code == 302:
        outcome("stored")
        assert genuine and device_kind in ("fresh", "hostile"), (target, device_kind)
        assert not must_refuse, f"a sheet that must be refused was stored: {must_refuse}"
        stored = Response.objects.order_by("-pk").first()
        assert answer_rows()[0] == before[0] + 1 and answer_rows()[2] == before[2]
        assert stored.questionnaire_id == s.q.pk and stored.channel == Response.Channel.ONLINE
        assert stored.device == response.wsgi_request.COOKIES[QUESTIONNAIRE_COOKIE]
        answers = list(stored.answers.select_related("question", "option"))
        assert answer_rows()[1] == before[1] + len(answers)
        for answer in answers:  # every answer is of this questionnaire, every pick an option of its own question
            assert answer.question.questionnaire_id == s.q.pk
            assert answer.option is None or answer.option.question_id == answer.question_id
            assert len(answer.text) <= questionnaire_actions.MAX_FREE_TEXT
        if not changes:
            expected = sum(len(values) for key, values in fields.items() if key != f"q-{s.text.pk}") + bool(
                text.strip()
            )
            assert len(answers) == expected
        return
    outcome(f"refused {response.status_code}")
    assert not (genuine and device_kind == "fresh" and not changes), f"a valid sheet was refused: {pairs}"
    assert answer_rows() == before, "a refused sheet wrote to the database"
    assert_refused_in_chinese(response, user_texts=[code, *(value for _, value in pairs)])


# The posts that found bugs, pinned ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["free text", "其他"])
def test_a_nul_character_in_an_answer_is_refused_in_chinese(cast, client, surveys, where):
    """PostgreSQL cannot store a NUL character: it reached the insert and failed there (a server error)."""
    s = surveys.open
    fields = sheet_pairs(s, "群众", "希望\x00多组织活动" if where == "free text" else "")
    if where == "其他":
        fields[f"q-{s.multiple.pk}"] = (str(s.opt(s.multiple, "其他").pk),)
        fields[f"q-{s.multiple.pk}-other"] = ("修\x00路",)
    pairs = [(key, value) for key, values in fields.items() for value in values]
    client.cookies[QUESTIONNAIRE_COOKIE] = fresh_device()
    before = answer_rows()

    response = post_form(client, path_for("q", questionnaire_code(questionnaire=s.q)), pairs)

    assert response.status_code == 400
    assert response.context["error_summary"] == [("", "答卷内容包含无效的字符，请删除后重新提交。")]
    assert answer_rows() == before
