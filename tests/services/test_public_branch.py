"""The public branch page (no login): this year's non-withdrawn pledges and the active posts of that branch and its
party groups — never branch B's, never a member's phone or ID number; a Chinese 404 for an unknown or archived
organisation."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches import actions as branch_actions
from branches.models import Organisation
from services.actions.pledges import pledge_appraise, pledge_progress_record, pledge_withdraw, post_create, post_end
from tests.factories import OrganisationFactory, fake_id_number, member
from tests.services.pledge_helpers import APPRAISAL, FIELDS, make_pledge

pytestmark = pytest.mark.django_db


def url(organisation) -> str:
    return reverse("services:public_branch", args=[organisation.pk])


@pytest.fixture
def page(cast):
    """Branch A's rows of every kind, and branch B's, then the page as the anonymous public sees it."""
    year = timezone.localdate().year
    branch_actions.person_update(actor=None, person=cast.member_person, id_number=fake_id_number())
    shown = make_pledge(cast, person=cast.member_person, title="甲党员今年的承诺")
    pledge_progress_record(actor=None, item=shown.items.get(), date=timezone.localdate(), amount=6, note="内部说明")
    make_pledge(cast, title="甲支部的承诺")
    withdrawn = make_pledge(cast, person=cast.person_a, title="甲已撤回的承诺")
    pledge_withdraw(actor=None, pledge=withdrawn, reason="调整")
    last_year = make_pledge(cast, person=cast.person_a, year=year - 1, title="甲去年的承诺")
    pledge_appraise(actor=None, pledge=last_year, **APPRAISAL)
    group = OrganisationFactory(name="甲第一党小组", kind=Organisation.Kind.PARTY_GROUP, parent=cast.branch_a)
    make_pledge(cast, person=member(group, name="小组党员"), title="小组党员的承诺")
    make_pledge(cast, person=cast.person_b, title="乙党员的承诺")
    post_create(actor=None, person=cast.member_person, **(FIELDS | {"title": "甲先锋岗"}))
    post_create(actor=None, person=cast.person_a, **(FIELDS | {"kind": "area", "title": "甲责任区"}))
    ended = post_create(actor=None, person=cast.person_a, **(FIELDS | {"kind": "model", "title": "甲已撤的岗"}))
    post_end(actor=None, post=ended)
    post_create(actor=None, person=cast.person_b, **(FIELDS | {"title": "乙先锋岗", "contact": "0571-77770000"}))
    response = Client().get(url(cast.branch_a))
    assert response.status_code == 200
    return response.content.decode()


def test_shows_this_years_pledges_of_the_branch_and_its_groups_with_progress(page):
    for text in ("甲党员今年的承诺", "甲支部的承诺", "小组党员的承诺", "甲党员", "6/12次", "pct-50"):
        assert text in page, text
    for text in ("甲已撤回的承诺", "甲去年的承诺", "乙党员的承诺"):
        assert text not in page, text


def test_shows_the_active_posts_with_their_public_numbers(page):
    assert "甲先锋岗" in page and "甲责任区" in page and "0571-88886666" in page and "12388" in page
    assert "甲已撤的岗" not in page and "乙先锋岗" not in page and "0571-77770000" not in page


def test_no_personal_data_nor_staff_navigation(page, cast):
    assert cast.member_person.phone and cast.member_person.phone not in page
    cast.member_person.refresh_from_db()
    assert cast.member_person.id_number_masked and cast.member_person.id_number_masked not in page
    assert "110101" not in page and "内部说明" not in page
    assert reverse("services:activity_list") not in page and reverse("account_logout") not in page


def test_links_the_public_demand_form(page, cast):
    assert f'href="{reverse("services:public_demand", args=[cast.branch_a.pk])}"' in page


def test_same_page_for_a_logged_in_secretary_without_staff_navigation(cast, login):
    content = login(cast.secretary).get(url(cast.branch_a)).content.decode()
    assert "党支部A" in content and reverse("services:pledge_list") not in content


def test_unknown_or_archived_organisation_is_a_404(cast, client):
    unknown = client.get(reverse("services:public_branch", args=[999999]))
    assert unknown.status_code == 404 and "该党组织不存在或已撤销" in unknown.content.decode()
    branch_actions.organisation_update(actor=None, organisation=cast.branch_b, is_archived=True)
    archived = client.get(url(cast.branch_b))
    assert archived.status_code == 404 and "党支部B" not in archived.content.decode()
    assert client.get(url(cast.branch_a)).status_code == 200


def test_empty_branch_says_so(cast, client):
    content = client.get(url(cast.branch_b)).content.decode()
    assert "本年度暂无公开承诺" in content
