"""A signed-in person without admin access who opens /admin/ is told so, instead of being bounced
between the admin and the sign-in page until the browser gives up (it did: Wagtail redirected to
its login URL, which was allauth's sign-in page, which sent a signed-in person back to ``next``)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_trainee_opening_the_admin_gets_a_refusal_not_a_redirect_loop(client):
    client.force_login(UserFactory(email="learner@example.org"))
    client.cookies["django_language"] = "en"
    response = client.get("/admin/pages/", follow=True)
    assert len(response.redirect_chain) <= 2
    assert response.status_code == 403
    assert "no access" in response.content.decode()


def test_a_visitor_opening_the_admin_is_asked_to_sign_in_and_returns_there(client):
    response = client.get("/admin/pages/", follow=True)
    final, _ = response.redirect_chain[-1]
    assert final.startswith(reverse("account_login"))
    assert "next=/admin/pages/" in final


def test_an_outside_next_is_not_carried_to_the_sign_in_page(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
