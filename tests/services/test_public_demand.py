"""The public demand form: no login, phone-friendly, spam-resistant (honeypot, signed render time at least a few
seconds and at most two hours old, five posts an hour per address). Every refusal is a Chinese message and
stores nothing."""

import time

import pytest
from django.core import signing
from django.urls import reverse

from branches import actions as branch_actions
from portal.models import AuditEvent
from services.forms.demands import TIMESTAMP_SALT, public_form_stamp
from services.models import Demand
from services.views.demands import DONE_SALT
from tests.services.test_demand_actions import category

pytestmark = pytest.mark.django_db


def url(organisation) -> str:
    return reverse("services:public_demand", args=[organisation.pk])


def body(organisation, *, age: float = 10, **fields) -> dict:
    data = {
        "category": category("utilities").pk,
        "content": "楼道里的水管漏水，已经两天了",
        "requester_name": "",
        "requester_phone": "",
        "requester_address": "",
        "website": "",
        "stamp": public_form_stamp(organisation.pk, at=time.time() - age),
    }
    return data | fields


def stored() -> tuple[int, int]:
    return Demand.objects.count(), AuditEvent.objects.count()


def test_the_form_shows_without_login_and_without_staff_navigation(cast, login):
    for user in (None, cast.secretary):
        response = login(user).get(url(cast.branch_a))
        assert response.status_code == 200
        content = response.content.decode()
        assert "我有需求" in content and cast.branch_a.name in content
        assert 'name="stamp"' in content and 'name="website"' in content
        assert "form-control-lg" in content  # big inputs for phones
        # no staff navigation or account menu, even for a logged-in secretary
        assert "服务活动" not in content and "退出登录" not in content and "群众需求反映" in content
        assert "<script" not in content


def test_happy_path_stores_an_online_demand_and_shows_the_reference_and_deadline(cast, client):
    response = client.post(
        url(cast.branch_a),
        body(cast.branch_a, requester_name="王阿姨", requester_phone="13812341234", requester_address="3 栋"),
    )
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.organisation == cast.branch_a and demand.channel == Demand.Channel.ONLINE
    assert demand.state == Demand.State.RECEIVED and demand.recorded_by is None
    assert (demand.requester_name, demand.requester_phone) == ("王阿姨", "13812341234")
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert f">{demand.pk}<" in content
    assert f"{demand.deadline.year}年{demand.deadline.month}月{demand.deadline.day}日" in content
    assert "13812341234" not in content and "王阿姨" not in content  # nothing personal on the public page


