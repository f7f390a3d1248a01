"""Administrators keep the levels courses and exams are of as data, next to the certification
levels: adding one is audited, its code is fixed once saved, nobody else may add one, and a
certification level pointing at it counts the hours of its courses only."""

import pytest
from django.conf import settings
from django.urls import reverse

from certification.levels.selectors import exam_entry_refusal
from certification.models import AuditEntry, CertificationLevel, Track
from cms.taxonomy import Level
from tests.factories import UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_cms_level:add"
EDIT = "wagtailsnippets_cms_level:edit"
NEW_LEVEL = {
    "name": "省级技术合同认定登记员",
    "name_en": "Provincial Technology-Contract Registrar",
    "code": "registrar_provincial",
    "track": "技术合同认定登记员",
    "rank": "1",
    "sort_order": "10",
}


@pytest.fixture
def admin_client(client):
    administrator = with_totp(UserFactory(roles=["Administrator"], real_name="管理员"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, administrator)
    client.administrator = administrator
    return client


def test_an_administrator_adds_a_level_and_it_is_audited(admin_client):
    response = admin_client.post(reverse(ADD), NEW_LEVEL)
    assert response.status_code == 302
    level = Level.objects.get(code="registrar_provincial")
    assert level.name == "省级技术合同认定登记员" and level.track == "技术合同认定登记员"
    entry = AuditEntry.objects.get(action="course_level.created")
    assert entry.actor == admin_client.administrator
    assert entry.data["changes"]["code"] == {"from": None, "to": "registrar_provincial"}
    # Offered where a certification level names its course level.
    edit = reverse(
        "wagtailsnippets_certification_certificationlevel:edit",
        args=[CertificationLevel.objects.get(code="contract_registrar").pk],
    )
    assert "Provincial Technology-Contract Registrar" in admin_client.get(edit).content.decode()


def test_a_level_code_is_fixed_once_saved_and_a_change_needs_a_reason(admin_client):
    admin_client.post(reverse(ADD), NEW_LEVEL)
    level = Level.objects.get(code="registrar_provincial")
    edit = reverse(EDIT, args=[level.pk])
    refused = admin_client.post(edit, {**NEW_LEVEL, "name": "省级登记员"})
    assert refused.status_code == 200
    assert "Say why the rules change" in refused.content.decode()
    response = admin_client.post(
        edit, {**NEW_LEVEL, "code": "renamed", "name": "省级登记员", "change_reason": "更名"}
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.code, level.name) == ("registrar_provincial", "省级登记员")
    changes = AuditEntry.objects.get(action="course_level.changed").data["changes"]
    assert set(changes) == {"name"}


def test_a_bad_code_is_refused_with_nothing_saved(admin_client):
    response = admin_client.post(reverse(ADD), {**NEW_LEVEL, "code": "登记 员"})
    assert response.status_code == 200
    assert not Level.objects.filter(name=NEW_LEVEL["name"]).exists()
    assert not AuditEntry.objects.filter(action="course_level.created").exists()


@pytest.mark.parametrize("roles", [["Trainee"], ["Certifier"], ["Base editor"]])
def test_nobody_but_administrators_adds_a_level(client, roles):
    sign_in(client, with_totp(UserFactory(roles=roles)))
    response = client.post(reverse(ADD), NEW_LEVEL)
    assert response.status_code in (302, 403)
    assert not Level.objects.filter(code="registrar_provincial").exists()


def test_a_certification_level_counts_the_hours_of_its_own_course_level():
    Level.objects.create(code="registrar_provincial", name="省级登记员", track="登记员")
    CertificationLevel.objects.create(
        track=Track.objects.get(code="registrar"),
        code="registrar_provincial_cert",
        number_code="RP",
        name="省级技术合同认定登记员",
        course_level_id="registrar_provincial",
        hours_policy=4,
    )
    trainee = UserFactory()
    refusal = exam_entry_refusal(user_id=trainee.pk, course_level="registrar_provincial")
    assert refusal and ("0 of 4" in refusal or "0 / 4" in refusal)
