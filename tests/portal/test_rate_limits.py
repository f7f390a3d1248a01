"""Rate limits: sign-in, sign-up, password reset (allauth), and the portal's own on public
verification and the API. Each is set explicitly, and the request after the last allowed one
in its window is refused with 429, a clear message in the visitor's language and
Retry-After."""

import json

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.certification.factories import certifier as make_certifier
from tests.certification.factories import certifying_body, issued_certificate
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHINESE_MESSAGE = "请求过于频繁"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _per_ip(action: str) -> int:
    """The allowed number of requests per address in the window, as configured."""
    rates = [r for r in parse_rates(settings.ACCOUNT_RATE_LIMITS[action]) if r.per == "ip"]
    return min(rate.amount for rate in rates)


def _per_key(action: str) -> int:
    rates = [r for r in parse_rates(settings.ACCOUNT_RATE_LIMITS[action]) if r.per == "key"]
    return min(rate.amount for rate in rates)


def _assert_refused_in_chinese(response):
    assert response.status_code == 429
    assert CHINESE_MESSAGE in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_the_limits_are_set_explicitly():
    limits = settings.ACCOUNT_RATE_LIMITS
    for action in (
        "login",
        "login_failed",
        "signup",
        "reset_password",
        "reset_password_from_key",
        "confirm_email",
    ):
        assert limits.get(action), f"no explicit rate limit for {action}"
        assert parse_rates(limits[action])
    assert settings.PORTAL_VERIFY_RATE_PER_MINUTE > 0


def test_sign_in_is_refused_after_the_limit(client):
    url = reverse("account_login")
    allowed = _per_ip("login")
    for _ in range(allowed):
        assert client.post(url, {}).status_code == 200  # an empty form, shown again
    _assert_refused_in_chinese(client.post(url, {}))
    # Another address is not affected; and a GET of the form is never refused.
    assert client.post(url, {}, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(url).status_code == 200


def test_guessing_one_account_s_password_is_stopped_even_with_the_right_one(client):
    person = UserFactory()
    url = reverse("account_login")
    for _ in range(_per_key("login_failed")):
        response = client.post(url, {"login": person.email, "password": "wrong-Passw0rd"})
        assert response.status_code == 200
    response = client.post(url, {"login": person.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        "登录失败次数过多" in response.content.decode() or "Too many" in response.content.decode()
    )


def test_sign_up_is_refused_after_the_limit(client):
    url = reverse("account_signup")
    for _ in range(_per_ip("signup")):
        assert client.post(url, {"email": "not-an-address"}).status_code == 200
    _assert_refused_in_chinese(client.post(url, {"email": "not-an-address"}))


def test_password_reset_is_refused_after_the_limit_for_one_address(client):
    person = UserFactory()
    url = reverse("account_reset_password")
    allowed = _per_key("reset_password")
    for _ in range(allowed):
        assert client.post(url, {"email": person.email}).status_code == 302
    _assert_refused_in_chinese(client.post(url, {"email": person.email}))
    # Another person's address has a count of its own.
    assert client.post(url, {"email": UserFactory().email}).status_code == 302


def test_the_refusal_is_in_english_for_an_english_visitor(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("account_signup")
    client.post(url, {})
    response = client.post(url, {})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


@pytest.fixture
def certificate():
    body = certifying_body("GD")
    return issued_certificate(UserFactory(), body, make_certifier(body))


def test_the_verification_page_is_refused_after_the_limit(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 3
    url = reverse("certificate_verify", args=[certificate.number])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    _assert_refused_in_chinese(response)
    assert int(response["Retry-After"]) <= 60
    assert client.get(url, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_the_api_answers_429_in_json_after_the_limit(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 2
    urls = [
        reverse("api_certificate", args=[certificate.number]),
        reverse("api_certificate_credential", args=[certificate.number]),
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200]
    for url in urls + [reverse("api_status_list", args=["GD", 1])]:
        response = client.get(url)
        assert response.status_code == 429
        assert response["Content-Type"].startswith("application/json")
        body = json.loads(response.content)
        assert body["error"] == "rate_limited" and CHINESE_MESSAGE in body["detail"]
        assert 1 <= int(response["Retry-After"]) <= 60


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 1
    url = reverse("api_certificate", args=[certificate.number])
    # No proxy configured: X-Forwarded-For is the client's own claim and changes nothing.
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    # Behind one trusted proxy, each client's own address has its own count.
    cache.clear()
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client.get(url, HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="4.4.4.4").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="4.4.4.4").status_code == 429
