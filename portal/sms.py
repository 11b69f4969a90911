"""Text messages (短信) for reminders, through a backend named by SMS_BACKEND — no vendor SDK:

- `HttpGatewayBackend`: POSTs {"phone", "text"} as JSON to SMS_GATEWAY_URL (the district's SMS gateway or a small
  adapter in front of a carrier's API) with `Authorization: Bearer SMS_GATEWAY_TOKEN`, giving up after SMS_TIMEOUT
  seconds. After a failure it sends nothing for SMS_FAILURE_PAUSE_SECONDS, so a job with hundreds of reminders
  waits for a dead gateway once, not once per reminder.
- `ConsoleBackend` (development): logs the message, the number masked.
- `LocmemBackend` (tests): keeps the messages in `portal.sms.outbox`.
"""

import http.client
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[dict[str, str]] = []


class SmsError(Exception):
    pass


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class BaseBackend:
    def send(self, *, phone: str, text: str) -> None:
        """Sends one message or raises SmsError."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, *, phone: str, text: str) -> None:
        logger.info("短信（未配置短信网关，仅记录）→ %s：%s", masked(phone), text)


class LocmemBackend(BaseBackend):
    def send(self, *, phone: str, text: str) -> None:
        outbox.append({"phone": phone, "text": text})


class HttpGatewayBackend(BaseBackend):
    # Per process (each web or worker process finds out for itself): monotonic time until which nothing is tried.
    paused_until: float = 0.0

    def send(self, *, phone: str, text: str) -> None:
        if time.monotonic() < HttpGatewayBackend.paused_until:
            raise SmsError("短信网关刚才无法连接，暂停发送")
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:
                response.read(1024)
        except urllib.error.HTTPError as error:  # the gateway answered, and refused: not a reason to pause
            raise SmsError(f"短信网关拒绝：HTTP {error.code}") from error
        except (OSError, http.client.HTTPException) as error:  # no answer in time, refused connection, garbage
            HttpGatewayBackend.paused_until = time.monotonic() + settings.SMS_FAILURE_PAUSE_SECONDS
            raise SmsError(f"短信网关无法连接：{error}") from error


def sms_send(*, phone: str, text: str) -> bool:
    """Sends one message through SMS_BACKEND; a failure is logged and returns False (the caller goes on)."""
    try:
        import_string(settings.SMS_BACKEND)().send(phone=phone, text=text)
    except SmsError as error:
        logger.warning("短信发送失败（%s）：%s", masked(phone), error)
        return False
    return True
