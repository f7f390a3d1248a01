"""/me/close/: closing one's own account removes what issued certificates do not need."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from certification.applications.models import Evidence
from certification.audit.models import AuditEntry
from certification.registry.models import RegistryListing
from certification.verification.selectors import mask_name
from courses.models import Enrolment, EnrolmentInvitation
from portal.accounts.models import User
from tests.factories import PASSWORD, UserFactory, sign_in, with_totp
from tests.portal.test_my_data import two_people

pytestmark = pytest.mark.django_db


def test_the_page_explains_and_a_wrong_password_changes_nothing(client):
    user = UserFactory(phone="138-0000-1111")
    sign_in(client, user)
    page = client.get(reverse("close_account")).content.decode()
    assert "证书" in page or "certificate" in page
    response = client.post(reverse("close_account"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    user.refresh_from_db()
    assert user.is_active and user.phone == "138-0000-1111" and user.has_usable_password()


def test_closing_removes_personal_data_and_keeps_certificates_verifiable(
    client, django_capture_on_commit_callbacks
):
    w = two_people()
    alice, certificate = w["alice"], w["certificate"]
    photo_name, evidence_name = alice.photo.name, w["evidence"].file.name
    other_device = Client()
    sign_in(other_device, alice)
    sign_in(client, alice)
    with_totp(alice)  # after signing in: each code is accepted once

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("close_account"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_closed")

    alice.refresh_from_db()
    assert (alice.phone, alice.organisation, alice.province, alice.photo.name) == ("", "", "", "")
    assert alice.email.endswith(".invalid") and "alice" not in alice.email
    assert not alice.is_active and not alice.has_usable_password()
    assert not Authenticator.objects.filter(user=alice).exists()
    assert not RegistryListing.objects.filter(user=alice).exists()
    assert not Evidence.objects.filter(application=w["rejected"]).exists()
    storage = storages["private"]
    assert not storage.exists(evidence_name) and not storage.exists(photo_name)
    assert not EnrolmentInvitation.objects.filter(user=alice).exists()
    assert EnrolmentInvitation.objects.filter(user=w["bob"]).exists()  # Bob's untouched
    assert Enrolment.objects.filter(user=alice).exists()  # the certificate rests on it
    assert AuditEntry.objects.filter(action="account_closed", object_id=str(alice.pk)).exists()

    # Signed out here and on the other device; signing in again is refused.
    assert "_auth_user_id" not in client.session
    assert other_device.get(reverse("my_learning")).status_code == 302
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session

    # The certificate still answers, with the printed name only.
    certificate.refresh_from_db()
    assert certificate.printed_name == "张爱丽"
    page = client.get(reverse("certificate_verify", args=[certificate.number]))
    assert page.status_code == 200
    assert mask_name("张爱丽") in page.content.decode()
    api = client.get(reverse("api_certificate", args=[certificate.number]))
    assert api.status_code == 200
    assert api.json()["holder"] == mask_name("张爱丽")
    assert api.json()["status"] == "valid"


def test_a_staff_member_is_refused(client):
    user = UserFactory(roles=["Faculty"])
    with_totp(user)
    sign_in(client, user)
    page = client.get(reverse("close_account"))
    assert page.status_code == 200
    assert "角色" in page.content.decode() or "staff role" in page.content.decode()
    response = client.post(reverse("close_account"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active and user.has_usable_password()
    assert User.objects.get(pk=user.pk).email == user.email


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.post(reverse("close_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_closing_removes_the_notifications_and_choices(client):
    from portal.notifications.models import Kind, Notification, NotificationSettings

    w = two_people()
    alice, bob = w["alice"], w["bob"]
    for person in (alice, bob):
        Notification.objects.create(user=person, kind=Kind.ENROLLED, key="k", params={})
        NotificationSettings.objects.create(user=person, language="en")
    sign_in(client, alice)
    with_totp(alice)
    response = client.post(reverse("close_account"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not Notification.objects.filter(user=alice).exists()
    assert not NotificationSettings.objects.filter(user=alice).exists()
    assert Notification.objects.filter(user=bob).exists()  # Bob's untouched
