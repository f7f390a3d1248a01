"""The public registry of certified talent, as the public and the holders see it."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.lifecycle.services import certificate_revoke
from certification.models import AuditEntry, RegistryListing
from certification.registry.services import registry_join
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.certification.records import certificate_record, holder_record
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

REGISTRY = "/registry/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def client(client):
    """Pages in English, so the assertions read the English messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def signed_out(client):
    """Sign out and stay in English (signing out clears the client's cookies)."""
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def today():
    return timezone.localdate()


def listed(real_name, province="44", level="junior_broker", **profile):
    """A holder of a certificate in force who has joined the registry."""
    person = holder_record(province, real_name=real_name)
    certificate = certificate_record(person, level, issued_on=today(), valid_until=None)
    registry_join(user=person, **profile)
    return person, certificate


def page(client, query="") -> str:
    response = client.get(REGISTRY + query)
    assert response.status_code == 200
    return response.content.decode()


def names(html: str) -> list[str]:
    return re.findall(r'<li class="card registry-entry"[^>]*>\s*<h2>([^<]+?) <span', html)


# -- opting in and out -----------------------------------------------------------------------


def test_nobody_is_listed_until_they_choose_to_be(client):
    holder = UserFactory(real_name="默认不公开")
    certificate_record(holder, issued_on=today())
    html = page(client)
    assert "默认不公开" not in html
    assert "Nobody is listed yet." in html

    sign_in(client, holder)
    mine = client.get(reverse("registry_listing")).content.decode()
    assert "You are not listed in the public registry." in mine
    assert 'value="join"' in mine
    assert not RegistryListing.objects.filter(user=holder, listed=True).exists()


def test_a_holder_joins_and_the_public_sees_name_level_province_and_profile(client):
    holder = UserFactory(
        real_name="张经纪", province="44", organisation="某大学", phone="13800000000"
    )
    certificate = certificate_record(holder, "intermediate_broker", issued_on=today())
    sign_in(client, holder)
    joined = client.post(
        reverse("registry_listing"),
        {
            "action": "join",
            "organisation": "华南技术转移中心",
            "specialties": "技术评估，专利运营、科技金融",
            "public_contact": "",
        },
        follow=True,
    )
    assert "You are now listed in the public registry." in joined.content.decode()
    signed_out(client)

    html = page(client)
    assert names(html) == ["张经纪"]
    # The page is in English: the level by its English name (tests/portal/test_bilingual.py).
    assert "Intermediate Technology Broker" in html and "中级技术经纪人" not in html
    assert "Guangdong" in html
    assert "华南技术转移中心" in html
    for specialty in ("技术评估", "专利运营", "科技金融"):
        assert f'<span class="tag">{specialty}</span>' in html
    verify = reverse("certificate_verify", args=[certificate.number])
    assert f'href="{verify}"' in html
    # Nothing from the account: no e-mail, no phone, no contact line at all.
    assert holder.email not in html and "13800000000" not in html
    assert "某大学" not in html
    assert "<dt>Contact</dt>" not in html
    assert AuditEntry.objects.filter(action="registry.joined", actor=holder).count() == 1


def test_a_public_contact_is_shown_only_when_the_holder_writes_one(client):
    listed("有联系方式", public_contact="请通过华南中心官网留言联系")
    listed("无联系方式")
    html = page(client)
    assert "请通过华南中心官网留言联系" in html
    assert html.count("<dt>Contact</dt>") == 1
    assert "@example.org" not in html


def test_leaving_takes_effect_at_once(client):
    holder = UserFactory(real_name="想离开的人")
    certificate_record(holder, issued_on=today())
    registry_join(user=holder, specialties="技术评估")
    assert names(page(client)) == ["想离开的人"]

    sign_in(client, holder)
    left = client.post(reverse("registry_listing"), {"action": "leave"}, follow=True)
    assert "You have left the registry." in left.content.decode()
    assert "You are not listed in the public registry." in left.content.decode()
    signed_out(client)
    response = client.get(REGISTRY)
    assert "想离开的人" not in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="registry.left", actor=holder).count() == 1
    # The profile is kept, so joining again needs no retyping.
    assert RegistryListing.objects.get(user=holder).specialties == "技术评估"


def test_only_holders_of_a_valid_certificate_can_join(client):
    never = UserFactory(real_name="无证书者")
    sign_in(client, never)
    mine = client.get(reverse("registry_listing")).content.decode()
    assert "Only holders of a valid certificate can join the registry." in mine
    assert 'value="join"' not in mine
    refused = client.post(
        reverse("registry_listing"),
        {"action": "join", "organisation": "某公司", "specialties": "", "public_contact": ""},
    ).content.decode()
    assert "Only holders of a valid certificate can join the registry." in refused
    assert not RegistryListing.objects.filter(user=never).exists()

    lapsed = UserFactory(real_name="证书已过期")
    certificate_record(lapsed, issued_on=datetime.date(2019, 1, 1))  # expired 2021
    sign_in(signed_out(client), lapsed)
    client.post(reverse("registry_listing"), {"action": "join", "organisation": "某公司"})
    assert not RegistryListing.objects.filter(user=lapsed, listed=True).exists()


