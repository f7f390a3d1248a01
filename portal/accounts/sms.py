"""Text messages, through a backend named by ``settings.SMS_BACKEND`` (like Django's e-mail).

- ``portal.accounts.sms.ConsoleBackend`` (the default): printed to the console, for development.
- ``portal.accounts.sms.HttpBackend``: a JSON POST ``{"to": ..., "text": ...}`` to
  ``SMS_HTTP_URL`` with ``Authorization: Bearer <SMS_HTTP_TOKEN>``, the shape of a provider's
  HTTP API (or of a small gateway in front of one); any answer but 2xx is a failure.
- ``locmem`` (``portal.accounts.sms.LocmemBackend``): kept in ``portal.accounts.sms.outbox``,
  for tests, as Django keeps mail in ``mail.outbox``.

Other apps send with ``sms_send(phone, text)``.
"""

import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

ALIASES = {
    "console": "portal.accounts.sms.ConsoleBackend",
    "http": "portal.accounts.sms.HttpBackend",
    "locmem": "portal.accounts.sms.LocmemBackend",
}

# The messages the locmem backend kept, oldest first (empty it in a test with outbox.clear()).
outbox: list["SmsMessage"] = []


class SmsSendError(Exception):
    """The message could not be handed to the provider."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class BaseBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes each message to standard output, as the console e-mail backend does."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, message: SmsMessage) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {message.to}: {message.text}\n{'-' * 40}\n")
        stream.flush()


class LocmemBackend(BaseBackend):
    """Keeps each message in ``portal.accounts.sms.outbox``."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class HttpBackend(BaseBackend):
    """Posts each message as JSON to ``settings.SMS_HTTP_URL``."""

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ):
        self.url = url if url is not None else settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout if timeout is not None else settings.SMS_HTTP_TIMEOUT
        if not self.url.startswith(("https://", "http://")):
            raise SmsSendError("SMS_HTTP_URL is not set to an http(s) address.")

    def send(self, message: SmsMessage) -> None:
        body = json.dumps({"to": message.to, "text": message.text}, ensure_ascii=False)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            raise SmsSendError(f"the SMS provider answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SmsSendError(f"the SMS provider cannot be reached: {error}") from error
        if not 200 <= status < 300:
            raise SmsSendError(f"the SMS provider answered {status}")


def get_backend() -> BaseBackend:
    name = getattr(settings, "SMS_BACKEND", "") or ALIASES["console"]
    return import_string(ALIASES.get(name, name))()


def sms_send(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` now; raises SmsSendError when it cannot be handed over."""
    get_backend().send(SmsMessage(to=phone, text=str(text)))
