"""The registry shows the name printed on the certificate, never the account's live name, and
its free-text fields refuse invisible and direction characters."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.errors import CertificationError
from certification.models import RegistryListing
from certification.registry.services import registry_join, registry_update
from tests.certification.records import certificate_record, holder_record
from tests.certification.registry.test_registry import names
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

REGISTRY = "/registry/"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_renamed_holder_appears_under_the_printed_name_only(english):
    holder = holder_record("44", real_name="张经纪")
    certificate = certificate_record(holder, issued_on=timezone.localdate(), valid_until=None)
    registry_join(user=holder)
    holder.real_name = "李冒名"
    holder.save(update_fields=["real_name"])

    html = english.get(REGISTRY).content.decode()
    assert names(html) == ["张经纪"]
    assert "李冒名" not in html
    assert certificate.number in html
    # Searching by the new account name finds nobody; by the printed name, the holder.
    assert names(english.get(REGISTRY + "?name=李冒名").content.decode()) == []
    assert names(english.get(REGISTRY + "?name=张经").content.decode()) == ["张经纪"]


def test_the_registry_is_ordered_by_printed_name(english):
    today = timezone.localdate()
    for printed, live in (("Bert Li", "Anna Wu"), ("Anna Wu", "Bert Li")):
        holder = holder_record("44", real_name=printed)
        certificate_record(holder, issued_on=today, valid_until=None)
        registry_join(user=holder)
        holder.real_name = live
        holder.save(update_fields=["real_name"])
    assert names(english.get(REGISTRY).content.decode()) == ["Anna Wu", "Bert Li"]


@pytest.mark.parametrize("field", ["organisation", "specialties", "public_contact"])
@pytest.mark.parametrize("value", ["某\u202e学大", "技术\u200b评估", "\u2066联系\u2069"])
def test_registry_fields_refuse_invisible_and_direction_characters(english, field, value):
    holder = UserFactory(real_name="张经纪")
    certificate_record(holder, issued_on=timezone.localdate(), valid_until=None)
    sign_in(english, holder)
    data = {"action": "join", "organisation": "", "specialties": "", "public_contact": ""}
    response = english.post(reverse("registry_listing"), {**data, field: value})
    assert response.status_code == 200
    assert "invisible or control characters" in " ".join(response.context["form"].errors[field])
    assert not RegistryListing.objects.filter(user=holder, listed=True).exists()

    with pytest.raises(CertificationError, match="invisible or control|控制字符"):
        registry_join(user=holder, **{field: value})
    assert not RegistryListing.objects.filter(user=holder, listed=True).exists()
    with pytest.raises(CertificationError, match="invisible or control|控制字符"):
        registry_update(user=holder, **{field: value})
    assert not RegistryListing.objects.exclude(**{field: ""}).filter(user=holder).exists()


def test_the_refusal_is_in_chinese_by_default(client):
    holder = UserFactory(real_name="张经纪")
    certificate_record(holder, issued_on=timezone.localdate(), valid_until=None)
    sign_in(client, holder)
    response = client.post(
        reverse("registry_listing"),
        {"action": "join", "organisation": "某\u202e学大", "specialties": "", "public_contact": ""},
    )
    assert "不可见字符或控制字符" in response.content.decode()
