"""Every staff role (faculty, base editor, certifier, administrator) works only in a session
that used a second factor; the view decides, not the prefix of its path.

A password-only session of a staff member reaches the sign-in, e-mail, password-reset and
authenticator pages and nothing else: every route of the portal (the URL tree walked, the
Wagtail admin's included) answers it with a redirect to set up an authenticator, or, for one
who has an authenticator, signs it out and asks for the code. Staff cannot switch off their
last authenticator; a new staff member is sent to enrol before anything else.
"""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from portal.accounts.middleware import SECOND_FACTOR_NOT_YET_NEEDED
from tests.factories import PASSWORD, UserFactory, password_only_login, sign_in, with_totp

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["Faculty", "Base editor", "Certifier", "Administrator"]


def _sample(part: str) -> str:
    """A concrete piece of path for one pattern: every parameter becomes "1" (an id, a
    number, a slug and a name alike)."""
    if part.startswith("^") or part.endswith("$") or "(?P<" in part or "(" in part:
        formats = normalize(part.lstrip("^").rstrip("$"))
        if not formats:
            return ""
        template, params = formats[0]
        return template % dict.fromkeys(params, "1")
    return re.sub(r"<(?:[^>:]+:)?[^>]+>", "1", part)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        part = _sample(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + part)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + part


def every_route() -> list[tuple[str, str]]:
    """(path, view name) for every URL pattern that a path made from it resolves to."""
    routes = {}
    # The CMS's catch-all pattern (any page's path) gets the home page and a page below it.
    for path in [*_walk(get_resolver().url_patterns), "/", "/some-page/"]:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        routes.setdefault(path, match.view_name or match._func_path)
    return sorted(routes.items())


ROUTES = every_route()
GUARDED = [(path, name) for path, name in ROUTES if name not in SECOND_FACTOR_NOT_YET_NEEDED]


def test_the_walk_covers_the_portal():
    names = {name for _, name in ROUTES}
    # The pages the issue names: certificates and credentials, evidence, grading, rosters,
    # roster import, attendance; the desk, the admin, the oversight pages; public pages.
    for expected in (
        "certificate_pdf",
        "certificate_credential",
        "evidence_download",
        "courses:grading",
        "courses:grading_attempt",
        "courses:roster",
        "courses:roster_import",
        "courses:roster_import_confirm",
        "courses:attendance",
        "certify_queue",
        "certify_application",
        "wagtailadmin_home",
        "dashboard_national",
        "reports",
        "my_learning",
        "certificate_verify",
        "wagtail_serve",
    ):
        assert expected in names, expected
    assert len(GUARDED) > 200


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_password_only_staff_session_is_sent_to_enrol_from_every_route(role):
    person = UserFactory(roles=[role])
    client = Client()
    password_only_login(client, person)
    enrol = reverse("mfa_activate_totp")
    let_through = []
    for path, name in GUARDED:
        for method in (client.get, client.post):
            response = method(path)
            if response.status_code != 302 or response["Location"] != enrol:
                let_through.append((method.__name__, path, name, response.status_code))
    assert not let_through, let_through[:20]
    assert client.session.get(SESSION_KEY) == str(person.pk)


@pytest.mark.parametrize("role", ["Faculty", "Certifier"])
def test_a_staff_session_without_the_code_is_signed_out_wherever_it_goes(role):
    person = with_totp(UserFactory(roles=[role]))
    client = Client()
    refused = []
    for path, name in GUARDED[::7]:  # a spread of routes; every one signs the session out
        password_only_login(client, person)
        response = client.post(path)
        if not (
            response.status_code == 302
            and response["Location"].startswith(reverse("account_login"))
            and SESSION_KEY not in client.session
        ):
            refused.append((path, name, response.status_code))
    assert not refused, refused[:20]


def test_the_sign_in_and_authenticator_pages_stay_open_to_a_password_only_session(client):
    person = UserFactory(roles=["Certifier"])
    password_only_login(client, person)
    for name in ("account_logout", "account_reset_password", "mfa_index", "mfa_activate_totp"):
        response = client.get(reverse(name))
        assert response.get("Location") != reverse("mfa_activate_totp"), name


def test_a_trainee_is_not_asked_for_a_second_factor(client):
    trainee = UserFactory(roles=["Trainee"])
    password_only_login(client, trainee)
    assert client.get(reverse("my_learning")).status_code == 200
    assert client.get(reverse("my_certificates")).status_code == 200


def _enrol(client, person):
    """Set up an authenticator through allauth's pages, as a person would with their phone."""
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    if page.request["PATH_INFO"] == reverse("account_reauthenticate"):
        page = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert page.request["PATH_INFO"] == reverse("mfa_activate_totp")
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    return client.post(reverse("mfa_activate_totp"), {"code": code})


@pytest.mark.parametrize("role", ["Faculty", "Base editor"])
def test_a_new_staff_member_is_sent_to_enrol_first_and_then_works(client, role):
    person = UserFactory(roles=[role])
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}, follow=True
    )
    # Signed in, the first page they reach is the set-up of an authenticator.
    assert client.session[SESSION_KEY] == str(person.pk)
    assert reverse("mfa_activate_totp") in [url for url, _ in response.redirect_chain]
    assert client.get(reverse("my_learning"))["Location"] == reverse("mfa_activate_totp")

    activated = _enrol(client, person)
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=person, type="totp").exists()
    # Setting it up checked a code from it: the session goes on, now with a second factor.
    assert client.get(reverse("my_learning")).status_code == 200


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_cannot_switch_off_their_last_authenticator(client, role):
    person = with_totp(UserFactory(roles=[role]))
    sign_in(client, person)
    url = reverse("mfa_deactivate_totp")
    page = client.get(url, follow=True)
    if page.request["PATH_INFO"] != url:  # allauth asks for the password again first
        client.post(page.redirect_chain[-1][0], {"password": PASSWORD})
    response = client.post(url, {})
    assert response.status_code == 200
    assert "last authenticator" in response.content.decode() or "最后" in (
        response.content.decode()
    )
    assert Authenticator.objects.filter(user=person, type="totp").exists()


def test_a_trainee_may_switch_their_authenticator_off(client):
    person = with_totp(UserFactory(roles=["Trainee"]))
    sign_in(client, person)
    url = reverse("mfa_deactivate_totp")
    page = client.get(url, follow=True)
    if page.request["PATH_INFO"] != url:
        client.post(page.redirect_chain[-1][0], {"password": PASSWORD})
    response = client.post(url, {})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person, type="totp").exists()
