"""Backup and restore (docs/backup.md): ``manage.py backup`` then ``manage.py restore`` into a
fresh PostgreSQL database and an empty media folder, and the restored copy still proves every
certificate: PDF hash, signed credential and revocation status alike.

The restored copy is checked by separate processes pointed at it (DATABASE_URL, MEDIA_ROOT),
the way an operator would, with the original media folder gone.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from certification.issuing.services import application_approve, certificate_complete
from certification.lifecycle.services import certificate_revoke
from certification.models import Certificate
from tests.certification.factories import certifier, certifying_body
from tests.requirements import missing
from tests.services.certification_support import ROOT, database_url, qualified_class

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What the restored site is asked, through its public views, in a process of its own.
PUBLIC_CHECK = textwrap.dedent(
    """
    import hashlib, json, sys
    from pathlib import Path
    from urllib.parse import urlparse
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from certification.credentials import vc
    setup_test_environment()
    client, seen = Client(), {}
    for number in json.loads(sys.argv[1]):
        public = client.get(f"/api/v1/certificates/{number}").json()
        page = client.get(f"/verify/{number}/").content.decode()
        credential = client.get(f"/api/v1/certificates/{number}/credential").json()
        status = credential["credentialStatus"]
        listing = client.get(urlparse(status["statusListCredential"]).path).json()
        from certification.models import Certificate
        stored = Path(
            settings.PRIVATE_MEDIA_ROOT, Certificate.objects.get(number=number).pdf.name
        )
        seen[number] = {
            "status": public["status"],
            "pdf_sha256": public["pdf_sha256"],
            "file_sha256": hashlib.sha256(stored.read_bytes()).hexdigest(),
            "hash_on_page": public["pdf_sha256"] in page,
            "credential": vc.verify(credential).verified,
            "status_list": vc.verify(listing).verified,
            "revoked_bit": vc.status_bit(listing, int(status["statusListIndex"])),
        }
    print(json.dumps(seen))
    """
)


def _url(name: str) -> str:
    return database_url().rsplit("/", 1)[0] + f"/{name}"


def _server():
    return psycopg.connect(_url("postgres"), autocommit=True)


def _drop(name: str) -> None:
    with _server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restore_database():
    """The name of a database that does not exist yet; dropped afterwards."""
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    name = f"portal_restore_{os.getpid()}"
    _drop(name)
    yield name
    _drop(name)


def _on_restored(args, *, url, media, extra_env=None, check=True):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": f"{media}-private",
        "PORTAL_VERIFY_RATE_PER_MINUTE": "10000",
        **(extra_env or {}),
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_a_backup_restored_into_a_fresh_database_still_verifies_every_certificate(
    tmp_path, restore_database
):
    body = certifying_body("GD")
    certifying = certifier(body)
    _, application_ids = qualified_class(body, 3, tag="backup")
    certificates = []
    for application_id in application_ids:
        approved = application_approve(
            application_id=application_id, actor=certifying, enqueue=False
        )
        certificates.append(certificate_complete(certificate_id=approved.pk))
    revoked = certificate_revoke(
        certificate_id=certificates[0].pk, actor=certifying, reason="证书信息有误"
    )
    numbers = [c.number for c in certificates]
    hashes = {c.number: c.pdf_sha256 for c in certificates}

    backup = tmp_path / "backup"
    call_command("backup", "--to", str(backup))

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["certificates"] == {"revoked": 1, "valid": 2}
    assert (
        manifest["database"]["sha256"]
        == hashlib.sha256((backup / "database.dump").read_bytes()).hexdigest()
    )
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", "--to", str(backup))

    # The live media folder is lost: everything must come from the backup.
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)  # nothing public may be there
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT)
    url, media = _url(restore_database), tmp_path / "restored-media"
    call_command(
        "restore", "--from", str(backup), "--database-url", url, "--media-root", str(media)
    )
    for certificate in Certificate.objects.filter(number__in=numbers):
        # Private files come back into their own folder, apart from the public media.
        assert (media.parent / f"{media.name}-private" / certificate.pdf.name).is_file()
        assert not (media / certificate.pdf.name).exists()

    # The restored copy, in a process of its own: its integrity check passes ...
    report = _on_restored(["manage.py", "certificates_check", "--json"], url=url, media=media)
    checked = json.loads(report.stdout)
    assert checked["problems"] == []
    assert (checked["certificates"], checked["revoked"], checked["status_lists"]) == (3, 1, 1)
    assert checked["audit_entries"] >= 7  # 3 approved, 3 issued, 1 revoked

    # ... and the public verification page and API say what they said before.
    seen = json.loads(
        _on_restored(
            ["-c", PUBLIC_CHECK, json.dumps(numbers)],
            url=url,
            media=media,
            extra_env={"DJANGO_SETTINGS_MODULE": "portal.settings"},
        ).stdout
    )
    for number in numbers:
        is_revoked = number == revoked.number
        assert seen[number] == {
            "status": "revoked" if is_revoked else "valid",
            "pdf_sha256": hashes[number],
            "file_sha256": hashes[number],
            "hash_on_page": True,
            "credential": True,
            "status_list": True,
            "revoked_bit": is_revoked,
        }, number

    # Without the signing-key secret the copy verifies but cannot sign: the check says so.
    wrong = _on_restored(
        ["manage.py", "certificates_check"],
        url=url,
        media=media,
        extra_env={"PORTAL_SIGNING_KEY_SECRET": "not-the-secret"},
        check=False,
    )
    assert wrong.returncode != 0
    assert "signing key of GD" in wrong.stderr and "PORTAL_SIGNING_KEY_SECRET" in wrong.stderr

    # A second restore into the now populated database is refused, changing nothing.
    with pytest.raises(CommandError, match="already has"):
        call_command(
            "restore",
            "--from",
            str(backup),
            "--database-url",
            url,
            "--media-root",
            str(tmp_path / "elsewhere"),
        )
    assert Certificate.objects.count() == 3


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path, restore_database):
    body = certifying_body("GD")
    certifying = certifier(body)
    _, (application_id,) = qualified_class(body, 1, tag="damaged")
    approved = application_approve(application_id=application_id, actor=certifying, enqueue=False)
    certificate_complete(certificate_id=approved.pk)
    backup = tmp_path / "backup"
    call_command("backup", "--to", str(backup))
    with open(backup / "media.tar.gz", "r+b") as archive:
        archive.seek(40)
        archive.write(b"\x00garbage\x00")

    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command(
            "restore",
            "--from",
            str(backup),
            "--database-url",
            _url(restore_database),
            "--media-root",
            str(tmp_path / "restored"),
        )
    with _server() as server:
        assert not server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [restore_database]
        ).fetchone()
    assert not (tmp_path / "restored").exists()