def test_anonymous_is_allowed(cast, client):
    response = client.post(url(cast.branch_a), body(cast.branch_a))
    assert response.status_code == 302
    assert Demand.objects.get().requester_name == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"website": "http://spam.example"}, "请不要填写隐藏的"),
        ({"stamp": "not-a-signed-value"}, "表单已失效"),
        ({"stamp": signing.dumps({"o": 0, "t": time.time() - 10}, salt="another.salt")}, "表单已失效"),
        ({"stamp": ""}, "表单已失效"),
        ({"content": "   "}, "这个字段是必填项"),
        ({"content": "长" * 2001}, "2000"),
        ({"category": ""}, "这个字段是必填项"),
        ({"requester_phone": "12345"}, "联系电话格式不正确"),
    ],
    ids=["honeypot", "forged", "wrong-salt", "missing-stamp", "empty", "too-long", "no-category", "bad-phone"],
)
def test_refusals_are_chinese_and_store_nothing(cast, client, fields, message):
    before = stored()
    response = client.post(url(cast.branch_a), body(cast.branch_a, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored() == before


def test_too_fast_is_refused(cast, client):
    before = stored()
    response = client.post(url(cast.branch_a), body(cast.branch_a, age=1))
    assert "提交过快" in response.content.decode()
    assert stored() == before
    # the re-shown form keeps the clock of its genuine stamp: it is still too soon
    again = signing.loads(response.context["stamp"], salt=TIMESTAMP_SALT)
    assert time.time() - again["t"] < 2


def test_a_field_to_correct_is_not_reported_as_too_fast(cast, client):
    """「提交过快」 came together with the ordinary messages: only the field's message now, nothing stored."""
    before = stored()
    response = client.post(url(cast.branch_a), body(cast.branch_a, age=1, content=""))
    content = response.content.decode()
    assert "提交过快" not in content and "这个字段是必填项" in content
    assert stored() == before


def test_a_resident_who_corrects_a_field_at_once_is_not_refused(cast, client):
    first = client.post(url(cast.branch_a), body(cast.branch_a, age=2.5, requester_phone="123"))
    assert first.status_code == 200 and "提交过快" not in first.content.decode()
    assert Demand.objects.count() == 0
    # the re-shown form keeps the first render's clock, so the corrected form may go straight back
    corrected = body(cast.branch_a, requester_phone="13812341234") | {"stamp": first.context["stamp"]}
    time.sleep(0.6)
    assert client.post(url(cast.branch_a), corrected).status_code == 302
    assert Demand.objects.count() == 1


def test_an_expired_or_forged_stamp_is_replaced_by_a_new_one_on_the_page(cast, client):
    for stamp in (public_form_stamp(cast.branch_a.pk, at=time.time() - 3 * 3600), "forged"):
        response = client.post(url(cast.branch_a), body(cast.branch_a) | {"stamp": stamp})
        renewed = signing.loads(response.context["stamp"], salt=TIMESTAMP_SALT)
        assert time.time() - renewed["t"] < 2 and renewed["o"] == cast.branch_a.pk


def test_expired_form_is_refused(cast, client):
    before = stored()
    response = client.post(url(cast.branch_a), body(cast.branch_a, age=2 * 3600 + 5))
    assert "超过 2 小时" in response.content.decode()
    assert stored() == before


def test_a_stamp_for_another_organisation_is_refused(cast, client):
    before = stored()
    data = body(cast.branch_a) | {"stamp": public_form_stamp(cast.branch_b.pk, at=time.time() - 10)}
    response = client.post(url(cast.branch_a), data)
    assert "表单已失效" in response.content.decode()
    assert stored() == before


def test_the_minimum_age_is_a_setting(cast, client, settings):
    settings.PUBLIC_FORM_MIN_SECONDS = 0
    assert client.post(url(cast.branch_a), body(cast.branch_a, age=0)).status_code == 302
    settings.PUBLIC_FORM_MIN_SECONDS = 60
    response = client.post(url(cast.branch_a), body(cast.branch_a, age=30))
    assert "提交过快" in response.content.decode()
    assert Demand.objects.count() == 1


def test_unknown_or_archived_organisation_is_a_chinese_404(cast, client):
    response = client.get(reverse("services:public_demand", args=[999_999]))
    assert response.status_code == 404
    assert "党组织不存在或已撤销" in response.content.decode()
    branch_actions.organisation_update(actor=None, organisation=cast.branch_b, is_archived=True)
    before = stored()
    assert client.get(url(cast.branch_b)).status_code == 404
    assert client.post(url(cast.branch_b), body(cast.branch_b)).status_code == 404
    assert stored() == before


def test_rate_limit_answers_429_after_five_posts(cast, client):
    for _ in range(5):
        assert client.post(url(cast.branch_a), body(cast.branch_a)).status_code == 302
    before = stored()
    response = client.post(url(cast.branch_a), body(cast.branch_a))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert stored() == before == (5, before[1])
    # reading the form is not limited
    assert client.get(url(cast.branch_a)).status_code == 200


def test_refused_posts_count_towards_the_limit(cast, client):
    for _ in range(5):
        client.post(url(cast.branch_a), body(cast.branch_a, website="spam"))
    assert client.post(url(cast.branch_a), body(cast.branch_a)).status_code == 429
    assert Demand.objects.count() == 0


def test_the_done_page_needs_the_signed_link(cast, client):
    client.post(url(cast.branch_a), body(cast.branch_a))
    demand = Demand.objects.get()
    done = "services:public_demand_done"
    assert client.get(reverse(done, args=[cast.branch_a.pk, str(demand.pk)])).status_code == 404
    forged = signing.dumps(demand.pk, salt="something.else")
    assert client.get(reverse(done, args=[cast.branch_a.pk, forged])).status_code == 404
    token = signing.dumps(demand.pk, salt=DONE_SALT)
    assert client.get(reverse(done, args=[cast.branch_b.pk, token])).status_code == 404  # not B's demand
    assert client.get(reverse(done, args=[cast.branch_a.pk, token])).status_code == 200


def test_control_characters_typed_by_the_public_are_dropped_before_storing(cast, client):
    response = client.post(
        url(cast.branch_a),
        body(
            cast.branch_a,
            content="水管\x1b[2J漏水\u202e了\x07",
            requester_name="王\x00大爷",
            requester_address="三\x0b号楼",
        ),
    )
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert (demand.content, demand.requester_name, demand.requester_address) == ("水管[2J漏水了", "王大爷", "三号楼")
