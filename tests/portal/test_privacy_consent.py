"""The privacy notice, and the consent a sign-up records."""

import pytest
from django.urls import reverse

from portal.accounts.models import User
from portal.privacy import NOTICE_VERSION
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "consent@example.org",
    "real_name": "王 芳",
    "province": "44",
    "organisation": "",
    "phone": "",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_privacy_notice_in_chinese_and_english(client):
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "个人信息保护法" in text
    assert reverse("my_data") in text and reverse("close_account") in text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("privacy")).content.decode()
    assert "Privacy notice" in text and "Your rights" in text


def test_the_notice_names_the_operator_and_contact_once_set(client, settings):
    text = client.get(reverse("privacy")).content.decode()
    assert "PORTAL_OPERATOR_NAME" in text and "PORTAL_PRIVACY_CONTACT" in text
    settings.PORTAL_OPERATOR_NAME = "某省技术转移服务中心"
    settings.PORTAL_PRIVACY_CONTACT = "privacy@example.org，020-12345678"
    text = client.get(reverse("privacy")).content.decode()
    assert "个人信息处理者：某省技术转移服务中心" in text
    assert "privacy@example.org，020-12345678" in text
    assert "PORTAL_OPERATOR_NAME" not in text


def test_the_notice_tells_what_happens_to_an_id_number_phone_and_wechat(client):
    text = client.get(reverse("privacy")).content.decode()
    assert "证件号码加密保存" in text and "短信验证码" in text and "微信" in text
    assert "一致" in text  # relying parties learn only whether it matches


def test_footer_and_signup_form_link_the_notice(client):
    assert reverse("privacy") in client.get(reverse("search")).content.decode()
    text = client.get(reverse("account_signup")).content.decode()
    assert 'name="privacy_consent"' in text
    assert f'href="{reverse("privacy")}"' in text


def test_signup_without_the_checkbox_is_refused_and_creates_no_account(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 200
    assert response.context["form"].errors["privacy_consent"]
    text = response.content.decode()
    assert "请阅读个人信息保护说明并勾选此项" in text or "tick the box" in text
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_signup_with_the_checkbox_records_when_and_which_notice(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "privacy_consent": "on"})
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    assert user.privacy_consent_at is not None
    assert user.privacy_notice_version == NOTICE_VERSION


def test_existing_users_have_no_consent_and_see_nothing_special(client):
    from tests.factories import sign_in

    user = UserFactory()
    assert user.privacy_consent_at is None and user.privacy_notice_version == ""
    sign_in(client, user)
    assert client.get(reverse("account_profile")).status_code == 200