def test_the_holder_page_needs_a_sign_in(client):
    response = client.get(reverse("registry_listing"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_too_many_specialties_are_refused_with_a_message(client):
    holder = UserFactory(real_name="专长太多")
    certificate_record(holder, issued_on=today())
    sign_in(client, holder)
    response = client.post(
        reverse("registry_listing"),
        {"action": "join", "specialties": "、".join(f"专长{n}" for n in range(11))},
    )
    assert "Name at most 10 specialties." in response.content.decode()
    assert not RegistryListing.objects.filter(user=holder).exists()


# -- who drops out ---------------------------------------------------------------------------


def test_revoked_expired_and_superseded_certificates_drop_out(client):
    body = certifying_body("GD")
    desk = certifier(body)
    revoked_holder = UserFactory(real_name="被撤销者")
    revoked = issued_certificate(revoked_holder, body, desk)
    registry_join(user=revoked_holder)

    expiring, expiring_certificate = listed("将过期者")
    superseded, old = listed("仅有旧证者")
    listed("仍然有效者")
    assert set(names(page(client))) == {"被撤销者", "将过期者", "仅有旧证者", "仍然有效者"}

    certificate_revoke(certificate_id=revoked.pk, actor=desk, reason="材料不实")
    # Past its end date, before the nightly sweep has marked it expired.
    expiring_certificate.valid_until = today() - datetime.timedelta(days=1)
    expiring_certificate.save(update_fields=["valid_until"])
    old.status = "superseded"
    old.save(update_fields=["status"])

    html = page(client)
    assert names(html) == ["仍然有效者"]
    # They stay opted in: a new certificate brings them back without asking again.
    assert RegistryListing.objects.get(user=expiring).listed
    certificate_record(expiring, "intermediate_broker", issued_on=today())
    assert set(names(page(client))) == {"将过期者", "仍然有效者"}


def test_the_highest_level_in_force_is_shown_and_a_level_search_shows_that_level(client):
    person, junior = listed("两张证书者")
    senior = certificate_record(person, "senior_manager", issued_on=today())
    certificate_record(person, "intermediate_broker", issued_on=today(), status="revoked")
    html = page(client)
    assert senior.number in html and junior.number not in html
    assert "Senior Technology Manager" in html
    junior_only = page(client, "?level=junior_broker")
    assert junior.number in junior_only and senior.number not in junior_only
    # A revoked certificate of a level does not put anyone under it.
    assert names(page(client, "?level=intermediate_broker")) == []


# -- search ----------------------------------------------------------------------------------


@pytest.fixture
def people():
    listed("李技术", "44", "junior_broker", organisation="广州某大学", specialties="专利运营")
    listed("王转移", "51", "intermediate_broker", organisation="成都某院", specialties="技术评估")
    listed("赵登记", "31", "contract_registrar", organisation="上海某所", specialties="合同登记")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["李技术", "王转移", "赵登记"]),
        ("?name=王", ["王转移"]),
        ("?name=上海某所", ["赵登记"]),
        ("?province=51", ["王转移"]),
        ("?level=contract_registrar", ["赵登记"]),
        ("?specialty=专利", ["李技术"]),
        ("?province=44&specialty=技术评估", []),
        ("?province=51&level=intermediate_broker&name=王&specialty=评估", ["王转移"]),
    ],
)
def test_each_search_filter_narrows_the_list(client, people, query, expected):
    assert sorted(names(page(client, query))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=abc", "There is no page “abc”; here is the first page."),
        ("?page=999", "There is no page “999”; here is the first page."),
        ("?page=-1", "There is no page “-1”; here is the first page."),
        ("?province=99", "Province: Select a valid choice."),
        ("?level=grand_master", "Level: Select a valid choice."),
        ("?name=" + "长" * 61, "Name or organisation: Ensure this value has at most 60"),
        # A NUL is dropped from the query string before the view reads it (or refused by the
        # form when it is not): either way a message, never a server error.
        ("?province=%0099", "Province: Select a valid choice."),
    ],
)
def test_bad_pages_and_filters_give_a_message_and_the_first_page(client, people, query, message):
    html = page(client, query)
    assert message in html.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert len(names(html)) == 3


def test_the_registry_is_paginated(client):
    for n in range(23):
        listed(f"持证人{n:02d}")
    first = page(client)
    assert len(names(first)) == 20
    assert "Page 1 of 2" in first
    second = page(client, "?page=2")
    assert names(second) == ["持证人20", "持证人21", "持证人22"]


def test_anyone_can_search_without_signing_in_and_finds_the_nav_link(client):
    listed("公开可见")
    response = client.get(REGISTRY)
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    home = client.get(reverse("certification_overview")).content.decode()
    assert f'href="{REGISTRY}"' in home


def test_the_number_of_queries_does_not_grow_with_the_rows_on_the_page(client):
    for n in range(3):
        listed(f"少量{n}", specialties="技术评估")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REGISTRY).status_code == 200
        return len(captured)

    few = count()
    for n in range(17):
        person, _ = listed(f"更多{n}", ("44", "51")[n % 2], specialties="专利运营、技术评估")
        certificate_record(person, "intermediate_broker", issued_on=today())
    assert count() == few
    assert few <= 7  # five for the registry (awards included), two for the site's navigation
