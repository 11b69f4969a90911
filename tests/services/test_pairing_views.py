"""Pairing pages: who sees a household's name, address and phone in full (masking), months without a visit,
and the happy paths of the forms."""

import pytest
from django.urls import reverse

from portal.lib.masking import mask_phone
from services.actions.pairing import pairing_end, visit_record
from services.models import Household, Pairing
from services.selectors.pairing import mask_address, mask_name, missed_months
from tests.services.pairing_helpers import DAY, make_household, make_pairing, month_start, today

pytestmark = pytest.mark.django_db

FULL = ("张三丰", "东湖社区东湖路18号3栋201室", "13812341234")
MASKED = ("张**", "东湖社区东湖****", "138****1234")


@pytest.fixture
def pairing(cast) -> Pairing:
    return make_pairing(cast.member_person, make_household(cast.branch_a))


def test_masks():
    assert mask_name("张三丰") == "张**" and mask_name("") == ""
    assert mask_address("东湖社区东湖路18号3栋201室") == "东湖社区东湖****"
    assert mask_phone("13812341234") == "138****1234" and mask_phone("8888") == "****" and mask_phone("") == ""


def _pages(client, pairing: Pairing) -> dict[str, str]:
    return {
        "list": client.get(reverse("services:pairing_list")).content.decode(),
        "detail": client.get(reverse("services:pairing_detail", args=[pairing.pk])).content.decode(),
        "card": client.get(reverse("services:pairing_card", args=[pairing.pk])).content.decode(),
    }


@pytest.mark.parametrize(
    ("role", "full"),
    [("secretary", True), ("member", True), ("committee", False), ("orgadmin", False)],
    ids=["branch-secretary", "helper", "committee-secretary", "org-department"],
)
def test_household_details_are_full_only_for_the_branch_and_the_helper(cast, login, pairing, role, full):
    pages = _pages(login(getattr(cast, role)), pairing)
    for page, content in pages.items():
        name, address, phone = FULL if full else MASKED
        assert name in content and address in content, (role, page)
        if page != "list":
            assert phone in content or page == "card", (role, page)
        if not full:
            assert FULL[0] not in content and FULL[1] not in content and FULL[2] not in content, (role, page)


def test_a_branch_deputy_sees_full_but_a_secretary_of_another_branch_in_the_same_tree_does_not(cast, login):
    """Masking follows the role on exactly the household's organisation, not the scope."""
    from branches import actions as branch_actions
    from branches.models import Role
    from tests.factories import member

    household = make_household(cast.branch_b, head_name="李大嘴")
    make_pairing(cast.person_b, household)
    deputy_person = member(cast.branch_b, name="乙副书记")
    deputy = branch_actions.person_account_create(actor=None, person=deputy_person, username="deputy", password="x")
    branch_actions.role_assign(
        actor=None, person=deputy_person, organisation=cast.branch_b, role=Role.DEPUTY, start_date=today() - DAY
    )
    assert "李大嘴" in login(deputy).get(reverse("services:pairing_list")).content.decode()
    content = login(cast.committee).get(reverse("services:pairing_list")).content.decode()
    assert "李**" in content and "李大嘴" not in content


def test_the_outsider_gets_404_on_the_pages(cast, login, pairing):
    client = login(cast.outsider)
    for name in ("pairing_detail", "pairing_card"):
        assert client.get(reverse(f"services:{name}", args=[pairing.pk])).status_code == 404


def test_masked_pages_say_why(cast, login, pairing):
    content = login(cast.committee).get(reverse("services:pairing_detail", args=[pairing.pk])).content.decode()
    assert "按需知密" in content


# Months without a visit -------------------------------------------------------------------------------------


def test_months_without_a_visit_are_named(cast, login):
    started = month_start(3)  # three completed months: M-3, M-2, M-1
    pairing = make_pairing(cast.member_person, make_household(cast.branch_a), started_on=started)
    visit_record(actor=None, pairing=pairing, date=month_start(3) + 4 * DAY, notes="第一次")
    visit_record(actor=None, pairing=pairing, date=month_start(1) + 9 * DAY, notes="第三次")
    gap = month_start(2)
    assert missed_months(pairings=[pairing]) == {pairing.pk: [gap]}
    content = login(cast.secretary).get(reverse("services:pairing_detail", args=[pairing.pk])).content.decode()
    assert "缺访 1 个月" in content and f"{gap.year}年{gap.month}月" in content
    listing = login(cast.secretary).get(reverse("services:pairing_list")).content.decode()
    assert "缺访 1 个月" in listing


