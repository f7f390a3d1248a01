"""``manage.py certificates_check``: the integrity check run after a restore (docs/backup.md).

The whole backup-and-restore drill on PostgreSQL is ``tests/services/test_backup.py``; here the
check itself is shown to catch each kind of fault, on the embedded default.
"""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

from certification.lifecycle.services import certificate_revoke
from certification.models import Certificate, SigningKey
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    body = certifying_body("GD")
    reviewer = certifier(body)
    first, second = (issued_certificate(UserFactory(), body, reviewer) for _ in range(2))
    certificate_revoke(certificate_id=second.pk, actor=reviewer, reason="信息有误")
    second.refresh_from_db()
    return first, second


def _check(*args) -> dict:
    out = StringIO()
    call_command("certificates_check", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _problems() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("certificates_check", stdout=StringIO())
    return str(raised.value)


def test_issued_and_revoked_certificates_pass(issued):
    report = _check()
    assert report["problems"] == []
    assert (report["certificates"], report["revoked"], report["status_lists"]) == (2, 1, 1)
    out = StringIO()
    call_command("certificates_check", stdout=out)
    assert "2 certificates verify" in out.getvalue()


def test_a_changed_or_missing_pdf_is_named(issued):
    first, second = issued
    default_storage = storages["private"]
    default_storage.delete(first.pdf.name)
    default_storage.save(first.pdf.name, ContentFile(b"%PDF-1.4 forged"))
    default_storage.delete(second.pdf.name)
    problems = _problems()
    assert f"{first.number} PDF" in problems and "does not match its SHA-256" in problems
    assert f"{second.number} PDF" in problems and "cannot be read" in problems


def test_a_tampered_credential_is_named(issued):
    first, _ = issued
    credential = first.credential
    credential["credentialSubject"]["achievement"]["name"] = "高级技术经理人"
    Certificate.objects.filter(pk=first.pk).update(credential=credential)
    assert f"{first.number} credential" in _problems()


def test_a_status_that_disagrees_with_the_signed_list_is_named(issued):
    first, second = issued
    # Revoked in the database only, behind the list's back (as a partial restore could leave).
    Certificate.objects.filter(pk=first.pk).update(status=Certificate.Status.REVOKED)
    problems = _problems()
    assert f"{first.number} is revoked but its status list says not revoked" in problems
    assert second.number not in problems


def test_a_signing_key_the_secret_cannot_open_is_named(issued, settings):
    settings.PORTAL_SIGNING_KEY_SECRET = "not-the-secret"
    problems = _problems()
    assert "signing key of GD" in problems and "PORTAL_SIGNING_KEY_SECRET" in problems
    assert SigningKey.objects.count() == 1
