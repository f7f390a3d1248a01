"""Correcting a certificate without revoking it: a later version under the same number."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from certification.errors import CertificationError
from certification.issuing.corrections import certificate_correct
from certification.models import AuditEntry, Certificate
from portal.accounts.models import OutgoingMail
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory, png_bytes, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Services called directly speak English here, so the assertions read English."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def body():
    return certifying_body("GD")


@pytest.fixture
def reviewer(body):
    return certifier(body, real_name="审核员甲")


@pytest.fixture
def certificate(body):
    return issued_certificate(UserFactory(real_name="张三丰"), body, certifier(body))


def correct(client, certificate, capture, **data):
    fields = {
        "printed_name": "张三峰",
        "photo": "keep",
        "reason": "姓名录入错误",
        "confirmed": "on",
        **data,
    }
    form = {"action": "correct", **{f"correct-{k}": v for k, v in fields.items()}}
    with capture(execute=True):
        return client.post(reverse("certify_certificate", args=[certificate.number]), form)


def test_a_corrected_name_makes_version_two_and_the_old_one_points_to_it(
    client, reviewer, certificate, django_capture_on_commit_callbacks
):
    sign_in(client, reviewer)
    response = correct(client, certificate, django_capture_on_commit_callbacks)
    new = Certificate.objects.get(corrects=certificate)
    assert response.status_code == 302
    assert response["Location"] == reverse("certify_certificate", args=[new.number])
    assert new.number == f"{certificate.number}-V2" and new.version == 2
    assert new.status == Certificate.Status.VALID and new.pdf and new.credential
    assert new.printed_name == "张三峰"
    assert (new.issued_on, new.valid_until) == (certificate.issued_on, certificate.valid_until)
    assert new.pdf_sha256 != certificate.pdf_sha256
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUPERSEDED  # not revoked
    assert certificate.superseded_by == new and not certificate.revoked_at

    entry = AuditEntry.objects.get(action="certificate.corrected")
    assert entry.actor == reviewer
    assert entry.data["reason"] == "姓名录入错误" and entry.data["new_number"] == new.number
    assert OutgoingMail.objects.filter(
        to=certificate.holder.email, subject__contains=certificate.number
    ).exists()

    public = client.get(reverse("certificate_verify", args=[certificate.number])).content.decode()
    assert "corrected" in public and new.number in public
    # A version 3 follows the same lineage.
    client.get("/")
    again = correct(
        client, new, django_capture_on_commit_callbacks, printed_name="张三丰", reason="改回"
    )
    assert again.status_code == 302
    assert Certificate.objects.get(corrects=new).number == f"{certificate.number}-V3"


def test_without_the_confirmation_nothing_is_reissued(
    client, reviewer, certificate, django_capture_on_commit_callbacks
):
    sign_in(client, reviewer)
    response = correct(client, certificate, django_capture_on_commit_callbacks, confirmed="")
    assert response.status_code == 200
    assert "Tick that you have checked the correction." in response.content.decode()
    assert not Certificate.objects.filter(corrects=certificate).exists()


def test_a_correction_needs_a_change_and_a_reason(reviewer, certificate):
    with pytest.raises(CertificationError, match="Nothing would change"):
        certificate_correct(
            certificate_id=certificate.pk,
            actor=reviewer,
            printed_name=certificate.printed_name,
            reason="x",
        )
    with pytest.raises(CertificationError):
        certificate_correct(
            certificate_id=certificate.pk, actor=reviewer, printed_name="张三峰", reason="  "
        )
    assert not Certificate.objects.filter(corrects=certificate).exists()


def test_the_holder_another_body_and_a_revoked_certificate_cannot_be_corrected(
    client, body, certificate, django_capture_on_commit_callbacks
):
    sign_in(client, certificate.holder)  # a trainee: not a certifier at all
    assert correct(client, certificate, django_capture_on_commit_callbacks).status_code == 403
    client.logout()
    elsewhere = certifier(certifying_body("SH"))
    sign_in(client, elsewhere)
    assert correct(client, certificate, django_capture_on_commit_callbacks).status_code == 404
    translation.activate("en")  # the requests above left their own language active
    with pytest.raises(CertificationError, match="do not act for"):
        certificate_correct(
            certificate_id=certificate.pk, actor=elsewhere, printed_name="张三峰", reason="x"
        )
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)
    with pytest.raises(CertificationError, match="revoked"):
        certificate_correct(
            certificate_id=certificate.pk,
            actor=certifier(body),
            printed_name="张三峰",
            reason="x",
        )
    assert not Certificate.objects.filter(corrects=certificate).exists()


def test_a_certifier_cannot_correct_their_own_certificate(body):
    own = certifier(body, real_name="李审核")
    mine = issued_certificate(own, body, certifier(body))
    with pytest.raises(CertificationError, match="your own certificate"):
        certificate_correct(certificate_id=mine.pk, actor=own, printed_name="李审合", reason="x")


def test_a_new_photo_is_printed_and_a_bad_file_refused(
    client, reviewer, certificate, django_capture_on_commit_callbacks
):
    sign_in(client, reviewer)
    bad = correct(
        client,
        certificate,
        django_capture_on_commit_callbacks,
        printed_name=certificate.printed_name,
        photo="upload",
        upload=SimpleUploadedFile("x.png", b"not a picture", "image/png"),
    )
    assert bad.status_code == 200
    assert not Certificate.objects.filter(corrects=certificate).exists()
    good = correct(
        client,
        certificate,
        django_capture_on_commit_callbacks,
        printed_name=certificate.printed_name,
        photo="upload",
        upload=SimpleUploadedFile("me.png", png_bytes((300, 400), (200, 150, 120)), "image/png"),
    )
    assert good.status_code == 302
    new = Certificate.objects.get(corrects=certificate)
    assert new.photo and new.status == Certificate.Status.VALID
