"""Post actions: create (phones validated, scope), update, regular checks, ending; and the derived 待检查."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEvent
from services.actions.pledges import post_check, post_create, post_end, post_update
from services.models import Post
from services.selectors.pledges import POST_CHECK_DAYS, posts_due_check_for_user
from tests.factories import PersonFactory
from tests.services.pledge_helpers import FIELDS

pytestmark = pytest.mark.django_db


def make_post(cast, *, person=None, actor=None, **fields) -> Post:
    return post_create(actor=actor or cast.secretary, person=person or cast.person_a, **(FIELDS | fields))


def _written() -> tuple:
    return (
        list(Post.objects.order_by("pk").values_list("pk", "title", "contact", "last_checked_on", "is_active")),
        AuditEvent.objects.count(),
    )


def refused(call, *, match: str = "") -> None:
    before = _written()
    with pytest.raises(ValidationError) as error:
        call()
    assert _written() == before
    assert match in " ".join(error.value.messages)


def test_create_takes_the_persons_organisation_and_is_audited(cast):
    post = make_post(cast, contact=" 138 0000 9999 ")
    assert (post.organisation, post.person, post.is_active) == (cast.branch_a, cast.person_a, True)
    assert post.contact == "13800009999"  # spaces removed
    assert AuditEvent.objects.filter(action="post.create", object_id=str(post.pk), actor=cast.secretary).exists()


@pytest.mark.parametrize("phone", ["13800001111", "0571-88886666", "057188886666", "010-12345678-801", "12345"])
def test_good_phones_are_accepted(cast, phone):
    assert make_post(cast, contact=phone, supervision_phone=phone).supervision_phone == phone


@pytest.mark.parametrize("field", ["contact", "supervision_phone"])
@pytest.mark.parametrize("phone", ["", "12", "1380000111", "23800001111x", "电话号码", "0571-123"])
def test_bad_phones_are_refused(cast, field, phone):
    refused(lambda: make_post(cast, **{field: phone}), match="电话")


def test_create_needs_the_text_a_kind_and_an_active_party_member_in_scope(cast):
    refused(lambda: make_post(cast, title=" "), match="岗位名称")
    refused(lambda: make_post(cast, duties=""), match="岗位职责")
    refused(lambda: make_post(cast, kind="other"), match="岗位类型")
    refused(lambda: make_post(cast, actor=cast.outsider), match="管理范围")
    refused(lambda: make_post(cast, actor=cast.member, person=cast.member_person), match="管理范围")
    refused(lambda: make_post(cast, person=PersonFactory(organisation=cast.branch_a)), match="在册党员")


def test_update_changes_the_fields_with_an_audited_diff(cast):
    post = make_post(cast)
    post_update(actor=cast.secretary, post=post, title="改过的岗位", supervision_phone="0571-12345678")
    post.refresh_from_db()
    assert (post.title, post.supervision_phone) == ("改过的岗位", "0571-12345678")
    event = AuditEvent.objects.get(action="post.update")
    assert event.changes == {"title": ["便民服务先锋岗", "改过的岗位"], "supervision_phone": ["12388", "0571-12345678"]}


def test_update_refusals(cast):
    post = make_post(cast)
    refused(lambda: post_update(actor=cast.secretary, post=post, contact="123"), match="联系电话")
    refused(lambda: post_update(actor=cast.secretary, post=post, person=cast.member_person), match="不能直接修改")
    refused(lambda: post_update(actor=cast.outsider, post=post, title="x"), match="管理范围")
    refused(lambda: post_update(actor=cast.member, post=post, title="x"), match="管理范围")
    post_end(actor=cast.secretary, post=post)
    refused(lambda: post_update(actor=cast.secretary, post=post, title="x"), match="撤岗")


def test_check_records_the_date_and_note_with_an_audit_event(cast):
    post = make_post(cast)
    today = timezone.localdate()
    post_check(actor=cast.secretary, post=post, checked_on=today, note="职责落实到位")
    post.refresh_from_db()
    assert (post.last_checked_on, post.check_note) == (today, "职责落实到位")
    event = AuditEvent.objects.get(action="post.check")
    assert event.actor == cast.secretary and event.changes["last_checked_on"] == [None, today.isoformat()]


def test_check_dates_not_in_the_future_nor_before_the_last_check(cast):
    post = make_post(cast)
    today = timezone.localdate()
    refused(
        lambda: post_check(actor=cast.secretary, post=post, checked_on=today + datetime.timedelta(days=1)), match="今天"
    )
    post_check(actor=cast.secretary, post=post, checked_on=today - datetime.timedelta(days=5))
    refused(
        lambda: post_check(actor=cast.secretary, post=post, checked_on=today - datetime.timedelta(days=6)),
        match="上次检查",
    )
    refused(lambda: post_check(actor=cast.member, post=post, checked_on=today), match="管理范围")


def test_end_keeps_the_row_and_happens_once(cast):
    post = make_post(cast)
    refused(lambda: post_end(actor=cast.outsider, post=post), match="管理范围")
    post_end(actor=cast.secretary, post=post)
    post.refresh_from_db()
    assert not post.is_active and Post.objects.filter(pk=post.pk).exists()
    assert AuditEvent.objects.filter(action="post.end", object_id=str(post.pk)).exists()
    refused(lambda: post_end(actor=cast.secretary, post=post), match="已撤岗")
    refused(lambda: post_check(actor=cast.secretary, post=post, checked_on=timezone.localdate()), match="撤岗")


def test_due_a_check_never_checked_or_older_than_the_threshold(cast):
    today = timezone.localdate()
    never = make_post(cast, title="从未检查")
    recent = make_post(cast, title="刚检查")
    post_check(actor=cast.secretary, post=recent, checked_on=today)
    edge = make_post(cast, title="刚好到期限")
    post_check(actor=cast.secretary, post=edge, checked_on=today - datetime.timedelta(days=POST_CHECK_DAYS))
    old = make_post(cast, title="很久没查")
    post_check(actor=cast.secretary, post=old, checked_on=today - datetime.timedelta(days=POST_CHECK_DAYS + 1))
    ended = make_post(cast, title="已撤岗")
    post_end(actor=cast.secretary, post=ended)
    due = set(posts_due_check_for_user(user=cast.secretary).values_list("pk", flat=True))
    assert due == {never.pk, old.pk}
    assert not posts_due_check_for_user(user=cast.outsider).exists()