def test_the_current_month_is_not_yet_missed_and_an_ended_pairing_owes_nothing_after_its_end(cast):
    fresh = make_pairing(cast.member_person, make_household(cast.branch_a), started_on=today().replace(day=1))
    ended = make_pairing(cast.person_a, make_household(cast.branch_a, head_name="王五"), started_on=month_start(4))
    visit_record(actor=None, pairing=ended, date=month_start(4) + DAY, notes="走访")
    pairing_end(actor=None, pairing=ended, ended_on=month_start(3) + 5 * DAY, reason="搬离")
    ended.refresh_from_db()
    assert missed_months(pairings=[fresh, ended]) == {fresh.pk: [], ended.pk: []}


def test_the_missed_filter_lists_open_pairings_with_a_gap_in_the_last_three_months(cast, login):
    gap = make_pairing(cast.member_person, make_household(cast.branch_a, head_name="缺访户"), started_on=month_start(5))
    kept = make_pairing(cast.person_a, make_household(cast.branch_a, head_name="按时户"), started_on=month_start(5))
    for months_back in range(5, 0, -1):
        visit_record(actor=None, pairing=kept, date=month_start(months_back) + DAY, notes="按月走访")
        if months_back != 2:
            visit_record(actor=None, pairing=gap, date=month_start(months_back) + DAY, notes="走访")
    content = login(cast.secretary).get(reverse("services:pairing_list"), {"missed": "missed"}).content.decode()
    assert "缺访户" in content and "按时户" not in content
    everything = login(cast.secretary).get(reverse("services:pairing_list")).content.decode()
    assert "缺访户" in everything and "按时户" in everything


# Forms ------------------------------------------------------------------------------------------------------


def test_household_then_pairing_then_end(cast, login):
    client = login(cast.secretary)
    response = client.post(
        reverse("services:household_create"),
        {
            "organisation": cast.branch_a.pk,
            "head_name": "周八",
            "address": "东湖路2号",
            "phone": "",
            "situation": Household.Situation.DISABILITY,
            "size": "1",
            "notes": "",
        },
    )
    household = Household.objects.get(head_name="周八")
    assert response.status_code == 302 and f"household={household.pk}" in response["Location"]
    response = client.post(
        reverse("services:pairing_create"),
        {
            "helper": cast.member_person.pk,
            "household": household.pk,
            "started_on": today().isoformat(),
            "content": "代购",
            "help_plan": "每周电话，每月上门",
        },
    )
    pairing = Pairing.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == pairing.get_absolute_url()
    response = client.post(
        reverse("services:pairing_end", args=[pairing.pk]), {"ended_on": today().isoformat(), "reason": "已脱困"}
    )
    pairing.refresh_from_db()
    assert response.status_code == 302 and pairing.ended_on == today()
    assert "已脱困" in client.get(pairing.get_absolute_url()).content.decode()


def test_a_refused_end_comes_back_as_a_message(cast, login, pairing):
    client = login(cast.secretary)
    response = client.post(
        reverse("services:pairing_end", args=[pairing.pk]),
        {"ended_on": (today() + DAY).isoformat(), "reason": "x"},
        follow=True,
    )
    assert "不能晚于今天" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.ended_on is None


def test_the_admin_lists_households_and_pairings_masked_for_everyone(cast, login, pairing):
    client = login(cast.orgadmin)
    for name in ("household", "pairing", "pairingvisit"):
        response = client.get(reverse(f"admin:services_{name}_changelist"))
        assert response.status_code == 200, name
        assert FULL[0] not in response.content.decode() and FULL[1] not in response.content.decode(), name
    content = client.get(reverse("admin:services_household_changelist")).content.decode()
    assert MASKED[0] in content and MASKED[1] in content
    detail = client.get(reverse("admin:services_household_change", args=[pairing.household_id])).content.decode()
    assert FULL[0] not in detail and FULL[2] not in detail
