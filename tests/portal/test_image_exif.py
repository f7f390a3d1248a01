"""Pictures are stored without the camera's EXIF: no GPS position survives any upload path.

Each test uploads a JPEG carrying a GPS position (and a device name) through the path a person
uses: the profile form, the Wagtail admin's image upload, the evidence upload on an application
page, and the holder's photo embedded in the certificate PDF (extracted with ``pdfimages``).
"""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from certification.applications.services import application_create
from cms.models import TrainingBaseWorkspace
from cms.services import training_base_editor_add
from portal.accounts.images import image_cleaned, jpeg_without_metadata
from tests import factories

pytestmark = pytest.mark.django_db

GPS, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F
PLACE = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 30.0)}


def located_jpeg(size=(60, 80), orientation=1) -> bytes:
    """A JPEG as a phone writes it: GPS position, device and orientation in its EXIF."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[GPS] = PLACE
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert _exif(data).get_ifd(GPS), "the test picture must carry a GPS position"
    return data


def _exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def assert_nothing_located(data: bytes):
    exif = _exif(data)
    assert not exif.get_ifd(GPS) and GPS not in exif
    assert MAKE not in exif
    assert b"PhoneMaker" not in data and b"Exif\x00\x00" not in data


def test_cleaning_turns_the_picture_upright_and_drops_everything_else():
    for kind in ("JPEG", "PNG", "WEBP"):
        exif = Image.Exif()
        exif[ORIENTATION], exif[GPS], exif[MAKE] = 6, PLACE, "PhoneMaker"
        out = io.BytesIO()
        Image.new("RGB", (40, 20), "red").save(out, kind, exif=exif.tobytes())
        data, found = image_cleaned(out.getvalue())
        assert found == kind
        assert_nothing_located(data)
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (20, 40), kind  # rotated by its orientation, then dropped
    stripped = jpeg_without_metadata(located_jpeg())
    assert_nothing_located(stripped)
    with Image.open(io.BytesIO(stripped)) as image:
        image.load()
        assert image.size == (60, 80)


def test_profile_photo_is_stored_without_gps(client):
    person = factories.UserFactory()
    client.force_login(person)
    form = {"real_name": person.real_name, "province": "44", "phone": "", "organisation": ""}
    photo = SimpleUploadedFile("me.JPEG", located_jpeg(orientation=6), "image/jpeg")
    response = client.post(reverse("account_profile"), {**form, "photo": photo})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.photo.name.endswith(".jpg")  # named by what it is, not what it was called
    with person.photo.open("rb") as handle:
        stored = handle.read()
    assert_nothing_located(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (80, 60)


def test_profile_photo_is_named_by_what_it_is(client):
    person = factories.UserFactory()
    client.force_login(person)
    form = {"real_name": person.real_name, "province": "44", "phone": "", "organisation": ""}
    photo = SimpleUploadedFile("me.jpg", factories.png_bytes(), "image/jpeg")  # a PNG
    assert client.post(reverse("account_profile"), {**form, "photo": photo}).status_code == 302
    person.refresh_from_db()
    assert person.photo.name.endswith(".png")


def test_wagtail_image_upload_and_its_renditions_have_no_gps(client):
    from wagtail.images.models import Image as WagtailImage

    base = factories.training_base("GD-A")
    editor = factories.with_totp(factories.UserFactory(roles=["Base editor"]))
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    collection = TrainingBaseWorkspace.objects.get(base=base).collection
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "林老师",
            "collection": collection.pk,
            "file": SimpleUploadedFile("teacher.jpg", located_jpeg((300, 200)), "image/jpeg"),
        },
    )
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    assert "/admin/images/" in response["Location"], response["Location"]
    image = WagtailImage.objects.get()
    with image.open_file() as handle:
        original = handle.read()
    assert_nothing_located(original)
    assert (image.width, image.height) == (300, 200)
    assert image.file_size == len(original)
    rendition = image.get_rendition("fill-100x100|format-jpeg")
    with rendition.file.open("rb") as handle:
        assert_nothing_located(handle.read())


def test_evidence_picture_is_stored_without_gps(client):
    from certification.models import Evidence
    from tests.certification.factories import certifying_body, level

    body = certifying_body("GD")
    person = factories.UserFactory()
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    client.force_login(person)
    response = client.post(
        reverse("application_detail", args=[application.pk]),
        {
            "action": "upload",
            "kind": Evidence.Kind.DIPLOMA,
            "file": SimpleUploadedFile("diploma.jpg", located_jpeg(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert_nothing_located(stored)
    assert evidence.size == len(stored)
    download = client.get(
        reverse("evidence_download", args=[application.pk, evidence.pk]),
    )
    assert download.status_code == 200
    assert_nothing_located(b"".join(download.streaming_content))


def _embedded_jpegs(pdf: bytes, tmp_path: Path) -> list[bytes]:
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdfimages", "-j", str(tmp_path / "c.pdf"), str(tmp_path / "img")],
        check=True,
        timeout=60,
    )
    return [path.read_bytes() for path in sorted(tmp_path.glob("img-*.jpg"))]


def test_certificate_pdf_embeds_the_holders_photo_without_gps(tmp_path):
    """Even a photo stored before cleaning existed (written straight to storage here, a modest
    upright JPEG the PDF embeds without decoding) reaches the PDF without its EXIF."""
    from tests.certification.factories import certifier, certifying_body, issued_certificate

    assert shutil.which("pdfimages"), "poppler-utils (pdfimages) is needed for this test"
    holder = factories.UserFactory()
    User = type(holder)
    raw = located_jpeg((300, 400))
    name = User._meta.get_field("photo").storage.save("photos/old.jpg", ContentFile(raw))
    User.objects.filter(pk=holder.pk).update(photo=name)
    holder.refresh_from_db()
    body = certifying_body("GD")
    certificate = issued_certificate(holder, body, certifier(body))
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    jpegs = _embedded_jpegs(pdf, tmp_path)
    assert jpegs, "the holder's photo is embedded as a JPEG"
    assert b"PhoneMaker" not in pdf
    for data in jpegs:
        assert_nothing_located(data)
    with certificate.photo.open("rb") as handle:
        assert_nothing_located(handle.read())


def test_the_photo_is_private(settings):
    from portal.accounts.models import User

    storage = User._meta.get_field("photo").storage
    assert Path(storage.location) == Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    assert not Path(storage.location).is_relative_to(Path(settings.MEDIA_ROOT))
