"""An award is a signed credential like a certificate (issue 18, item 5): an Open Badges 3.0
OpenBadgeCredential from the awarding body's did:web, checked by the portal's verifier, by
Digital Bazaar's independent stack and by 1EdTech's schema; its public page and the registry."""

import copy

import pytest
from django.conf import settings
from django.urls import reverse

from certification.credentials import did, vc
from certification.credentials.status import status_list_current
from certification.models import Award
from certification.recognition import services
from certification.registry.services import registry_join
from tests.certification.credentials.test_certificate_credential import schema_errors
from tests.certification.credentials.test_did_web import node_verify, published

from .helpers import a_round, admin, certified, move_to, nominate_self, reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def award():
    boss = admin()
    selection = a_round(boss, awards=1)
    person = certified(real_name="冯获奖", email="winner@example.org")
    nomination = nominate_self(selection, person)
    panel = reviewer()
    services.reviewer_assign(round_id=selection.pk, actor=boss, user=panel)
    move_to(selection, "review")
    criteria = list(selection.criteria.all())
    services.review_submit(
        nomination_id=nomination.pk,
        actor=panel,
        conflict=False,
        no_conflict_declared=True,
        scores={criteria[0].pk: 9, criteria[1].pk: 4},
    )
    move_to(selection, "announce")
    services.round_announce(round_id=selection.pk, actor=boss)
    move_to(selection, "after")
    [award] = services.round_publish(round_id=selection.pk, actor=boss)
    return Award.objects.select_related("round__body", "nomination__nominee").get(pk=award.pk)


def test_the_award_credential_verifies_here_independently_and_against_the_schema(award, client):
    credential = award.credential
    body = award.round.body
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == did.body_did(body)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Award"
    assert achievement["name"] == award.round.title
    assert "licenseNumber" not in credential["credentialSubject"]
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["identityHash"] == vc.identity_hash("winner@example.org", identity["salt"])
    assert schema_errors(credential) == []
    assert vc.undefined_terms(credential) == []
    assert did.credential_verify(credential).verified

    # Digital Bazaar's stack resolves the body's did:web from the document the portal serves,
    # checks the status list the portal serves, and agrees.
    status_list = status_list_current(body_code=body.code, number=award.status_list.number)
    result = node_verify(
        credential,
        status_lists={status_list["id"]: status_list},
        documents=published(client, body),
    )
    assert result == {"verified": True, "errors": [], "revoked": False}

    # A changed award fails both.
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["achievement"]["name"] = "2026年度全国最佳技术经纪人"
    assert not did.credential_verify(forged).verified
    assert node_verify(forged, documents=published(client, body))["verified"] is False


def test_the_public_pages_serve_and_check_the_award(award, client):
    served = client.get(reverse("award_credential", args=[award.pk]))
    assert served.status_code == 200 and served.json() == award.credential
    page = client.get(reverse("award_verify", args=[award.pk])).content.decode()
    assert "Authentic: the signature of the awarding body checks out." in page
    assert award.number in page and "冯获奖" in page
    # A tampered stored credential shows as failing, never as authentic.
    Award.objects.filter(pk=award.pk).update(credential={**award.credential, "name": "改过的名称"})
    page = client.get(reverse("award_verify", args=[award.pk])).content.decode()
    assert "The signed credential does not verify." in page
    assert client.get(reverse("award_verify", args=[award.pk + 99])).status_code == 404


def test_a_proposed_place_has_no_public_credential(client):
    boss = admin()
    selection = a_round(boss, awards=1)
    person = certified()
    nomination = nominate_self(selection, person)
    panel = reviewer()
    services.reviewer_assign(round_id=selection.pk, actor=boss, user=panel)
    move_to(selection, "review")
    criteria = list(selection.criteria.all())
    services.review_submit(
        nomination_id=nomination.pk,
        actor=panel,
        conflict=False,
        no_conflict_declared=True,
        scores={criteria[0].pk: 5, criteria[1].pk: 5},
    )
    move_to(selection, "announce")
    [proposed] = services.round_announce(round_id=selection.pk, actor=boss)
    assert client.get(reverse("award_verify", args=[proposed.pk])).status_code == 404
    assert client.get(reverse("award_credential", args=[proposed.pk])).status_code == 404


