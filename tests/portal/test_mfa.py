"""Certifiers and administrators must sign in with a second factor before they can work."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.urls import reverse

from portal.accounts.demo import totp_current_code
from tests.factories import PASSWORD, UserFactory, password_only_login, sign_in, with_totp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["Certifier", "Administrator"])
def test_role_without_an_authenticator_is_sent_to_set_one_up(client, role):
    user = UserFactory(roles=[role])
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    for path in ("/admin/", "/certify/", "/manage/reports/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp")
    # allauth confirms the password once more before an authenticator is added.
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    page = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert page.request["PATH_INFO"] == reverse("mfa_activate_totp")
    assert "totp_url" in page.context or "form" in page.context


def test_trainee_is_not_asked_for_a_second_factor(client):
    client.force_login(UserFactory(roles=["Trainee"]))
    response = client.get("/admin/")
    assert response["Location"] != reverse("mfa_activate_totp")
    assert client.get("/").status_code == 200


def test_administrator_signs_in_with_password_then_code_and_reaches_the_admin(client, capsys):
    admin = UserFactory(email="chief@example.org", roles=["Administrator"])
    TOTP.activate(admin, generate_totp_secret())

    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    call_command("demo_totp", admin.email)
    code = capsys.readouterr().out.strip()
    assert code == totp_current_code(admin)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/admin/").status_code == 200


def test_demo_totp_refuses_an_account_without_an_authenticator():
    user = UserFactory()
    assert not Authenticator.objects.filter(user=user).exists()
    with pytest.raises(Exception, match="no authenticator"):
        call_command("demo_totp", user.email)


def test_wagtails_own_login_form_cannot_skip_the_second_factor(client):
    admin = with_totp(UserFactory(email="boss@example.org", roles=["Administrator"]))
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_session_signed_in_without_the_code_is_sent_back_to_sign_in(client):
    admin = with_totp(UserFactory(email="boss2@example.org", roles=["Administrator"]))
    password_only_login(client, admin)  # a sign-in that did not go through the two-factor step
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session

    sign_in(client, admin)
    assert client.get("/admin/pages/").status_code == 200


def _code_steps_ago(user, steps: int) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 - steps))


def test_a_code_that_just_changed_on_the_phone_is_still_accepted_but_an_old_one_is_not(client):
    import time

    if time.time() % 30 > 25:  # the step must not change between making a code and its check
        time.sleep(30 - time.time() % 30 + 0.2)
    admin = with_totp(UserFactory(email="drift@example.org", roles=["Administrator"]))
    client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    stale = client.post(reverse("mfa_authenticate"), {"code": _code_steps_ago(admin, 3)})
    assert stale.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": _code_steps_ago(admin, 1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
