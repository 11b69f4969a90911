"""One way to show figures and dates (portal/lib/display.py and its filters): scores and percentages with at most
two decimals, month-day dates with their year when it is not this year — and the pages issue 13 found using them."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from evaluations.models import ReviewSheet
from portal.lib.display import plain_number, short_date
from tests.evaluations.review_helpers import open_round, sheet_of
from tests.portal.page_text import text_problems, visible_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("88.4000000000000"), "88.4"),
        (97.125, "97.13"),
        (Decimal("90.00"), "90"),
        (100, "100"),
        ("66.666666", "66.67"),
        (None, "—"),
        (-0.001, "0"),
        ("无", "无"),
    ],
)
def test_plain_number(value, shown):
    assert plain_number(value) == shown


def test_plain_number_with_one_decimal():
    assert plain_number(Decimal("4.56"), 1) == "4.6"


def test_short_date_names_the_year_unless_it_is_this_one(settings):
    this_year = timezone.localdate().year
    assert short_date(datetime.date(this_year, 12, 31)) == "12月31日"
    assert short_date(datetime.date(2025, 12, 31)) == ("12月31日" if this_year == 2025 else "2025年12月31日")
    assert short_date(datetime.date(this_year - 1, 1, 2)) == f"{this_year - 1}年1月2日"
    assert short_date(None) == ""


def test_short_date_of_a_datetime_is_the_local_day_and_time():
    moment = datetime.datetime(2020, 12, 31, 17, 30, tzinfo=datetime.UTC)  # 01:30 on 1 January in Shanghai
    assert short_date(moment) == "2021年1月1日"
    assert short_date(moment, with_time=True) == "2021年1月1日 01:30"


def test_the_filters():
    html = Template('{% load display %}{{ a|num }} {{ a|num:1 }} {{ d|short_date }} {{ t|short_date:"time" }}').render(
        Context(
            {
                "a": Decimal("88.4500000"),
                "d": datetime.date(2001, 5, 6),
                "t": datetime.datetime(2001, 5, 6, 1, 2, tzinfo=datetime.UTC),
            }
        )
    )
    assert html == "88.45 88.5 2001年5月6日 2001年5月6日 09:02"


@pytest.mark.django_db
def test_the_members_review_list_shows_the_total_with_at_most_two_decimals(cast, login):
    """我的评议 showed 88.4000000000000."""
    round_ = open_round(cast)
    ReviewSheet.objects.filter(pk=sheet_of(round_, cast.member_person).pk).update(total=Decimal("88.4"))  # a result
    html = login(cast.member).get("/evaluations/reviews/").content.decode()
    assert "88.4" in visible_text(html)
    assert text_problems(html, {"member"}) == []


@pytest.mark.django_db
def test_an_overdue_deadline_of_last_year_shows_its_year(cast, login):
    """「期限 12月31日 逾期」 for a demand 342 days overdue."""
    from services.models import Demand
    from tests.services.demand_helpers import receive

    demand = receive(cast)
    last_year = datetime.date(timezone.localdate().year - 1, 12, 31)
    Demand.objects.filter(pk=demand.pk).update(deadline=last_year)  # received long ago
    text = visible_text(login(cast.secretary).get("/services/demands/").content.decode())
    assert f"{last_year.year}年12月31日" in text