def test_the_registry_shows_the_award_on_the_awardees_entry(award, client):
    registry_join(
        user=award.nomination.nominee, organisation="某技术转移中心", specialties="专利运营"
    )
    page = client.get(reverse("registry")).content.decode()
    assert "data-awards" in page
    assert reverse("award_verify", args=[award.pk]) in page
    assert award.round.title.replace("“", "&ldquo;") in page or award.round.title in page


def test_the_file_check_recognises_an_award_credential_and_refuses_a_changed_one(award, client):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    def check(document):
        upload = SimpleUploadedFile(
            "award.json",
            json.dumps(document, ensure_ascii=False).encode(),
            content_type="application/json",
        )
        return client.post(reverse("verify_file"), {"file": upload}).content.decode()

    page = check(award.credential)
    assert "Genuine award" in page and "data-award-link" in page
    assert reverse("award_verify", args=[award.pk]) in page
    changed = copy.deepcopy(award.credential)
    changed["credentialSubject"]["achievement"]["name"] = "另一个奖项"
    page = check(changed)
    assert "Genuine award" not in page and "does not hold" in page


def test_an_award_revoked_later_reads_as_revoked_everywhere(
    award, client, django_capture_on_commit_callbacks
):
    import json

    from django.core import mail
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification.errors import CertificationError
    from certification.models import AuditEntry
    from tests.factories import UserFactory

    body = award.round.body
    boss = admin()
    manage = reverse("recognition_manage_round", args=[award.round_id])
    registry_join(user=award.nomination.nominee, organisation="某中心", specialties="专利运营")
    # Someone who is not an administrator cannot revoke by a hand-made POST.
    client.force_login(UserFactory(roles=["Certifier"]))
    posted = {"action": "revoke", "award": award.pk, "reason": "材料造假", "confirm": "on"}
    assert client.post(manage, posted).status_code == 403
    # An administrator must give a reason and confirm; without either nothing changes.
    client.force_login(admin())
    client.post(manage, {**posted, "confirm": ""})
    client.post(manage, {**posted, "reason": "  "})
    award.refresh_from_db()
    assert award.status == Award.Status.AWARDED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(manage, posted, follow=True)
    assert "The award has been revoked" in response.content.decode()
    award.refresh_from_db()
    assert (award.status, award.revocation_reason) == (Award.Status.REVOKED, "材料造假")
    assert AuditEntry.objects.filter(action="recognition.award_revoked").count() == 1
    [message] = [m for m in mail.outbox if "winner@example.org" in m.to and "revoked" in m.subject]
    assert "材料造假" in message.body
    with pytest.raises(CertificationError, match="Only an award that has been published"):
        services.award_revoke(award_id=award.pk, actor=boss, reason="again")

    # The independent verifier reads the bit in the list the portal now serves.
    status_list = status_list_current(body_code=body.code, number=award.status_list.number)
    result = node_verify(
        award.credential,
        status_lists={status_list["id"]: status_list},
        documents=published(client, body),
    )
    assert result["revoked"] is True
    # The public page says so; the award leaves the registry and the published list.
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("award_verify", args=[award.pk])).content.decode()
    assert 'data-award-status="revoked"' in page and "Authentic" not in page
    assert (
        reverse("award_verify", args=[award.pk])
        not in client.get(reverse("registry")).content.decode()
    )
    round_page = client.get(reverse("recognition_round", args=[award.round_id])).content.decode()
    assert "冯获奖" not in round_page
    upload = SimpleUploadedFile(
        "award.json", json.dumps(award.credential).encode(), content_type="application/json"
    )
    page = client.post(reverse("verify_file"), {"file": upload}).content.decode()
    assert "Genuine award, but revoked" in page
