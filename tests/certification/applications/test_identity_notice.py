"""An applicant for a level whose holders' identity is checked is told to record real-name
details, with a way back to the application; once recorded, the notice goes."""

import pytest
from django.urls import reverse

from certification.applications.services import application_create
from tests.certification.factories import certifying_body, identity_on_record, level
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return certifying_body("GD", levels=("junior_broker", "intermediate_broker"))


def _page(client, user, body, code):
    application = application_create(applicant=user, level=level(code), body=body)
    client.force_login(user)
    url = reverse("application_detail", args=[application.pk])
    return url, client.get(url).content.decode()


def test_a_level_with_an_identity_check_asks_for_real_name_details(client, body):
    url, page = _page(client, UserFactory(), body, "intermediate_broker")
    assert "data-identity-needed" in page
    assert f"{reverse('account_identity')}?next={url}" in page


def test_the_notice_goes_once_the_details_are_recorded(client, body):
    _url, page = _page(client, identity_on_record(UserFactory()), body, "intermediate_broker")
    assert "data-identity-needed" not in page


def test_a_level_without_the_check_does_not_ask(client, body):
    _url, page = _page(client, UserFactory(), body, "junior_broker")
    assert "data-identity-needed" not in page
