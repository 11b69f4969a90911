"""The approval queue and corrections, through the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from services import actions
from services.models import HoursEntry, Participation
from tests.harness import at_most
from tests.services.hours_helpers import attended, running_activity, sign_up

pytestmark = pytest.mark.django_db

PENDING_URL = "services:hours_pending"
APPROVE_URL = "services:hours_approve"


def entry_of(participation: Participation) -> HoursEntry:
    return participation.hours_entries.get(corrects__isnull=True)


def states() -> list:
    return list(HoursEntry.objects.order_by("pk").values_list("pk", "state", "approved_by_id"))


def test_queue_lists_pending_entries_by_activity(cast, login):
    attended(cast, cast.person_a, title="第一场")
    attended(cast, cast.member_person, title="第二场")
    response = login(cast.secretary).get(reverse(PENDING_URL))
    assert response.status_code == 200
    content = response.content.decode()
    assert "第一场" in content and "第二场" in content
    assert "甲群众党员" in content and "甲党员" in content
    assert "审核通过" in content


def test_secretary_approves_selected_entries(cast, login):
    _, (a, m) = attended(cast, cast.person_a, cast.member_person)
    client = login(cast.secretary)
    response = client.post(reverse(APPROVE_URL), {"entries": [entry_of(a).pk]})
    assert response.status_code == 302 and response["Location"] == reverse(PENDING_URL)
    assert entry_of(a).state == HoursEntry.State.APPROVED and entry_of(a).approved_by == cast.secretary
    assert entry_of(m).state == HoursEntry.State.PENDING
    assert "已批准 1 条。" in client.get(response["Location"]).content.decode()


def test_own_entry_in_a_batch_is_skipped_and_the_rest_approved(cast, login):
    people = [cast.secretary_person, cast.person_a, cast.member_person]
    _, (own, *others) = attended(cast, *people)
    client = login(cast.secretary)
    page = client.get(reverse(PENDING_URL)).content.decode()
    assert 'data-select-all="entries"' in page and "js/select_all.js" in page
    assert f'id="entry-{entry_of(others[0]).pk}"' in page
    assert f'id="entry-{entry_of(own).pk}"' not in page  # no checkbox for one's own hours: the action's reason
    assert "不能审核本人的服务时长。" in page
    response = client.post(reverse(APPROVE_URL), {"entries": [entry_of(p).pk for p in (own, *others)]})
    assert response.status_code == 302
    assert [entry_of(p).state for p in others] == [HoursEntry.State.APPROVED] * 2
    assert entry_of(own).state == HoursEntry.State.PENDING
    shown = client.get(response["Location"]).content.decode()
    assert "已批准 2 条；跳过 1 条：不能审核本人的服务时长（甲书记）。" in shown
    event = AuditEvent.objects.get(action="hours.approve")
    assert event.changes["entries"] == sorted(entry_of(p).pk for p in others)
    assert event.changes["skipped"] == {str(entry_of(own).pk): "不能审核本人的服务时长。"}
    # the committee secretary, above the branch, may approve it
    login(cast.committee).post(reverse(APPROVE_URL), {"entries": [entry_of(own).pk]})
    assert entry_of(own).state == HoursEntry.State.APPROVED


def test_strict_approval_still_refuses_the_whole_batch(cast):
    """hours_approve (the imports' and the tests' path) stays all-or-nothing, with the same rule."""
    from django.core.exceptions import ValidationError

    _, (own, other) = attended(cast, cast.secretary_person, cast.person_a)
    before = states()
    with pytest.raises(ValidationError, match="不能审核本人的服务时长"):
        actions.hours_approve(actor=cast.secretary, entries=[entry_of(own), entry_of(other)])
    assert states() == before


def test_queue_query_count_does_not_grow_with_the_rows(cast, login):
    from tests.factories import member

    people = [member(cast.branch_a, name=f"排队{i:02d}") for i in range(12)]
    attended(cast, *people[:6], title="第一场")
    attended(cast, *people[6:], cast.secretary_person, title="第二场")
    client = login(cast.secretary)
    with at_most(9):
        response = client.get(reverse(PENDING_URL))
    assert response.content.decode().count('name="entries"') == 12


def test_outsider_posting_branch_a_ids_approves_nothing(cast, login):
    _, (a,) = attended(cast, cast.person_a)
    before = states()
    response = login(cast.outsider).post(reverse(APPROVE_URL), {"entries": [entry_of(a).pk]})
    assert response.status_code == 302  # ignored: the ids are not in the outsider's queue
    assert states() == before
    # a member has no queue at all
    assert login(cast.member).post(reverse(APPROVE_URL), {"entries": [entry_of(a).pk]}).status_code == 404
    assert states() == before


def test_mixed_ids_only_the_ones_in_scope_are_approved(cast, login):
    _, (a,) = attended(cast, cast.person_a)
    b_activity = running_activity(cast.outsider, cast.branch_b, title="乙活动")
    (b,) = sign_up(b_activity, cast.person_b)
    actions.attendance_record(actor=cast.outsider, activity=b_activity, marks={b.pk: (True, None)})
    login(cast.outsider).post(reverse(APPROVE_URL), {"entries": [entry_of(a).pk, entry_of(b).pk, "x", "", "²"]})
    assert entry_of(b).state == HoursEntry.State.APPROVED
    assert entry_of(a).state == HoursEntry.State.PENDING


def test_approving_nothing_says_so(cast, login):
    client = login(cast.secretary)
    response = client.post(reverse(APPROVE_URL), {})
    assert response.status_code == 302
    assert "没有选中可审核的记录" in client.get(response["Location"]).content.decode()


def test_queue_is_paginated_and_approve_returns_to_the_page(cast, login):
    people = [cast.person_a, cast.member_person]
    from tests.factories import member

    people += [member(cast.branch_a, name=f"排队{i:02d}") for i in range(55)]
    attended(cast, *people)
    client = login(cast.secretary)
    first = client.get(reverse(PENDING_URL)).content.decode()
    assert "第 1 / 2 页" in first
    second = client.get(reverse(PENDING_URL), {"page": 2}).content.decode()
    assert second.count('name="entries"') == 57 - 50
    pk = HoursEntry.objects.order_by("pk").last().pk
    response = client.post(reverse(APPROVE_URL), {"entries": [pk], "page": "2"})
    assert response["Location"] == reverse(PENDING_URL) + "?page=2"
    response = client.post(reverse(APPROVE_URL), {"entries": [pk], "page": "//evil.example"})
    assert response["Location"] == reverse(PENDING_URL)


# Corrections ------------------------------------------------------------------------------------------------


def approved_entry(cast, hours=Decimal(3)) -> HoursEntry:
    _, (a,) = attended(cast, cast.person_a, hours=hours)
    actions.hours_approve(actor=cast.secretary, entries=[entry_of(a)])
    return entry_of(a)


def correct_url(entry: HoursEntry) -> str:
    return reverse("services:hours_correct", args=[entry.pk])


def test_correction_creates_a_new_pending_entry_with_the_difference(cast, login):
    entry = approved_entry(cast)
    client = login(cast.secretary)
    page = client.get(correct_url(entry)).content.decode()
    assert 'value="3.0"' in page or 'value="3"' in page  # the current approved total
    response = client.post(correct_url(entry), {"corrected_total": "4.5", "note": "漏记了后半场"})
    assert response.status_code == 302
    assert response["Location"] == reverse("services:attendance_sheet", args=[entry.participation.activity_id])
    entry.refresh_from_db()
    assert (entry.hours, entry.state) == (Decimal(3), HoursEntry.State.APPROVED)  # never edited
    correction = entry.corrections.get()
    assert (correction.hours, correction.state, correction.note) == (
        Decimal("1.5"),
        HoursEntry.State.PENDING,
        "漏记了后半场",
    )
    # approved in its turn through the queue
    client.post(reverse(APPROVE_URL), {"entries": [correction.pk]})
    correction.refresh_from_db()
    assert correction.state == HoursEntry.State.APPROVED


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"corrected_total": "0", "note": "错"}, "服务时长应大于 0 且不超过 24 小时。"),
        ({"corrected_total": "25", "note": "错"}, "服务时长应大于 0 且不超过 24 小时。"),
        ({"corrected_total": "abc", "note": "错"}, "请输入数字"),
        ({"corrected_total": "2", "note": ""}, "这个字段是必填项"),
        ({"corrected_total": "3", "note": "一样"}, "更正后的时长与现有时长相同。"),
    ],
)
def test_bad_corrections_change_nothing(cast, login, body, message):
    entry = approved_entry(cast)
    before = states()
    response = login(cast.secretary).post(correct_url(entry), body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert states() == before


def test_a_pending_entry_cannot_be_corrected(cast, login):
    _, (a,) = attended(cast, cast.person_a)
    client = login(cast.secretary)
    assert "只能更正已审核的原始时长" in client.get(correct_url(entry_of(a))).content.decode()
    response = client.post(correct_url(entry_of(a)), {"corrected_total": "5", "note": "改"})
    assert response.status_code == 200
    assert HoursEntry.objects.count() == 1


def test_outsider_and_member_cannot_correct_branch_a_hours(cast, login):
    entry = approved_entry(cast)
    for user in (cast.outsider, cast.member):
        client = login(user)
        assert client.get(correct_url(entry)).status_code == 404
        assert client.post(correct_url(entry), {"corrected_total": "5", "note": "改"}).status_code == 404
    assert HoursEntry.objects.count() == 1


def test_get_on_approve_is_405(cast, login):
    assert login(cast.secretary).get(reverse(APPROVE_URL)).status_code == 405
