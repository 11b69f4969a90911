"""Reminders through the member's chosen channels: the inbox always, e-mail and text messages (portal.sms) when
chosen and possible; a gateway or mail server that hangs costs a job at most its timeout and loses no reminder."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal import sms
from portal.actions import notification_send, user_notification_channels_set
from portal.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_sms():
    sms.outbox.clear()
    sms.HttpGatewayBackend.paused_until = 0.0
    yield
    sms.outbox.clear()
    sms.HttpGatewayBackend.paused_until = 0.0


@pytest.fixture
def texted_member(cast):
    """The member, with a phone and an address, who chose text messages."""
    user = cast.member
    user.phone, user.email = "13800000001", "jia@example.org"
    user.save(update_fields=["phone", "email"])
    return user_notification_channels_set(user=user, email=True, sms=True)


class HangingServer:
    """Accepts connections and never answers: a gateway or mail server that has hung. Counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        self.sock.close()


@pytest.fixture
def hanging():
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture
def gateway():
    """A gateway that answers with the status in `gateway.status` and keeps what it received."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"auth": self.headers["Authorization"], "body": json.loads(body)})
            self.send_response(server.status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status, server.received = 200, received
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _use_gateway(settings, port: int) -> None:
    settings.SMS_BACKEND = "portal.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    settings.SMS_GATEWAY_TOKEN = "tok-123"
    settings.SMS_TIMEOUT = 0.5


def test_a_member_who_chose_sms_gets_inbox_mail_and_text_once(texted_member, mailoutbox):
    first = notification_send(recipient=texted_member, key="k", title="需求 #7 已逾期")
    assert notification_send(recipient=texted_member, key="k", title="需求 #7 已逾期") is None
    assert sms.outbox == [
        {"phone": "13800000001", "text": "【服务型党组织建设平台】需求 #7 已逾期。详情请登录平台查看。"}
    ]
    assert len(mailoutbox) == 1
    first.refresh_from_db()
    assert first.sms_sent_at is not None and first.emailed_at is not None


def test_without_the_choice_nothing_goes_by_text_and_mail_can_be_turned_off(texted_member, mailoutbox):
    user_notification_channels_set(user=texted_member, email=False, sms=False)
    note = notification_send(recipient=texted_member, key="k", title="提醒")
    assert sms.outbox == [] and mailoutbox == []
    assert Notification.objects.get(pk=note.pk).sms_sent_at is None


def test_the_gateway_gets_json_with_the_token(texted_member, settings, gateway):
    _use_gateway(settings, gateway.server_port)
    note = notification_send(recipient=texted_member, key="k", title="月度工作提示")
    assert gateway.received == [
        {
            "auth": "Bearer tok-123",
            "body": {"phone": "13800000001", "text": "【服务型党组织建设平台】月度工作提示。详情请登录平台查看。"},
        }
    ]
    note.refresh_from_db()
    assert note.sms_sent_at is not None


def test_a_gateway_refusal_leaves_the_reminder_in_the_inbox_and_the_next_one_is_tried(texted_member, settings, gateway):
    _use_gateway(settings, gateway.server_port)
    gateway.status = 500
    first = notification_send(recipient=texted_member, key="k1", title="提醒一")
    second = notification_send(recipient=texted_member, key="k2", title="提醒二")
    assert len(gateway.received) == 2  # an answer, even a refusal, is no reason to stop trying
    assert Notification.objects.filter(pk__in=[first.pk, second.pk], sms_sent_at__isnull=True).count() == 2


def test_a_hanging_gateway_costs_one_timeout_and_loses_no_reminder(texted_member, settings, hanging):
    _use_gateway(settings, hanging.port)
    notes = [notification_send(recipient=texted_member, key=f"k{i}", title=f"提醒{i}") for i in range(3)]
    # Each send returned (after at most SMS_TIMEOUT), each reminder is in the inbox, none marked as texted; only
    # the first tried the gateway: the others saw it had just failed and did not wait again.
    assert Notification.objects.filter(pk__in=[n.pk for n in notes], sms_sent_at__isnull=True).count() == 3
    assert len(hanging.accepted) == 1


def test_a_hanging_mail_server_costs_its_timeout_and_loses_no_reminder(texted_member, settings, hanging):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", hanging.port, 0.5
    user_notification_channels_set(user=texted_member, email=True, sms=False)
    note = notification_send(recipient=texted_member, key="k", title="提醒")
    note.refresh_from_db()
    assert note.emailed_at is None and len(hanging.accepted) == 1


def test_email_timeout_has_a_default():
    from portal.settings import base

    assert base.EMAIL_TIMEOUT == 10


def test_console_backend_logs_the_text_with_the_number_masked(caplog):
    sms.ConsoleBackend().send(phone="13800000001", text="你好")
    assert "138****0001" in caplog.text and "13800000001" not in caplog.text


def test_a_channel_needs_an_address_or_number(cast):
    cast.member.phone, cast.member.email = None, ""
    with pytest.raises(ValidationError, match="手机号"):
        user_notification_channels_set(user=cast.member, email=False, sms=True)
    with pytest.raises(ValidationError, match="电子邮箱"):
        user_notification_channels_set(user=cast.member, email=True, sms=False)


def test_the_member_chooses_on_the_channels_page(texted_member, login):
    client = login(texted_member)
    page = client.get(reverse("inbox:channels")).content.decode()
    assert "尾号 0001" in page and "jia@example.org" in page
    response = client.post(reverse("inbox:channels"), {"email": "on"})
    assert response.status_code == 302
    texted_member.refresh_from_db()
    assert (texted_member.notify_email, texted_member.notify_sms) == (True, False)
    event = AuditEvent.objects.filter(action="account.notification_channels").latest("id")
    assert event.changes == {"notify_sms": [True, False]}


def test_without_a_phone_the_sms_box_is_disabled_and_a_forged_tick_is_ignored(cast, login):
    cast.member.phone = None
    cast.member.save(update_fields=["phone"])
    client = login(cast.member)
    page = client.get(reverse("inbox:channels")).content.decode()
    assert "账号没有登记手机号" in page
    client.post(reverse("inbox:channels"), {"sms": "on"})
    cast.member.refresh_from_db()
    assert cast.member.notify_sms is False
