"""Every way a file comes into the portal checks what the file is (by its bytes, not its name),
how big it is, and refuses a bad one with a clear message, storing nothing.

The ways in: application evidence and continuing-education evidence
(certification.uploads.evidence_check), the profile photo (portal.accounts.validators), the
question bank import (courses.question_io), the class roster import (courses.imports), the
certifying body's seal and signature (model validators), and Wagtail's images and documents
(Wagtail's own checks for pictures; cms.uploads.document_check for documents).
"""

import io
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.images.models import Image

from certification.applications.services import application_create
from certification.errors import CertificationError
from certification.files import evidence_check
from cms.models import TrainingBaseWorkspace
from cms.services import training_base_editor_add
from cms.uploads import document_check
from courses.imports import parse_roster_file
from courses.question_io import QuestionFileError, parse_questions_xlsx
from portal.accounts.validators import validate_photo
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = b"<html><script>alert(1)</script></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def zipped(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


# -- evidence --------------------------------------------------------------------------------


def test_evidence_is_judged_by_its_bytes_and_size(settings):
    assert evidence_check(upload("scan.pdf", PDF)) == "application/pdf"
    assert evidence_check(upload("photo.bin", factories.png_bytes())) == "image/png"
    for bad in (
        upload("scan.pdf", PAGE, "application/pdf"),  # a web page dressed as a PDF
        upload("scan.png", b"GIF89a" + b"\0" * 32, "image/png"),
        upload("scan.pdf", b"%PDF-1.4 cut short"),  # a PDF with no end
        upload("empty.pdf", b""),
    ):
        with pytest.raises(CertificationError):
            evidence_check(bad)
    settings.PORTAL_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(CertificationError, match="too large|过大|太大"):
        evidence_check(upload("scan.pdf", PDF + b" " * 200))


def test_evidence_upload_on_the_application_page_refuses_a_disguised_file(client):
    from certification.models import Evidence
    from tests.certification.factories import certifying_body, level

    body = certifying_body("GD")
    person = factories.UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    client.force_login(person)
    response = client.post(
        reverse("application_detail", args=[application.pk]),
        {"action": "upload", "kind": Evidence.Kind.choices[0][0], "file": upload("x.pdf", PAGE)},
    )
    assert response.status_code == 200
    assert response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


# -- profile photo ---------------------------------------------------------------------------


def test_profile_photo_must_be_a_modest_picture(client, settings):
    person = factories.UserFactory()
    client.force_login(person)
    form = {"real_name": person.real_name, "province": "44", "phone": "", "organisation": ""}
    response = client.post(
        reverse("account_profile"), {**form, "photo": upload("me.jpg", PAGE, "image/jpeg")}
    )
    assert response.status_code == 200 and response.context["form"].errors["photo"]
    person.refresh_from_db()
    assert not person.photo
    settings.PORTAL_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        validate_photo(upload("me.png", factories.png_bytes()))


# -- spreadsheets ----------------------------------------------------------------------------


def test_question_import_refuses_what_is_not_a_workbook():
    for data in (PAGE, zipped({"hello.txt": "hi"}), b""):
        with pytest.raises(QuestionFileError):
            parse_questions_xlsx(upload("questions.xlsx", data))


