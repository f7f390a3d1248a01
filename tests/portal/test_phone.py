"""Confirming a phone by SMS: mainland numbers only, a 6-digit code stored hashed that expires
after 10 minutes and allows 5 wrong tries, sending limited per number and per address, and a
changed phone no longer confirmed."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts import sms
from portal.accounts.models import PhoneCode
from portal.accounts.phone import phone_normalised, validate_mainland_phone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)


def ask(client, phone=PHONE, address="10.0.0.1"):
    return client.post(reverse("account_phone"), {"phone": phone}, REMOTE_ADDR=address)


def answer(client, code):
    return client.post(reverse("account_phone_confirm"), {"code": code})


@pytest.fixture
def person(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_mainland_numbers_only():
    assert validate_mainland_phone("+86 139-1234-5678") == PHONE
    assert phone_normalised("0086 13912345678") == PHONE
    for bad in ("12912345678", "1391234567", "139123456789", "+85291234567", "abc"):
        with pytest.raises(Exception, match="13|mainland|大陆"):
            validate_mainland_phone(bad)


def test_a_code_confirms_the_phone(client, person):
    response = ask(client, "+86 139 1234 5678")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_phone_confirm")
    assert [m.to for m in sms.outbox] == [PHONE]
    assert "验证码" in sms.outbox[0].text
    page = client.get(reverse("account_phone_confirm")).content.decode()
    assert "139****5678" in page
    code = last_code()
    # Stored hashed: the code is nowhere in the row.
    row = PhoneCode.objects.get(user=person)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert answer(client, code).status_code == 302
    person.refresh_from_db()
    assert person.phone == PHONE and person.phone_is_confirmed
    assert person.phone_confirmed_at is not None
    # A code works once.
    response = answer(client, code)
    assert response.status_code == 200 and "请先获取验证码" in response.content.decode()
    profile = client.get(reverse("account_profile")).content.decode()
    assert "您的手机号已确认" in profile


def test_a_bad_number_sends_nothing(client, person):
    response = ask(client, "12345")
    assert response.status_code == 200
    assert "大陆手机号" in response.content.decode()
    assert sms.outbox == [] and not PhoneCode.objects.exists()


def test_a_code_expires_after_ten_minutes(client, person):
    ask(client)
    code = last_code()
    PhoneCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = answer(client, code)
    assert response.status_code == 200
    assert "已过期" in response.content.decode()
    person.refresh_from_db()
    assert not person.phone_is_confirmed
    row = PhoneCode.objects.get()
    assert row.expires_at - row.created_at <= datetime.timedelta(minutes=10, seconds=1)


def test_five_wrong_tries_spend_the_code(client, person):
    ask(client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        response = answer(client, wrong)
        assert f"还可尝试 {left} 次" in response.content.decode()
    response = answer(client, wrong)
    assert "错误次数过多" in response.content.decode()
    # Even the right code is refused now.
    response = answer(client, code)
    assert "错误次数过多" in response.content.decode()
    person.refresh_from_db()
    assert not person.phone_is_confirmed
    assert PhoneCode.objects.get().attempts == 5


def test_only_the_newest_code_counts(client, person):
    ask(client)
    first = last_code()
    PhoneCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    ask(client, "13800001111", address="10.0.0.2")
    second = last_code()
    if first != second:
        response = answer(client, first)
        assert response.status_code == 200
    assert answer(client, second).status_code == 302
    person.refresh_from_db()
    assert person.phone == "13800001111" and person.phone_is_confirmed


def test_someone_elses_code_confirms_nothing(client, person):
    ask(client)
    code = last_code()
    intruder = UserFactory()
    client.force_login(intruder)
    response = answer(client, code)
    assert response.status_code == 200
    intruder.refresh_from_db()
    person.refresh_from_db()
    assert intruder.phone == "" and not intruder.phone_is_confirmed
    assert not person.phone_is_confirmed


def test_one_number_gets_one_code_a_minute_whoever_asks(client, person):
    assert ask(client, address="10.0.0.1").status_code == 302
    response = ask(client, address="10.0.0.99")
    assert response.status_code == 200 and "次数过多" in response.content.decode()
    client.force_login(UserFactory())
    response = ask(client, address="10.0.0.50")
    assert response.status_code == 200 and "次数过多" in response.content.decode()
    assert len(sms.outbox) == 1


def test_one_address_gets_ten_codes_an_hour(client):
    sent = 0
    for n in range(12):
        client.force_login(UserFactory())
        response = ask(client, phone=f"1370000{n:04d}", address="10.9.9.9")
        sent += response.status_code == 302
    assert sent == 10 and len(sms.outbox) == 10
    client.force_login(UserFactory())
    assert ask(client, phone="13799999999", address="10.9.9.10").status_code == 302


def test_one_person_gets_five_codes_an_hour(client, person):
    for n in range(6):
        ask(client, phone=f"1360000{n:04d}", address=f"10.1.1.{n}")
    assert len(sms.outbox) == 5


def test_changing_the_phone_unconfirms_it(client, person):
    ask(client)
    answer(client, last_code())
    person.refresh_from_db()
    assert person.phone_is_confirmed
    response = client.post(
        reverse("account_profile"),
        {"real_name": person.real_name, "phone": "13700000000", "province": "44"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13700000000" and not person.phone_is_confirmed
    assert "尚未确认" in client.get(reverse("account_profile")).content.decode()


def test_the_confirmation_is_in_my_data_export(client, person):
    import io
    import json
    import zipfile

    ask(client)
    answer(client, last_code())
    export = client.post(reverse("my_data"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))
    data = json.loads(archive.read("my-data.json"))
    assert data["account"]["phone"] == PHONE and data["account"]["phone_confirmed_at"]


def test_a_failed_send_says_so_and_leaves_no_usable_code(client, person, settings):
    settings.SMS_BACKEND = "portal.accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/unreachable"
    response = ask(client)
    assert response.status_code == 200
    assert "未能发送" in response.content.decode()
    assert not PhoneCode.objects.filter(used_at__isnull=True).exists()


def test_visitors_are_sent_to_sign_in(client):
    for name in ("account_phone", "account_phone_confirm"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert ask(client).status_code == 302 and sms.outbox == []
