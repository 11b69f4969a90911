"""No N+1 on the pledge and post pages: the same number of queries with few rows and with many, under a fixed
ceiling. Each test loads the page once to warm process-wide caches, measures it with a few rows, adds many more
(with more items and progress each), and measures again."""

import pytest
from django.urls import reverse
from django.utils import timezone

from services.actions.pledges import pledge_item_add, pledge_progress_record, post_check, post_create
from tests.factories import member
from tests.harness import page_queries
from tests.services.pledge_helpers import FIELDS, make_pledge

pytestmark = pytest.mark.django_db


def _items(n: int) -> list[dict]:
    return [{"content": f"事项{i}", "target": 10, "unit": "次"} for i in range(n)]


def _pledges(cast, n: int, prefix: str, *, items: int = 2, progress: int = 1) -> None:
    today = timezone.localdate()
    for i in range(n):
        pledge = make_pledge(cast, person=member(cast.branch_a, name=f"{prefix}{i}"), items=_items(items))
        for item in pledge.items.all():
            for _ in range(progress):
                pledge_progress_record(actor=None, item=item, date=today, amount=1, note="")


def _posts(cast, n: int, prefix: str) -> None:
    for i in range(n):
        post = post_create(actor=None, person=member(cast.branch_a, name=f"{prefix}{i}"), **FIELDS)
        if i % 2:
            post_check(actor=None, post=post, checked_on=timezone.localdate())


@pytest.mark.parametrize("params", [{}, {"organisation": "a", "result": "none"}], ids=["plain", "filtered"])
@pytest.mark.parametrize("role", ["secretary", "member"])
def test_pledge_list(cast, login, role, params):
    client = login(getattr(cast, role))
    url = reverse("services:pledge_list")
    if params:
        params = {"organisation": cast.branch_a.pk, "result": "none"}
    _pledges(cast, 2, "少")
    page_queries(client, url, 12, params)
    few = page_queries(client, url, 12, params)
    _pledges(cast, 25, "多", items=3, progress=3)
    many = page_queries(client, url, 12, params)
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_pledge_detail_with_few_and_many_items_and_entries(cast, login, role):
    client = login(getattr(cast, role))
    pledge = make_pledge(cast, person=cast.member_person, items=_items(2))
    url = reverse("services:pledge_detail", args=[pledge.pk])
    today = timezone.localdate()
    page_queries(client, url, 12)
    few = page_queries(client, url, 12)
    for i in range(8):
        pledge_item_add(actor=None, pledge=pledge, content=f"追加{i}", target=5, unit="件")
    for item in pledge.items.all():
        for _ in range(4):
            pledge_progress_record(actor=None, item=item, date=today, amount=1, note="进展")
    many = page_queries(client, url, 12)
    assert pledge.items.count() == 10
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_post_list(cast, login, role):
    client = login(getattr(cast, role))
    url = reverse("services:post_list")
    _posts(cast, 2, "少")
    page_queries(client, url, 12)
    few = page_queries(client, url, 12)
    _posts(cast, 25, "多")
    many = page_queries(client, url, 12)
    assert many == few


def test_public_branch(cast, client):
    url = reverse("services:public_branch", args=[cast.branch_a.pk])
    _pledges(cast, 2, "少")
    _posts(cast, 2, "岗少")
    page_queries(client, url, 6)
    few = page_queries(client, url, 6)
    _pledges(cast, 20, "多", items=3, progress=2)
    _posts(cast, 20, "岗多")
    many = page_queries(client, url, 6)
    assert many == few
