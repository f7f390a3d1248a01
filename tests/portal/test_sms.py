"""The SMS backends: console in development, a provider's HTTP API in production, locmem in
tests; ``sms_send`` picks the one settings.SMS_BACKEND names."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from portal.accounts import sms
from portal.accounts.sms import ConsoleBackend, HttpBackend, SmsMessage, SmsSendError, sms_send


@pytest.fixture
def provider():
    """A local stand-in for the provider's HTTP API: records each request, answers
    ``provider.status``."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            self.send_response(server.status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_port}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_default_prints_to_the_console(settings, capsys):
    del settings.SMS_BACKEND
    sms_send("13912345678", "您的验证码是 123456")
    out = capsys.readouterr().out
    assert "13912345678" in out and "您的验证码是 123456" in out


def test_the_console_backend_writes_to_its_stream():
    stream = io.StringIO()
    ConsoleBackend(stream=stream).send(SmsMessage(to="13912345678", text="hi"))
    assert "SMS to 13912345678: hi" in stream.getvalue()


def test_locmem_keeps_the_messages(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    sms_send("13912345678", "一")
    sms_send("13800000000", "二")
    assert [(m.to, m.text) for m in sms.outbox] == [("13912345678", "一"), ("13800000000", "二")]
    sms.outbox.clear()


def test_the_http_backend_posts_json_with_the_token(settings, provider):
    settings.SMS_BACKEND = "portal.accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = provider.url
    settings.SMS_HTTP_TOKEN = "provider-token"  # noqa: S105 - the stand-in's
    sms_send("13912345678", "您的验证码是 654321")
    [request] = provider.received
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer provider-token"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"]) == {"to": "13912345678", "text": "您的验证码是 654321"}


def test_a_refusal_by_the_provider_is_an_error(provider):
    provider.status = 500
    with pytest.raises(SmsSendError, match="500"):
        HttpBackend(url=provider.url, token="t", timeout=5).send(SmsMessage("13912345678", "x"))


def test_an_unreachable_provider_is_an_error():
    with pytest.raises(SmsSendError):
        HttpBackend(url="http://127.0.0.1:9/", token="t", timeout=2).send(
            SmsMessage("13912345678", "x")
        )


def test_the_http_backend_needs_an_address(settings):
    settings.SMS_HTTP_URL = ""
    with pytest.raises(SmsSendError, match="SMS_HTTP_URL"):
        HttpBackend()
