"""Account mails (allauth's): the site's name, a greeting in the reader's language, the link
on a line of its own, and an HTML part, in Chinese and in English (issue 14, item 5)."""

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.trainee@example.org",
    "real_name": "李明",
    "province": "44",
    "organisation": "某大学",
    "phone": "138-0000-0000",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "privacy_consent": "on",
}
BROKEN = ("来自的", "Hello!", "在  上注册", "感谢您使用 ！", "[]")


def post(client, name, data, language=None):
    if language:
        client.cookies["django_language"] = language
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse(name), data)


def html_of(message) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def alone(body: str, path_part: str) -> str:
    line = next(line for line in body.splitlines() if path_part in line)
    assert re.fullmatch(r"https?://[!-~]+", line.strip()), line
    return line.strip()


def test_the_signup_mail_in_chinese_reads_right(client):
    post(client, "account_signup", SIGNUP)
    (message,) = mail.outbox
    for broken in BROKEN:
        assert broken not in message.body, broken
    assert "您好" in message.body
    assert "技术转移人才培训平台" in message.body
    link = alone(message.body, "/accounts/confirm-email/")
    assert f'href="{link}"' in html_of(message)


def test_the_signup_mail_in_english_reads_right(client):
    post(client, "account_signup", SIGNUP, language="en")
    (message,) = mail.outbox
    assert message.body.startswith("Hello,")
    assert "Technology Transfer Talent Training Portal" in message.body
    assert "您" not in message.body
    alone(message.body, "/accounts/confirm-email/")


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "重置"), ("en", "reset the password")])
def test_the_password_reset_mail_reads_right(client, language, words):
    person = UserFactory(email="someone@example.org")
    post(client, "account_reset_password", {"email": person.email}, language=language)
    (message,) = mail.outbox
    for broken in BROKEN:
        assert broken not in message.body, broken
    assert words in message.body
    link = alone(message.body, "/accounts/password/reset/key/")
    assert f'href="{link}"' in html_of(message)


def test_the_language_signed_up_in_is_the_language_of_later_mails(client):
    from portal.accounts.models import User
    from portal.notifications.services import language_of

    post(client, "account_signup", SIGNUP, language="en")
    assert language_of(User.objects.get(email=SIGNUP["email"])) == "en"
