"""Status lists carry a short validity, are signed again before it passes, and an expired one
is refused: by the portal's verifier, on the verification page, and (test_independent.py) by
Digital Bazaar's."""

import datetime
import re
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from certification import tasks
from certification.credentials import keys, vc
from certification.credentials.models import StatusList
from certification.credentials.status import (
    certificate_signed_status,
    signed_until,
    status_list_current,
    status_list_sign,
    status_lists_renew,
)
from certification.lifecycle.services import certificate_revoke
from portal.celery import app
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOURS = django_settings.PORTAL_STATUS_LIST_VALID_HOURS


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def certificate(body):
    return issued_certificate(UserFactory(), body, certifier(body))


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def revoke(certificate):
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate_revoke(
            certificate_id=certificate.pk,
            actor=certificate.body.certifiers.first(),
            code="misconduct",
            reason="冒用他人培训记录",
        )
    certificate.refresh_from_db()


def test_a_signed_list_states_a_window_of_48_hours(certificate):
    document = status_list_sign(certificate.status_list)
    valid_from = datetime.datetime.fromisoformat(document["validFrom"])
    assert signed_until(document) - valid_from == datetime.timedelta(hours=48)
    assert vc.verify(document).verified


def test_beat_signs_again_only_lists_running_out_and_is_safe_to_run_twice(certificate):
    status_list = certificate.status_list
    status_list_sign(status_list)
    first = StatusList.objects.get(pk=status_list.pk).credential
    assert status_lists_renew() == 0  # 48 h left: nothing to do
    later = timezone.now() + datetime.timedelta(hours=HOURS - 23)  # 23 h left
    with at(later):
        assert tasks.status_lists_renew_task() == 1
        assert status_lists_renew() == 0
    renewed = StatusList.objects.get(pk=status_list.pk).credential
    assert signed_until(renewed) == later.replace(microsecond=0) + datetime.timedelta(hours=HOURS)
    assert renewed["credentialSubject"] == first["credentialSubject"]
    assert vc.verify(renewed).verified


def test_beat_runs_the_renewal_hourly():
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "certification.tasks.status_lists_renew_task"
    ]
    assert entries and entries[0]["schedule"] <= 3600
    assert "certification.tasks.status_lists_renew_task" in app.tasks


def test_a_list_signed_before_without_valid_until_is_renewed(certificate):
    status_list = certificate.status_list
    status_list_sign(status_list)
    undated = {k: v for k, v in status_list.credential.items() if k != "validUntil"}
    StatusList.objects.filter(pk=status_list.pk).update(credential=undated)
    assert status_lists_renew() == 1
    assert signed_until(StatusList.objects.get(pk=status_list.pk).credential) is not None


def test_an_expired_list_is_signed_afresh_when_asked_for(certificate, client):
    status_list_sign(certificate.status_list)
    later = timezone.now() + datetime.timedelta(hours=HOURS + 5)
    with at(later):
        document = status_list_current(body_code="GD", number=certificate.status_list.number)
        assert signed_until(document) > later
        url = reverse("api_status_list", args=["GD", certificate.status_list.number])
        served = client.get(url).json()
    assert served == document


def test_a_list_kept_from_before_a_revocation_stops_being_believed(certificate):
    """The replay: the list as it was before the revocation, shown to a verifier later."""
    before = status_list_sign(certificate.status_list)
    revoke(certificate)
    now = timezone.now()
    # While its window runs, the old copy still says "not revoked": the window is the bound.
    assert vc.credential_status(certificate.credential, before, now=now).revoked is False
    after_window = now + datetime.timedelta(hours=HOURS, minutes=1)
    replay = vc.credential_status(certificate.credential, before, now=after_window)
    assert replay.revoked is None
    assert any("expired" in error for error in replay.errors)
    current = status_list_current(body_code="GD", number=certificate.status_list.number)
    assert vc.credential_status(certificate.credential, current, now=now).revoked is True


def test_the_portal_verifier_refuses_an_expired_list_it_cannot_sign_again(certificate, client):
    stored = status_list_sign(certificate.status_list)
    certificate.refresh_from_db()
    assert certificate_signed_status(certificate).revoked is False
    later = timezone.now() + datetime.timedelta(hours=HOURS + 1)
    url = reverse("api_status_list", args=["GD", certificate.status_list.number])
    with (
        at(later),
        mock.patch.object(keys, "private_key", side_effect=keys.KeyUnavailable("no secret")),
    ):
        status = certificate_signed_status(certificate)
        served = client.get(url)
    assert status.revoked is None
    assert "expired" in status.problem
    # The API still answers, with the list as it is: outsiders' verifiers refuse it themselves.
    assert served.status_code == 200 and served.json() == stored


def test_the_verify_page_shows_what_the_signed_list_says_and_refuses_an_expired_one(
    certificate, client
):
    url = reverse("certificate_verify", args=[certificate.number])
    page = client.get(url).content.decode()
    assert 'data-signed-status="not-revoked"' in page
    assert re.search("未将此证书列为已撤销|does not list this certificate as revoked", page)
    cache.clear()
    later = timezone.now() + datetime.timedelta(hours=HOURS + 1)
    with (
        at(later),
        mock.patch.object(keys, "private_key", side_effect=keys.KeyUnavailable("no secret")),
    ):
        refused = client.get(url).content.decode()
    assert 'data-signed-status="refused"' in refused
    assert re.search("无法确认签名的撤销列表|could not be confirmed", refused)
    assert 'data-status="valid"' in refused  # the register still says valid; the list is refused
    cache.clear()
    revoke(certificate)
    revoked = client.get(url).content.decode()
    assert 'data-signed-status="revoked"' in revoked
