"""The verification page is served from the cache to anonymous visitors, never stale about the
certificate, with each visitor's own working CSRF token (certification/page_cache.py)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse

from certification.lifecycle.services import certificate_revoke
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def certificate(body):
    return issued_certificate(UserFactory(real_name="张三丰"), body, certifier(body))


def _strip_token(page: str) -> str:
    return TOKEN.sub("TOKEN", page)


def test_a_second_visitor_gets_the_cached_page_with_a_token_of_their_own(
    certificate, django_assert_max_num_queries
):
    url = reverse("certificate_verify", args=[certificate.number])
    first = Client(enforce_csrf_checks=True).get(url)
    visitor = Client(enforce_csrf_checks=True)
    with django_assert_max_num_queries(0):  # answered from the cache: no database at all
        second = visitor.get(url)

    assert second.status_code == 200
    assert _strip_token(second.content.decode()) == _strip_token(first.content.decode())
    assert "张*丰" in second.content.decode()
    assert "csrf-placeholder" not in second.content.decode()
    # The language switcher on the cached page works for this visitor.
    token = TOKEN.search(second.content.decode()).group(1)
    assert "csrftoken" in second.cookies
    switched = visitor.post(
        reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    english = visitor.get(url).content.decode()
    assert "Certificate verification" in english


def test_revocation_shows_at_once_on_a_cached_page(client, certificate, body):
    url = reverse("certificate_verify", args=[certificate.number])
    assert 'data-status="valid"' in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):  # committed, as in real life
        certificate_revoke(
            certificate_id=certificate.pk,
            actor=body.certifiers.first(),
            code="misconduct",
            reason="冒用他人培训记录",
        )
    page = client.get(url).content.decode()
    # The public label of the code, never the certifier's internal note.
    assert 'data-status="revoked"' in page and "经查存在违规或弄虚作假" in page
    assert "冒用他人培训记录" not in page


def test_a_signed_in_holder_gets_their_own_header_not_a_cached_page(client, certificate):
    url = reverse("certificate_verify", args=[certificate.number])
    Client().get(url)  # cached for anonymous visitors
    client.force_login(certificate.holder)
    page = client.get(url).content.decode()
    assert "张三丰" in page  # their name in the header
    assert reverse("my_certificates") in page


def test_a_query_string_is_not_cached_into_other_visitors_pages(client, certificate):
    url = reverse("certificate_verify", args=[certificate.number])
    client.get(url + "?next=//elsewhere.example")
    assert "elsewhere.example" not in Client().get(url).content.decode()
