"""No N+1 on the pairing pages: the same number of queries with few rows and with many, under a fixed ceiling."""

import pytest
from django.urls import reverse

from services.actions.pairing import visit_record
from tests.factories import member
from tests.harness import page_queries
from tests.services.pairing_helpers import DAY, jpeg_bytes, make_household, make_pairing, month_start, upload

pytestmark = pytest.mark.django_db
CEILING = 20


def _pairings(cast, n: int, prefix: str, helper=None) -> list:
    made = []
    for i in range(n):
        household = make_household(cast.branch_a, head_name=f"{prefix}{i}")
        pairing = make_pairing(
            helper or member(cast.branch_a, name=f"{prefix}帮{i}"), household, started_on=month_start(4)
        )
        for months_back in (4, 2):
            visit_record(actor=None, pairing=pairing, date=month_start(months_back) + DAY, notes="走访")
        made.append(pairing)
    return made


@pytest.mark.parametrize("params", [{}, {"missed": "missed", "state": "open", "situation": "subsistence"}])
@pytest.mark.parametrize("role", ["secretary", "committee", "member"])
def test_pairing_list(cast, login, role, params):
    client = login(getattr(cast, role))
    url = reverse("services:pairing_list")
    helper = cast.member_person if role == "member" else None
    _pairings(cast, 2, "少", helper=helper)
    page_queries(client, url, CEILING, params)
    few = page_queries(client, url, CEILING, params)
    _pairings(cast, 25, "多", helper=helper)
    many = page_queries(client, url, CEILING, params)
    assert many == few


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_pairing_detail(cast, login, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    client = login(getattr(cast, role))
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a), started_on=month_start(12))
    url = reverse("services:pairing_detail", args=[pairing.pk])

    def visits(months):
        for months_back in months:
            photos = [upload(f"{months_back}-{i}.jpg", jpeg_bytes()) for i in range(2)]
            visit_record(actor=None, pairing=pairing, date=month_start(months_back) + DAY, notes="走访", photos=photos)

    visits([12])
    page_queries(client, url, CEILING)
    few = page_queries(client, url, CEILING)
    visits(range(11, 0, -1))
    many = page_queries(client, url, CEILING)
    assert many == few
