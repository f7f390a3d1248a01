"""Managing accounts: password reset, e-mail change, and users in the Wagtail admin."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import User
from tests.factories import PASSWORD, UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db


def test_password_reset_mail_leads_to_a_new_password(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "Another-passw0rd-2026", "password2": "Another-passw0rd-2026"},
    )
    assert response.status_code == 302
    assert client.login(username=user.email, password="Another-passw0rd-2026")


def test_email_change_sends_a_verification_to_the_new_address(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="old@example.org")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "new@example.org"}
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@example.org"]
    user.refresh_from_db()
    assert user.email == "old@example.org"  # unchanged until the new address is verified


def test_administrator_creates_a_user_in_the_wagtail_admin(client):
    admin = with_totp(UserFactory(is_superuser=True, is_staff=True))
    sign_in(client, admin)
    assert client.get(reverse("wagtailusers_users:add")).status_code == 200
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "new.editor@example.org",
            "real_name": "新编辑",
            "province": "44",
            "organisation": "某基地",
            "phone": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "groups": [],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="new.editor@example.org")
    assert created.real_name == "新编辑"
    assert created.check_password(PASSWORD)
    assert client.get(reverse("wagtailusers_users:edit", args=(created.pk,))).status_code == 200


def test_the_admin_does_not_offer_its_own_email_or_password_change(client):
    editor = UserFactory(email="editor@example.org", roles=["Base editor"])
    sign_in(client, editor)
    client.post(reverse("wagtailadmin_account"), {"email": "victim@example.org"})
    editor.refresh_from_db()
    assert editor.email == "editor@example.org"
