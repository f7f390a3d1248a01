"""Real-name details (实名信息): numbers checked with the reason said, stored encrypted with a
key of their own, shown masked only, changed only with the password, and every change recorded."""

import io
import json
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import translation
from PIL import Image

from portal.accounts.checks import identity_key_check
from portal.accounts.identity import (
    IdentityKeyError,
    identity_document,
    identity_hash,
    identity_matches,
    identity_number,
    identity_record,
    identity_summary,
    mask,
    validate_document_number,
)
from portal.accounts.models import IdentityChange, RealNameIdentity
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]

# The example of GB 11643-1999 itself.
STANDARD_EXAMPLE = "11010519491231002X"


def resident_id(first17: str) -> str:
    """``first17`` completed with its ISO 7064 MOD 11-2 check character (computed here
    independently of the code under test)."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    remainder = sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11
    return first17 + "10X98765432"[remainder]


NUMBER = resident_id("44010619900307123")  # Guangzhou, born 1990-03-07


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (80, 50), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (23.0, 7.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def document_upload(name="id.jpg"):
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


# -- validation -------------------------------------------------------------------------------


def test_a_real_number_is_accepted_and_normalised():
    assert validate_document_number("resident_id", " 11010519491231002x ") == STANDARD_EXAMPLE
    assert validate_document_number("resident_id", NUMBER) == NUMBER
    assert validate_document_number("passport", "e1234 5678") == "E12345678"
    assert validate_document_number("hk_macao_permit", "H12345678") == "H12345678"
    assert validate_document_number("taiwan_permit", "12345678") == "12345678"


@pytest.mark.parametrize(
    ("number", "reason", "chinese"),
    [
        (STANDARD_EXAMPLE[:-1] + "1", "checksum", "校验"),
        ("99" + STANDARD_EXAMPLE[2:], "region code", "地区"),
        (resident_id("11010519491331002"), "birth date", "出生日期"),  # month 13
        (resident_id("11010518991231002"), "birth date", "出生日期"),  # before 1900
        (resident_id("11010520991231002"), "birth date", "出生日期"),  # in the future
        (resident_id("11010519490229002"), "birth date", "出生日期"),  # 1949 was no leap year
        ("1101051949123100", "format", "格式"),
        ("11010519491231002Y", "format", "格式"),
    ],
)
def test_a_bad_resident_id_number_is_refused_with_the_reason(number, reason, chinese):
    for language, expected in (("en", reason), ("zh-hans", chinese)):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            validate_document_number("resident_id", number)
        assert expected in refused.value.messages[0], refused.value.messages


def test_other_documents_have_their_formats():
    for kind, number in [
        ("hk_macao_permit", "X12345678"),
        ("taiwan_permit", "1234"),
        ("passport", "E1"),
    ]:
        with translation.override("en"), pytest.raises(ValidationError, match="format"):
            validate_document_number(kind, number)
    with pytest.raises(ValidationError):
        validate_document_number("driving_licence", NUMBER)


def test_mask_shows_the_first_and_last_four_only():
    assert mask(STANDARD_EXAMPLE) == "1101**********002X"
    assert mask("E12345678") == "E******78"


# -- storage ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_number_is_stored_encrypted_and_opens_with_the_key_only(settings):
    user = UserFactory()
    identity_record(user, kind="resident_id", number=NUMBER)
    row = RealNameIdentity.objects.get(user=user)
    assert NUMBER not in row.number_encrypted and NUMBER[4:14] not in row.number_encrypted
    assert row.number_masked == mask(NUMBER)
    assert row.number_hash == identity_hash(NUMBER) and NUMBER not in row.number_hash
    assert identity_number(user) == NUMBER
    assert identity_matches(user, NUMBER.lower()) and not identity_matches(user, STANDARD_EXAMPLE)
    assert not identity_matches(UserFactory(), NUMBER)

    settings.PORTAL_IDENTITY_KEY = "another-key-" + "z" * 40
    with pytest.raises(IdentityKeyError):
        identity_number(user)
    # Under another key the same number hashes differently: the hash is keyed.
    assert identity_hash(NUMBER) != row.number_hash
    assert not identity_matches(user, NUMBER)


@pytest.mark.django_db
def test_identity_summary_and_document():
    user = UserFactory()
    assert identity_summary(user) is None and identity_document(user) is None
    identity_record(user, kind="resident_id", number=NUMBER, document=document_upload())
    summary = identity_summary(user)
    assert (summary.kind, summary.masked, summary.has_document) == (
        "resident_id",
        mask(NUMBER),
        True,
    )
    stored = identity_document(user)
    assert stored.name.startswith("identity/")
    assert stored.storage.__class__.__name__ == "PrivateFileSystemStorage"
    with stored.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif(), "the document image keeps its camera's metadata"


# -- the page ---------------------------------------------------------------------------------


def _post(client, number=NUMBER, password=PASSWORD, **extra):
    data = {"document_kind": "resident_id", "number": number, "password": password, **extra}
    if "document_image" not in data:
        data["document_image"] = document_upload()
    return client.post(reverse("account_identity"), data)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("account_identity"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert _post(client).status_code == 302
    assert not RealNameIdentity.objects.exists()


@pytest.mark.django_db
def test_a_bad_number_is_refused_on_the_page_with_the_reason(client):
    client.force_login(UserFactory())
    response = _post(client, number=STANDARD_EXAMPLE[:-1] + "1")
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert not RealNameIdentity.objects.exists()


@pytest.mark.django_db
def test_the_wrong_password_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    response = _post(client, password="not-my-password")
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    assert not RealNameIdentity.objects.exists()


@pytest.mark.django_db
def test_a_trainee_records_their_id_and_it_is_never_shown_in_full_again(client, caplog):
    caplog.set_level(logging.DEBUG)
    user = UserFactory(phone="13800138000")
    client.force_login(user)
    response = _post(client)
    assert response.status_code == 302
    pages = [
        client.get(reverse("account_identity")),
        client.get(reverse("account_profile")),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert NUMBER not in html and NUMBER[6:14] not in html
    assert mask(NUMBER) in pages[0].content.decode()
    assert "no-store" in pages[0]["Cache-Control"]  # no copy kept by a shared browser
    assert mask(NUMBER) in pages[1].content.decode()

    export = client.post(reverse("my_data"))
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert NUMBER.encode() not in everything and NUMBER[6:14].encode() not in everything
    data = json.loads(archive.read("my-data.json"))
    assert data["account"]["identity"]["number_masked"] == mask(NUMBER)
    assert data["account"]["identity"]["document_kind"] == "resident_id"

    assert NUMBER not in caplog.text and NUMBER[6:14] not in caplog.text


@pytest.mark.django_db
def test_a_change_needs_the_password_and_is_recorded(client):
    user = UserFactory()
    client.force_login(user)
    assert _post(client).status_code == 302
    first_image = identity_document(user).name
    # Without the password nothing changes.
    response = _post(client, number=STANDARD_EXAMPLE, password="")
    assert response.status_code == 200
    assert identity_matches(user, NUMBER)
    # With it the number changes; the picture is kept when none is sent.
    assert _post(client, number=STANDARD_EXAMPLE, document_image="").status_code == 302
    assert identity_matches(user, STANDARD_EXAMPLE)
    assert identity_document(user).name == first_image
    changes = list(IdentityChange.objects.filter(user=user).order_by("pk"))
    assert [(c.number_masked, c.previous_masked) for c in changes] == [
        (mask(NUMBER), ""),
        (mask(STANDARD_EXAMPLE), mask(NUMBER)),
    ]


@pytest.mark.django_db
def test_the_first_record_needs_a_picture_of_the_document(client):
    client.force_login(UserFactory())
    response = _post(client, document_image="")
    assert response.status_code == 200
    assert not RealNameIdentity.objects.exists()


@pytest.mark.django_db
def test_next_goes_back_to_a_page_of_the_site_only(client):
    client.force_login(UserFactory())
    response = _post(client, next="/certification/")
    assert response["Location"] == "/certification/"
    client.force_login(UserFactory())
    response = _post(client, next="https://evil.example/")
    assert response["Location"] == reverse("account_identity")


@pytest.mark.django_db
def test_closing_the_account_removes_the_identity(client):
    from portal.my_data import close_account

    user = UserFactory()
    identity_record(user, kind="resident_id", number=NUMBER)
    close_account(user)
    assert not RealNameIdentity.objects.filter(user=user).exists()


# -- the key ----------------------------------------------------------------------------------

DEVELOPMENT_IDENTITY_KEY = "insecure-identity-key-for-development-only"


def test_debug_off_without_an_identity_key_of_its_own_is_an_error(settings):
    settings.DEBUG = False
    for value in ("", DEVELOPMENT_IDENTITY_KEY, settings.SECRET_KEY):
        settings.PORTAL_IDENTITY_KEY = value
        assert [e.id for e in identity_key_check()] == ["accounts.E001"]
    settings.PORTAL_IDENTITY_KEY = "r4nd0m-" * 8
    assert identity_key_check() == []
    settings.DEBUG = True
    settings.PORTAL_IDENTITY_KEY = DEVELOPMENT_IDENTITY_KEY
    assert identity_key_check() == []


@pytest.mark.django_db
def test_manage_py_check_stops_on_it(settings):
    settings.DEBUG = False
    settings.PORTAL_IDENTITY_KEY = ""
    with pytest.raises(SystemCheckError, match="PORTAL_IDENTITY_KEY"):
        call_command("check", tags=["accounts"])


def test_production_has_no_identity_key_fallback_and_refuses_to_start(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "s" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(repr(s.PORTAL_IDENTITY_KEY))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "''", result.stderr
    # And `manage.py check` (as migrate and runserver, so `make serve`) stops on it.
    env["PORTAL_SIGNING_KEY_SECRET"] = "r4nd0m-signing-" * 4
    refused = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert refused.returncode != 0
    assert "accounts.E001" in refused.stderr and "PORTAL_IDENTITY_KEY" in refused.stderr


def test_the_makefile_gives_make_serve_an_identity_key():
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile[makefile.index("\nserve:") : makefile.index("\ncheck:")]
    assert "export PORTAL_IDENTITY_KEY=" in serve
    assert "identity_key" in serve
    assert serve.index("PORTAL_IDENTITY_KEY") < serve.index("manage.py migrate")


@pytest.mark.django_db
def test_guessing_the_password_on_the_page_is_slowed(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(5):
        assert "密码不正确" in _post(client, password="guess").content.decode()
    response = _post(client)  # even the right password waits now
    assert response.status_code == 200
    assert "尝试次数过多" in response.content.decode()
    assert not RealNameIdentity.objects.exists()
