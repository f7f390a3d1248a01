"""Two storages: private files are never under a URL; the CMS's pictures are served in every mode.

- a certificate's PDF is kept outside ``MEDIA_ROOT`` under a random name, and no ``/media/``
  address reaches it (neither its old, number-derived name nor its stored one); its holder and
  its certifier still download it through the checked view;
- ``/media/`` answers a Wagtail rendition with ``DEBUG`` off (``make serve``), with validators
  and ``nosniff``, and refuses anything else: documents (Wagtail's own view checks their
  collection), paths leaving the folder, other folders;
- ``/private-files/`` answers only a person's own profile photo.
"""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from tests import factories

pytestmark = pytest.mark.django_db


def jpeg(size=(120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def certificate():
    from tests.certification.factories import certifier, certifying_body, issued_certificate

    body = certifying_body("GD")
    reviewer = certifier(body)
    issued = issued_certificate(factories.UserFactory(), body, reviewer)
    issued.reviewer = reviewer
    return issued


def test_certificate_pdf_is_private_and_not_named_by_its_number(certificate, settings, client):
    from certification.issuing.services import certificate_pdf_name

    name = certificate.pdf.name
    assert certificate.number not in name
    # A keyed hash: without the server's secret key the name cannot be worked out.
    assert certificate_pdf_name(certificate) == name
    with override_settings(SECRET_KEY=settings.SECRET_KEY[::-1] + "-rotated"):
        assert certificate_pdf_name(certificate) != name
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    old = f"certification/certificates/{certificate.number}.pdf"
    for debug in (True, False):
        with override_settings(DEBUG=debug):
            for path in (name, old, f"../private/{name}", f"images/../../private/{name}"):
                response = client.get(f"/media/{path}")
                assert response.status_code == 404, (debug, path)
            response = client.get(certificate.pdf.url)
            assert response.status_code in (302, 404)  # sign-in first, then not yours


def test_certificate_holder_and_certifier_still_download_it(certificate, client):
    with certificate.pdf.open("rb") as handle:
        stored = handle.read()
    url = reverse("certificate_pdf", args=[certificate.number])
    for person in (certificate.holder, certificate.reviewer):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored
    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == 404


def test_photos_and_evidence_are_stored_privately(settings):
    from certification.models import Certificate, CertifyingBody, Evidence
    from portal.accounts.models import User
    from portal.reports.models import ReportJob

    fields = [
        User._meta.get_field("photo"),
        Certificate._meta.get_field("photo"),
        Certificate._meta.get_field("pdf"),
        CertifyingBody._meta.get_field("seal"),
        CertifyingBody._meta.get_field("signature"),
        Evidence._meta.get_field("file"),
        ReportJob._meta.get_field("file"),
    ]
    from certification.lifecycle.models import ContinuingEducation

    fields.append(ContinuingEducation._meta.get_field("evidence"))
    for field in fields:
        assert Path(field.storage.location) == Path(settings.PRIVATE_MEDIA_ROOT).resolve(), field


@pytest.fixture
def picture():
    from wagtail.images.models import Image as WagtailImage

    return WagtailImage.objects.create(title="林老师", file=ContentFile(jpeg(), name="teacher.jpg"))


def test_a_rendition_is_served_with_debug_off(picture, client):
    rendition = picture.get_rendition("fill-60x60|format-jpeg")
    assert rendition.url.startswith("/media/images/")
    with override_settings(DEBUG=False):
        response = client.get(rendition.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "public" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        with Image.open(io.BytesIO(body)) as served:
            assert served.size == (60, 60)
        again = client.get(rendition.url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304
        since = client.get(rendition.url, headers={"if-modified-since": response["Last-Modified"]})
        assert since.status_code == 304
        original = client.get(picture.file.url)
        assert original.status_code == 200
        assert client.head(rendition.url).status_code == 200
        assert client.post(rendition.url).status_code == 405


def test_media_refuses_documents_and_anything_outside_the_pictures(picture, client, settings):
    from wagtail.documents.models import Document

    document = Document(title="内部资料")
    document.file.save("internal.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document.save()
    media = Path(settings.MEDIA_ROOT)
    (media / "images").mkdir(parents=True, exist_ok=True)
    (media / "images" / "page.html").write_text("<script>alert(1)</script>")
    (media / "images" / ".hidden.jpg").write_bytes(jpeg())
    with override_settings(DEBUG=False):
        for path in (
            document.file.name,  # documents/…: only through Wagtail's checked view
            "images/page.html",
            "images/.hidden.jpg",
            "images/../documents/internal.pdf",
            "images/%2e%2e/documents/internal.pdf",
            "images//etc/passwd",
            "images/missing.jpg",
            "original_images/",
        ):
            assert client.get(f"/media/{path}").status_code == 404, path
    # The document itself is served by Wagtail's view, which checks its collection's privacy.
    assert client.get(document.url).status_code == 200


def test_private_files_address_answers_only_ones_own_photo(client):
    owner, other = factories.UserFactory(), factories.UserFactory()
    owner.photo = SimpleUploadedFile("me.jpg", jpeg(), "image/jpeg")
    owner.save()
    url = owner.photo.url
    assert url.startswith("/private-files/") and not url.startswith("/media/")
    response = client.get(url)
    assert response.status_code == 302  # sign in first
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
