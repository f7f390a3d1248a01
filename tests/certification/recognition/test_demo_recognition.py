"""The demo's finished selection round: published through the services, its awards verify,
the registry shows them, and a second run changes nothing."""

import pytest
from django.urls import reverse

from certification.credentials import did
from certification.demo.recognition import DEMO_TITLE, seed_recognition_demo
from certification.models import AuditEntry, Award, Objection, Review, SelectionRound
from cms import api as cms_api
from portal.accounts.demo import DEMO_ACCOUNTS, demo_account_ensure
from tests.certification.factories import certifying_body
from tests.factories import training_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    accounts = {spec.email: demo_account_ensure(spec)[0] for spec in DEMO_ACCOUNTS}
    base = training_base("DEMO-B", title="华南技术转移人才培训基地", slug="demo-b")
    cms_api.training_base_editor_add(page_id=base.pk, user=accounts["editor@demo.local"])
    cms_api.training_base_faculty_add(page_id=base.pk, user=accounts["faculty@demo.local"])
    national = certifying_body(
        "CN",
        kind="national",
        levels=("intermediate_broker", "senior_manager"),
        images=False,
        name="国家技术转移人才评价中心（示例）",
    )
    national.certifiers.add(accounts["certifier@demo.local"])
    return {"bodies": {"CN": national}, "accounts": accounts}


def test_the_demo_round_is_finished_published_and_idempotent(demo, client):
    selection = seed_recognition_demo(**demo)
    assert selection.title == DEMO_TITLE and selection.published_at is not None
    awards = list(Award.objects.filter(round=selection, status="awarded").order_by("rank"))
    assert len(awards) == 3
    assert all(did.credential_verify(award.credential).verified for award in awards)
    # Nobody scored their own organisation's nominee or someone they nominated.
    for review in Review.objects.filter(nomination__round=selection):
        assert review.reviewer_id not in (
            review.nomination.nominee_id,
            review.nomination.nominated_by_id,
        )
    faculty = demo["accounts"]["faculty@demo.local"]
    assert not Review.objects.filter(reviewer=faculty, nomination__by="base").exists()
    assert Objection.objects.get(award__round=selection).answered_at is not None
    page = client.get(reverse("recognition_round", args=[selection.pk])).content.decode()
    assert all(award.name in page for award in awards)
    registry = client.get(reverse("registry")).content.decode()
    assert reverse("award_verify", args=[awards[0].pk]) in registry

    entries = AuditEntry.objects.count()
    assert seed_recognition_demo(**demo) is None
    assert SelectionRound.objects.count() == 1 and AuditEntry.objects.count() == entries