def test_question_import_page_refuses_a_disguised_file(client):
    base = factories.training_base("GD-A")
    teacher = factories.UserFactory(roles=["Faculty"])
    from cms.services import training_base_faculty_add

    training_base_faculty_add(base=base, user=teacher)
    client.force_login(teacher)
    response = client.post(
        reverse("courses_questions_import"),
        {"base": base.pk, "file": upload("questions.xlsx", PAGE)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    response = client.post(
        reverse("courses_questions_import"),
        {"base": base.pk, "file": upload("questions.html", PAGE)},
    )
    assert response.context["form"].errors["file"]


def test_roster_import_refuses_what_is_not_a_roster():
    for name, data in (
        ("class.xlsx", PAGE),
        ("class.csv", b"\x00\x01\x02\xff\xfe" * 100),
        ("class.html", PAGE),
        ("class.csv", b""),
    ):
        rows, errors = parse_roster_file(upload(name, data))
        assert errors and not rows, name
    rows, errors = parse_roster_file(upload("big.csv", b"a" * (2 * 1024 * 1024 + 1)))
    assert errors and not rows


# -- the certifying body's seal and signature ------------------------------------------------


def test_a_seal_must_be_a_picture():
    from tests.certification.factories import certifying_body

    body = certifying_body("GD", key=False, images=False)
    body.seal = upload("seal.png", PAGE, "image/png")
    with pytest.raises(ValidationError) as refused:
        body.full_clean()
    assert "seal" in refused.value.message_dict
    body.seal = upload("seal.png", factories.png_bytes())
    body.signature = upload("signature.png", b"GIF89a not really", "image/png")
    with pytest.raises(ValidationError) as refused:
        body.full_clean()
    assert "signature" in refused.value.message_dict


# -- Wagtail images and documents ------------------------------------------------------------


@pytest.fixture
def editor(client):
    base = factories.training_base("GD-A")
    person = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=person)
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return TrainingBaseWorkspace.objects.get(base=base).collection


def test_documents_must_be_what_their_extension_says(client, editor):
    url = reverse("wagtaildocs:add")
    refused = [
        ("page.pdf", PAGE),
        ("slides.pptx", zipped({"hello.txt": "hi"})),
        ("report.docx", PAGE),
        ("notes.odt", zipped({"mimetype": "text/html"})),
        ("archive.zip", PAGE),
        ("notes.txt", b"\x00\x01binary\x00" * 10),
        ("lesson.mp4", PAGE),
        ("page.html", PAGE),
        ("empty.pdf", b""),
    ]
    for name, data in refused:
        response = client.post(
            url, {"title": name, "collection": editor.pk, "file": upload(name, data)}
        )
        assert response.status_code == 200, name
        assert response.context["form"].errors.get("file"), name
    assert not Document.objects.exists()

    accepted = [
        ("handout.pdf", PDF),
        ("report.docx", zipped({"[Content_Types].xml": "<x/>", "word/document.xml": "<x/>"})),
        ("notes.odt", zipped({"mimetype": "application/vnd.oasis.opendocument.text"})),
        ("notes.txt", "技术转移讲义".encode("gb18030")),
        ("lesson.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
    ]
    for name, data in accepted:
        response = client.post(
            url, {"title": name, "collection": editor.pk, "file": upload(name, data)}
        )
        assert response.status_code == 302, (name, response.context["form"].errors)
    assert Document.objects.count() == len(accepted)


def test_the_multiple_uploader_checks_documents_too(client, editor):
    response = client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": upload("page.pdf", PAGE), "collection": editor.pk},
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert not Document.objects.exists()


def test_a_document_over_the_size_limit_is_refused(client, editor, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    response = client.post(
        reverse("wagtaildocs:add"),
        {"title": "big", "collection": editor.pk, "file": upload("big.pdf", PDF + b" " * 2048)},
    )
    assert response.context["form"].errors.get("file")
    assert not Document.objects.exists()


def test_pictures_must_be_pictures_of_modest_size(client, editor, settings):
    url = reverse("wagtailimages:add")
    for name, data in (("logo.png", PAGE), ("logo.svg", b"<svg onload='alert(1)'/>")):
        response = client.post(
            url, {"title": name, "collection": editor.pk, "file": upload(name, data)}
        )
        assert response.status_code == 200 and response.context["form"].errors.get("file"), name
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100
    response = client.post(
        url,
        {"title": "big", "collection": editor.pk, "file": upload("p.png", factories.png_bytes())},
    )
    assert response.context["form"].errors.get("file")
    assert not Image.objects.exists()


def test_the_limits_are_configured():
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert not {"html", "htm", "svg", "js", "exe"} & set(settings.WAGTAILDOCS_EXTENSIONS)
    assert settings.WAGTAILDOCS_DOCUMENT_FORM_BASE == "cms.forms_documents.PortalDocumentForm"


def test_document_check_knows_every_allowed_extension():
    """A new extension in WAGTAILDOCS_EXTENSIONS needs a content check of its own."""
    for extension in settings.WAGTAILDOCS_EXTENSIONS:
        with pytest.raises(ValidationError) as refused:
            document_check(upload(f"x.{extension}", b"\x00" * 16))
        assert refused.value.code != "extension_not_allowed", extension
