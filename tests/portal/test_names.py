"""One rule for names (portal/accounts/names.py), and the places a person types their own:
sign-up, profile and a roster import. The certificate side is in
tests/certification/applications/test_printed_names.py."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from courses.imports import _row
from portal.accounts.models import User
from portal.accounts.names import name_clean, normalise, text_clean
from tests.factories import UserFactory

# A zero-width space, a right-to-left override (李明 that reads 明李), a left-to-right mark,
# a word joiner, a byte-order mark, a private-use character, a line separator left inside.
HOSTILE = ["李\u200b明", "\u202e明李", "李明\u200e", "李\u2060明", "\ufeff李明", "李\ue000明"]
SIGNUP = {
    "email": "new@example.org",
    "password1": "a-Long-passphrase-2026",
    "password2": "a-Long-passphrase-2026",
    "privacy_consent": "on",
    "province": "44",
    "organisation": "",
    "phone": "",
}


def says(text: str, english: str, chinese: str) -> bool:
    return english in text or chinese in text


@pytest.mark.parametrize("value", HOSTILE)
def test_invisible_control_and_direction_characters_are_refused(value):
    with pytest.raises(ValidationError) as raised:
        name_clean(value)
    assert raised.value.code == "control_characters"
    with pytest.raises(ValidationError):
        text_clean("某大学" + value)


@pytest.mark.parametrize("value", ["\u200b", "\u3164", "\u202e", "123", "·", "  "])
def test_a_name_needs_a_letter(value):
    if not value.strip():
        assert name_clean(value) == ""
        return
    with pytest.raises(ValidationError):
        name_clean(value)


def test_the_refusal_names_the_characters_in_chinese_and_in_english():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        name_clean("\u202e明李")
    assert "不可见字符或控制字符" in raised.value.messages[0]
    assert "U+202E" in raised.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        name_clean("李\u200b明")
    assert "invisible or control characters" in raised.value.messages[0]
    assert "U+200B" in raised.value.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "阿依古丽·买买提",  # U+00B7
        "阿依古丽・买买提",  # U+30FB, the full-width middle dot
        "阿依古丽･买买提",  # U+FF65
        "阿依古丽‧买买提",  # U+2027
        "Zoë O'Brien-Smith",
        "玛丽亚 · 安娜",
    ],
)
def test_ordinary_names_with_middle_dots_stay_as_typed(value):
    assert name_clean(value) == value


def test_names_are_nfc_with_spaces_tidied():
    decomposed = "Zoe\u0308  \u3000 Li\u00a0Wei\t"
    assert name_clean(decomposed) == "Zoë Li Wei"
    assert normalise(" 某\t大学\n ") == "某 大学"


@pytest.mark.django_db
@pytest.mark.parametrize("language, message", [("zh-hans", "控制字符"), ("en", "control")])
@pytest.mark.parametrize("name", ["李\u200b明", "\u202e明李"])
def test_sign_up_refuses_the_name_and_stores_nothing(client, settings, language, message, name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("account_signup"), {**SIGNUP, "real_name": name})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["real_name"])
    assert message in errors, errors
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["李\u200b明", "\u202e明李"])
def test_the_profile_refuses_the_name_and_keeps_the_old_one(client, settings, name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    user = UserFactory(real_name="旧名字")
    client.force_login(user)
    data = {"real_name": name, "phone": "", "province": "44", "organisation": ""}
    response = client.post(reverse("account_profile"), data)
    assert response.status_code == 200
    assert "invisible or control characters" in " ".join(
        response.context["form"].errors["real_name"]
    )
    user.refresh_from_db()
    assert user.real_name == "旧名字"


@pytest.mark.django_db
def test_the_profile_keeps_a_name_nfc_and_tidied(client):
    user = UserFactory(real_name="旧名字")
    client.force_login(user)
    data = {"real_name": " Zoe\u0308\u3000Li ", "phone": "", "province": "44", "organisation": ""}
    assert client.post(reverse("account_profile"), data).status_code == 302
    user.refresh_from_db()
    assert user.real_name == "Zoë Li"


@pytest.mark.parametrize("name", ["李\u200b明", "\u202e明李", "李\ue000明"])
def test_a_roster_row_with_such_a_name_is_an_error_row(name):
    with translation.override("zh-hans"):
        row = _row(2, {"name": name, "email": "a@example.org"})
    assert any("控制字符" in error for error in row.errors), row.errors


def test_a_roster_row_name_is_nfc_and_tidied():
    row = _row(2, {"name": " 阿依古丽·买买提\n", "email": "a@example.org"})
    assert row.name == "阿依古丽·买买提" and row.errors == []
    assert _row(3, {"name": "Zoe\u0308", "email": "b@example.org"}).name == "Zoë"
