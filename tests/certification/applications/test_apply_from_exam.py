"""The exam result's "Apply for certification" arrives with the level chosen: courses names
only its course level, and the application page picks the one level it leads to."""

import pytest
from django.urls import reverse

from tests.certification.factories import certifying_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_course_level_preselects_the_level_it_leads_to(client):
    certifying_body("GD")
    client.force_login(UserFactory())
    response = client.get(reverse("application_new"), {"course_level": "junior_broker"})
    assert response.context["chosen"].code == "junior_broker"
    assert 'name="body"' in response.content.decode()


def test_an_unknown_course_level_chooses_nothing_and_says_nothing_wrong(client):
    certifying_body("GD")
    client.force_login(UserFactory())
    response = client.get(reverse("application_new"), {"course_level": "<script>"})
    assert response.status_code == 200
    assert response.context["chosen"] is None
    assert "<script>" not in response.content.decode()
