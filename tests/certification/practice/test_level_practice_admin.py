"""Administrators set a level's practice requirements where levels are edited; the change is
audited with its reason, and a bad figure is refused with nothing saved."""

import pytest
from django.conf import settings
from django.forms.models import model_to_dict
from django.urls import reverse

from certification.models import AuditEntry, CertificationLevel
from tests.factories import UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    administrator = with_totp(UserFactory(roles=["Administrator"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, administrator)
    return client


def level_form(rules: CertificationLevel, **changes) -> dict:
    data = {}
    for name, value in model_to_dict(rules).items():
        if name in ("id", "values_are_defaults"):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def test_practice_requirements_are_edited_and_audited(admin_client):
    senior = CertificationLevel.objects.get(code="senior_manager")
    edit = reverse("wagtailsnippets_certification_certificationlevel:edit", args=[senior.pk])
    page = admin_client.get(edit).content.decode()
    assert 'name="practice_min_projects"' in page and 'name="practice_min_amount"' in page

    refused = admin_client.post(
        edit, level_form(senior, practice_min_kinds="7", change_reason="调整实践要求")
    )
    assert refused.status_code == 200
    assert "There are only four named kinds of service." in refused.content.decode()
    senior.refresh_from_db()
    assert senior.practice_min_kinds == 0

    response = admin_client.post(
        edit,
        level_form(
            senior,
            practice_min_projects="5",
            practice_min_amount="1000000",
            practice_min_kinds="2",
            practice_within_years="5",
            change_reason="2026年主管部门通知调整",
        ),
    )
    assert response.status_code == 302
    senior.refresh_from_db()
    assert senior.practice_min_projects == 5 and senior.practice_required
    changes = AuditEntry.objects.get(action="level.changed").data["changes"]
    assert changes["practice_min_projects"] == {"from": 0, "to": 5}
