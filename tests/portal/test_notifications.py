"""The notification inbox: each reminder once (inbox and e-mail), the unread count in the navigation, and
nobody opening anybody else's reminders."""

import pytest
from django.urls import reverse

from portal.actions import notification_send
from portal.models import Notification
from tests.harness import at_most, counting


@pytest.fixture
def mailed_member(cast):
    cast.member.email = "jia@example.org"
    cast.member.save(update_fields=["email"])
    return cast.member


@pytest.mark.django_db
def test_a_reminder_reaches_the_inbox_and_the_mailbox_once(mailed_member, mailoutbox):
    first = notification_send(recipient=mailed_member, key="demand-overdue:7", title="需求 #7 已逾期", url="/inbox/")
    again = notification_send(recipient=mailed_member, key="demand-overdue:7", title="需求 #7 已逾期", url="/inbox/")
    assert first is not None and again is None
    assert Notification.objects.filter(recipient=mailed_member).count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["jia@example.org"]
    assert "需求 #7 已逾期" in mailoutbox[0].subject
    assert mailoutbox[0].body.endswith("/inbox/")
    assert Notification.objects.get().emailed_at is not None


@pytest.mark.django_db
def test_no_mail_without_an_address_and_nothing_for_an_inactive_account(cast, mailoutbox):
    assert notification_send(recipient=cast.secretary, key="k", title="提醒") is not None
    assert mailoutbox == []
    cast.outsider.is_active = False
    cast.outsider.save(update_fields=["is_active"])
    assert notification_send(recipient=cast.outsider, key="k", title="提醒") is None
    assert not Notification.objects.filter(recipient=cast.outsider).exists()


@pytest.mark.django_db
def test_the_navigation_shows_the_unread_count_and_opening_clears_it(cast, login):
    client = login(cast.member)
    assert 'data-testid="nav-unread"' not in client.get(reverse("home")).content.decode()
    note = notification_send(recipient=cast.member, key="k1", title="积分已结算", url=reverse("evaluations:my_points"))
    notification_send(recipient=cast.member, key="k2", title="请按时汇报")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-unread">2<' in page
    response = client.post(reverse("inbox:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:my_points")
    assert 'data-testid="nav-unread">1<' in client.get(reverse("home")).content.decode()
    client.post(reverse("inbox:read_all"))
    assert not Notification.objects.filter(recipient=cast.member, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_inbox_lists_only_ones_own_reminders(cast, login):
    notification_send(recipient=cast.member, key="mine", title="我的提醒")
    notification_send(recipient=cast.outsider, key="theirs", title="别人的提醒")
    page = login(cast.member).get(reverse("inbox:inbox")).content.decode()
    assert "我的提醒" in page and "别人的提醒" not in page
    unread_only = login(cast.member).get(reverse("inbox:inbox"), {"unread": "1"}).content.decode()
    assert "我的提醒" in unread_only


@pytest.mark.django_db
def test_someone_elses_reminder_cannot_be_opened(cast, login):
    theirs = notification_send(recipient=cast.outsider, key="theirs", title="别人的提醒")
    assert login(cast.member).post(reverse("inbox:notification_open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_an_offsite_link_is_never_followed(cast, login):
    note = notification_send(recipient=cast.member, key="odd", title="链接", url="https://evil.example/")
    response = login(cast.member).post(reverse("inbox:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("inbox:inbox")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["inbox:read_all"])
def test_state_changes_refuse_get(cast, login, name):
    assert login(cast.member).get(reverse(name)).status_code == 405


@pytest.mark.django_db
def test_the_inbox_query_count_does_not_grow_with_reminders(cast, login):
    client = login(cast.member)
    for number in range(3):
        notification_send(recipient=cast.member, key=f"few-{number}", title=f"提醒 {number}")
    with counting() as few:
        client.get(reverse("inbox:inbox"))
    for number in range(25):
        notification_send(recipient=cast.member, key=f"many-{number}", title=f"提醒 {number}")
    with at_most(len(few.captured_queries)):
        assert client.get(reverse("inbox:inbox")).status_code == 200
