"""Sign-up, e-mail verification, sign-in, and what bad input at sign-up does."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from portal.accounts.models import OutgoingMail, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.trainee@example.org",
    "real_name": "李 明",
    "province": "44",
    "organisation": "某大学",
    "phone": "138-0000-0000",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "privacy_consent": "on",
}


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_verification_mail_and_sign_in_waits_for_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get(email="new.trainee@example.org")
    assert user.real_name == "李 明"
    assert user.province == "44"
    assert list(user.groups.values_list("name", flat=True)) == ["Trainee"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.trainee@example.org"]
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT

    # Unverified: signing in is refused and another verification mail goes out.
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": SIGNUP["email"], "password": PASSWORD}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302

    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_with_a_registered_email_is_refused_plainly(client):
    UserFactory(email="taken@example.org")
    before = User.objects.count()
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "Taken@Example.org"})
    assert response.status_code == 200
    assert "已" in response.content.decode() or "already" in response.content.decode()
    assert response.context["form"].errors["email"]
    assert User.objects.count() == before
    assert mail.outbox == []


def test_signup_without_a_real_name_changes_nothing(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "real_name": "   "})
    assert response.status_code == 200
    assert "real_name" in response.context["form"].errors
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_signup_form_posted_without_csrf_token_is_refused_with_a_page(client):
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_roles_exist_as_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Trainee", "Base editor", "Faculty", "Certifier", "Administrator"} <= names
