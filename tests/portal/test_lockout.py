"""Rate limits that cannot be turned on the owner: wrong passwords lock out an account only
from the address they came from (an IPv6 /64 counting as one), and the portal's own limits
(verification, the API) count an IPv6 client by its /64 network."""

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.certification.factories import certifier as make_certifier
from tests.certification.factories import certifying_body, issued_certificate
from tests.factories import PASSWORD, UserFactory, with_totp

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"
LOCKED = ("登录失败次数过多", "Too many failed")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _per_key() -> int:
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"])
    return min(rate.amount for rate in rates if rate.per == "key")


def _per_ip() -> int:
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"])
    return min(rate.amount for rate in rates if rate.per == "ip")


def _sign_in(client, person, password, address):
    return client.post(
        reverse("account_login"),
        {"login": person.email, "password": password},
        REMOTE_ADDR=address,
    )


def _locked_out(response) -> bool:
    text = response.content.decode()
    return response.status_code == 200 and any(message in text for message in LOCKED)


@pytest.fixture
def certifier():
    return with_totp(UserFactory(email="certifier@example.org", roles=["Certifier"]))


def test_someone_elses_wrong_passwords_do_not_lock_the_certifier_out(client, certifier):
    for _ in range(_per_key() + 2):
        _sign_in(client, certifier, "wrong-Passw0rd", ATTACKER)
    # The guesser is locked out, right password and all ...
    assert _locked_out(_sign_in(client, certifier, PASSWORD, ATTACKER))
    # ... and the certifier, from their own address, signs in (on to the two-factor step).
    response = _sign_in(client, certifier, PASSWORD, OWNER)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_wrong_passwords_from_one_ipv6_network_count_together(client, certifier):
    for host in range(_per_key()):
        _sign_in(client, certifier, "wrong-Passw0rd", f"2001:db8:7:1::{host + 1:x}")
    # Another address of the same /64 is the same guesser.
    assert _locked_out(_sign_in(client, certifier, PASSWORD, "2001:db8:7:1:ffff::9"))
    response = _sign_in(client, certifier, PASSWORD, "2001:db8:7:2::1")
    assert response["Location"] == reverse("mfa_authenticate")


def test_one_address_guessing_many_accounts_is_still_stopped(client):
    people = [UserFactory() for _ in range(_per_ip() + 1)]
    for person in people[:-1]:
        assert not _locked_out(_sign_in(client, person, "wrong-Passw0rd", ATTACKER))
    refused = _sign_in(client, people[-1], "wrong-Passw0rd", ATTACKER)
    assert refused.status_code == 429 or _locked_out(refused)
    # The last person, from their own address, is not affected.
    response = _sign_in(client, people[-1], PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people[-1].pk)


@pytest.fixture
def certificate():
    body = certifying_body("GD")
    return issued_certificate(UserFactory(), body, make_certifier(body))


def test_the_verification_limit_counts_an_ipv6_client_by_its_64(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 2
    url = reverse("api_certificate", args=[certificate.number])
    statuses = [
        client.get(url, REMOTE_ADDR=address).status_code
        for address in ("2001:db8:5:5::1", "2001:db8:5:5::2", "2001:db8:5:5:abcd::3")
    ]
    assert statuses == [200, 200, 429]
    # Another /64 has its own count; an IPv4 address counts on its own.
    assert client.get(url, REMOTE_ADDR="2001:db8:5:6::1").status_code == 200
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get(url, REMOTE_ADDR="192.0.2.2").status_code == 200
