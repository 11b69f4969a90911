"""Pledge and post pages: the forms carry what the actions need, refusals come back in Chinese and write nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from services.actions.pledges import pledge_appraise, pledge_progress_record, pledge_withdraw, post_check, post_create
from services.models import Pledge, PledgeProgress, Post
from tests.services.pledge_helpers import APPRAISAL, FIELDS, ITEMS, make_pledge

pytestmark = pytest.mark.django_db


def items_body(*rows: tuple) -> dict:
    body = {"items-TOTAL_FORMS": "5", "items-INITIAL_FORMS": "0"}
    for index, (content, target, unit) in enumerate(rows):
        body |= {f"items-{index}-content": content, f"items-{index}-target": target, f"items-{index}-unit": unit}
    return body


def test_secretary_creates_a_pledge_with_two_items_from_the_form(cast, login):
    client = login(cast.secretary)
    body = {"year": timezone.localdate().year, "organisation": cast.branch_a.pk, "person": cast.person_a.pk}
    body |= {"title": "服务群众"} | items_body(("走访困难户", "12", "次"), ("志愿服务", "40.5", "小时"))
    response = client.post(reverse("services:pledge_create"), body)
    pledge = Pledge.objects.get()
    assert response.status_code == 302 and response["Location"] == pledge.get_absolute_url()
    assert pledge.person == cast.person_a
    assert list(pledge.items.values_list("content", "target", "unit")) == [
        ("走访困难户", Decimal(12), "次"),
        ("志愿服务", Decimal("40.5"), "小时"),
    ]


def test_member_form_has_no_organisation_or_person_and_makes_their_own_pledge(cast, login):
    client = login(cast.member)
    page = client.get(reverse("services:pledge_create")).content.decode()
    assert 'name="organisation"' not in page and 'name="person"' not in page and 'name="items-4-content"' in page
    body = {"title": "我的承诺", "organisation": cast.branch_b.pk, "person": cast.person_a.pk}  # ignored
    response = client.post(reverse("services:pledge_create"), body | items_body(("走访", "3", "次")))
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.person, pledge.organisation, pledge.year) == (
        cast.member_person,
        cast.branch_a,
        timezone.localdate().year,
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((), "请至少填写一项承诺事项"),
        ((("走访", "0", "次"),), "请检查承诺事项"),
        ((("走访", "5", ""),), "请检查承诺事项"),
        ((("", "5", "次"),), "请检查承诺事项"),
    ],
)
def test_bad_items_are_reported_and_nothing_is_written(cast, login, rows, message):
    client = login(cast.member)
    response = client.post(reverse("services:pledge_create"), {"title": "我的承诺"} | items_body(*rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Pledge.objects.exists()


def test_second_pledge_of_the_year_is_refused_in_chinese(cast, login):
    make_pledge(cast, person=cast.member_person)
    response = login(cast.member).post(
        reverse("services:pledge_create"), {"title": "再来一份"} | items_body(("走访", "3", "次"))
    )
    assert response.status_code == 200 and "每名党员每年一份" in response.content.decode()
    assert Pledge.objects.count() == 1


def test_member_records_progress_and_sees_the_bar(cast, login):
    pledge = make_pledge(cast, person=cast.member_person, items=[{"content": "走访", "target": 10, "unit": "次"}])
    client = login(cast.member)
    body = {"item": pledge.items.get().pk, "date": timezone.localdate().isoformat(), "amount": "4", "note": "入户"}
    response = client.post(reverse("services:pledge_progress_add", args=[pledge.pk]), body, follow=True)
    content = response.content.decode()
    assert "进展已登记" in content and "pct-40" in content and "入户" in content
    assert PledgeProgress.objects.get().recorded_by == cast.member


def test_refused_progress_comes_back_as_a_message(cast, login):
    pledge = make_pledge(cast, person=cast.member_person)
    body = {"item": pledge.items.get().pk, "date": "2001-01-01", "amount": "4", "note": ""}
    response = login(cast.member).post(reverse("services:pledge_progress_add", args=[pledge.pk]), body, follow=True)
    assert "年内" in response.content.decode()
    assert not PledgeProgress.objects.exists()


def test_progress_on_an_item_of_another_pledge_is_a_form_error(cast, login):
    own = make_pledge(cast, person=cast.member_person)
    other = make_pledge(cast, person=cast.person_a)
    body = {"item": other.items.get().pk, "date": timezone.localdate().isoformat(), "amount": "1"}
    login(cast.member).post(reverse("services:pledge_progress_add", args=[own.pk]), body)
    assert not PledgeProgress.objects.exists()


def test_appraisal_through_the_page_makes_the_pledge_read_only(cast, login):
    pledge = make_pledge(cast, person=cast.member_person)
    client = login(cast.secretary)
    response = client.post(reverse("services:pledge_appraise", args=[pledge.pk]), APPRAISAL, follow=True)
    assert "评议结果已登记" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.result == "fulfilled"
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "已践诺" in page and "完成较好。" in page
    for name in ("pledge_progress_add", "pledge_appraise", "pledge_withdraw", "pledge_item_add"):
        assert reverse(f"services:{name}", args=[pledge.pk]) not in page


def test_appraisal_form_missing_a_part_writes_nothing(cast, login):
    pledge = make_pledge(cast, person=cast.member_person)
    body = APPRAISAL | {"mass_rating": ""}
    response = login(cast.secretary).post(reverse("services:pledge_appraise", args=[pledge.pk]), body, follow=True)
    assert "群众评议" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.result == ""


def test_appraisal_is_prominent_in_december_and_folded_away_before(cast, login, monkeypatch):
    year = timezone.localdate().year
    pledge = make_pledge(cast, person=cast.member_person)
    client = login(cast.secretary)
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(year, 6, 1))
    assert "年终践诺评议" not in client.get(pledge.get_absolute_url()).content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(year, 12, 5))
    assert "年终践诺评议" in client.get(pledge.get_absolute_url()).content.decode()


def test_withdraw_through_the_page(cast, login):
    pledge = make_pledge(cast, person=cast.member_person)
    response = login(cast.member).post(
        reverse("services:pledge_withdraw", args=[pledge.pk]), {"reason": "重新填写"}, follow=True
    )
    assert "承诺已撤回" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.is_withdrawn


def test_list_defaults_to_this_year_and_filters_by_result(cast, login):
    year = timezone.localdate().year
    make_pledge(cast, person=cast.person_a, title="今年承诺")
    old = make_pledge(cast, person=cast.person_a, year=year - 1, title="去年承诺")
    pledge_appraise(actor=cast.secretary, pledge=old, **(APPRAISAL | {"result": "partial"}))
    client = login(cast.secretary)
    url = reverse("services:pledge_list")
    plain = client.get(url).content.decode()
    assert "今年承诺" in plain and "去年承诺" not in plain
    last = client.get(url, {"year": year - 1}).content.decode()
    assert "去年承诺" in last and "今年承诺" not in last
    partial = client.get(url, {"year": "", "result": "partial"}).content.decode()
    assert "去年承诺" in partial and "今年承诺" not in partial
    open_ = client.get(url, {"year": "", "result": "none"}).content.decode()
    assert "今年承诺" in open_ and "去年承诺" not in open_


def test_list_shows_each_pledges_progress(cast, login):
    items = [{"content": "走访", "target": 10, "unit": "次"}, {"content": "服务", "target": 4, "unit": "小时"}]
    pledge = make_pledge(cast, person=cast.person_a, items=items)
    first, second = pledge.items.order_by("pk")
    today = timezone.localdate()
    pledge_progress_record(actor=cast.secretary, item=first, date=today, amount=5, note="")
    pledge_progress_record(actor=cast.secretary, item=second, date=today, amount=4, note="")
    content = login(cast.secretary).get(reverse("services:pledge_list")).content.decode()
    assert "pct-75" in content  # (50% + 100%) / 2: the bar's width class
    withdrawn = make_pledge(cast, person=cast.member_person, items=ITEMS)
    pledge_withdraw(actor=cast.secretary, pledge=withdrawn, reason="调整")
    assert "已撤回" in login(cast.secretary).get(reverse("services:pledge_list")).content.decode()


# Posts ------------------------------------------------------------------------------------------------------


def test_secretary_sets_a_post_from_the_form(cast, login):
    response = login(cast.secretary).post(reverse("services:post_create"), FIELDS | {"person": cast.person_a.pk})
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("services:post_detail", args=[post.pk])
    assert (post.organisation, post.supervision_phone) == (cast.branch_a, "12388")


def test_bad_phone_on_the_post_form_is_a_field_error(cast, login):
    body = FIELDS | {"person": cast.person_a.pk, "supervision_phone": "123"}
    response = login(cast.secretary).post(reverse("services:post_create"), body)
    assert response.status_code == 200 and "监督电话格式不正确" in response.content.decode()
    assert not Post.objects.exists()


def test_post_update_check_and_end_through_the_pages(cast, login):
    post = post_create(actor=None, person=cast.person_a, **FIELDS)
    client = login(cast.secretary)
    client.post(reverse("services:post_update", args=[post.pk]), FIELDS | {"title": "新名称"})
    client.post(
        reverse("services:post_check", args=[post.pk]),
        {"checked_on": timezone.localdate().isoformat(), "note": "到位"},
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(reverse("services:post_check", args=[post.pk]), {"checked_on": future}, follow=True)
    assert "检查日期不能晚于今天" in refused.content.decode()
    post.refresh_from_db()
    assert (post.title, post.last_checked_on, post.check_note) == ("新名称", timezone.localdate(), "到位")
    client.post(reverse("services:post_end", args=[post.pk]))
    post.refresh_from_db()
    assert not post.is_active


def test_post_list_marks_posts_due_a_check_and_filters_them(cast, login):
    due = post_create(actor=None, person=cast.person_a, **(FIELDS | {"title": "从未检查的岗"}))
    done = post_create(actor=None, person=cast.member_person, **(FIELDS | {"title": "刚检查的岗"}))
    post_check(actor=None, post=done, checked_on=timezone.localdate())
    client = login(cast.secretary)
    content = client.get(reverse("services:post_list")).content.decode()
    assert content.count("待检查</span>") == 1
    only_due = client.get(reverse("services:post_list"), {"due": "on"}).content.decode()
    assert due.title in only_due and done.title not in only_due
    by_kind = client.get(reverse("services:post_list"), {"kind": "area"}).content.decode()
    assert due.title not in by_kind
